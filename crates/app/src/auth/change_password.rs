//! Changing one's own password, which ends every session of the account.

use crate::AppContext;
use crate::auth::Authenticated;
use crate::auth::LoginError;
use crate::auth::login::{account_failures_key, check_not_throttled};
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
    // Guessing the current password with a stolen access token counts like failed logins.
    let failures_key = account_failures_key(user.id);
    let limit = ctx.auth_policy.max_failures_per_account;
    check_not_throttled(ctx, &failures_key, limit)
        .await
        .map_err(|e| match e {
            LoginError::TooManyAttempts { retry_after } => {
                ChangePasswordError::TooManyAttempts { retry_after }
            }
            LoginError::Port(port) => ChangePasswordError::Port(port),
            LoginError::InvalidCredentials | LoginError::AccountDisabled => {
                ChangePasswordError::WrongCurrentPassword
            }
        })?;
    let current = Password::presented(&cmd.current_password);
    if !ctx
        .hasher
        .verify(&current, &credentials.password_hash)
        .await?
    {
        let window = ctx.auth_policy.login_window;
        ctx.rate_limiter.increment(&failures_key, window).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthError, Login, LoginError, RefreshError, authenticate, login, refresh};
    use crate::testing::{PASSWORD, TestContext};
    use std::time::Duration;

    const NEW_PASSWORD: &str = "staple battery horse";

    fn change(current: &str, new: &str) -> ChangePassword {
        ChangePassword {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        }
    }

    fn attempt(password: &str) -> Login {
        Login {
            login: "ana.garcia@acme.io".to_owned(),
            password: password.to_owned(),
            client_address: None,
        }
    }

    #[tokio::test]
    async fn a_wrong_current_password_is_refused() {
        let t = TestContext::new();
        let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
        let caller = t.caller(&ana).await;

        let result = change_password(&t.ctx, &caller, change("wrong guess", NEW_PASSWORD)).await;
        assert!(
            matches!(result, Err(ChangePasswordError::WrongCurrentPassword)),
            "{result:?}"
        );
        assert!(login(&t.ctx, attempt(PASSWORD)).await.is_ok());
    }

    #[tokio::test]
    async fn a_weak_new_password_is_refused() {
        let t = TestContext::new();
        let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
        let caller = t.caller(&ana).await;
        for (new, expected) in [
            ("short", PasswordError::TooShort),
            ("qwerty123", PasswordError::TooWeak),
            ("ana.garcia1", PasswordError::TooWeak),
        ] {
            let result = change_password(&t.ctx, &caller, change(PASSWORD, new)).await;
            assert!(
                matches!(&result, Err(ChangePasswordError::WeakPassword(e)) if *e == expected),
                "{new:?}: {result:?}"
            );
        }
        assert!(login(&t.ctx, attempt(PASSWORD)).await.is_ok());
    }

    #[tokio::test]
    async fn changing_the_password_ends_every_session_until_the_next_login() {
        let t = TestContext::new();
        let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
        let phone = login(&t.ctx, attempt(PASSWORD)).await.unwrap();
        t.clock.advance(Duration::from_secs(60));
        let caller = t.caller(&ana).await;

        change_password(&t.ctx, &caller, change(PASSWORD, NEW_PASSWORD))
            .await
            .unwrap();

        assert!(t.sessions.live_families(ana.user.id).is_empty());
        for session in [&ana, &phone] {
            let refreshed = refresh(&t.ctx, &session.refresh_token).await;
            assert!(
                matches!(refreshed, Err(RefreshError::Invalid)),
                "{refreshed:?}"
            );
            let access = authenticate(&t.ctx, &session.access_token.token).await;
            assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
        }
        let old = login(&t.ctx, attempt(PASSWORD)).await;
        assert!(
            matches!(old, Err(LoginError::InvalidCredentials)),
            "{old:?}"
        );
        t.clock.advance(Duration::from_millis(1));
        let fresh = login(&t.ctx, attempt(NEW_PASSWORD)).await.unwrap();
        assert_eq!(t.caller(&fresh).await.user.id, ana.user.id);
    }
}
