//! Personal access tokens: `/users/me/tokens` for your own, `/organizations/current/tokens`
//! for admins. Managed only when signed in: a token cannot make or see tokens.

use crate::dto::tokens::{AccessTokenList, CreateTokenRequest, CreatedTokenResponse};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json};
use actix_web::{HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth;
use tandem_domain::AccessTokenId;

/// Your personal access tokens, newest first, with when each was last used.
#[utoipa::path(tag = "tokens", responses(
    (status = 200, description = "Your tokens", body = AccessTokenList),
    (status = 403, description = "`insufficient_scope`: asked with a token", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/users/me/tokens")]
pub async fn mine(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<AccessTokenList>, ApiError> {
    let tokens = auth::my_access_tokens(&ctx.auth, &caller).await?;
    Ok(web::Json(tokens.into()))
}

/// Make a personal access token: a lasting credential for a script or another system, limited
/// to its scopes and never more than you may do. The answer holds the token itself, once;
/// send it as `Authorization: Bearer <token>` to the REST API, the WebSocket gateway and the
/// event streams.
#[utoipa::path(tag = "tokens", request_body = CreateTokenRequest, responses(
    (status = 201, description = "Made: the token is in this answer only", body = CreatedTokenResponse),
    (status = 403, description = "`insufficient_scope` (asked with a token), or `forbidden`: the admin scope for someone who is not an admin", body = ErrorBody),
    (status = 422, description = "No scope, a bad name, a life outside 1–3650 days, or `too_many_tokens` (50)", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/users/me/tokens")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = body.into_inner().into_command()?;
    let issued = auth::create_access_token(&ctx.auth, &caller, command).await?;
    Ok(crate::routes::auth::tokens(
        HttpResponse::Created(),
        CreatedTokenResponse::from(issued),
        None,
    ))
}

/// Revoke one of your tokens: it stops working at once, and its open connections close.
#[utoipa::path(tag = "tokens", params(("token_id" = i64, Path)), responses(
    (status = 204, description = "Revoked"),
    (status = 403, description = "`insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such token of yours", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/users/me/tokens/{token_id}")]
pub async fn revoke_mine(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = AccessTokenId::new(path.into_inner());
    auth::revoke_access_token(&ctx.auth, &caller, id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every personal access token of your organization, newest first (admins).
#[utoipa::path(tag = "tokens", responses(
    (status = 200, description = "The organization's tokens", body = AccessTokenList),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/organizations/current/tokens")]
pub async fn organization(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<AccessTokenList>, ApiError> {
    let tokens = auth::organization_access_tokens(&ctx.auth, &caller).await?;
    Ok(web::Json(tokens.into()))
}

/// Revoke anyone's token in your organization (admins): it stops working at once, and its
/// open connections close.
#[utoipa::path(tag = "tokens", params(("token_id" = i64, Path)), responses(
    (status = 204, description = "Revoked"),
    (status = 403, description = "Not an admin, or `insufficient_scope`: asked with a token", body = ErrorBody),
    (status = 404, description = "No such token in your organization", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/organizations/current/tokens/{token_id}")]
pub async fn revoke_any(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = AccessTokenId::new(path.into_inner());
    auth::revoke_access_token(&ctx.auth, &caller, id, true).await?;
    Ok(HttpResponse::NoContent().finish())
}
