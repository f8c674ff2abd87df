//! Bot accounts: members of an organization run by a program, made by an admin and owned by a
//! person. A bot is a user (it joins channels, posts and reacts like anyone, and spends a
//! request budget of its own), but it is never signed in to: it works through its token, made
//! with it and shown once, which an admin can replace. Its address is made up and undeliverable
//! (`bot-….@bots.invalid`), so nothing is ever emailed to it and no one can sign in as it.
//! Deactivating its owner deactivates it too (hooks' bots aside).

use super::access_tokens::{self, AccessTokenError};
use super::authenticate::Authenticated;
use super::session::random_secret;
use crate::AuthContext;
use crate::ports::{IncomingWebhookRepository, NewUser, PortError, ProfileChanges, UserQuery};
use tandem_domain::{
    DisplayName, Email, OrganizationId, Password, Role, TokenScope, User, UserId, Username,
};

/// What a bot's token may do: read, post, and join or manage channels, as a member may. An
/// admin scope is never given to a bot.
pub const BOT_SCOPES: [TokenScope; 3] = [TokenScope::Read, TokenScope::Write, TokenScope::Channels];
/// At most this many bots per organization.
pub const MAX_PER_ORGANIZATION: u64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("no such bot")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<AccessTokenError> for BotError {
    fn from(error: AccessTokenError) -> Self {
        match error {
            AccessTokenError::Forbidden(message) => Self::Forbidden(message),
            AccessTokenError::Disabled => Self::Forbidden("personal access tokens are off"),
            AccessTokenError::NotFound => Self::NotFound,
            AccessTokenError::Invalid {
                field,
                code,
                message,
            } => Self::Invalid {
                field,
                code,
                message,
            },
            AccessTokenError::Port(error) => Self::Port(error),
        }
    }
}

/// A bot to make.
#[derive(Debug, Clone)]
pub struct CreateBot {
    pub username: Username,
    pub display_name: Option<DisplayName>,
    /// The person answerable for it; the admin making it when `None`.
    pub owner_id: Option<UserId>,
}

/// A bot with its new token, which exists only in this answer.
#[derive(Debug)]
pub struct IssuedBot {
    pub bot: User,
    pub token: String,
}

/// Makes a bot and its token (scopes [`BOT_SCOPES`], no expiry).
///
/// # Errors
/// `Forbidden` (not an admin, or asked with a token), `NotFound` (an owner who is not in the
/// organization), `Invalid` (an owner who is deactivated or a bot, or [`MAX_PER_ORGANIZATION`]
/// bots already),
/// `Port(Conflict(Username))`, `Port`.
pub async fn create_bot(
    ctx: &AuthContext,
    caller: &Authenticated,
    request: CreateBot,
) -> Result<IssuedBot, BotError> {
    admin(caller)?;
    let organization_id = caller.user.organization_id;
    let owner_id = match request.owner_id {
        None => caller.user.id,
        Some(id) => {
            let owner = ctx
                .users
                .find_by_id(id)
                .await?
                .filter(|owner| owner.organization_id == organization_id)
                .ok_or(BotError::NotFound)?;
            if !owner.is_active || owner.is_bot {
                return Err(BotError::Invalid {
                    field: "owner_id",
                    code: "invalid_owner",
                    message: "the owner must be an active person, not a bot".to_owned(),
                });
            }
            owner.id
        }
    };
    let bot = new_bot(
        ctx,
        organization_id,
        request.username,
        request.display_name,
        owner_id,
    )
    .await?;
    let token = access_tokens::issue_bot_token(ctx, &bot, bot.created_at).await?;
    tracing::info!(user_id = %caller.user.id, bot_id = %bot.id, owner_id = %owner_id, "bot created");
    Ok(IssuedBot { bot, token })
}

/// Makes a bot account (without a token): for [`create_bot`], and for an incoming webhook,
/// which posts as a bot of its own.
///
/// # Errors
/// `Invalid` ([`MAX_PER_ORGANIZATION`] bots already), `Port(Conflict(Username))`, `Port`.
pub(crate) async fn new_bot(
    ctx: &AuthContext,
    organization_id: OrganizationId,
    username: Username,
    display_name: Option<DisplayName>,
    owner_id: UserId,
) -> Result<User, BotError> {
    let existing = ctx
        .users
        .list(&bots_of(organization_id, MAX_PER_ORGANIZATION))
        .await?;
    if existing.len() as u64 >= MAX_PER_ORGANIZATION {
        return Err(BotError::Invalid {
            field: "username",
            code: "too_many_bots",
            message: format!("your organization has {MAX_PER_ORGANIZATION} bots already"),
        });
    }
    let now = ctx.clock.now();
    let address = format!(
        "bot-{}@bots.invalid",
        random_secret()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect::<String>()
            .to_ascii_lowercase()
    );
    let email = Email::parse(&address)
        .map_err(|_| PortError::unexpected("a bot's made-up address did not parse"))?;
    // A hash of a secret no one keeps: the account has a password no one can type.
    let password_hash = ctx
        .hasher
        .hash(&Password::presented(&random_secret()))
        .await?;
    Ok(ctx
        .users
        .create(
            organization_id,
            NewUser {
                email,
                username,
                display_name,
                password_hash,
                role: Role::Member,
                created_at: now,
                email_verified: true,
                bot_owner_id: Some(owner_id),
            },
        )
        .await?)
}

