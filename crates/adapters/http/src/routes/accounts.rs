//! Accounts seen from outside `/auth`: admins inviting people by email (accepting is under
//! `/auth`), forcing a password reset and ending someone's sessions, and people changing their
//! own address.

use crate::dto::identity::{
    AcceptedResponse, ChangeEmailRequest, InvitationFilter, InvitationList, InvitationQuery,
    InvitationResponse, InviteRequest, SessionList, SessionResponse, SessionsEnded,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Account, Caller, Json, validated};
use actix_web::{HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth;
use tandem_domain::UserId;

/// Invite someone by email (admins).
///
/// They receive a link valid for 7 days; accepting creates their account with this role and
/// joins these channels. Inviting an address again replaces its pending invitation.
#[utoipa::path(
    tag = "invitations",
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited; the email is on its way", body = InvitationResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "`already_member`", body = ErrorBody),
        (status = 422, description = "Invalid email, or a channel that cannot be joined", body = ErrorBody),
        (status = 429, description = "Too many emails to this address this hour", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/invitations")]
pub async fn invite(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = validated(body.into_inner())?.into_command()?;
    let invitation = auth::invite(&ctx.auth, &caller.actor(), command).await?;
    let now = ctx.auth.clock.now();
    Ok(HttpResponse::Created().json(InvitationResponse::new(invitation, now)))
}

/// Your organization's invitations, newest first (admins).
#[utoipa::path(
    tag = "invitations",
    params(InvitationQuery),
    responses(
        (status = 200, description = "Invitations", body = InvitationList),
        (status = 400, description = "Bad query parameter", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/invitations")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
    query: web::Query<InvitationQuery>,
) -> Result<web::Json<InvitationList>, ApiError> {
    let pending_only = query.status != Some(InvitationFilter::All);
    let invitations = auth::list_invitations(&ctx.auth, &caller.actor(), pending_only).await?;
    let now = ctx.auth.clock.now();
    Ok(web::Json(InvitationList {
        invitations: invitations
            .into_iter()
            .map(|i| InvitationResponse::new(i, now))
            .collect(),
    }))
}

/// Revoke a pending invitation (admins): its link stops working.
#[utoipa::path(
    tag = "invitations",
    params(("invitation_id" = i64, Path, description = "A pending invitation of your organization")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such pending invitation in your organization", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/invitations/{invitation_id}")]
pub async fn revoke(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth::revoke_invitation(&ctx.auth, &caller.actor(), path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change your email address: the new address is emailed a link, and becomes yours when the
/// link is opened. Needs your current password.
#[utoipa::path(
    tag = "users",
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, description = "A confirmation link is on its way to the new address", body = AcceptedResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 422, description = "Invalid or unchanged address, or a wrong password", body = ErrorBody),
        (status = 429, description = "Too many attempts or emails; see `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/users/me/email")]
pub async fn change_email(
    ctx: web::Data<AppContext>,
    caller: Account,
    body: Json<ChangeEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let email = body.email()?;
    auth::request_email_change(&ctx.auth, &caller, email, &body.password).await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse::new(
        "a confirmation link is on its way to the new address; it becomes yours when you open it",
    )))
}

/// Make someone choose a new password (admins): their current password stops working, every
/// session of theirs ends, and they are emailed a reset link.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "Someone of your organization")),
    responses(
        (status = 202, description = "Done; the link is on its way", body = AcceptedResponse),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/users/{user_id}/password-reset")]
pub async fn force_password_reset(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = UserId::new(path.into_inner());
    auth::force_password_reset(&ctx.auth, &caller.actor(), user).await?;
    Ok(HttpResponse::Accepted().json(AcceptedResponse::new(
        "their password no longer works; a link to choose a new one is on its way to them",
    )))
}

/// Someone's signed-in sessions (admins).
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "Someone of your organization")),
    responses(
        (status = 200, description = "Live sessions", body = SessionList),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users/{user_id}/sessions")]
pub async fn user_sessions(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<SessionList>, ApiError> {
    let user = UserId::new(path.into_inner());
    let sessions = auth::list_user_sessions(&ctx.auth, &caller.actor(), user).await?;
    let current = caller.session_id;
    Ok(web::Json(SessionList {
        sessions: sessions
            .into_iter()
            .map(|s| {
                let is_current = Some(s.id) == current;
                SessionResponse::new(s, is_current)
            })
            .collect(),
    }))
}

/// Sign someone out everywhere (admins).
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "Someone of your organization")),
    responses(
        (status = 200, description = "How many sessions ended", body = SessionsEnded),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{user_id}/sessions")]
pub async fn end_user_sessions(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<SessionsEnded>, ApiError> {
    let user = UserId::new(path.into_inner());
    let ended = auth::end_user_sessions(&ctx.auth, &caller.actor(), user, None).await?;
    Ok(web::Json(SessionsEnded { ended }))
}

/// End one of someone's sessions (admins).
#[utoipa::path(
    tag = "users",
    params(
        ("user_id" = i64, Path, description = "Someone of your organization"),
        ("session_id" = i64, Path, description = "A live session of theirs"),
    ),
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "An id is not a number", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user, or no such live session of theirs", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{user_id}/sessions/{session_id}")]
pub async fn end_user_session(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (user, session) = path.into_inner();
    auth::end_user_sessions(&ctx.auth, &caller.actor(), UserId::new(user), Some(session)).await?;
    Ok(HttpResponse::NoContent().finish())
}
