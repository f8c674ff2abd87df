//! Use-case tests of `tandem_app::auth::login`, on the in-memory fakes.

use std::time::Duration;
use tandem_app::AuthPolicy;
use tandem_app::auth::authenticate;
use tandem_app::auth::*;
use tandem_app::ports::{Clock, ProfileChanges};
use tandem_testkit::fakes::{PASSWORD, TestContext};

/// Logs in where nobody has two-factor sign-in: the session, or the refusal.
async fn login(ctx: &tandem_app::AuthContext, attempt: Login) -> Result<AuthSession, LoginError> {
    tandem_app::auth::login(ctx, attempt).await.map(|outcome| {
        outcome
            .into_session()
            .expect("no second factor in these tests")
    })
}

fn attempt(login: &str, password: &str, address: Option<&str>) -> Login {
    Login {
        login: login.to_owned(),
        password: password.to_owned(),
        client_address: address.map(str::to_owned),
        user_agent: None,
    }
}

async fn fail(t: &TestContext, login: &str, address: &str) {
    let result =
        tandem_app::auth::login(&t.ctx.auth, attempt(login, "wrong password", Some(address))).await;
    assert!(
        matches!(result, Err(LoginError::InvalidCredentials)),
        "{result:?}"
    );
}

#[tokio::test]
async fn people_log_in_with_their_email_or_their_username() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    for name in [" Ana@Acme.io ", "ana", "ANA"] {
        let session = login(&t.ctx.auth, attempt(name, PASSWORD, Some("10.0.0.1")))
            .await
            .unwrap();
        assert_eq!(session.user.id, ana.user.id, "{name:?}");
        let caller = authenticate(&t.ctx.auth, &session.access_token.token).await;
        assert_eq!(caller.unwrap().user.id, ana.user.id);
        assert_ne!(session.refresh_token, ana.refresh_token);
    }
    let stored = t
        .ctx
        .auth
        .users
        .find_by_id(ana.user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_activity, Some(t.clock.now()));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_look_alike() {
    let t = TestContext::new();
    t.found("ana@acme.io", "ana", "Acme").await;
    for (name, password) in [
        ("ana@acme.io", "violet harbor kettle!"),
        ("ana", ""),
        ("nobody@acme.io", PASSWORD),
        ("nobody", PASSWORD),
        ("not an address@", PASSWORD),
    ] {
        let result = login(&t.ctx.auth, attempt(name, password, None)).await;
        assert!(
            matches!(result, Err(LoginError::InvalidCredentials)),
            "{name:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address_out_not_the_owner_elsewhere() {
    let t = TestContext::new();
    t.found("ana@acme.io", "ana", "Acme").await;
    for _ in 0..5 {
        fail(&t, "ana@acme.io", "10.6.6.6").await;
    }

    t.clock.advance(Duration::from_secs(5 * 60));
    let locked = login(
        &t.ctx.auth,
        attempt("ana@acme.io", PASSWORD, Some("10.6.6.6")),
    )
    .await;
    assert!(
        matches!(locked, Err(LoginError::TooManyAttempts { retry_after }) if retry_after == Duration::from_secs(10 * 60)),
        "even the right password from the guessing address waits: {locked:?}"
    );
    let owner = login(&t.ctx.auth, attempt("ana", PASSWORD, Some("10.0.0.1"))).await;
    assert!(owner.is_ok(), "the owner elsewhere gets in: {owner:?}");

    t.clock.advance(Duration::from_secs(10 * 60));
    let session = login(
        &t.ctx.auth,
        attempt("ana@acme.io", PASSWORD, Some("10.6.6.6")),
    )
    .await;
    assert!(session.is_ok(), "after the window: {session:?}");
}

#[tokio::test]
async fn failures_spread_over_many_addresses_lock_the_account_for_everyone() {
    let t = TestContext::with_policy(AuthPolicy {
        max_failures_per_account_total: 8,
        ..AuthPolicy::default()
    });
    t.found("ana@acme.io", "ana", "Acme").await;
    for i in 0..8 {
        fail(&t, "ana@acme.io", &format!("10.0.0.{i}")).await;
    }
    let locked = login(
        &t.ctx.auth,
        attempt("ana@acme.io", PASSWORD, Some("10.9.9.9")),
    )
    .await;
    assert!(
        matches!(locked, Err(LoginError::TooManyAttempts { .. })),
        "{locked:?}"
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_block_it_for_every_account() {
    let t = TestContext::with_policy(AuthPolicy {
        max_failures_per_address: 3,
        ..AuthPolicy::default()
    });
    t.found("ana@acme.io", "ana", "Acme").await;
    for name in ["bo@acme.io", "cy", "dee@globex.io"] {
        fail(&t, name, "10.0.0.1").await;
    }

    let blocked = login(&t.ctx.auth, attempt("ana", PASSWORD, Some("10.0.0.1"))).await;
    assert!(
        matches!(blocked, Err(LoginError::TooManyAttempts { retry_after }) if retry_after > Duration::ZERO),
        "{blocked:?}"
    );
    for elsewhere in [Some("10.0.0.2"), None] {
        let session = login(&t.ctx.auth, attempt("ana", PASSWORD, elsewhere)).await;
        assert!(session.is_ok(), "{elsewhere:?}: {session:?}");
    }
}

#[tokio::test]
async fn a_successful_login_forgives_the_accounts_failures_but_not_the_addresss() {
    let t = TestContext::with_policy(AuthPolicy {
        max_failures_per_address: 9,
        ..AuthPolicy::default()
    });
    t.found("ana@acme.io", "ana", "Acme").await;
    let right = || login(&t.ctx.auth, attempt("ana", PASSWORD, Some("10.0.0.1")));
    for _ in 0..4 {
        fail(&t, "ana@acme.io", "10.0.0.1").await;
    }
    right().await.unwrap();
    // Four more: the pair's limit of 5 would stop the owner had the first four still counted.
    for _ in 0..4 {
        fail(&t, "ana@acme.io", "10.0.0.1").await;
    }
    right().await.unwrap();
    // The address's failures stand: one more reaches its limit of 9, for every account.
    fail(&t, "ana@acme.io", "10.0.0.1").await;
    let blocked = login(&t.ctx.auth, attempt("nobody", PASSWORD, Some("10.0.0.1"))).await;
    assert!(
        matches!(blocked, Err(LoginError::TooManyAttempts { .. })),
        "{blocked:?}"
    );
}

#[tokio::test]
async fn a_deactivated_account_is_told_so_only_with_the_right_password() {
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

    let right = login(&t.ctx.auth, attempt("bo", PASSWORD, None)).await;
    assert!(
        matches!(right, Err(LoginError::AccountDisabled)),
        "{right:?}"
    );
    let wrong = login(&t.ctx.auth, attempt("bo", "not the password", None)).await;
    assert!(
        matches!(wrong, Err(LoginError::InvalidCredentials)),
        "{wrong:?}"
    );
}

/// An account's email and username share one counter: naming it two ways does not double
/// the guesses an attacker gets per window.
#[tokio::test]
async fn failures_by_email_and_by_username_count_against_the_same_account() {
    let t = TestContext::new();
    t.found("ana@acme.io", "ana", "Acme").await;
    for _ in 0..5 {
        fail(&t, "ana@acme.io", "10.0.0.1").await;
    }
    let by_username = login(
        &t.ctx.auth,
        attempt("ana", "another guess", Some("10.0.0.1")),
    )
    .await;
    assert!(
        matches!(by_username, Err(LoginError::TooManyAttempts { .. })),
        "{by_username:?}"
    );
}
