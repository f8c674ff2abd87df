//! Incoming webhooks. A channel's managers make one for a system that should post there (an
//! alerting tool, a CI server): it gets a secret address, shown once, and a bot account of its
//! own, which joins the channel and is the author of everything the hook posts. Posting is
//! sending a message as that bot: Markdown and mentions work, the message limit applies (per
//! hook, as each has its own bot), and archived or read-only channels refuse it. Deleting the
//! hook retires its bot; what it posted stays.

use crate::IntegrationsContext;
use crate::auth::Authenticated;
use crate::auth::bots::{BotError, new_bot, retire};
use crate::auth::session::{hash_refresh_token, random_secret};
use crate::channels::{ChatError, add_member, managed_channel};
use crate::messages::{SendMessage, send_message};
use crate::ports::{NewIncomingWebhook, PortError};
use chrono::Duration;
use tandem_domain::{
    Actor, ChannelId, DisplayName, HookAttachment, HookName, IncomingWebhook, IncomingWebhookId,
    Message, User, Username, hook_message,
};

/// What every hook secret starts with (secret scanners find them).
pub const HOOK_PREFIX: &str = "tdm_hook_";
/// At most this many hooks per channel.
pub const MAX_HOOKS_PER_CHANNEL: usize = 20;
/// How often a hook's last use is written down, at most.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A hook to make.
#[derive(Debug, Clone)]
pub struct CreateHook {
    pub channel_id: ChannelId,
    pub name: HookName,
    /// The bot's username; made from the name when `None`.
    pub username: Option<Username>,
}

/// A new hook, its bot, and its secret, which exists only in this answer.
#[derive(Debug)]
pub struct CreatedHook {
    pub hook: IncomingWebhook,
    pub bot: User,
    pub secret: String,
}

/// What a hook is asked to post.
#[derive(Debug, Clone, Default)]
pub struct HookPost {
    pub text: Option<String>,
    pub attachments: Vec<HookAttachment>,
}

/// Makes a hook for a channel the caller manages, with its bot, which joins the channel.
///
/// # Errors
/// `Forbidden` (with a token, or not a manager of the channel), `NotFound` (channel),
/// `Invalid` ([`MAX_HOOKS_PER_CHANNEL`] already, or the organization's bots are at their
/// limit), `Conflict(Username)`, `Port`.
pub async fn create_hook(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    request: CreateHook,
) -> Result<CreatedHook, ChatError> {
    signed_in(caller)?;
    let actor = caller.actor();
    let channel = managed_channel(&ctx.chat, &actor, request.channel_id).await?;
    if ctx.webhooks.list_for_channel(channel.id).await?.len() >= MAX_HOOKS_PER_CHANNEL {
        return Err(ChatError::invalid(
            "name",
            "too_many_hooks",
            format!(
                "this channel has {MAX_HOOKS_PER_CHANNEL} hooks already: delete one it no longer uses"
            ),
        ));
    }
    let username = match request.username {
        Some(username) => username,
        None => username_for(&request.name)?,
    };
    let bot = new_bot(
        &ctx.auth,
        actor.organization_id,
        username,
        DisplayName::parse(request.name.as_str()).ok(),
        actor.id,
    )
    .await
    .map_err(from_bot_error)?;
    match store(ctx, &actor, &channel.id, &request.name, &bot).await {
        Ok((hook, secret)) => {
            tracing::info!(user_id = %actor.id, channel_id = %channel.id, hook_id = %hook.id, bot_id = %bot.id, "incoming webhook created");
            Ok(CreatedHook { hook, bot, secret })
        }
        Err(error) => {
            // No bot without its hook.
            if let Err(retired) = retire(&ctx.auth, &bot).await {
                tracing::warn!(error = %retired, bot_id = %bot.id, "could not retire the bot of a hook that was not made");
            }
            Err(error)
        }
    }
}

async fn store(
    ctx: &IntegrationsContext,
    actor: &Actor,
    channel_id: &ChannelId,
    name: &HookName,
    bot: &User,
) -> Result<(IncomingWebhook, String), ChatError> {
    add_member(&ctx.chat, actor, *channel_id, bot.id).await?;
    let secret = format!("{HOOK_PREFIX}{}", random_secret());
    let hook = ctx
        .webhooks
        .create(NewIncomingWebhook {
            organization_id: actor.organization_id,
            channel_id: *channel_id,
            bot_id: bot.id,
            name: name.clone(),
            token_hash: hash_refresh_token(&secret),
            created_by: actor.id,
            created_at: ctx.clock.now(),
        })
        .await?;
    Ok((hook, secret))
}

/// A channel's hooks, oldest first, with their bots (its managers).
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn list_hooks(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    channel_id: ChannelId,
) -> Result<Vec<(IncomingWebhook, Option<User>)>, ChatError> {
    signed_in(caller)?;
    let channel = managed_channel(&ctx.chat, &caller.actor(), channel_id).await?;
    let hooks = ctx.webhooks.list_for_channel(channel.id).await?;
    let bots = ctx
        .chat
        .users
        .find_many(
            channel.organization_id,
            &hooks.iter().map(|hook| hook.bot_id).collect::<Vec<_>>(),
        )
        .await?;
    Ok(hooks
        .into_iter()
        .map(|hook| {
            let bot = bots.iter().find(|bot| bot.id == hook.bot_id).cloned();
            (hook, bot)
        })
        .collect())
}

