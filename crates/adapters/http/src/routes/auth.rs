//! `/api/v1/auth`: register, login, refresh, logout, me, passwords (change, reset), confirming
//! addresses, sessions, and accepting invitations.

use crate::HttpSettings;
use crate::dto::auth::{
    AuthResponse, ChangePasswordRequest, LoginRequest, LogoutRequest, RefreshRequest,
    RegisterRequest, UnlockRequest,
};
use crate::dto::identity::{
    AcceptInvitationRequest, AcceptedResponse, InvitationPreviewResponse, LinkTokenRequest,
    PasswordResetConfirmRequest, PasswordResetRequest, SessionList, SessionResponse, SessionsEnded,
};
use crate::dto::two_factor::LoginResponse;
use crate::dto::users::UserResponse;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{Account, Json, OptionalJson, client_address, user_agent, validated};
use crate::refresh_cookie;
use actix_web::cookie::Cookie;
use actix_web::{HttpRequest, HttpResponse, ResponseError, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth::{
    self, AuthSession, ChangePassword, ClientInfo, Login, LoginOutcome, Logout, Registered,
};

/// Create an account.
///
/// Joins the organization that owns the email's domain (as `member`) when it accepts
/// sign-ups; otherwise `organization_name` founds a new organization with you as `admin`.
///
/// Where the server asks people to prove their address (`auth.require_email_verification`,
/// the default), the answer is `202` whether or not the address already has an account, so
/// nobody learns who has one: a new account is emailed a link to confirm the address, and the
/// owner of an existing one is told someone tried (with a link to choose a new password). Log
/// in with the password you chose (`POST /auth/login`). Otherwise the account is signed in at
/// once (`201`), and an address in use is `409 email_taken`.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in (the server asks no proof of addresses)", body = AuthResponse),
        (status = 202, description = "A link is on its way to the address: to confirm a new account, or, if the address has one, to tell its owner", body = AcceptedResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "`signup_disabled` or `sso_required`", body = ErrorBody),
        (status = 409, description = "`username_taken`, `domain_taken`, or (only when addresses need no proof) `email_taken`", body = ErrorBody),
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
    body: Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, settings.trust_forwarded_headers);
    let mut command = validated(body.into_inner())?.into_command(address)?;
    command.user_agent = user_agent(&req).map(str::to_owned);
    let email = command.email.as_str().to_owned();
    match auth::register(&ctx.auth, command).await? {
        Registered::SignedIn(session) => {
            let (body, cookie) = issued(&req, &ctx, &settings, *session);
            Ok(tokens(HttpResponse::Created(), body, cookie))
        }
        Registered::ConfirmationSent => Ok(HttpResponse::Accepted().json(AcceptedResponse::new(
            &format!("a link is on its way to {email}: open it to confirm your address, then log in with your password"),
        ))),
    }
}

/// A new session's answer: the tokens in the body, or, when the request asked for the refresh
/// cookie ([`refresh_cookie`]), the refresh token in the cookie instead.
pub(crate) fn issued(
    req: &HttpRequest,
    ctx: &AppContext,
    settings: &HttpSettings,
    session: AuthSession,
) -> (AuthResponse, Option<Cookie<'static>>) {
    let mut body = AuthResponse::from(session);
    if !refresh_cookie::wanted(req) {
        return (body, None);
    }
    let cookie = body.refresh_token.take().map(|token| {
        refresh_cookie::holding(
            req,
            settings.trust_forwarded_headers,
            token,
            ctx.auth.policy.refresh_token_ttl,
        )
    });
    (body, cookie)
}

/// A response carrying tokens, which no cache may keep (RFC 6749, 5.1).
pub(crate) fn tokens(
    mut response: actix_web::HttpResponseBuilder,
    body: impl serde::Serialize,
    cookie: Option<Cookie<'static>>,
) -> HttpResponse {
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    response
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((actix_web::http::header::PRAGMA, "no-cache"))
        .json(body)
}

/// Log in with email (or username) and password.
///
/// An unknown account and a wrong password get the same answer. Repeated failures for one
/// account or from one address are refused with 429 for a while. With two-factor sign-in on,
/// a right password answers a challenge instead of the tokens: send it with a code to
/// `POST /auth/login/two-factor`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in, or (`two_factor_required`) a challenge for the second step", body = LoginResponse),
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
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let command = Login {
        login: body.email,
        password: body.password,
        client_address: client_address(&req, settings.trust_forwarded_headers),
        user_agent: user_agent(&req).map(str::to_owned),
    };
    let (answer, cookie) = match auth::login(&ctx.auth, command).await? {
        LoginOutcome::Session(session) => {
            let (body, cookie) = issued(&req, &ctx, &settings, *session);
            (LoginResponse::Tokens(body), cookie)
        }
        LoginOutcome::SecondFactor(challenge) => {
            (LoginResponse::SecondFactor(challenge.into()), None)
        }
    };
    Ok(tokens(HttpResponse::Ok(), answer, cookie))
}

