//! Logging in with email (or username) and password, with failures throttled per account and
//! client address pair, per account over all addresses (a higher limit), and per address.
//!
//! Someone guessing from one address thus locks out that address only, never the account's
//! owner elsewhere; guessing spread over many addresses still meets the account-wide limit.

use super::session::{self, AuthSession};
use super::two_factor::Challenge;
use crate::AuthContext;
use crate::ports::{Credentials, PortError};
use std::time::Duration;
use tandem_domain::{Email, Password, User, UserId, Username};

#[derive(Debug, Clone)]
pub struct Login {
    /// An email address or a username.
    pub login: String,
    pub password: String,
    /// The client's address, for throttling; `None` when unknown.
    pub client_address: Option<String>,
    /// The `User-Agent` header, which the new session shows.
    pub user_agent: Option<String>,
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
    /// Told only to someone who knows the password.
    #[error("your organization signs in through its identity provider: use its sign-in button")]
    SsoRequired,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// What a right password gets.
#[derive(Debug)]
pub enum LoginOutcome {
    /// The session, open (boxed: far larger than a challenge).
    Session(Box<AuthSession>),
    /// Two-factor sign-in is on: the session opens once the challenge is answered with a code
    /// ([`super::complete_login`]).
    SecondFactor(Challenge),
}

impl LoginOutcome {
    /// The session, when no second step is needed.
    pub fn into_session(self) -> Option<AuthSession> {
        match self {
            Self::Session(session) => Some(*session),
            Self::SecondFactor(_) => None,
        }
    }
}

/// # Errors
/// See [`LoginError`].
pub async fn login(ctx: &AuthContext, cmd: Login) -> Result<LoginOutcome, LoginError> {
    let policy = &ctx.policy;
    let credentials = find_credentials(ctx, &cmd.login).await?;
    // Failures count against the account, however it was named (email or username); for a
    // name that matches nobody, against the name as typed.
    let account = match &credentials {
        Some(found) => format!("user:{}", found.user.id),
        None => format!("name:{}", cmd.login.trim().to_lowercase()),
    };
    let address = cmd.client_address.as_deref().unwrap_or("unknown");
    let pair_key = pair_failures_key(&account, address);
    let account_key = account_failures_key(&account);
    let address_key = cmd
        .client_address
        .as_ref()
        .map(|a| format!("login-failures:address:{a}"));
    check_not_throttled(ctx, &pair_key, policy.max_failures_per_account).await?;
    check_not_throttled(ctx, &account_key, policy.max_failures_per_account_total).await?;
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
    let Some(Credentials { user, .. }) = credentials.clone().filter(|_| verified) else {
        let pair = ctx
            .rate_limiter
            .increment(&pair_key, policy.login_window)
            .await?;
        let total = ctx
            .rate_limiter
            .increment(&account_key, policy.login_window)
            .await?;
        if let Some(key) = &address_key {
            ctx.rate_limiter.increment(key, policy.login_window).await?;
        }
        // A real account is now paused, for this address or everywhere: its owner hears of
        // it, with a way back in.
        if let Some(found) = &credentials
            && (pair.count >= policy.max_failures_per_account
                || total.count >= policy.max_failures_per_account_total)
        {
            super::unlock::offer(ctx, &found.user, address, total.count).await;
        }
        return Err(LoginError::InvalidCredentials);
    };
    if !user.is_active {
        return Err(LoginError::AccountDisabled);
    }
    // The owner got in: their own address's failures, and the account's, are forgiven.
    ctx.rate_limiter.clear(&pair_key).await?;
    ctx.rate_limiter.clear(&account_key).await?;
    if sso_required(ctx, &user).await? {
        return Err(LoginError::SsoRequired);
    }
    if let Some(challenge) = super::two_factor::challenge_if_enabled(ctx, user.id).await? {
        return Ok(LoginOutcome::SecondFactor(challenge));
    }
    let client = session::ClientInfo::new(cmd.client_address, cmd.user_agent.as_deref());
    Ok(LoginOutcome::Session(Box::new(
        session::sign_in(ctx, user, client).await?,
    )))
}

/// Whether `user` must sign in through the organization's identity provider: members of an
/// organization that signs in by single sign-on only (its admins keep their password, to fix
/// the provider should it fail).
pub(crate) async fn sso_required(ctx: &AuthContext, user: &User) -> Result<bool, PortError> {
    if user.role == tandem_domain::Role::Admin {
        return Ok(false);
    }
    Ok(ctx
        .organizations
        .find_by_id(user.organization_id)
        .await?
        .is_some_and(|o| o.sso_only))
}

/// The rate-limiter key counting failed logins of `account` (`user:<id>`, or `name:<typed>`)
/// from `address`.
pub(crate) fn pair_failures_key(account: &str, address: &str) -> String {
    format!("login-failures:pair:{account}:{address}")
}

/// The rate-limiter key counting failed logins of `account` from every address.
pub(crate) fn account_failures_key(account: &str) -> String {
    format!("login-failures:{account}")
}

/// The rate-limiter key counting failed checks of the current password by a signed-in person
/// (changing it): someone with a stolen access token guessing it.
pub(crate) fn password_check_failures_key(user_id: UserId) -> String {
    format!("password-check-failures:user:{user_id}")
}

/// # Errors
/// `TooManyAttempts` once `key` reached `limit` failures in the current window.
pub(crate) async fn check_not_throttled(
    ctx: &AuthContext,
    key: &str,
    limit: u64,
) -> Result<(), LoginError> {
    match wait_needed(ctx, key, limit).await? {
        Some(retry_after) => Err(LoginError::TooManyAttempts { retry_after }),
        None => Ok(()),
    }
}

/// How long until `key`'s window ends, once it counted `limit` attempts; `None` below that.
///
/// # Errors
/// When the rate limiter cannot be read.
pub(crate) async fn wait_needed(
    ctx: &AuthContext,
    key: &str,
    limit: u64,
) -> Result<Option<Duration>, PortError> {
    let window = ctx.rate_limiter.current(key).await?;
    Ok((window.count >= limit).then_some(window.resets_in))
}

/// The account `login` names; a bot's counts as none, as bots are never signed in to.
async fn find_credentials(
    ctx: &AuthContext,
    login: &str,
) -> Result<Option<Credentials>, PortError> {
    let found = if login.contains('@') {
        match Email::parse(login) {
            Ok(email) => ctx.users.find_credentials_by_email(&email).await?,
            Err(_) => None,
        }
    } else {
        match Username::parse(login) {
            Ok(username) => ctx.users.find_credentials_by_username(&username).await?,
            Err(_) => None,
        }
    };
    Ok(found.filter(|found| !found.user.is_bot))
}
