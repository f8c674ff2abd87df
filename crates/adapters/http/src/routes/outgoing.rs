//! Outgoing webhooks (admins, signed in): `/outgoing-webhooks`.

use crate::dto::outgoing::{
    CreateOutgoingRequest, CreatedOutgoingResponse, DeliveryList, DeliveryQuery,
    OutgoingWebhookList, OutgoingWebhookResponse, UpdateOutgoingRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json};
use actix_web::{HttpResponse, delete, get, patch, post, web};
use tandem_app::AppContext;
use tandem_app::integrations;
use tandem_domain::OutgoingWebhookId;

/// Your organization's outgoing webhooks, oldest first (admins).
#[utoipa::path(tag = "outgoing-webhooks", responses(
    (status = 200, description = "The webhooks", body = OutgoingWebhookList),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/outgoing-webhooks")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<OutgoingWebhookList>, ApiError> {
    let hooks = integrations::list_outgoing(&ctx.integrations, &caller).await?;
    Ok(web::Json(OutgoingWebhookList {
        webhooks: hooks.into_iter().map(Into::into).collect(),
    }))
}

/// Subscribe an endpoint to channel events (admins). Each event is `POST`ed as JSON
/// (`{"hook_id", "event", "channel_id", "data"}`, `data` being the WebSocket's event frame),
/// signed: `X-Tandem-Signature: v1=<hex HMAC-SHA256 of "{X-Tandem-Timestamp}.{body}">` with
/// the secret in this answer, shown once. A failed delivery is tried again with backoff; the
/// webhook is turned off after too many failures in a row. The address must be a public one
/// (loopback, private and link-local addresses are refused, unless the operator allowed the
/// host).
#[utoipa::path(tag = "outgoing-webhooks", request_body = CreateOutgoingRequest, responses(
    (status = 201, description = "Subscribed: the secret is in this answer only", body = CreatedOutgoingResponse),
    (status = 403, description = "Not an admin, `insufficient_scope` (asked with a token), or `address_not_allowed`: the address may not be reached from here (a name that does not resolve yet is taken)", body = ErrorBody),
    (status = 404, description = "A channel of `channel_ids` is not one of your organization's", body = ErrorBody),
    (status = 422, description = "A bad name, address or trigger word; no event; `invalid_channel` (a direct conversation); `too_many_webhooks` (50)", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/outgoing-webhooks")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<CreateOutgoingRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = body.into_inner().into_command()?;
    let created = integrations::create_outgoing(&ctx.integrations, &caller, command).await?;
    Ok(HttpResponse::Created().json(CreatedOutgoingResponse::from(created)))
}

/// Turn a webhook off, or on again after it was turned off (admins); on again, its failures
/// in a row start from 0.
#[utoipa::path(tag = "outgoing-webhooks", params(("webhook_id" = i64, Path)), request_body = UpdateOutgoingRequest, responses(
    (status = 200, description = "The webhook as it is now", body = OutgoingWebhookResponse),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such webhook in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[patch("/outgoing-webhooks/{webhook_id}")]
pub async fn update(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<UpdateOutgoingRequest>,
) -> Result<web::Json<OutgoingWebhookResponse>, ApiError> {
    let hook = integrations::set_outgoing_active(
        &ctx.integrations,
        &caller,
        OutgoingWebhookId::new(path.into_inner()),
        body.into_inner().is_active,
    )
    .await?;
    Ok(web::Json(hook.into()))
}

/// Delete a webhook and its delivery log (admins).
#[utoipa::path(tag = "outgoing-webhooks", params(("webhook_id" = i64, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such webhook in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/outgoing-webhooks/{webhook_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    integrations::delete_outgoing(
        &ctx.integrations,
        &caller,
        OutgoingWebhookId::new(path.into_inner()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's latest deliveries, newest first, with each one's status, tries, the endpoint's
/// answer and how long it took (admins).
#[utoipa::path(tag = "outgoing-webhooks", params(("webhook_id" = i64, Path), DeliveryQuery), responses(
    (status = 200, description = "The deliveries", body = DeliveryList),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such webhook in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/outgoing-webhooks/{webhook_id}/deliveries")]
pub async fn deliveries(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<DeliveryQuery>,
) -> Result<web::Json<DeliveryList>, ApiError> {
    let deliveries = integrations::outgoing_deliveries(
        &ctx.integrations,
        &caller,
        OutgoingWebhookId::new(path.into_inner()),
        query.limit.unwrap_or(50),
    )
    .await?;
    Ok(web::Json(DeliveryList {
        deliveries: deliveries.into_iter().map(Into::into).collect(),
    }))
}
