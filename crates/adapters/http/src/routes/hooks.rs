//! Incoming webhooks: `/channels/{channel_id}/hooks` for the channel's managers (signed in),
//! and `/hooks/{token}`, where other systems post.

use crate::dto::hooks::{
    CreateHookRequest, CreatedHookResponse, HookForm, HookList, HookPayload, HookResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json, JsonOrPayloadForm, validated};
use actix_web::{HttpResponse, delete, get, post, web};
use tandem_api_types::MessageResponse;
use tandem_app::AppContext;
use tandem_app::integrations;
use tandem_domain::{ChannelId, IncomingWebhookId};

/// The channel's incoming webhooks (its managers), oldest first.
#[utoipa::path(tag = "hooks", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "The hooks", body = HookList),
    (status = 403, description = "Not a manager of the channel, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}/hooks")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<HookList>, ApiError> {
    let hooks = integrations::list_hooks(
        &ctx.integrations,
        &caller,
        ChannelId::new(path.into_inner()),
    )
    .await?;
    Ok(web::Json(HookList {
        hooks: hooks
            .into_iter()
            .map(|(hook, bot)| HookResponse::new(hook, bot))
            .collect(),
    }))
}

/// Make an incoming webhook for a channel you manage: a secret address another system posts
/// to, shown in this answer only. It posts as a bot of its own, which joins the channel.
#[utoipa::path(tag = "hooks", params(("channel_id" = i64, Path)), request_body = CreateHookRequest, responses(
    (status = 201, description = "Made: the address is in this answer only", body = CreatedHookResponse),
    (status = 403, description = "Not a manager of the channel, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 409, description = "`username_taken`: choose the bot's username", body = ErrorBody),
    (status = 422, description = "A bad name or username, `too_many_hooks` (20 per channel) or `too_many_bots`", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/hooks")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<CreateHookRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = validated(body.into_inner())?.into_command(ChannelId::new(path.into_inner()))?;
    let created = integrations::create_hook(&ctx.integrations, &caller, command).await?;
    let url = format!(
        "{}/api/v1/hooks/{}",
        ctx.auth.policy.base_url.trim_end_matches('/'),
        created.secret
    );
    Ok(HttpResponse::Created().json(CreatedHookResponse {
        hook: HookResponse::new(created.hook, Some(created.bot)),
        url,
        token: created.secret,
    }))
}

/// Delete an incoming webhook (the channel's managers): its address stops working at once
/// and its bot is deactivated; what it posted stays.
#[utoipa::path(tag = "hooks", params(("channel_id" = i64, Path), ("hook_id" = i64, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Not a manager of the channel, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such channel for you, or no such hook in it", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/channels/{channel_id}/hooks/{hook_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (channel_id, hook_id) = path.into_inner();
    integrations::delete_hook(
        &ctx.integrations,
        &caller,
        ChannelId::new(channel_id),
        IncomingWebhookId::new(hook_id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Post into a channel through its incoming webhook: no other credential, the address is the
/// secret. The body takes the shape of Slack's and Mattermost's hooks (`text`, `attachments`),
/// as JSON or, as Slack's hooks also take it, as a form whose `payload` field is that JSON; the
/// message is the hook bot's, with Markdown and mentions, within the message limits.
#[utoipa::path(tag = "hooks", params(("token" = String, Path, description = "The secret part of the hook's address (`tdm_hook_…`)")), request_body(
    description = "What to post: JSON, or the same JSON URL-encoded in a form's `payload` field (`curl --data-urlencode payload=…`); read alike, within the same size limit",
    content((HookPayload = "application/json"), (HookForm = "application/x-www-form-urlencoded")),
), responses(
    (status = 200, description = "Posted", body = MessageResponse),
    (status = 400, description = "`malformed_json`: the body is not JSON, or the form has no `payload` field (or more than one) or its `payload` is not JSON", body = ErrorBody),
    (status = 403, description = "The channel is archived or read-only", body = ErrorBody),
    (status = 404, description = "No such hook (or it was deleted)", body = ErrorBody),
    (status = 413, description = "The body, as sent, is larger than the JSON body limit", body = ErrorBody),
    (status = 415, description = "Neither `application/json` nor `application/x-www-form-urlencoded`", body = ErrorBody),
    (status = 422, description = "Not this shape, nothing to post, a message too long, or too many attachments", body = ErrorBody),
    (status = 429, description = "The hook posts too fast", body = ErrorBody),
), security(()))]
#[post("/hooks/{token}")]
pub async fn post(
    ctx: web::Data<AppContext>,
    path: web::Path<String>,
    body: JsonOrPayloadForm<HookPayload>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    let post = body.into_inner().into_post()?;
    let message = integrations::post_to_hook(&ctx.integrations, &path.into_inner(), post).await?;
    Ok(web::Json(message.into()))
}
