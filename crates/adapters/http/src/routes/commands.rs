//! Slash commands: running one in a channel, listing those you can run, and (admins, signed
//! in) an organization's own at `/slash-commands`.

use crate::dto::commands::{
    CommandList, CommandResponse, CreateCommandRequest, CreatedCommandResponse, RunCommandRequest,
    SlashCommandList,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json};
use actix_web::{HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::integrations;
use tandem_domain::{ChannelId, SlashCommandId};

/// Run a slash command in a channel, as typed (`/shrug`, `/invite @bo`, `/deploy api`).
/// Tandem's own: `/me`, `/shrug`, `/invite`, `/leave`, `/topic`, `/mute`, `/unmute`, `/help`.
/// Your organization's call their endpoint, whose answer is posted in the channel as you
/// (`in_channel`) or shown to you only (`ephemeral`).
#[utoipa::path(tag = "commands", params(("channel_id" = i64, Path)), request_body = RunCommandRequest, responses(
    (status = 200, description = "What the command did", body = CommandResponse),
    (status = 403, description = "What the command does, you may not do here (post, add people, change the topic), or `insufficient_scope`", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 422, description = "`not_a_command`, `unknown_command`, `missing_arguments`, `unknown_person`, or `command_failed` (a custom command's endpoint failed or answered something unreadable)", body = ErrorBody),
    (status = 429, description = "Posting too fast", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/commands")]
pub async fn run(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<RunCommandRequest>,
) -> Result<web::Json<CommandResponse>, ApiError> {
    let outcome = integrations::run_command(
        &ctx.integrations,
        &caller,
        ChannelId::new(path.into_inner()),
        &body.into_inner().text,
    )
    .await?;
    Ok(web::Json(outcome.into()))
}

/// The commands you can run: Tandem's own, then your organization's.
#[utoipa::path(tag = "commands", responses(
    (status = 200, description = "The commands", body = CommandList),
), security(("bearer" = [])))]
#[get("/commands")]
pub async fn available(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<CommandList>, ApiError> {
    let commands = integrations::available_commands(&ctx.integrations, &caller.actor()).await?;
    Ok(web::Json(CommandList {
        commands: commands.into_iter().map(Into::into).collect(),
    }))
}

/// Your organization's own commands (admins).
#[utoipa::path(tag = "commands", responses(
    (status = 200, description = "The commands", body = SlashCommandList),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/slash-commands")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<SlashCommandList>, ApiError> {
    let commands = integrations::list_commands(&ctx.integrations, &caller).await?;
    Ok(web::Json(SlashCommandList {
        commands: commands.into_iter().map(Into::into).collect(),
    }))
}

/// Register a command answered by your endpoint (admins). Running it `POST`s JSON
/// (`command`, `text`, `channel_id`, `channel_name`, `user_id`, `username`,
/// `organization_id`), signed as outgoing webhooks are, with the secret in this answer (shown
/// once); the endpoint answers `{"text": "…", "response_type": "ephemeral" | "in_channel"}`
/// within `integrations.delivery_timeout_secs`.
#[utoipa::path(tag = "commands", request_body = CreateCommandRequest, responses(
    (status = 201, description = "Registered: the secret is in this answer only", body = CreatedCommandResponse),
    (status = 403, description = "Not an admin, `insufficient_scope` (asked with a token), or `address_not_allowed`: the address may not be reached from here", body = ErrorBody),
    (status = 409, description = "`trigger_taken`: your organization has a command of this name", body = ErrorBody),
    (status = 422, description = "`invalid_trigger`, `reserved_trigger`, `invalid_url`, `invalid_description`, `too_many_commands` (50)", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/slash-commands")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<CreateCommandRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = body.into_inner().into_command()?;
    let created = integrations::create_command(&ctx.integrations, &caller, command).await?;
    Ok(HttpResponse::Created().json(CreatedCommandResponse::from(created)))
}

/// Remove one of your organization's commands (admins).
#[utoipa::path(tag = "commands", params(("command_id" = i64, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such command in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/slash-commands/{command_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    integrations::delete_command(
        &ctx.integrations,
        &caller,
        SlashCommandId::new(path.into_inner()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
