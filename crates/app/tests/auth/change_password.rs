//! Use-case tests of `tandem_app::auth::change_password`, on the in-memory fakes.

use std::time::Duration;
use tandem_app::auth::*;
use tandem_app::auth::{AuthError, Login, LoginError, RefreshError, authenticate, refresh};
use tandem_domain::PasswordError;
use tandem_testkit::fakes::{PASSWORD, TestContext};

/// Logs in where nobody has two-factor sign-in: the session, or the refusal.
async fn login(ctx: &tandem_app::AuthContext, attempt: Login) -> Result<AuthSession, LoginError> {
    tandem_app::auth::login(ctx, attempt).await.map(|outcome| {
        outcome
            .into_session()
            .expect("no second factor in these tests")
    })
}

const NEW_PASSWORD: &str = "staple battery horse";

fn change(current: &str, new: &str) -> ChangePassword {
    ChangePassword {
        current_password: current.to_owned(),
        new_password: new.to_owned(),
    }
}

fn attempt(password: &str) -> Login {
    Login {
        login: "ana.garcia@acme.io".to_owned(),
        password: password.to_owned(),
        client_address: None,
        user_agent: None,
    }
}

#[tokio::test]
async fn a_wrong_current_password_is_refused() {
    let t = TestContext::new();
    let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
    let caller = t.caller(&ana).await;

    let result = change_password(&t.ctx.auth, &caller, change("wrong guess", NEW_PASSWORD)).await;
    assert!(
        matches!(result, Err(ChangePasswordError::WrongCurrentPassword)),
        "{result:?}"
    );
    assert!(login(&t.ctx.auth, attempt(PASSWORD)).await.is_ok());
}

#[tokio::test]
async fn a_weak_new_password_is_refused() {
    let t = TestContext::new();
    let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
    let caller = t.caller(&ana).await;
    for (new, expected) in [
        ("short", PasswordError::TooShort),
        ("qwerty123", PasswordError::TooWeak),
        ("ana.garcia1", PasswordError::TooWeak),
    ] {
        let result = change_password(&t.ctx.auth, &caller, change(PASSWORD, new)).await;
        assert!(
            matches!(&result, Err(ChangePasswordError::WeakPassword(e)) if *e == expected),
            "{new:?}: {result:?}"
        );
    }
    assert!(login(&t.ctx.auth, attempt(PASSWORD)).await.is_ok());
}

#[tokio::test]
async fn changing_the_password_ends_every_session_until_the_next_login() {
    let t = TestContext::new();
    let ana = t.found("ana.garcia@acme.io", "ana.garcia", "Acme").await;
    let phone = login(&t.ctx.auth, attempt(PASSWORD)).await.unwrap();
    t.clock.advance(Duration::from_secs(60));
    let caller = t.caller(&ana).await;

    change_password(&t.ctx.auth, &caller, change(PASSWORD, NEW_PASSWORD))
        .await
        .unwrap();

    assert!(t.sessions.live_families(ana.user.id).is_empty());
    for session in [&ana, &phone] {
        let refreshed = refresh(&t.ctx.auth, &session.refresh_token).await;
        assert!(
            matches!(refreshed, Err(RefreshError::Invalid)),
            "{refreshed:?}"
        );
        let access = authenticate(&t.ctx.auth, &session.access_token.token).await;
        assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
    }
    let old = login(&t.ctx.auth, attempt(PASSWORD)).await;
    assert!(
        matches!(old, Err(LoginError::InvalidCredentials)),
        "{old:?}"
    );
    t.clock.advance(Duration::from_millis(1));
    let fresh = login(&t.ctx.auth, attempt(NEW_PASSWORD)).await.unwrap();
    assert_eq!(t.caller(&fresh).await.user.id, ana.user.id);
}