/// Exchange a refresh token for a new access and refresh token.
///
/// Each refresh token works once. Presenting one that was already used ends its whole
/// session (someone else has a copy) and answers `refresh_token_reused`. Browsers that signed
/// in with `Tandem-Refresh: cookie` send that header again and no body: the token is read from
/// the `tandem_refresh` cookie and the new one set there.
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "The refresh token; leave it out when it is in the cookie"),
    params(("Tandem-Refresh" = Option<String>, Header, nullable = false, description = "`cookie`: the refresh token is in the `tandem_refresh` cookie (read and written there); any other value, or none, and it is in the body")),
    responses(
        (status = 200, description = "A new pair", body = AuthResponse),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`", body = ErrorBody),
        (status = 403, description = "A cookie refresh from another site's page", body = ErrorBody),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: OptionalJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let given = body
        .0
        .map(validated)
        .transpose()?
        .and_then(|b| b.refresh_token);
    let token = match given {
        Some(token) => token,
        None if refresh_cookie::wanted(&req) => {
            refresh_cookie::read(&req, settings.trust_forwarded_headers)?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidRefreshToken,
                    "no refresh cookie came with the request: sign in again",
                )
            })?
        }
        None => {
            return Err(ApiError::field(
                "refresh_token",
                "required",
                "send the refresh token you were given",
            ));
        }
    };
    match auth::refresh(&ctx.auth, &token).await {
        Ok(session) => {
            let (body, cookie) = issued(&req, &ctx, &settings, session);
            Ok(tokens(HttpResponse::Ok(), body, cookie))
        }
        // A refused cookie is of no further use: the browser forgets it.
        Err(error) if refresh_cookie::wanted(&req) => {
            let mut response = ApiError::from(error).error_response();
            let removal = refresh_cookie::removal(&req, settings.trust_forwarded_headers);
            let _ = response.add_cookie(&removal);
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

/// Log out: revoke this access token and, when given (in the body or, from the web app, the
/// refresh cookie), the refresh token's session.
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
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    caller: Account,
    body: OptionalJson<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0.unwrap_or_default();
    let refresh_token = match body.refresh_token {
        Some(token) => Some(token),
        None => refresh_cookie::read(&req, settings.trust_forwarded_headers)?,
    };
    auth::logout(&ctx.auth, &caller, Logout { refresh_token }).await?;
    let mut response = HttpResponse::NoContent();
    if refresh_cookie::wanted(&req) {
        response.cookie(refresh_cookie::removal(
            &req,
            settings.trust_forwarded_headers,
        ));
    }
    Ok(response.finish())
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
pub async fn me(caller: Account) -> web::Json<UserResponse> {
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
    body: Json<UnlockRequest>,
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
    caller: Account,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let command = ChangePassword {
        current_password: body.current_password,
        new_password: body.new_password,
    };
    auth::change_password(&ctx.auth, &caller, command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm an email address with the emailed link.
///
/// After signing up (someone who joined by their email's domain can then see the
/// organization; a founder's organization then claims its domain for sign-ups), or to make a
/// requested new address the account's. Single use; a newer link replaces older ones.
#[utoipa::path(
    tag = "auth",
    request_body = LinkTokenRequest,
    responses(
        (status = 200, description = "Confirmed: the account as it is now", body = UserResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 409, description = "`email_taken`: the new address got an account meanwhile", body = ErrorBody),
        (status = 422, description = "`invalid_link`: unknown, used, replaced or expired", body = ErrorBody),
    )
)]
#[post("/verify-email")]
pub async fn verify_email(
    ctx: web::Data<AppContext>,
    body: Json<LinkTokenRequest>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let body = validated(body.into_inner())?;
    let user = auth::verify_email(&ctx.auth, &body.token).await?;
    Ok(web::Json(user.into()))
}

/// Email yourself a new confirmation link (earlier ones stop working).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 202, description = "On its way (nothing is sent when the address is already confirmed)", body = AcceptedResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 429, description = "Too many emails to this address this hour", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/verify-email/resend")]
pub async fn resend_verification(
    ctx: web::Data<AppContext>,
    caller: Account,
) -> Result<HttpResponse, ApiError> {
    auth::resend_verification(&ctx.auth, &caller).await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse::new(
        "a confirmation link is on its way to your address",
    )))
}

/// Ask for a password reset link.
///
/// The answer is the same whether or not an account has the address, so it tells nobody who
/// has one. The link works once, for 30 minutes.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If an account has this address, a link is on its way", body = AcceptedResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 422, description = "No address given", body = ErrorBody),
    )
)]
#[post("/password-reset")]
pub async fn request_password_reset(
    ctx: web::Data<AppContext>,
    body: Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    auth::request_password_reset(&ctx.auth, &body.email).await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse::new(
        "if an account has this address, a link to reset its password is on its way",
    )))
}

/// Choose a new password with the emailed link.
///
/// Ends every session of the account and lifts any pause on failed logins; log in with the
/// new password.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirmRequest,
    responses(
        (status = 204, description = "Password set; every session ended"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 422, description = "`invalid_link`, or a weak password (the link still works then)", body = ErrorBody),
    )
)]
#[post("/password-reset/confirm")]
pub async fn confirm_password_reset(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: Json<PasswordResetConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let address = client_address(&req, settings.trust_forwarded_headers);
    auth::reset_password(&ctx.auth, &body.token, &body.password, address.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Your signed-in sessions (one per login on a device), most recently used first.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Live sessions; `current` marks this one", body = SessionList),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/sessions")]
pub async fn sessions(
    ctx: web::Data<AppContext>,
    caller: Account,
) -> Result<web::Json<SessionList>, ApiError> {
    let sessions = auth::list_sessions(&ctx.auth, &caller).await?;
    Ok(web::Json(SessionList {
        sessions: sessions
            .into_iter()
            .map(|(s, current)| SessionResponse::new(s, current))
            .collect(),
    }))
}

/// Sign out one of your sessions: its refresh token stops working, its access tokens are
/// refused at once on every node, and its sockets and event streams close.
#[utoipa::path(
    tag = "auth",
    params(("session_id" = i64, Path, description = "A session of yours")),
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "Not a live session of yours", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/sessions/{session_id}")]
pub async fn end_session(
    ctx: web::Data<AppContext>,
    caller: Account,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth::end_session(&ctx.auth, &caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out every session but this one.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "How many ended", body = SessionsEnded),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/sessions")]
pub async fn end_other_sessions(
    ctx: web::Data<AppContext>,
    caller: Account,
) -> Result<web::Json<SessionsEnded>, ApiError> {
    let ended = auth::end_other_sessions(&ctx.auth, &caller).await?;
    Ok(web::Json(SessionsEnded { ended }))
}

/// What an invitation link is for, before accepting it.
#[utoipa::path(
    tag = "auth",
    request_body = LinkTokenRequest,
    responses(
        (status = 200, description = "The invitation", body = InvitationPreviewResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 422, description = "`invalid_link`: unknown, used, revoked or expired", body = ErrorBody),
    )
)]
#[post("/invitations/preview")]
pub async fn preview_invitation(
    ctx: web::Data<AppContext>,
    body: Json<LinkTokenRequest>,
) -> Result<web::Json<InvitationPreviewResponse>, ApiError> {
    let body = validated(body.into_inner())?;
    let preview = auth::preview_invitation(&ctx.auth, &body.token).await?;
    Ok(web::Json(preview.into()))
}

/// Accept an invitation and log in.
///
/// Creates the account (with `username` and `password`; the address counts as confirmed) or,
/// when the address already has an account of this organization waiting for confirmation,
/// takes that account's `password`. The invitation's role and channels apply.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 201, description = "Accepted; you are logged in", body = AuthResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "`account_disabled`", body = ErrorBody),
        (status = 409, description = "`username_taken`, or `account_in_other_organization`", body = ErrorBody),
        (status = 422, description = "`invalid_link`, a missing username, a weak or wrong password", body = ErrorBody),
    )
)]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: Json<AcceptInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = ClientInfo::new(
        client_address(&req, settings.trust_forwarded_headers),
        user_agent(&req),
    );
    let command = validated(body.into_inner())?.into_command(client)?;
    let session = auth::accept_invitation(&ctx.auth, command).await?;
    let (body, cookie) = issued(&req, &ctx, &settings, session);
    Ok(tokens(HttpResponse::Created(), body, cookie))
}
