//! Changing one's own password, which ends every session of the account.

use crate::AppContext;
use crate::auth::Authenticated;
use crate::ports::PortError;
use tandem_domain::{Password, PasswordError};

#[derive(Debug, Clone)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("the current password is incorrect")]
    WrongCurrentPassword,
    #[error("the new password {0}")]
    WeakPassword(#[from] PasswordError),
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Every session, the caller's included, ends: all refresh tokens are revoked and all access
/// tokens issued until now are refused. The client logs in again with the new password.
///
/// # Errors
/// See [`ChangePasswordError`].
pub async fn change_password(
    ctx: &AppContext,
    caller: &Authenticated,
    cmd: ChangePassword,
) -> Result<(), ChangePasswordError> {
    let user = &caller.user;
    let credentials = ctx
        .users
        .find_credentials_by_email(&user.email)
        .await?
        .ok_or(PortError::NotFound)?;
    if !ctx
        .hasher
        .verify(
            &Password::presented(&cmd.current_password),
            &credentials.password_hash,
        )
        .await?
    {
        return Err(ChangePasswordError::WrongCurrentPassword);
    }
    let new_password = Password::parse(
        &cmd.new_password,
        &[user.username.as_str(), user.email.local_part()],
    )?;
    let hash = ctx.hasher.hash(&new_password).await?;
    ctx.users.set_password_hash(user.id, &hash).await?;
    end_all_sessions(ctx, user.id).await?;
    tracing::info!(user_id = %user.id, "password changed; all sessions ended");
    Ok(())
}

/// Revokes every refresh token and every access token issued so far for `user_id`.
pub(crate) async fn end_all_sessions(
    ctx: &AppContext,
    user_id: tandem_domain::UserId,
) -> Result<(), PortError> {
    let now = ctx.clock.now();
    let cutoff = revocation_cutoff(now);
    ctx.sessions.revoke_all_for_user(user_id, now).await?;
    ctx.denylist
        .revoke_user_tokens(user_id, cutoff, now + ctx.auth_policy.access_token_ttl)
        .await
}

/// Access tokens carry their issue time to the millisecond: cutting at the start of the
/// current millisecond revokes everything issued so far, and spares tokens issued by later
/// requests (a login right after a password change).
pub(crate) fn revocation_cutoff(
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(now, 3)
}