/// Deletes a hook (its channel's managers): its address stops working at once and its bot is
/// retired; what it posted stays.
///
/// # Errors
/// `Forbidden`, `NotFound` (channel, or no such hook in it), `Port`.
pub async fn delete_hook(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    channel_id: ChannelId,
    id: IncomingWebhookId,
) -> Result<(), ChatError> {
    signed_in(caller)?;
    let channel = managed_channel(&ctx.chat, &caller.actor(), channel_id).await?;
    let hook = ctx
        .webhooks
        .delete(channel.id, id)
        .await?
        .ok_or(ChatError::NotFound("hook"))?;
    if let Some(bot) = ctx.chat.users.find_by_id(hook.bot_id).await? {
        retire(&ctx.auth, &bot).await?;
    }
    tracing::info!(user_id = %caller.user.id, channel_id = %channel.id, hook_id = %hook.id, "incoming webhook deleted");
    Ok(())
}

/// Posts what a hook was sent, as its bot, into its channel.
///
/// # Errors
/// `NotFound("hook")` for a secret that is no hook's (or a retired hook's);
/// `Invalid` for nothing to post, or a message the channel would refuse from anyone (too long,
/// control characters); `Forbidden` (archived or read-only channel); `RateLimited`; `Port`.
pub async fn post_to_hook(
    ctx: &IntegrationsContext,
    secret: &str,
    post: HookPost,
) -> Result<Message, ChatError> {
    let not_found = ChatError::NotFound("hook");
    if !secret.starts_with(HOOK_PREFIX) {
        return Err(not_found);
    }
    let hook = ctx
        .webhooks
        .find_by_hash(&hash_refresh_token(secret))
        .await?
        .ok_or(ChatError::NotFound("hook"))?;
    let bot = ctx
        .chat
        .users
        .find_by_id(hook.bot_id)
        .await?
        .filter(|bot| bot.is_active && bot.organization_id == hook.organization_id)
        .ok_or(not_found)?;
    let content = hook_message(post.text.as_deref(), &post.attachments);
    if content.is_empty() {
        return Err(ChatError::invalid(
            "text",
            "required",
            "give the message's text, or attachments",
        ));
    }
    let sent = send_message(
        &ctx.chat,
        &Actor::of(&bot),
        SendMessage {
            channel_id: hook.channel_id,
            content,
            reply_to_id: None,
            client_msg_id: None,
            attachments: Vec::new(),
        },
    )
    .await?;
    let now = ctx.clock.now();
    if hook
        .last_used_at
        .is_none_or(|last| now - last >= TOUCH_EVERY)
        && let Err(error) = ctx.webhooks.touch(hook.id, now).await
    {
        tracing::warn!(%error, hook_id = %hook.id, "could not record a hook's use");
    }
    Ok(sent.message)
}

/// A bot username from a hook's name: its letters and digits in lower case, words joined by
/// `-`, cut to 24 characters, then `-` and four random ones so that two "Alerts" hooks differ
/// (`alerts-k3x9`); `hook-…` when the name has no such characters.
fn username_for(name: &HookName) -> Result<Username, ChatError> {
    let mut slug = String::new();
    for c in name.as_str().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 24 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "hook" } else { slug };
    let suffix: String = random_secret()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect::<String>()
        .to_ascii_lowercase();
    Username::parse(&format!("{slug}-{suffix}"))
        .map_err(|_| ChatError::Port(PortError::unexpected("a made-up username did not parse")))
}

fn signed_in(caller: &Authenticated) -> Result<(), ChatError> {
    if caller.scopes.is_some() {
        return Err(ChatError::Forbidden(
            "hooks are managed when signed in, not with a token".to_owned(),
        ));
    }
    Ok(())
}

fn from_bot_error(error: BotError) -> ChatError {
    match error {
        BotError::Forbidden(message) => ChatError::Forbidden(message.to_owned()),
        BotError::NotFound => ChatError::NotFound("bot"),
        BotError::Invalid {
            field,
            code,
            message,
        } => ChatError::invalid(field, code, message),
        BotError::Port(PortError::Conflict(field)) => ChatError::Conflict(field),
        BotError::Port(error) => ChatError::Port(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_made_from_names() {
        let made = |name: &str| {
            username_for(&HookName::parse(name).unwrap())
                .unwrap()
                .as_str()
                .to_owned()
        };
        let alerts = made("Deploy alerts!");
        assert!(alerts.starts_with("deploy-alerts-"), "{alerts}");
        assert_eq!(alerts.len(), "deploy-alerts-".len() + 4);
        assert_ne!(made("Deploy alerts!"), made("Deploy alerts!"));
        assert!(made("¡¿…!").starts_with("hook-"));
        assert!(made("Ñandú").starts_with("and-"));
        assert!(made(&"a".repeat(80)).len() <= 32);
    }
}
