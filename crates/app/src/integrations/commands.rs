//! Slash commands. `/name arguments` sent from the composer runs here: Tandem's own commands
//! (`/me`, `/shrug`, `/invite`, `/leave`, `/topic`, `/mute`, `/unmute`, `/help`) do what they
//! say with the caller's own rights; an organization's custom command calls its endpoint,
//! signed as outgoing webhooks are, and the endpoint's answer is either shown to the caller
//! only (`ephemeral`, the default) or posted in the channel as the caller (`in_channel`).

use super::outgoing::OutgoingError;
use super::signature::sign;
use crate::IntegrationsContext;
use crate::auth::Authenticated;
use crate::auth::session::random_secret;
use crate::channels::{ChatError, add_member, get_channel, leave_channel, update_channel};
use crate::messages::{SendMessage, send_message};
use crate::notifications::set_channel_preferences;
use crate::ports::{ChannelChanges, NewSlashCommand, OutboundRequest, PortError};
use tandem_domain::{
    Actor, BUILT_IN_COMMANDS, ChannelDescription, ChannelId, CommandTrigger, EndpointUrl, Message,
    Role, SlashCommand, SlashCommandId, TokenScope, Username, invocation,
};

/// At most this many custom commands per organization.
pub const MAX_COMMANDS: usize = 50;
/// A command's description: at most this many characters.
pub const MAX_DESCRIPTION: usize = 200;

/// What running a command did.
#[derive(Debug)]
pub enum CommandOutcome {
    /// A message was posted in the channel.
    Posted(Box<Message>),
    /// Words for the caller only.
    Ephemeral(String),
}

/// A custom command to register.
#[derive(Debug, Clone)]
pub struct CreateCommand {
    pub trigger: CommandTrigger,
    pub url: EndpointUrl,
    pub description: String,
}

/// A new command and its signing secret, which exists only in this answer.
#[derive(Debug)]
pub struct CreatedCommand {
    pub command: SlashCommand,
    pub secret: String,
}

/// A command anyone may run: its name, usage and what it does.
#[derive(Debug, Clone)]
pub struct CommandInfo {
    pub name: String,
    pub usage: String,
    pub description: String,
    pub built_in: bool,
}

/// Registers a custom command (admins, signed in).
///
/// # Errors
/// `Forbidden`; `TriggerTaken`; `Invalid` (a description over [`MAX_DESCRIPTION`],
/// [`MAX_COMMANDS`] already); `AddressNotAllowed`; `Port`.
pub async fn create_command(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    request: CreateCommand,
) -> Result<CreatedCommand, OutgoingError> {
    admin(caller).map_err(as_outgoing)?;
    let organization_id = caller.user.organization_id;
    let description = request.description.trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION || description.chars().any(char::is_control) {
        return Err(OutgoingError::Invalid {
            field: "description",
            code: "invalid_description",
            message: format!("at most {MAX_DESCRIPTION} characters on one line"),
        });
    }
    let existing = ctx.commands.list(organization_id).await?;
    if existing.iter().any(|c| c.trigger == request.trigger) {
        return Err(OutgoingError::TriggerTaken(format!(
            "your organization has a /{} command already",
            request.trigger.as_str()
        )));
    }
    if existing.len() >= MAX_COMMANDS {
        return Err(OutgoingError::Invalid {
            field: "trigger",
            code: "too_many_commands",
            message: format!("your organization has {MAX_COMMANDS} commands already"),
        });
    }
    super::outgoing::check_address(ctx, &request.url).await?;
    let secret = format!("{}{}", super::SECRET_PREFIX, random_secret());
    let command = ctx
        .commands
        .create(NewSlashCommand {
            organization_id,
            trigger: request.trigger,
            url: request.url,
            secret_sealed: ctx.auth.secrets.seal(&secret),
            description,
            created_by: caller.user.id,
            created_at: ctx.clock.now(),
        })
        .await?;
    tracing::info!(user_id = %caller.user.id, command_id = %command.id, trigger = command.trigger.as_str(), "slash command created");
    Ok(CreatedCommand { command, secret })
}

