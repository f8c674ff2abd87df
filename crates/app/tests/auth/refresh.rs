//! Use-case tests of `tandem_app::auth::refresh`, on the in-memory fakes.

use std::time::Duration;
use tandem_app::auth::*;
use tandem_app::auth::{AuthError, Login, authenticate};
use tandem_app::ports::ProfileChanges;
use tandem_testkit::fakes::{PASSWORD, TestContext};

/// Logs in where nobody has two-factor sign-in: the session, or the refusal.
async fn login(ctx: &tandem_app::AuthContext, attempt: Login) -> Result<AuthSession, LoginError> {
    tandem_app::auth::login(ctx, attempt).await.map(|outcome| {
        outcome
            .into_session()
            .expect("no second factor in these tests")
    })
}

async fn refused(t: &TestContext, access_token: &str) -> AuthError {
    authenticate(&t.ctx.auth, access_token).await.unwrap_err()
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token_and_issues_a_new_access_token() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    t.clock.advance(Duration::from_secs(60));

    let next = refresh(&t.ctx.auth, &ana.refresh_token).await.unwrap();
    assert_ne!(next.refresh_token, ana.refresh_token);
    assert_ne!(next.access_token.token_id, ana.access_token.token_id);
    assert_eq!(next.user.id, ana.user.id);
    assert_eq!(t.caller(&next).await.user.id, ana.user.id);
    let after = refresh(&t.ctx.auth, &next.refresh_token).await;
    assert!(after.is_ok(), "the successor rotates in turn: {after:?}");
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_ends_the_session_and_its_access_tokens() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    let other_device = login(
        &t.ctx.auth,
        Login {
            login: "ana".to_owned(),
            password: PASSWORD.to_owned(),
            client_address: None,
            user_agent: None,
        },
    )
    .await
    .unwrap();
    t.clock.advance(Duration::from_secs(60));
    let next = refresh(&t.ctx.auth, &ana.refresh_token).await.unwrap();
    t.clock.advance(Duration::from_secs(60));

    let replay = refresh(&t.ctx.auth, &ana.refresh_token).await;
    assert!(matches!(replay, Err(RefreshError::Reused)), "{replay:?}");
    let successor = refresh(&t.ctx.auth, &next.refresh_token).await;
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
    let elsewhere = refresh(&t.ctx.auth, &other_device.refresh_token)
        .await
        .unwrap();
    assert_eq!(t.caller(&elsewhere).await.user.id, ana.user.id);
}

#[tokio::test]
async fn unknown_and_expired_refresh_tokens_are_invalid() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    let unknown = refresh(&t.ctx.auth, "made-up").await;
    assert!(matches!(unknown, Err(RefreshError::Invalid)), "{unknown:?}");

    t.clock.advance(t.ctx.auth.policy.refresh_token_ttl);
    let expired = refresh(&t.ctx.auth, &ana.refresh_token).await;
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
        .auth
        .users
        .update_profile(bo.user.id, &deactivate)
        .await
        .unwrap();

    let result = refresh(&t.ctx.auth, &bo.refresh_token).await;
    assert!(matches!(result, Err(RefreshError::Invalid)), "{result:?}");
}
