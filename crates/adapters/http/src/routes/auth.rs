//! `/api/v1/auth`: register, login, refresh, logout, me, password.

use crate::HttpSettings;
use crate::dto::auth::{
    AuthResponse, ChangePasswordRequest, LoginRequest, LogoutRequest, RefreshRequest,
    RegisterRequest, UnlockRequest,
};
use crate::dto::users::UserResponse;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, OptionalJson, client_address, validated};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth::{self, ChangePassword, Login, Logout};

/// Create an account.
///
/// Joins the organization that owns the email's domain (as `member`) when it accepts
/// sign-ups; otherwise `organization_name` founds a new organization with you as `admin`.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; you are logged in", body = AuthResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "`signup_disabled`", body = ErrorBody),
        (status = 409, description = "`email_taken`, `username_taken` or `domain_taken`", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields, weak password, or `organization_name` needed", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address; see `Retry-After`", body = ErrorBody),
    )
)]
#[post("/register")]
pub async fn register(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, settings.trust_forwarded_headers);
    let command = validated(body.into_inner())?.into_command(address)?;
    let session = auth::register(&ctx.auth, command).await?;
    Ok(tokens(HttpResponse::Created(), session.into()))
}

/// A response carrying tokens, which no cache may keep (RFC 6749, 5.1).
fn tokens(mut response: actix_web::HttpResponseBuilder, body: AuthResponse) -> HttpResponse {
    response
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((actix_web::http::header::PRAGMA, "no-cache"))
        .json(body)
}

/// Log in with email (or username) and password.
///
/// An unknown account and a wrong password get the same answer. Repeated failures for one
/// account or from one address are refused with 429 for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = AuthResponse),
        (status = 401, description = "`invalid_credentials` or `account_disabled`", body = ErrorBody),
        (status = 422, description = "Missing fields", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = ErrorBody),
    )
)]
#[post("/login")]
pub async fn login(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let command = Login {
        login: body.email,
        password: body.password,
        client_address: client_address(&req, settings.trust_forwarded_headers),
    };
    let session = auth::login(&ctx.auth, command).await?;
    Ok(tokens(HttpResponse::Ok(), session.into()))
}

/// Exchange a refresh token for a new access and refresh token.
///
/// Each refresh token works once. Presenting one that was already used ends its whole
/// session (someone else has a copy) and answers `refresh_token_reused`.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = AuthResponse),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`", body = ErrorBody),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    ctx: web::Data<AppContext>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let session = auth::refresh(&ctx.auth, &body.refresh_token).await?;
    Ok(tokens(HttpResponse::Ok(), session.into()))
}

/// Log out: revoke this access token and, when given, the refresh token's session.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<LogoutRequest>, description = "Optional; send the refresh token to end its session too"),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/logout")]
pub async fn logout(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: OptionalJson<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0.unwrap_or_default();
    auth::logout(
        &ctx.auth,
        &caller,
        Logout {
            refresh_token: body.refresh_token,
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The authenticated user.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "You", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(caller: Caller) -> web::Json<UserResponse> {
    web::Json(caller.0.user.into())
}

/// Lift the pause on failed logins with the link emailed to the account's owner.
///
/// When failed logins pause a real account (for one address, or everywhere), its owner is
/// emailed a link valid for 30 minutes, once per pause. Using it lifts the account-wide pause
/// and the pause of the address it is used from; the password is still needed to log in.
#[utoipa::path(
    tag = "auth",
    request_body = UnlockRequest,
    responses(
        (status = 204, description = "Sign-in is open again from this address"),
        (status = 422, description = "`invalid_unlock_token`: unknown, used or expired", body = ErrorBody),
    )
)]
#[post("/unlock")]
pub async fn unlock(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: web::Json<UnlockRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, settings.trust_forwarded_headers);
    auth::unlock(&ctx.auth, &body.into_inner().token, address).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change your password. Ends every session of the account, this one included: log in again
/// with the new password.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; all sessions ended"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "Wrong current password or weak new one", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/password")]
pub async fn change_password(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let command = ChangePassword {
        current_password: body.current_password,
        new_password: body.new_password,
    };
    auth::change_password(&ctx.auth, &caller, command).await?;
    Ok(HttpResponse::NoContent().finish())
}
