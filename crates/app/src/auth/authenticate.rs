//! Turning a bearer token into the user behind it, for every authenticated request.

use crate::AppContext;
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
pub async fn authenticate(ctx: &AppContext, bearer: &str) -> Result<Authenticated, AuthError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Logout, logout};
    use crate::ports::{AccessClaims, ProfileChanges};
    use crate::testing::TestContext;
    use tandem_domain::{OrganizationId, Role, UserId};

    async fn refused(t: &TestContext, token: &str) -> AuthError {
        authenticate(&t.ctx, token).await.unwrap_err()
    }

    fn forge(t: &TestContext, user_id: UserId, organization_id: OrganizationId) -> String {
        let claims = AccessClaims {
            user_id,
            organization_id,
            role: Role::Admin,
        };
        t.ctx.tokens.issue(&claims).unwrap().token
    }

    #[tokio::test]
    async fn a_valid_token_yields_the_user_as_stored_now() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        let bo = t.join("bo@acme.io", "bo").await;
        let promote = ProfileChanges {
            role: Some(Role::Moderator),
            ..ProfileChanges::default()
        };
        t.ctx
            .users
            .update_profile(bo.user.id, &promote)
            .await
            .unwrap();

        let caller = authenticate(&t.ctx, &bo.access_token.token).await.unwrap();
        assert_eq!(
            caller.user.role,
            Role::Moderator,
            "not the role in the token"
        );
        assert_eq!(caller.token_id, bo.access_token.token_id);
        assert_eq!(caller.expires_at, bo.access_token.expires_at);
    }

    #[tokio::test]
    async fn an_expired_token_is_expired() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let bo = t.join("bo@acme.io", "bo").await;
        t.tokens.expire(&ana.access_token.token);
        assert!(matches!(
            refused(&t, &ana.access_token.token).await,
            AuthError::Expired
        ));

        t.clock.advance(t.ctx.auth_policy.access_token_ttl);
        assert!(matches!(
            refused(&t, &bo.access_token.token).await,
            AuthError::Expired
        ));
    }

    #[tokio::test]
    async fn forged_tokens_and_tokens_of_unknown_users_or_another_organization_are_invalid() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let other = t.found("cy@globex.io", "cy", "Globex").await;
        let acme = ana.user.organization_id;
        for token in [
            "not-a-token".to_owned(),
            forge(&t, UserId::new(999), acme),
            forge(&t, ana.user.id, other.user.organization_id),
            forge(&t, ana.user.id, OrganizationId::new(999)),
        ] {
            let error = refused(&t, &token).await;
            assert!(matches!(error, AuthError::Invalid), "{token}: {error:?}");
        }
    }

    #[tokio::test]
    async fn a_logged_out_token_is_revoked() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let caller = t.caller(&ana).await;
        logout(
            &t.ctx,
            &caller,
            Logout {
                refresh_token: None,
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            refused(&t, &ana.access_token.token).await,
            AuthError::Revoked
        ));
    }

    #[tokio::test]
    async fn a_deactivated_account_is_disabled() {
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
        let error = refused(&t, &bo.access_token.token).await;
        assert!(matches!(error, AuthError::AccountDisabled), "{error:?}");
    }
}
