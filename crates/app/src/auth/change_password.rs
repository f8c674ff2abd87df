//! Changing one's own password, which ends every session of the account.

use crate::AuthContext;
use crate::auth::Authenticated;
use crate::auth::LoginError;
use crate::auth::login::{check_not_throttled, password_check_failures_key};
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
    #[error("too many wrong passwords; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: std::time::Duration },
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
    ctx: &AuthContext,
    caller: &Authenticated,
    cmd: ChangePassword,
) -> Result<(), ChangePasswordError> {
    let user = &caller.user;
    check_current_password(ctx, user, &cmd.current_password).await?;
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

/// Checks a signed-in person's current password, before a change that needs it. Wrong
/// guesses count like failed logins: someone with a stolen access token guessing it.
///
/// # Errors
/// `WrongCurrentPassword`, `TooManyAttempts`, `Port`.
pub(crate) async fn check_current_password(
    ctx: &AuthContext,
    user: &tandem_domain::User,
    presented: &str,
) -> Result<(), ChangePasswordError> {
    let credentials = ctx
        .users
        .find_credentials_by_email(&user.email)
        .await?
        .ok_or(PortError::NotFound)?;
    let failures_key = password_check_failures_key(user.id);
    let limit = ctx.policy.max_failures_per_account;
    check_not_throttled(ctx, &failures_key, limit)
        .await
        .map_err(|e| match e {
            LoginError::TooManyAttempts { retry_after } => {
                ChangePasswordError::TooManyAttempts { retry_after }
            }
            LoginError::Port(port) => ChangePasswordError::Port(port),
            LoginError::InvalidCredentials
            | LoginError::AccountDisabled
            | LoginError::SsoRequired => ChangePasswordError::WrongCurrentPassword,
        })?;
    let current = Password::presented(presented);
    if !ctx
        .hasher
        .verify(&current, &credentials.password_hash)
        .await?
    {
        let window = ctx.policy.login_window;
        ctx.rate_limiter.increment(&failures_key, window).await?;
        return Err(ChangePasswordError::WrongCurrentPassword);
    }
    Ok(())
}

/// Revokes every refresh token and every access token issued so far for `user_id`.
pub(crate) async fn end_all_sessions(
    ctx: &AuthContext,
    user_id: tandem_domain::UserId,
) -> Result<(), PortError> {
    let now = ctx.clock.now();
    let cutoff = revocation_cutoff(now);
    ctx.sessions.revoke_all_for_user(user_id, now).await?;
    ctx.denylist
        .revoke_user_tokens(user_id, cutoff, now + ctx.policy.access_token_ttl)
        .await?;
    ctx.announcer.sessions_ended(user_id, None).await;
    Ok(())
}

/// Access tokens carry their issue time to the millisecond: cutting at the start of the
/// current millisecond revokes everything issued so far, and spares tokens issued by later
/// requests (a login right after a password change).
pub(crate) fn revocation_cutoff(
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(now, 3)
}