/// The organization's custom commands (admins).
///
/// # Errors
/// `Forbidden`, `Port`.
pub async fn list_commands(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
) -> Result<Vec<SlashCommand>, OutgoingError> {
    admin(caller).map_err(as_outgoing)?;
    Ok(ctx.commands.list(caller.user.organization_id).await?)
}

/// Removes a custom command (admins).
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn delete_command(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    id: SlashCommandId,
) -> Result<(), OutgoingError> {
    admin(caller).map_err(as_outgoing)?;
    ctx.commands
        .delete(caller.user.organization_id, id)
        .await?
        .ok_or(OutgoingError::NotFound)?;
    tracing::info!(user_id = %caller.user.id, command_id = %id, "slash command deleted");
    Ok(())
}

/// Every command a member may run: Tandem's own, then the organization's.
///
/// # Errors
/// `Port`.
pub async fn available_commands(
    ctx: &IntegrationsContext,
    actor: &Actor,
) -> Result<Vec<CommandInfo>, ChatError> {
    let mut all: Vec<CommandInfo> = BUILT_IN_COMMANDS
        .iter()
        .map(|(name, usage, description)| CommandInfo {
            name: (*name).to_owned(),
            usage: (*usage).to_owned(),
            description: (*description).to_owned(),
            built_in: true,
        })
        .collect();
    all.extend(
        ctx.commands
            .list(actor.organization_id)
            .await?
            .into_iter()
            .map(|command| CommandInfo {
                usage: format!("/{} [text]", command.trigger.as_str()),
                name: command.trigger.as_str().to_owned(),
                description: command.description,
                built_in: false,
            }),
    );
    Ok(all)
}

