//! Logging in with email (or username) and password, with failures throttled per account and
//! per client address.

use super::session::{self, AuthSession};
use crate::AppContext;
use crate::ports::{Credentials, PortError};
use std::time::Duration;
use tandem_domain::{Email, Password, Username};

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
    let account_key = format!("login-failures:account:{}", cmd.login.trim().to_lowercase());
    let address_key = cmd
        .client_address
        .as_ref()
        .map(|a| format!("login-failures:address:{a}"));

    let account = ctx.rate_limiter.current(&account_key).await?;
    if account.count >= policy.max_failures_per_account {
        return Err(LoginError::TooManyAttempts {
            retry_after: account.resets_in,
        });
    }
    if let Some(key) = &address_key {
        let address = ctx.rate_limiter.current(key).await?;
        if address.count >= policy.max_failures_per_address {
            return Err(LoginError::TooManyAttempts {
                retry_after: address.resets_in,
            });
        }
    }

    let password = Password::presented(&cmd.password);
    let credentials = find_credentials(ctx, &cmd.login).await?;
    let verified = match &credentials {
        Some(found) => ctx.hasher.verify(&password, &found.password_hash).await?,
        None => {
            ctx.hasher.waste_time(&password).await;
            false
        }
    };
    let Some(Credentials { user, .. }) = credentials.filter(|_| verified) else {
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
    ctx.users.touch(user.id, ctx.clock.now()).await?;
    Ok(session::start(ctx, user).await?)
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
