//! Logging out: the access token in hand and (when given) the refresh token's session end now.

use super::session::hash_refresh_token;
use crate::AppContext;
use crate::auth::Authenticated;
use crate::ports::PortError;

#[derive(Debug, Clone)]
pub struct Logout {
    pub refresh_token: Option<String>,
}

/// # Errors
/// `PortError` when the denylist or the session store cannot be reached.
pub async fn logout(
    ctx: &AppContext,
    caller: &Authenticated,
    cmd: Logout,
) -> Result<(), PortError> {
    ctx.denylist
        .revoke(&caller.token_id, caller.expires_at)
        .await?;
    if let Some(token) = cmd.refresh_token {
        // A token of someone else's session is ignored rather than reported: logout succeeds.
        ctx.sessions
            .revoke_family_of(&hash_refresh_token(&token), caller.user.id, ctx.clock.now())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthError, RefreshError, authenticate, refresh};
    use crate::testing::TestContext;

    #[tokio::test]
    async fn logging_out_revokes_the_access_token_and_the_refresh_tokens_session() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let caller = t.caller(&ana).await;
        let cmd = Logout {
            refresh_token: Some(ana.refresh_token.clone()),
        };
        logout(&t.ctx, &caller, cmd).await.unwrap();

        let access = authenticate(&t.ctx, &ana.access_token.token).await;
        assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
        let refreshed = refresh(&t.ctx, &ana.refresh_token).await;
        assert!(
            matches!(refreshed, Err(RefreshError::Invalid)),
            "{refreshed:?}"
        );
        assert!(t.sessions.live_families(ana.user.id).is_empty());
    }

    #[tokio::test]
    async fn logging_out_without_a_refresh_token_leaves_the_session_refreshable() {
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

        let access = authenticate(&t.ctx, &ana.access_token.token).await;
        assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
        let next = refresh(&t.ctx, &ana.refresh_token).await.unwrap();
        assert_eq!(t.caller(&next).await.user.id, ana.user.id);
    }

    #[tokio::test]
    async fn a_refresh_token_of_another_user_is_ignored() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let bo = t.join("bo@acme.io", "bo").await;
        let caller = t.caller(&ana).await;
        let cmd = Logout {
            refresh_token: Some(bo.refresh_token.clone()),
        };
        logout(&t.ctx, &caller, cmd).await.unwrap();

        assert_eq!(t.caller(&bo).await.user.id, bo.user.id);
        let next = refresh(&t.ctx, &bo.refresh_token).await;
        assert!(next.is_ok(), "bo's session lives on: {next:?}");
    }
}