/// The organization's bots, deactivated ones included, oldest first (admins).
///
/// # Errors
/// `Forbidden`, `Port`.
pub async fn list_bots(ctx: &AuthContext, caller: &Authenticated) -> Result<Vec<User>, BotError> {
    admin(caller)?;
    Ok(ctx
        .users
        .list(&bots_of(caller.user.organization_id, MAX_PER_ORGANIZATION))
        .await?)
}

/// Replaces a bot's token: the old ones stop working at once (their connections close) and
/// the new one is in the answer. Reactivates a deactivated bot.
///
/// # Errors
/// `Forbidden`, `NotFound` (no such bot in the organization), `Port`.
pub async fn replace_bot_token(
    ctx: &AuthContext,
    caller: &Authenticated,
    bot_id: UserId,
) -> Result<IssuedBot, BotError> {
    admin(caller)?;
    let mut bot = find_bot(ctx, caller, bot_id).await?;
    access_tokens::revoke_all_of(ctx, &bot).await?;
    if !bot.is_active {
        bot = ctx
            .users
            .update_profile(
                bot.id,
                &ProfileChanges {
                    is_active: Some(true),
                    ..ProfileChanges::default()
                },
            )
            .await?;
    }
    let token = access_tokens::issue_bot_token(ctx, &bot, ctx.clock.now()).await?;
    tracing::info!(user_id = %caller.user.id, bot_id = %bot.id, "bot token replaced");
    Ok(IssuedBot { bot, token })
}

/// Deactivates a bot: its tokens are revoked (their connections close) and it is shown as
/// deactivated; its messages stay. [`replace_bot_token`] brings it back.
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn deactivate_bot(
    ctx: &AuthContext,
    caller: &Authenticated,
    bot_id: UserId,
) -> Result<(), BotError> {
    admin(caller)?;
    let bot = find_bot(ctx, caller, bot_id).await?;
    retire(ctx, &bot).await?;
    tracing::info!(user_id = %caller.user.id, bot_id = %bot.id, "bot deactivated");
    Ok(())
}

/// Revokes a bot's tokens and deactivates it (a deleted hook's bot too).
pub(crate) async fn retire(ctx: &AuthContext, bot: &User) -> Result<(), PortError> {
    access_tokens::revoke_all_of(ctx, bot).await?;
    ctx.users
        .update_profile(
            bot.id,
            &ProfileChanges {
                is_active: Some(false),
                ..ProfileChanges::default()
            },
        )
        .await?;
    Ok(())
}

/// Deactivates the active bots `owner` answers for, as [`deactivate_bot`] does (their tokens
/// revoked, their connections closed), now that `owner` is deactivated: a bot works on its
/// owner's say, and a departed owner's programs stop with them. Reactivating the owner brings
/// none back; an admin does, one by one, with a new token ([`replace_bot_token`]). The bots of
/// incoming webhooks are spared: a hook is its channel's, kept by the channel's managers
/// whoever made it, and goes on posting. Returns how many were deactivated.
///
/// # Errors
/// `Port`; the bots deactivated before the failure stay so.
pub(crate) async fn retire_bots_of(
    ctx: &AuthContext,
    hooks: &dyn IncomingWebhookRepository,
    owner: &User,
) -> Result<usize, PortError> {
    let owned: Vec<User> = ctx
        .users
        .list(&bots_of(owner.organization_id, MAX_PER_ORGANIZATION))
        .await?
        .into_iter()
        .filter(|bot| bot.is_active && bot.bot_owner_id == Some(owner.id))
        .collect();
    if owned.is_empty() {
        return Ok(0);
    }
    let hook_bots = hooks.bot_ids(owner.organization_id).await?;
    let mut retired = 0;
    for bot in owned.iter().filter(|bot| !hook_bots.contains(&bot.id)) {
        retire(ctx, bot).await?;
        tracing::info!(bot_id = %bot.id, owner_id = %owner.id, "bot deactivated with its owner");
        retired += 1;
    }
    Ok(retired)
}

async fn find_bot(
    ctx: &AuthContext,
    caller: &Authenticated,
    bot_id: UserId,
) -> Result<User, BotError> {
    ctx.users
        .find_by_id(bot_id)
        .await?
        .filter(|bot| bot.is_bot && bot.organization_id == caller.user.organization_id)
        .ok_or(BotError::NotFound)
}

fn bots_of(organization_id: OrganizationId, limit: u64) -> UserQuery {
    UserQuery {
        organization_id,
        after: None,
        limit,
        include_inactive: true,
        present_only: false,
        bots_only: true,
    }
}

/// Bots are managed by admins, signed in (a token, a bot's included, makes no credentials).
fn admin(caller: &Authenticated) -> Result<(), BotError> {
    if caller.scopes.is_some() {
        return Err(BotError::Forbidden(
            "bots are managed when signed in, not with a token",
        ));
    }
    if caller.user.role != Role::Admin {
        return Err(BotError::Forbidden("only admins can manage bots"));
    }
    Ok(())
}
