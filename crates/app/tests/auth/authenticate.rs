//! Use-case tests of `tandem_app::auth::authenticate`, on the in-memory fakes.

use tandem_app::auth::*;
use tandem_app::auth::{Logout, logout};
use tandem_app::ports::{AccessClaims, ProfileChanges};
use tandem_domain::{OrganizationId, Role, UserId};
use tandem_testkit::fakes::TestContext;

async fn refused(t: &TestContext, token: &str) -> AuthError {
    authenticate(&t.ctx.auth, token).await.unwrap_err()
}

fn forge(t: &TestContext, user_id: UserId, organization_id: OrganizationId) -> String {
    let claims = AccessClaims {
        user_id,
        organization_id,
        role: Role::Admin,
        session_id: None,
        two_factor_setup_required: false,
    };
    t.ctx.auth.tokens.issue(&claims).unwrap().token
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
        .auth
        .users
        .update_profile(bo.user.id, &promote)
        .await
        .unwrap();

    let caller = authenticate(&t.ctx.auth, &bo.access_token.token)
        .await
        .unwrap();
    assert_eq!(
        caller.user.role,
        Role::Moderator,
        "not the role in the token"
    );
    // A token of a session is revoked through its session.
    let session = caller.session_id.expect("a login opens a session");
    assert_eq!(caller.token_id, format!("session:{session}"));
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

    t.clock.advance(t.ctx.auth.policy.access_token_ttl);
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
        &t.ctx.auth,
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
        .auth
        .users
        .update_profile(bo.user.id, &deactivate)
        .await
        .unwrap();
    let error = refused(&t, &bo.access_token.token).await;
    assert!(matches!(error, AuthError::AccountDisabled), "{error:?}");
}
