//! Bodies of slash commands: running one, and an organization's own.

use super::auth::field;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_api_types::MessageResponse;
use tandem_app::integrations::{CommandInfo, CommandOutcome, CreateCommand, CreatedCommand};
use tandem_domain::{CommandTrigger, EndpointUrl, SlashCommand};
use utoipa::ToSchema;

/// A command to run, as typed in the composer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunCommandRequest {
    #[schema(example = "/shrug it works on my machine", max_length = 4000)]
    pub text: String,
}

/// Whether the answer was posted in the channel or is for the caller only.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    InChannel,
    Ephemeral,
}

/// What running a command did: a message posted in the channel (`in_channel`, with
/// `message`), or words for you only (`ephemeral`, with `text`, possibly empty), which
/// nobody else sees and nothing stores.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandResponse {
    pub response_type: ResponseType,
    #[schema(required = true)]
    pub text: Option<String>,
    #[schema(required = true)]
    pub message: Option<MessageResponse>,
}

impl From<CommandOutcome> for CommandResponse {
    fn from(outcome: CommandOutcome) -> Self {
        match outcome {
            CommandOutcome::Posted(message) => Self {
                response_type: ResponseType::InChannel,
                text: None,
                message: Some((*message).into()),
            },
            CommandOutcome::Ephemeral(text) => Self {
                response_type: ResponseType::Ephemeral,
                text: Some(text),
                message: None,
            },
        }
    }
}

/// A command you can run.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandInfoResponse {
    /// Typed after `/`.
    #[schema(example = "shrug")]
    pub name: String,
    #[schema(example = "/shrug [message]")]
    pub usage: String,
    pub description: String,
    /// One of Tandem's own, or your organization's.
    pub built_in: bool,
}

impl From<CommandInfo> for CommandInfoResponse {
    fn from(info: CommandInfo) -> Self {
        Self {
            name: info.name,
            usage: info.usage,
            description: info.description,
            built_in: info.built_in,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandList {
    /// Tandem's own first, then your organization's by name.
    pub commands: Vec<CommandInfoResponse>,
}

/// A custom command to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommandRequest {
    /// What is typed after `/`: 1–32 lower-case letters, digits, `-` or `_`, not one of
    /// Tandem's own.
    #[schema(example = "deploy", pattern = r"^/?[A-Za-z0-9_-]{1,32}$")]
    pub trigger: String,
    /// The endpoint that answers it (`POST`, JSON, signed as outgoing webhooks are).
    #[schema(example = "https://ci.example.com/tandem-command", max_length = 2048)]
    pub url: String,
    /// What it does, shown by `/help` (at most 200 characters).
    #[serde(default)]
    #[schema(example = "Deploy a service: /deploy <service>", max_length = 200)]
    pub description: String,
}

impl CreateCommandRequest {
    /// # Errors
    /// `validation_failed` for a trigger or address that does not parse.
    pub fn into_command(self) -> Result<CreateCommand, ApiError> {
        Ok(CreateCommand {
            trigger: field("trigger", CommandTrigger::parse(&self.trigger))?,
            url: field("url", EndpointUrl::parse(&self.url))?,
            description: self.description,
        })
    }
}

/// A custom command as admins see it: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlashCommandResponse {
    pub id: i64,
    pub trigger: String,
    pub url: String,
    pub description: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl From<SlashCommand> for SlashCommandResponse {
    fn from(command: SlashCommand) -> Self {
        Self {
            id: command.id.get(),
            trigger: command.trigger.as_str().to_owned(),
            url: command.url.as_str().to_owned(),
            description: command.description,
            created_by: command.created_by.get(),
            created_at: command.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlashCommandList {
    pub commands: Vec<SlashCommandResponse>,
}

/// A new command with its signing secret: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCommandResponse {
    pub command: SlashCommandResponse,
    /// Checks `X-Tandem-Signature` on the requests the command makes, as for outgoing
    /// webhooks.
    #[schema(example = "whsec_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h")]
    pub secret: String,
}

impl From<CreatedCommand> for CreatedCommandResponse {
    fn from(created: CreatedCommand) -> Self {
        Self {
            command: created.command.into(),
            secret: created.secret,
        }
    }
}
