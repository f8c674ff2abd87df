//! Use-case tests of `tandem_app::users::update`, on the in-memory fakes.

use tandem_app::auth::{AuthError, AuthSession, Login, LoginError, RefreshError};
use tandem_app::auth::{authenticate, login, refresh};
use tandem_app::ports::ProfileChanges;
use tandem_app::ports::UniqueField;
use tandem_app::users::*;
use tandem_domain::{Actor, Role, User, UserId};
use tandem_domain::{Denied, DisplayName};
use tandem_testkit::fakes::{PASSWORD, TestContext, email};

/// Acme with Ana (admin) and Bo and Cy (members), and Globex with Dee (admin).
struct World {
    t: TestContext,
    ana: AuthSession,
    bo: AuthSession,
    cy: AuthSession,
    dee: AuthSession,
}

async fn world() -> World {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await;
    let bo = t.join("bo@acme.io", "bo").await;
    let cy = t.join("cy@acme.io", "cy").await;
    let dee = t.found("dee@globex.io", "dee", "Globex").await;
    World {
        t,
        ana,
        bo,
        cy,
        dee,
    }
}

fn actor(session: &AuthSession) -> Actor {
    Actor::of(&session.user)
}

fn rename(name: &str) -> ProfileChanges {
    ProfileChanges {
        display_name: Some(Some(DisplayName::parse(name).unwrap())),
        ..ProfileChanges::default()
    }
}

fn role(role: Role) -> ProfileChanges {
    ProfileChanges {
        role: Some(role),
        ..ProfileChanges::default()
    }
}

fn active(active: bool) -> ProfileChanges {
    ProfileChanges {
        is_active: Some(active),
        ..ProfileChanges::default()
    }
}

async fn update(
    w: &World,
    by: &AuthSession,
    id: UserId,
    changes: ProfileChanges,
) -> Result<User, UserError> {
    update_user(&w.t.ctx.people, &actor(by), id, changes).await
}

#[tokio::test]
async fn members_edit_their_own_profile_but_nobody_elses() {
    let w = world().await;
    let renamed = update(&w, &w.bo, w.bo.user.id, rename("Bo B."))
        .await
        .unwrap();
    assert_eq!(renamed.display_name.unwrap().as_str(), "Bo B.");

    let other = update(&w, &w.bo, w.cy.user.id, rename("Cy?")).await;
    assert!(
        matches!(other, Err(UserError::Forbidden(Denied::NotProfileOwner))),
        "{other:?}"
    );
    let by_admin = update(&w, &w.ana, w.cy.user.id, rename("Cy C.")).await;
    assert_eq!(by_admin.unwrap().display_name.unwrap().as_str(), "Cy C.");
}

#[tokio::test]
async fn only_admins_change_roles_and_the_same_role_is_no_change() {
    let w = world().await;
    for target in [w.bo.user.id, w.cy.user.id] {
        let promote = update(&w, &w.bo, target, role(Role::Moderator)).await;
        assert!(
            matches!(promote, Err(UserError::Forbidden(Denied::NotAdminForRole))),
            "{promote:?}"
        );
    }
    let same = ProfileChanges {
        role: Some(Role::Member),
        ..rename("Bo B.")
    };
    let unchanged = update(&w, &w.bo, w.bo.user.id, same).await.unwrap();
    assert_eq!(unchanged.role, Role::Member);

    let promoted = update(&w, &w.ana, w.bo.user.id, role(Role::Moderator)).await;
    assert_eq!(promoted.unwrap().role, Role::Moderator);
    let stored = w.t.ctx.people.users.find_by_id(w.bo.user.id).await.unwrap();
    assert_eq!(stored.unwrap().role, Role::Moderator);
}

