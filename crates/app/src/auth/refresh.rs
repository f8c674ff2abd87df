//! Exchanging a refresh token for a new pair, with rotation and theft detection.

use super::session::{AuthSession, hash_refresh_token, issue_access, random_secret};
use crate::AuthContext;
use crate::ports::{PortError, RotateOutcome};

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("the refresh token is not valid; log in again")]
    Invalid,
    /// A spent token came back: someone holds a copy. Its whole session was ended.
    #[error(
        "the refresh token was already used; the session has been ended for safety, log in again"
    )]
    Reused,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// # Errors
/// See [`RefreshError`].
pub async fn refresh(ctx: &AuthContext, presented: &str) -> Result<AuthSession, RefreshError> {
    let now = ctx.clock.now();
    let successor = random_secret();
    let outcome = ctx
        .sessions
        .rotate(
            &hash_refresh_token(presented),
            &hash_refresh_token(&successor),
            now,
            now + ctx.policy.refresh_token_ttl,
        )
        .await?;
    let user_id = match outcome {
        RotateOutcome::Rotated { user_id } => user_id,
        RotateOutcome::Reused { user_id } => {
            // Whoever replayed the token may also hold access tokens of that family: end them all.
            let keep_until = now + ctx.policy.access_token_ttl;
            ctx.denylist
                .revoke_user_tokens(
                    user_id,
                    super::change_password::revocation_cutoff(now),
                    keep_until,
                )
                .await?;
            tracing::warn!(%user_id, "refresh token reuse detected; session family revoked");
            return Err(RefreshError::Reused);
        }
        RotateOutcome::Invalid => return Err(RefreshError::Invalid),
    };
    let user = ctx
        .users
        .find_by_id(user_id)
        .await?
        .filter(|u| u.is_active)
        .ok_or(RefreshError::Invalid)?;
    let session_id = ctx
        .identity
        .session_used(&hash_refresh_token(&successor), now)
        .await?;
    let access_token = issue_access(ctx, &user, session_id).await?;
    Ok(AuthSession {
        access_token,
        refresh_token: successor,
        user,
    })
}
