//! Turning a bearer token into the user behind it, for every authenticated request.

use crate::AuthContext;
use crate::ports::{PortError, TokenError};
use chrono::{DateTime, Utc};
use tandem_domain::{Actor, User};

/// The caller of a request, freshly loaded: role changes and deactivation apply at once.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
}

impl Authenticated {
    pub fn actor(&self) -> Actor {
        Actor::of(&self.user)
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
    #[error(transparent)]
    Port(#[from] PortError),
}

/// # Errors
/// See [`AuthError`]. A denylist that cannot be reached is an error, never a pass.
pub async fn authenticate(ctx: &AuthContext, bearer: &str) -> Result<Authenticated, AuthError> {
    let token = ctx.tokens.verify(bearer).map_err(|e| match e {
        TokenError::Expired => AuthError::Expired,
        TokenError::Invalid => AuthError::Invalid,
    })?;
    let claims = &token.claims;
    if ctx
        .denylist
        .is_revoked(&token.token_id, claims.user_id, token.issued_at)
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
        token_id: token.token_id,
        expires_at: token.expires_at,
    })
}