/// Runs `text` (`/name arguments`) in a channel the caller can see.
///
/// # Errors
/// `Invalid` (`not_a_command`, `unknown_command`, missing arguments), `NotFound`
/// (channel), `Forbidden` (what the command does, the caller may not do there),
/// `CommandFailed` as `Invalid { field: "text", code: "command_failed" }` when a custom
/// command's endpoint fails; `RateLimited`; `Port`.
pub async fn run_command(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    channel_id: ChannelId,
    text: &str,
) -> Result<CommandOutcome, ChatError> {
    let actor = caller.actor();
    let (channel, _) = get_channel(&ctx.chat, &actor, channel_id).await?;
    let Some((name, args)) = invocation(text) else {
        return Err(ChatError::invalid(
            "text",
            "not_a_command",
            "a command starts with / and its name, e.g. /shrug",
        ));
    };
    // A token runs commands with its `write` scope; those that change the channel or its
    // members take `channels` too, as the same changes made directly do.
    if matches!(name.as_str(), "invite" | "leave" | "topic")
        && caller
            .scopes
            .as_ref()
            .is_some_and(|scopes| !scopes.contains(&TokenScope::Channels))
    {
        return Err(ChatError::Forbidden(format!(
            "/{name} changes the channel: it takes a token with the channels scope"
        )));
    }
    let poster = actor.clone();
    let post = |content: String| async move {
        let sent = send_message(
            &ctx.chat,
            &poster,
            SendMessage {
                channel_id,
                content,
                reply_to_id: None,
                client_msg_id: None,
                attachments: Vec::new(),
            },
        )
        .await?;
        Ok::<_, ChatError>(CommandOutcome::Posted(Box::new(sent.message)))
    };
    match name.as_str() {
        "me" => {
            let action = required(args, "/me <action>")?;
            post(format!("*{action}*")).await
        }
        "shrug" => {
            let shrug = r"¯\\\_(ツ)\_/¯";
            post(if args.is_empty() {
                shrug.to_owned()
            } else {
                format!("{args} {shrug}")
            })
            .await
        }
        "invite" => {
            let names = required(args, "/invite @person")?;
            let usernames: Vec<Username> = names
                .split_whitespace()
                .map(|name| Username::parse(name.trim_start_matches('@')))
                .collect::<Result<_, _>>()
                .map_err(|error| ChatError::Invalid {
                    field: "text",
                    error,
                })?;
            let people = ctx
                .chat
                .users
                .find_by_usernames(
                    actor.organization_id,
                    &usernames
                        .iter()
                        .map(|u| u.as_str().to_owned())
                        .collect::<Vec<_>>(),
                )
                .await?;
            if people.len() != usernames.len() {
                let missing: Vec<String> = usernames
                    .iter()
                    .filter(|u| !people.iter().any(|p| &p.username == *u))
                    .map(|u| format!("@{}", u.as_str()))
                    .collect();
                return Err(ChatError::invalid(
                    "text",
                    "unknown_person",
                    format!("no one here is {}", missing.join(", ")),
                ));
            }
            for person in &people {
                add_member(&ctx.chat, &actor, channel_id, person.id).await?;
            }
            let names: Vec<String> = people
                .iter()
                .map(|p| format!("@{}", p.username.as_str()))
                .collect();
            Ok(CommandOutcome::Ephemeral(format!(
                "Added {} to #{}.",
                names.join(", "),
                channel.name.as_str()
            )))
        }
        "leave" => {
            leave_channel(&ctx.chat, &actor, channel_id).await?;
            Ok(CommandOutcome::Ephemeral(format!(
                "You left #{}.",
                channel.name.as_str()
            )))
        }
        "topic" => {
            let topic = required(args, "/topic <text>")?;
            let description =
                ChannelDescription::parse(topic).map_err(|error| ChatError::Invalid {
                    field: "text",
                    error,
                })?;
            update_channel(
                &ctx.chat,
                &actor,
                channel_id,
                ChannelChanges {
                    description: Some(Some(description)),
                    ..ChannelChanges::default()
                },
            )
            .await?;
            Ok(CommandOutcome::Ephemeral(format!(
                "The topic of #{} is now: {topic}",
                channel.name.as_str()
            )))
        }
        "mute" | "unmute" => {
            let muted = name == "mute";
            set_channel_preferences(&ctx.notifications, &actor, channel_id, None, Some(muted))
                .await
                .map_err(|_| ChatError::NotFound("channel"))?;
            Ok(CommandOutcome::Ephemeral(if muted {
                format!(
                    "#{} is muted for you: /unmute to hear it again.",
                    channel.name.as_str()
                )
            } else {
                format!("You hear #{} again.", channel.name.as_str())
            }))
        }
        "help" => {
            let lines: Vec<String> = available_commands(ctx, &actor)
                .await?
                .into_iter()
                .map(|c| format!("`{}`: {}", c.usage, c.description))
                .collect();
            Ok(CommandOutcome::Ephemeral(lines.join("\n")))
        }
        custom => run_custom(ctx, caller, &channel, custom, args).await,
    }
}

async fn run_custom(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    channel: &tandem_domain::Channel,
    name: &str,
    args: &str,
) -> Result<CommandOutcome, ChatError> {
    let actor = caller.actor();
    let Some((command, sealed)) = ctx.commands.find(actor.organization_id, name).await? else {
        return Err(ChatError::invalid(
            "text",
            "unknown_command",
            format!("there is no /{name} command: /help lists them"),
        ));
    };
    let secret = ctx
        .auth
        .secrets
        .open(&sealed)
        .ok_or_else(|| PortError::unexpected("a command's signing secret cannot be read"))?;
    let body = serde_json::json!({
        "command": format!("/{name}"),
        "text": args,
        "channel_id": channel.id.get(),
        "channel_name": channel.name.as_str(),
        "user_id": actor.id.get(),
        "username": caller.user.username.as_str(),
        "organization_id": actor.organization_id.get(),
    })
    .to_string();
    let timestamp = ctx.clock.now().timestamp();
    let reply = ctx
        .outbound
        .post(OutboundRequest {
            url: command.url.as_str().to_owned(),
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("user-agent", "Tandem-Webhooks/1".to_owned()),
                ("x-tandem-event", "slash_command".to_owned()),
                ("x-tandem-timestamp", timestamp.to_string()),
                ("x-tandem-signature", sign(&secret, timestamp, &body)),
            ],
            body,
        })
        .await
        .map_err(|error| failed(name, &error.to_string()))?;
    if !(200..300).contains(&reply.status) {
        return Err(failed(name, &format!("it answered {}", reply.status)));
    }
    let answer = CommandAnswer::read(&reply.body).map_err(|why| failed(name, &why))?;
    match answer {
        CommandAnswer {
            text: Some(text),
            in_channel: true,
        } if !text.trim().is_empty() => {
            let sent = send_message(
                &ctx.chat,
                &actor,
                SendMessage {
                    channel_id: channel.id,
                    content: text,
                    reply_to_id: None,
                    client_msg_id: None,
                    attachments: Vec::new(),
                },
            )
            .await?;
            Ok(CommandOutcome::Posted(Box::new(sent.message)))
        }
        CommandAnswer { text, .. } => Ok(CommandOutcome::Ephemeral(text.unwrap_or_default())),
    }
}

