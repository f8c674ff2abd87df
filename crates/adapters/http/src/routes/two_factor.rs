//! `/api/v1/auth/two-factor`, the second step of logging in, and admins turning it off for
//! someone: two-factor sign-in with an authenticator app (TOTP).

use crate::HttpSettings;
use crate::dto::auth::AuthResponse;
use crate::dto::two_factor::{
    CodeRequest, DisableTwoFactorRequest, EnrolmentResponse, PasswordRequest,
    RecoveryCodesResponse, SecondFactorRequest, TwoFactorStatusResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Account, Caller, Json, client_address, user_agent, validated};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth::{self, SecondFactor};
use tandem_domain::UserId;

/// The second step of logging in: the challenge `POST /auth/login` answered, and a code.
///
/// The code is six digits from the authenticator app (each is accepted once) or one of the
/// recovery codes (each works once). Five wrong codes void the challenge: log in again.
#[utoipa::path(
    tag = "auth",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, description = "Logged in", body = AuthResponse),
        (status = 422, description = "`invalid_code`, or `invalid_challenge` (expired, used, or too many wrong codes)", body = ErrorBody),
        (status = 429, description = "Too many wrong codes for this account; see `Retry-After`", body = ErrorBody),
    )
)]
#[post("/login/two-factor")]
pub async fn complete_login(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: Json<SecondFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let step = SecondFactor {
        challenge: body.challenge,
        code: body.code,
        client_address: client_address(&req, settings.trust_forwarded_headers),
        user_agent: user_agent(&req).map(str::to_owned),
    };
    let session = auth::complete_login(&ctx.auth, step).await?;
    let (body, cookie) = super::auth::issued(&req, &ctx, &settings, session);
    Ok(super::auth::tokens(HttpResponse::Ok(), body, cookie))
}

/// Whether two-factor sign-in is on for you, and how many recovery codes are left.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Your two-factor sign-in", body = TwoFactorStatusResponse)),
    security(("bearer" = []))
)]
#[get("/two-factor")]
pub async fn status(
    ctx: web::Data<AppContext>,
    caller: Account,
) -> Result<web::Json<TwoFactorStatusResponse>, ApiError> {
    Ok(web::Json(
        auth::two_factor_status(&ctx.auth, &caller).await?.into(),
    ))
}

/// Start enrolling an authenticator app (your password confirms it is you).
///
/// Answers a new secret, as text and as an `otpauth://` URI to show as a QR code. Nothing
/// changes at login until `POST /auth/two-factor/confirm` gets a first code. Starting again
/// replaces a secret that was never confirmed.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "A secret for the app", body = EnrolmentResponse),
        (status = 409, description = "`two_factor_enabled`", body = ErrorBody),
        (status = 422, description = "Wrong password", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords; see `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/two-factor/enrol")]
pub async fn enrol(
    ctx: web::Data<AppContext>,
    caller: Account,
    body: Json<PasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let enrolment: EnrolmentResponse = auth::begin_two_factor(&ctx.auth, &caller, &body.password)
        .await?
        .into();
    Ok(secret_answer(HttpResponse::Ok()).json(enrolment))
}

/// Turn two-factor sign-in on with a first code from the app.
///
/// Answers ten recovery codes, shown this once: each lets you sign in once without the app.
/// Where your organization requires two-factor sign-in, refresh your token afterwards
/// (`POST /auth/refresh`): tokens issued before say you still have to set it up.
#[utoipa::path(
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "On; keep these codes somewhere safe", body = RecoveryCodesResponse),
        (status = 409, description = "`two_factor_not_pending`: start with `POST /auth/two-factor/enrol`", body = ErrorBody),
        (status = 422, description = "`invalid_code`", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/two-factor/confirm")]
pub async fn confirm(
    ctx: web::Data<AppContext>,
    caller: Account,
    body: Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let recovery_codes = auth::confirm_two_factor(&ctx.auth, &caller, &body.code).await?;
    Ok(secret_answer(HttpResponse::Ok()).json(RecoveryCodesResponse { recovery_codes }))
}

/// Turn two-factor sign-in off: your password and a code (or a recovery code).
#[utoipa::path(
    tag = "auth",
    request_body = DisableTwoFactorRequest,
    responses(
        (status = 204, description = "Off: the password alone signs in again"),
        (status = 409, description = "`two_factor_disabled`", body = ErrorBody),
        (status = 422, description = "Wrong password, or `invalid_code`", body = ErrorBody),
        (status = 429, description = "Too many wrong attempts; see `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/two-factor/disable")]
pub async fn disable(
    ctx: web::Data<AppContext>,
    caller: Account,
    body: Json<DisableTwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    auth::disable_two_factor(&ctx.auth, &caller, &body.password, &body.code).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// New recovery codes, replacing the old ones; a code from the app confirms it is you.
#[utoipa::path(
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "The new codes, shown this once", body = RecoveryCodesResponse),
        (status = 409, description = "`two_factor_disabled`", body = ErrorBody),
        (status = 422, description = "`invalid_code`", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/two-factor/recovery-codes")]
pub async fn renew_recovery_codes(
    ctx: web::Data<AppContext>,
    caller: Account,
    body: Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let recovery_codes = auth::renew_recovery_codes(&ctx.auth, &caller, &body.code).await?;
    Ok(secret_answer(HttpResponse::Ok()).json(RecoveryCodesResponse { recovery_codes }))
}

/// Turn off someone's two-factor sign-in (admins): for a lost phone with no recovery codes
/// left. Their sessions end; they sign in with the password and may enrol again.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "Someone of your organization")),
    responses(
        (status = 204, description = "Off, and their sessions ended"),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
        (status = 409, description = "`two_factor_disabled`: it is not on for them", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{user_id}/two-factor")]
pub async fn reset_for_user(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = UserId::new(path.into_inner());
    auth::reset_two_factor(&ctx.auth, &caller.actor(), user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Secrets and recovery codes are never kept by a cache.
fn secret_answer(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    response
}
