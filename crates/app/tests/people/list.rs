//! Use-case tests of `tandem_app::users::list`, on the in-memory fakes.

use tandem_app::ports::{Clock, NewUser, ProfileChanges};
use tandem_app::users::*;
use tandem_domain::{Actor, UserId};
use tandem_domain::{Role, UserStatus, Username};
use tandem_testkit::fakes::{TestContext, email};

/// An organization with its admin and `members` more people; returns the admin and all ids.
async fn organization(t: &TestContext, members: usize) -> (Actor, Vec<UserId>) {
    let admin = t.found("ana@acme.io", "ana", "Acme").await.user;
    let mut ids = vec![admin.id];
    for i in 0..members {
        let member = NewUser {
            email: email(&format!("m{i}@acme.io")),
            username: Username::parse(&format!("m{i}")).unwrap(),
            display_name: None,
            password_hash: "hashed:x".to_owned(),
            role: Role::Member,
            created_at: admin.created_at,
            email_verified: true,
            bot_owner_id: None,
        };
        let user = t
            .ctx
            .people
            .users
            .create(admin.organization_id, member)
            .await;
        ids.push(user.unwrap().id);
    }
    (Actor::of(&admin), ids)
}

fn ids(page: &UserPage) -> Vec<UserId> {
    page.users.iter().map(|u| u.id).collect()
}

fn page(after: Option<UserId>, limit: Option<u64>) -> ListUsers {
    ListUsers {
        after,
        limit,
        ..ListUsers::default()
    }
}

#[tokio::test]
async fn listing_shows_only_the_callers_organization() {
    let t = TestContext::new();
    let (admin, everyone) = organization(&t, 2).await;
    let cy = t.found("cy@globex.io", "cy", "Globex").await.user;

    let acme = list_users(&t.ctx.people, &admin, ListUsers::default())
        .await
        .unwrap();
    assert_eq!((ids(&acme), acme.next_cursor), (everyone, None));
    let globex = list_users(&t.ctx.people, &Actor::of(&cy), ListUsers::default()).await;
    assert_eq!(ids(&globex.unwrap()), vec![cy.id]);
}

#[tokio::test]
async fn pages_follow_one_another_through_next_cursor() {
    let t = TestContext::new();
    let (admin, everyone) = organization(&t, 4).await;

    let first = list_users(&t.ctx.people, &admin, page(None, Some(2)))
        .await
        .unwrap();
    assert_eq!(
        (ids(&first), first.next_cursor),
        (everyone[..2].to_vec(), Some(everyone[1]))
    );
    let second = list_users(&t.ctx.people, &admin, page(first.next_cursor, Some(2)))
        .await
        .unwrap();
    assert_eq!(
        (ids(&second), second.next_cursor),
        (everyone[2..4].to_vec(), Some(everyone[3]))
    );
    let last = list_users(&t.ctx.people, &admin, page(second.next_cursor, Some(2)))
        .await
        .unwrap();
    assert_eq!(
        (ids(&last), last.next_cursor),
        (everyone[4..].to_vec(), None)
    );
}

#[tokio::test]
async fn the_page_size_is_clamped_between_one_and_a_hundred() {
    let t = TestContext::new();
    let (admin, everyone) = organization(&t, 120).await;
    for (limit, expected) in [(Some(0), 1), (Some(1000), 100), (None, 50), (Some(7), 7)] {
        let listed = list_users(&t.ctx.people, &admin, page(None, limit))
            .await
            .unwrap();
        assert_eq!(ids(&listed), everyone[..expected], "{limit:?}");
        assert_eq!(
            listed.next_cursor,
            Some(everyone[expected - 1]),
            "{limit:?}"
        );
    }
}

#[tokio::test]
async fn only_admins_may_include_deactivated_users() {
    let t = TestContext::new();
    let (admin, everyone) = organization(&t, 2).await;
    let (member, gone) = (everyone[1], everyone[2]);
    let deactivate = ProfileChanges {
        is_active: Some(false),
        ..ProfileChanges::default()
    };
    t.ctx
        .people
        .users
        .update_profile(gone, &deactivate)
        .await
        .unwrap();
    let member = Actor::of(
        &t.ctx
            .people
            .users
            .find_by_id(member)
            .await
            .unwrap()
            .unwrap(),
    );
    let with_inactive = ListUsers {
        include_inactive: true,
        ..ListUsers::default()
    };

    for (actor, expected) in [(&admin, &everyone[..]), (&member, &everyone[..2])] {
        let listed = list_users(&t.ctx.people, actor, with_inactive.clone())
            .await
            .unwrap();
        assert_eq!(ids(&listed), expected, "{:?}", actor.role);
    }
    let default = list_users(&t.ctx.people, &admin, ListUsers::default())
        .await
        .unwrap();
    assert_eq!(ids(&default), everyone[..2]);
}

#[tokio::test]
async fn present_only_skips_offline_people() {
    let t = TestContext::new();
    let (admin, everyone) = organization(&t, 2).await;
    let (away, now) = (UserStatus::Away, t.clock.now());
    t.ctx
        .auth
        .users
        .set_status(everyone[2], away, now)
        .await
        .unwrap();
    let present = ListUsers {
        present_only: true,
        ..ListUsers::default()
    };
    let listed = list_users(&t.ctx.people, &admin, present).await.unwrap();
    assert_eq!(ids(&listed), vec![everyone[2]]);
}
