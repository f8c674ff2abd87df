//! Bot accounts (admins, signed in): `/bots`.

use crate::dto::bots::{BotList, BotWithToken, CreateBotRequest};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json, validated};
use actix_web::{HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth;
use tandem_domain::UserId;

/// Your organization's bots, deactivated ones included (admins).
#[utoipa::path(tag = "bots", responses(
    (status = 200, description = "The bots", body = BotList),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/bots")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<BotList>, ApiError> {
    Ok(web::Json(auth::list_bots(&ctx.auth, &caller).await?.into()))
}

/// Make a bot (admins): a member of the organization run by a program, owned by a person.
/// The answer holds its token, once; the bot joins channels, posts and reacts with it, within
/// the scopes `read`, `write` and `channels`, and spends a request budget of its own. Nobody
/// can sign in as a bot, and it is never emailed.
#[utoipa::path(tag = "bots", request_body = CreateBotRequest, responses(
    (status = 201, description = "Made: the token is in this answer only", body = BotWithToken),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "`owner_id` names no one in your organization", body = ErrorBody),
    (status = 409, description = "`username_taken`", body = ErrorBody),
    (status = 422, description = "A bad username or display name, `invalid_owner` (deactivated, or a bot), or `too_many_bots` (100)", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/bots")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<CreateBotRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = validated(body.into_inner())?.into_command()?;
    let issued = auth::create_bot(&ctx.auth, &caller, command).await?;
    Ok(HttpResponse::Created().json(BotWithToken::from(issued)))
}

/// Give a bot a new token (admins): the old one stops working at once and its connections
/// close. A deactivated bot is active again, one deactivated with its owner included.
#[utoipa::path(tag = "bots", params(("bot_id" = i64, Path)), responses(
    (status = 200, description = "The new token, in this answer only", body = BotWithToken),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such bot in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/bots/{bot_id}/token")]
pub async fn replace_token(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<BotWithToken>, ApiError> {
    let issued =
        auth::replace_bot_token(&ctx.auth, &caller, UserId::new(path.into_inner())).await?;
    Ok(web::Json(issued.into()))
}

/// Deactivate a bot (admins): its token stops working at once and its connections close; its
/// messages stay. A new token brings it back.
#[utoipa::path(tag = "bots", params(("bot_id" = i64, Path)), responses(
    (status = 204, description = "Deactivated"),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such bot in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/bots/{bot_id}")]
pub async fn deactivate(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth::deactivate_bot(&ctx.auth, &caller, UserId::new(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}
