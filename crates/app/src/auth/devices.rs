//! The sessions a person sees and ends ("signed in on these devices"), and an admin ending
//! someone's sessions. Ending a session revokes its refresh token, refuses its access tokens
//! on every node at once, and closes its live connections.

use super::session::session_key;
use crate::AuthContext;
use crate::auth::Authenticated;
use crate::ports::{PortError, SessionInfo};
use tandem_domain::{Actor, Role, UserId};

#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error("no such session")]
    NotFound,
    #[error("only admins can see or end other people's sessions")]
    Forbidden,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The caller's live sessions, most recently used first, the current one marked.
///
/// # Errors
/// `Port` only.
pub async fn list_sessions(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<Vec<(SessionInfo, bool)>, SessionsError> {
    let sessions = ctx
        .identity
        .live_sessions(caller.user.id, ctx.clock.now())
        .await?;
    Ok(sessions
        .into_iter()
        .map(|s| {
            let current = Some(s.id) == caller.session_id;
            (s, current)
        })
        .collect())
}

/// Ends one of the caller's sessions (the current one too: that is logging out).
///
/// # Errors
/// `NotFound` for a session that is not the caller's or no longer live.
pub async fn end_session(
    ctx: &AuthContext,
    caller: &Authenticated,
    id: i64,
) -> Result<(), SessionsError> {
    let ended = end(ctx, caller.user.id, Some(&[id]), None).await?;
    if ended == 0 {
        return Err(SessionsError::NotFound);
    }
    Ok(())
}

/// Ends every session of the caller but the current one; returns how many ended.
///
/// # Errors
/// `Port` only.
pub async fn end_other_sessions(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<usize, SessionsError> {
    Ok(end(ctx, caller.user.id, None, caller.session_id).await?)
}

async fn target(ctx: &AuthContext, actor: &Actor, user_id: UserId) -> Result<(), SessionsError> {
    if actor.role != Role::Admin {
        return Err(SessionsError::Forbidden);
    }
    ctx.users
        .find_by_id(user_id)
        .await?
        .filter(|u| u.organization_id == actor.organization_id)
        .map(|_| ())
        .ok_or(SessionsError::NotFound)
}

/// An admin reads someone's live sessions.
///
/// # Errors
/// `Forbidden`, `NotFound` for someone outside the organization, `Port`.
pub async fn list_user_sessions(
    ctx: &AuthContext,
    actor: &Actor,
    user_id: UserId,
) -> Result<Vec<SessionInfo>, SessionsError> {
    target(ctx, actor, user_id).await?;
    Ok(ctx.identity.live_sessions(user_id, ctx.clock.now()).await?)
}

/// An admin ends one of someone's sessions, or all of them (`None`); returns how many ended.
///
/// # Errors
/// `Forbidden`, `NotFound` (the person, or the one session), `Port`.
pub async fn end_user_sessions(
    ctx: &AuthContext,
    actor: &Actor,
    user_id: UserId,
    session: Option<i64>,
) -> Result<usize, SessionsError> {
    target(ctx, actor, user_id).await?;
    let ids = session.map(|id| [id]);
    let ended = end(ctx, user_id, ids.as_ref().map(<[i64; 1]>::as_slice), None).await?;
    if session.is_some() && ended == 0 {
        return Err(SessionsError::NotFound);
    }
    tracing::info!(user_id = %user_id, by = %actor.id, ended, "an admin ended sessions");
    Ok(ended)
}

async fn end(
    ctx: &AuthContext,
    user_id: UserId,
    ids: Option<&[i64]>,
    keep: Option<i64>,
) -> Result<usize, PortError> {
    let now = ctx.clock.now();
    let ended = ctx.identity.end_sessions(user_id, ids, keep, now).await?;
    let keep_until = now + ctx.policy.access_token_ttl;
    for id in &ended {
        let key = session_key(*id);
        ctx.denylist.revoke(&key, keep_until).await?;
        ctx.announcer.sessions_ended(user_id, Some(&key)).await;
    }
    Ok(ended.len())
}