#[tokio::test]
async fn members_may_leave_but_only_admins_deactivate_or_reactivate_others() {
    let w = world().await;
    let other = update(&w, &w.bo, w.cy.user.id, active(false)).await;
    assert!(
        matches!(
            other,
            Err(UserError::Forbidden(Denied::NotAdminForActivation))
        ),
        "{other:?}"
    );
    let left = deactivate_user(&w.t.ctx.people, &actor(&w.bo), w.bo.user.id).await;
    assert!(!left.unwrap().is_active);
    let back = update(&w, &w.bo, w.bo.user.id, active(true)).await;
    assert!(
        matches!(
            back,
            Err(UserError::Forbidden(Denied::NotAdminForActivation))
        ),
        "{back:?}"
    );
    let reactivated = update(&w, &w.ana, w.bo.user.id, active(true)).await;
    assert!(reactivated.unwrap().is_active);
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let w = world().await;
    let ana = w.ana.user.id;
    for changes in [role(Role::Member), active(false)] {
        let result = update(&w, &w.ana, ana, changes).await;
        assert!(matches!(result, Err(UserError::LastAdmin)), "{result:?}");
    }

    update(&w, &w.ana, w.bo.user.id, role(Role::Admin))
        .await
        .unwrap();
    update(&w, &w.ana, w.cy.user.id, role(Role::Admin))
        .await
        .unwrap();
    deactivate_user(&w.t.ctx.people, &actor(&w.ana), w.cy.user.id)
        .await
        .unwrap();
    update(&w, &w.ana, w.bo.user.id, role(Role::Moderator))
        .await
        .unwrap();
    let alone = update(&w, &w.ana, ana, role(Role::Member)).await;
    assert!(
        matches!(alone, Err(UserError::LastAdmin)),
        "a deactivated admin does not count: {alone:?}"
    );

    update(&w, &w.ana, w.bo.user.id, role(Role::Admin))
        .await
        .unwrap();
    let stepped_down = update(&w, &w.ana, ana, role(Role::Member)).await;
    assert_eq!(stepped_down.unwrap().role, Role::Member);
}

#[tokio::test]
async fn users_of_another_organization_are_not_found() {
    let w = world().await;
    for changes in [rename("X"), role(Role::Member), active(false)] {
        let result = update(&w, &w.dee, w.bo.user.id, changes).await;
        assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
    }
    let result = deactivate_user(&w.t.ctx.people, &actor(&w.ana), w.dee.user.id).await;
    assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn a_taken_email_or_username_is_a_conflict() {
    let w = world().await;
    let take_email = ProfileChanges {
        email: Some(email("DEE@globex.io")),
        ..ProfileChanges::default()
    };
    let result = update(&w, &w.bo, w.bo.user.id, take_email).await;
    assert!(
        matches!(result, Err(UserError::Conflict(UniqueField::Email))),
        "{result:?}"
    );
    let take_username = ProfileChanges {
        username: Some(w.cy.user.username.clone()),
        ..ProfileChanges::default()
    };
    let result = update(&w, &w.bo, w.bo.user.id, take_username).await;
    assert!(
        matches!(result, Err(UserError::Conflict(UniqueField::Username))),
        "{result:?}"
    );
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions() {
    let w = world().await;
    deactivate_user(&w.t.ctx.people, &actor(&w.ana), w.bo.user.id)
        .await
        .unwrap();

    assert!(w.t.sessions.live_families(w.bo.user.id).is_empty());
    let refreshed = refresh(&w.t.ctx.auth, &w.bo.refresh_token).await;
    assert!(
        matches!(refreshed, Err(RefreshError::Invalid)),
        "{refreshed:?}"
    );
    let access = authenticate(&w.t.ctx.auth, &w.bo.access_token.token).await;
    assert!(matches!(access, Err(AuthError::Revoked)), "{access:?}");
    let again = Login {
        login: "bo".to_owned(),
        password: PASSWORD.to_owned(),
        client_address: None,
        user_agent: None,
    };
    let again = login(&w.t.ctx.auth, again).await;
    assert!(
        matches!(again, Err(LoginError::AccountDisabled)),
        "{again:?}"
    );
    assert_eq!(w.t.caller(&w.cy).await.user.id, w.cy.user.id, "others stay");
}
