//! Turning a bearer token into the user behind it, for every authenticated request.

use crate::AuthContext;
use crate::ports::{PortError, TokenError};
use chrono::{DateTime, Utc};
use tandem_domain::{Actor, TokenScope, User};

/// The caller of a request, freshly loaded: role changes and deactivation apply at once.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    /// What revokes this token: its session's key (`session:<id>`), which ends every token of
    /// the session at once, or for a token without a session its own id.
    pub token_id: String,
    /// The session (login) the token belongs to.
    pub session_id: Option<i64>,
    /// The organization requires a second factor this person has not set up yet.
    pub two_factor_setup_required: bool,
    pub expires_at: DateTime<Utc>,
    /// What a personal access token may do; `None` for a signed-in session, which may do
    /// whatever its person may.
    pub scopes: Option<Vec<TokenScope>>,
}

impl Authenticated {
    pub fn actor(&self) -> Actor {
        Actor::of(&self.user)
    }

    /// Whether the credential allows `scope` (a session allows everything its person may).
    pub fn allows(&self, scope: TokenScope) -> bool {
        self.scopes
            .as_ref()
            .is_none_or(|scopes| scopes.contains(&scope))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the access token has expired; refresh it or log in again")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
    #[error("the access token has been revoked; log in again")]
    Revoked,
    #[error("this account has been deactivated")]
    AccountDisabled,
    /// A person's personal access token, while their organization has tokens turned off.
    #[error("your organization's admins turned personal access tokens off")]
    AccessTokensDisabled,
    /// Joined by email domain and has not opened the emailed confirmation link yet.
    #[error(
        "confirm your email address first: open the link we emailed you (or ask for a new one)"
    )]
    EmailUnverified,
    /// The organization requires a second factor of this person, who has none yet.
    #[error(
        "your organization requires two-factor sign-in: turn it on in your account's security settings, then sign in again"
    )]
    TwoFactorSetupRequired,
    #[error(transparent)]
    Port(#[from] PortError),
}

/// The caller, who may see their organization: everything but a few account pages needs this.
///
/// # Errors
/// See [`AuthError`]; `EmailUnverified` for someone who joined by their email's domain and has
/// not proven the address yet, where the settings require proven addresses.
pub async fn authenticate(ctx: &AuthContext, bearer: &str) -> Result<Authenticated, AuthError> {
    let caller = authenticate_account(ctx, bearer).await?;
    if !admitted(ctx, &caller.user) {
        return Err(AuthError::EmailUnverified);
    }
    if caller.two_factor_setup_required {
        return Err(AuthError::TwoFactorSetupRequired);
    }
    Ok(caller)
}

/// Whether `user` may see their organization under the settings: always, unless addresses
/// must be proven and theirs is not (see [`User::may_enter_organization`]).
pub(crate) fn admitted(ctx: &AuthContext, user: &User) -> bool {
    !ctx.policy.require_email_verification || user.may_enter_organization()
}

/// The caller, whether or not they may see their organization yet: for their own account
/// (who am I, confirming or changing the address, sessions, logging out).
///
/// # Errors
/// See [`AuthError`]. A denylist that cannot be reached is an error, never a pass.
pub async fn authenticate_account(
    ctx: &AuthContext,
    bearer: &str,
) -> Result<Authenticated, AuthError> {
    if bearer.starts_with(super::access_tokens::PREFIX) {
        return super::access_tokens::authenticate(ctx, bearer).await;
    }
    let token = ctx.tokens.verify(bearer).map_err(|e| match e {
        TokenError::Expired => AuthError::Expired,
        TokenError::Invalid => AuthError::Invalid,
    })?;
    let claims = &token.claims;
    let token_id = claims
        .session_id
        .map_or(token.token_id, super::session::session_key);
    if ctx
        .denylist
        .is_revoked(&token_id, claims.user_id, token.issued_at)
        .await?
    {
        return Err(AuthError::Revoked);
    }
    let user = ctx
        .users
        .find_by_id(claims.user_id)
        .await?
        .ok_or(AuthError::Invalid)?;
    if user.organization_id != claims.organization_id {
        return Err(AuthError::Invalid);
    }
    if !user.is_active {
        return Err(AuthError::AccountDisabled);
    }
    Ok(Authenticated {
        user,
        token_id,
        session_id: claims.session_id,
        two_factor_setup_required: claims.two_factor_setup_required,
        expires_at: token.expires_at,
        scopes: None,
    })
}