/// An endpoint's answer: `{"text": "…", "response_type": "ephemeral" | "in_channel"}` (the
/// shape Slack and Mattermost use; other fields are ignored), or an empty body for nothing to
/// say.
#[derive(Debug, PartialEq, Eq)]
struct CommandAnswer {
    text: Option<String>,
    in_channel: bool,
}

#[derive(serde::Deserialize)]
struct AnswerBody {
    text: Option<String>,
    response_type: Option<String>,
}

impl CommandAnswer {
    fn read(body: &[u8]) -> Result<Self, String> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self {
                text: None,
                in_channel: false,
            });
        }
        let answer: AnswerBody = serde_json::from_slice(body).map_err(|_| {
            "its answer is not JSON of the form {\"text\": \"…\", \"response_type\": \"ephemeral\"}"
                .to_owned()
        })?;
        let text = answer.text;
        match answer.response_type.as_deref() {
            None | Some("ephemeral") => Ok(Self {
                text,
                in_channel: false,
            }),
            Some("in_channel") => Ok(Self {
                text,
                in_channel: true,
            }),
            Some(other) => Err(format!(
                "its response_type {other:?} is neither ephemeral nor in_channel"
            )),
        }
    }
}

fn failed(name: &str, why: &str) -> ChatError {
    ChatError::invalid(
        "text",
        "command_failed",
        format!("/{name} did not work: {why}"),
    )
}

fn required<'a>(args: &'a str, usage: &str) -> Result<&'a str, ChatError> {
    if args.is_empty() {
        return Err(ChatError::invalid(
            "text",
            "missing_arguments",
            format!("usage: {usage}"),
        ));
    }
    Ok(args)
}

fn as_outgoing(error: ChatError) -> OutgoingError {
    match error {
        ChatError::Forbidden(_) => OutgoingError::Forbidden(
            "only admins, signed in, manage slash commands (not with a token)",
        ),
        ChatError::Port(port) => OutgoingError::Port(port),
        other => OutgoingError::Port(PortError::unexpected(other.to_string())),
    }
}

/// Custom commands are managed by admins, signed in (no token makes credentials).
fn admin(caller: &Authenticated) -> Result<(), ChatError> {
    if caller.scopes.is_some() {
        return Err(ChatError::Forbidden(
            "commands are managed when signed in, not with a token".to_owned(),
        ));
    }
    if caller.user.role != Role::Admin {
        return Err(ChatError::Forbidden(
            "only admins can manage slash commands".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_in_the_common_shape() {
        assert_eq!(
            CommandAnswer::read(br#"{"text":"hi","response_type":"in_channel","extra":1}"#),
            Ok(CommandAnswer {
                text: Some("hi".into()),
                in_channel: true
            })
        );
        assert_eq!(
            CommandAnswer::read(br#"{"text":"only you"}"#),
            Ok(CommandAnswer {
                text: Some("only you".into()),
                in_channel: false
            })
        );
        assert_eq!(
            CommandAnswer::read(b"  \n"),
            Ok(CommandAnswer {
                text: None,
                in_channel: false
            })
        );
        assert!(CommandAnswer::read(b"<html>").is_err());
        assert!(CommandAnswer::read(br#"{"text":"x","response_type":"everyone"}"#).is_err());
        assert!(CommandAnswer::read(br#"{"text":5}"#).is_err());
    }
}
