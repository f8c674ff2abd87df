//! Use-case tests of `tandem_app::auth::logout`, on the in-memory fakes.

use tandem_app::auth::*;
use tandem_app::auth::{AuthError, RefreshError, authenticate, refresh};
use tandem_testkit::fakes::TestContext;

#[tokio::test]
async fn logging_out_revokes_the_access_token_and_the_refresh_tokens_session() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    let caller = t.caller(&ana).await;
    let cmd = Logout {
        refresh_token: Some(ana.refresh_token.clone()),
    };
    logout(&t.ctx.auth, &caller, cmd).await.unwrap();

    let access = authenticate(&t.ctx.auth, &ana.access_token.token).await;
    assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
    let refreshed = refresh(&t.ctx.auth, &ana.refresh_token).await;
    assert!(
        matches!(refreshed, Err(RefreshError::Invalid)),
        "{refreshed:?}"
    );
    assert!(t.sessions.live_families(ana.user.id).is_empty());
}

// Logging out without a refresh token ends the session through the identity store, which
// these fakes do not keep: `tests/api/tokens.rs` shows it on both databases.

#[tokio::test]
async fn a_refresh_token_of_another_user_is_ignored() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    let bo = t.join("bo@acme.io", "bo").await;
    let caller = t.caller(&ana).await;
    let cmd = Logout {
        refresh_token: Some(bo.refresh_token.clone()),
    };
    logout(&t.ctx.auth, &caller, cmd).await.unwrap();

    assert_eq!(t.caller(&bo).await.user.id, bo.user.id);
    let next = refresh(&t.ctx.auth, &bo.refresh_token).await;
    assert!(next.is_ok(), "bo's session lives on: {next:?}");
}
