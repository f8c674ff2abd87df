//! Logging in with email (or username) and password, with failures throttled per account and
//! per client address.

use super::session::{self, AuthSession};
use crate::AppContext;
use crate::ports::{Credentials, PortError};
use std::time::Duration;
use tandem_domain::{Email, Password, UserId, Username};

#[derive(Debug, Clone)]
pub struct Login {
    /// An email address or a username.
    pub login: String,
    pub password: String,
    /// The client's address, for throttling; `None` when unknown.
    pub client_address: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong password and unknown account look exactly alike, on purpose.
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    /// Told only to someone who knows the password.
    #[error("this account has been deactivated")]
    AccountDisabled,
    #[error("too many failed logins; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: Duration },
    #[error(transparent)]
    Port(#[from] PortError),
}

/// # Errors
/// See [`LoginError`].
pub async fn login(ctx: &AppContext, cmd: Login) -> Result<AuthSession, LoginError> {
    let policy = &ctx.auth_policy;
    let credentials = find_credentials(ctx, &cmd.login).await?;
    // Failures count against the account, however it was named (email or username); for a
    // name that matches nobody, against the name as typed.
    let account_key = match &credentials {
        Some(found) => account_failures_key(found.user.id),
        None => format!("login-failures:name:{}", cmd.login.trim().to_lowercase()),
    };
    let address_key = cmd
        .client_address
        .as_ref()
        .map(|a| format!("login-failures:address:{a}"));
    check_not_throttled(ctx, &account_key, policy.max_failures_per_account).await?;
    if let Some(key) = &address_key {
        check_not_throttled(ctx, key, policy.max_failures_per_address).await?;
    }

    let password = Password::presented(&cmd.password);
    let verified = match &credentials {
        Some(found) => ctx.hasher.verify(&password, &found.password_hash).await?,
        None => {
            ctx.hasher.waste_time(&password).await;
            false
        }
    };
    let Some(Credentials { mut user, .. }) = credentials.filter(|_| verified) else {
        ctx.rate_limiter
            .increment(&account_key, policy.login_window)
            .await?;
        if let Some(key) = &address_key {
            ctx.rate_limiter.increment(key, policy.login_window).await?;
        }
        return Err(LoginError::InvalidCredentials);
    };
    if !user.is_active {
        return Err(LoginError::AccountDisabled);
    }
    ctx.rate_limiter.clear(&account_key).await?;
    let now = ctx.clock.now();
    ctx.users.touch(user.id, now).await?;
    user.last_activity = Some(now);
    Ok(session::start(ctx, user).await?)
}

/// The rate-limiter key counting an account's failed password checks (logins and password
/// changes alike).
pub(crate) fn account_failures_key(user_id: UserId) -> String {
    format!("login-failures:user:{user_id}")
}

/// # Errors
/// `TooManyAttempts` once `key` reached `limit` failures in the current window.
pub(crate) async fn check_not_throttled(
    ctx: &AppContext,
    key: &str,
    limit: u64,
) -> Result<(), LoginError> {
    let window = ctx.rate_limiter.current(key).await?;
    if window.count >= limit {
        return Err(LoginError::TooManyAttempts {
            retry_after: window.resets_in,
        });
    }
    Ok(())
}

async fn find_credentials(ctx: &AppContext, login: &str) -> Result<Option<Credentials>, PortError> {
    if login.contains('@') {
        match Email::parse(login) {
            Ok(email) => ctx.users.find_credentials_by_email(&email).await,
            Err(_) => Ok(None),
        }
    } else {
        match Username::parse(login) {
            Ok(username) => ctx.users.find_credentials_by_username(&username).await,
            Err(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthPolicy;
    use crate::auth::authenticate;
    use crate::ports::{Clock, ProfileChanges, RateLimiter};
    use crate::testing::{PASSWORD, TestContext};

    fn attempt(login: &str, password: &str, address: Option<&str>) -> Login {
        Login {
            login: login.to_owned(),
            password: password.to_owned(),
            client_address: address.map(str::to_owned),
        }
    }

    async fn fail(t: &TestContext, login: &str, address: &str) {
        let result = super::login(&t.ctx, attempt(login, "wrong password", Some(address))).await;
        assert!(
            matches!(result, Err(LoginError::InvalidCredentials)),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn people_log_in_with_their_email_or_their_username() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        for name in [" Ana@Acme.io ", "ana", "ANA"] {
            let session = login(&t.ctx, attempt(name, PASSWORD, Some("10.0.0.1")))
                .await
                .unwrap();
            assert_eq!(session.user.id, ana.user.id, "{name:?}");
            let caller = authenticate(&t.ctx, &session.access_token.token).await;
            assert_eq!(caller.unwrap().user.id, ana.user.id);
            assert_ne!(session.refresh_token, ana.refresh_token);
        }
        let stored = t.ctx.users.find_by_id(ana.user.id).await.unwrap().unwrap();
        assert_eq!(stored.last_activity, Some(t.clock.now()));
    }

    #[tokio::test]
    async fn a_wrong_password_and_an_unknown_account_look_alike() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        for (name, password) in [
            ("ana@acme.io", "correct horse battery!"),
            ("ana", ""),
            ("nobody@acme.io", PASSWORD),
            ("nobody", PASSWORD),
            ("not an address@", PASSWORD),
        ] {
            let result = login(&t.ctx, attempt(name, password, None)).await;
            assert!(
                matches!(result, Err(LoginError::InvalidCredentials)),
                "{name:?}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn repeated_failures_lock_the_account_until_the_window_passes() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        for i in 0..5 {
            fail(&t, "ana@acme.io", &format!("10.0.0.{i}")).await;
        }

        t.clock.advance(Duration::from_secs(5 * 60));
        let locked = login(&t.ctx, attempt("ana@acme.io", PASSWORD, Some("10.9.9.9"))).await;
        assert!(
            matches!(locked, Err(LoginError::TooManyAttempts { retry_after }) if retry_after == Duration::from_secs(10 * 60)),
            "even the right password from a fresh address waits: {locked:?}"
        );

        t.clock.advance(Duration::from_secs(10 * 60));
        let session = login(&t.ctx, attempt("ana@acme.io", PASSWORD, Some("10.9.9.9"))).await;
        assert!(session.is_ok(), "{session:?}");
    }

    #[tokio::test]
    async fn repeated_failures_from_one_address_block_it_for_every_account() {
        let t = TestContext::with_policy(AuthPolicy {
            max_failures_per_address: 3,
            ..AuthPolicy::default()
        });
        t.found("ana@acme.io", "ana", "Acme").await;
        for name in ["bo@acme.io", "cy", "dee@globex.io"] {
            fail(&t, name, "10.0.0.1").await;
        }

        let blocked = login(&t.ctx, attempt("ana", PASSWORD, Some("10.0.0.1"))).await;
        assert!(
            matches!(blocked, Err(LoginError::TooManyAttempts { retry_after }) if retry_after > Duration::ZERO),
            "{blocked:?}"
        );
        for elsewhere in [Some("10.0.0.2"), None] {
            let session = login(&t.ctx, attempt("ana", PASSWORD, elsewhere)).await;
            assert!(session.is_ok(), "{elsewhere:?}: {session:?}");
        }
    }

    #[tokio::test]
    async fn a_successful_login_clears_the_account_counter_but_not_the_address_counter() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        for _ in 0..4 {
            fail(&t, "ana@acme.io", "10.0.0.1").await;
        }
        login(&t.ctx, attempt("ana@acme.io", PASSWORD, Some("10.0.0.1")))
            .await
            .unwrap();

        let limiter = &t.rate_limiter;
        let account = limiter.current("login-failures:account:ana@acme.io").await;
        let address = limiter.current("login-failures:address:10.0.0.1").await;
        assert_eq!(account.unwrap().count, 0);
        assert_eq!(address.unwrap().count, 4);
        for _ in 0..4 {
            fail(&t, "ana@acme.io", "10.0.0.1").await;
        }
        let session = login(&t.ctx, attempt("ana@acme.io", PASSWORD, Some("10.0.0.1"))).await;
        assert!(session.is_ok(), "{session:?}");
    }

    #[tokio::test]
    async fn a_deactivated_account_is_told_so_only_with_the_right_password() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        let bo = t.join("bo@acme.io", "bo").await;
        let deactivate = ProfileChanges {
            is_active: Some(false),
            ..ProfileChanges::default()
        };
        t.ctx
            .users
            .update_profile(bo.user.id, &deactivate)
            .await
            .unwrap();

        let right = login(&t.ctx, attempt("bo", PASSWORD, None)).await;
        assert!(
            matches!(right, Err(LoginError::AccountDisabled)),
            "{right:?}"
        );
        let wrong = login(&t.ctx, attempt("bo", "not the password", None)).await;
        assert!(
            matches!(wrong, Err(LoginError::InvalidCredentials)),
            "{wrong:?}"
        );
    }

    /// An account's email and username share one counter: naming it two ways does not double
    /// the guesses an attacker gets per window.
    #[tokio::test]
    async fn failures_by_email_and_by_username_count_against_the_same_account() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        for i in 0..5 {
            fail(&t, "ana@acme.io", &format!("10.0.0.{i}")).await;
        }
        let by_username = login(&t.ctx, attempt("ana", "another guess", Some("10.0.1.1"))).await;
        assert!(
            matches!(by_username, Err(LoginError::TooManyAttempts { .. })),
            "{by_username:?}"
        );
    }
}
