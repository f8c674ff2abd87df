//! Exchanging a refresh token for a new pair, with rotation and theft detection.

use super::session::{AuthSession, hash_refresh_token, issue_access, random_secret};
use crate::AppContext;
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
pub async fn refresh(ctx: &AppContext, presented: &str) -> Result<AuthSession, RefreshError> {
    let now = ctx.clock.now();
    let successor = random_secret();
    let outcome = ctx
        .sessions
        .rotate(
            &hash_refresh_token(presented),
            &hash_refresh_token(&successor),
            now,
            now + ctx.auth_policy.refresh_token_ttl,
        )
        .await?;
    let user_id = match outcome {
        RotateOutcome::Rotated { user_id } => user_id,
        RotateOutcome::Reused { user_id } => {
            // Whoever replayed the token may also hold access tokens of that family: end them all.
            let keep_until = now + ctx.auth_policy.access_token_ttl;
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
    let access_token = issue_access(ctx, &user)?;
    Ok(AuthSession {
        access_token,
        refresh_token: successor,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthError, Login, authenticate, login};
    use crate::ports::ProfileChanges;
    use crate::testing::{PASSWORD, TestContext};
    use std::time::Duration;

    async fn refused(t: &TestContext, access_token: &str) -> AuthError {
        authenticate(&t.ctx, access_token).await.unwrap_err()
    }

    #[tokio::test]
    async fn refreshing_rotates_the_refresh_token_and_issues_a_new_access_token() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        t.clock.advance(Duration::from_secs(60));

        let next = refresh(&t.ctx, &ana.refresh_token).await.unwrap();
        assert_ne!(next.refresh_token, ana.refresh_token);
        assert_ne!(next.access_token.token_id, ana.access_token.token_id);
        assert_eq!(next.user.id, ana.user.id);
        assert_eq!(t.caller(&next).await.user.id, ana.user.id);
        let after = refresh(&t.ctx, &next.refresh_token).await;
        assert!(after.is_ok(), "the successor rotates in turn: {after:?}");
    }

    #[tokio::test]
    async fn reusing_a_spent_refresh_token_ends_the_session_and_its_access_tokens() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let other_device = login(
            &t.ctx,
            Login {
                login: "ana".to_owned(),
                password: PASSWORD.to_owned(),
                client_address: None,
            },
        )
        .await
        .unwrap();
        t.clock.advance(Duration::from_secs(60));
        let next = refresh(&t.ctx, &ana.refresh_token).await.unwrap();
        t.clock.advance(Duration::from_secs(60));

        let replay = refresh(&t.ctx, &ana.refresh_token).await;
        assert!(matches!(replay, Err(RefreshError::Reused)), "{replay:?}");
        let successor = refresh(&t.ctx, &next.refresh_token).await;
        assert!(
            matches!(successor, Err(RefreshError::Invalid)),
            "{successor:?}"
        );
        for issued_before in [&ana, &next, &other_device] {
            let error = refused(&t, &issued_before.access_token.token).await;
            assert!(matches!(error, AuthError::Revoked), "{error:?}");
        }
        // Only the replayed token's family ends; the other device refreshes into a valid token.
        t.clock.advance(Duration::from_millis(1));
        let elsewhere = refresh(&t.ctx, &other_device.refresh_token).await.unwrap();
        assert_eq!(t.caller(&elsewhere).await.user.id, ana.user.id);
    }

    #[tokio::test]
    async fn unknown_and_expired_refresh_tokens_are_invalid() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let unknown = refresh(&t.ctx, "made-up").await;
        assert!(matches!(unknown, Err(RefreshError::Invalid)), "{unknown:?}");

        t.clock.advance(t.ctx.auth_policy.refresh_token_ttl);
        let expired = refresh(&t.ctx, &ana.refresh_token).await;
        assert!(matches!(expired, Err(RefreshError::Invalid)), "{expired:?}");
    }

    #[tokio::test]
    async fn an_inactive_user_cannot_refresh() {
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

        let result = refresh(&t.ctx, &bo.refresh_token).await;
        assert!(matches!(result, Err(RefreshError::Invalid)), "{result:?}");
    }
}
