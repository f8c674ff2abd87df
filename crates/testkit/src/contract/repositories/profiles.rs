//! Listing users, changing their profiles, statuses and passwords, and counting admins.

use super::Repositories;
use super::fixtures::*;
use chrono::TimeDelta;
use tandem_app::ports::{PortError, ProfileChanges, UniqueField, UserQuery};
use tandem_domain::{DisplayName, ProfilePicture, Role, User, UserId, UserStatus};

pub async fn listing_users_pages_through_one_organization_by_id(r: &Repositories) {
    let (org, admin) = organization_with_admin(r).await;
    let mut expected = vec![admin.id];
    for _ in 0..4 {
        expected.push(r.users.create(org.id, user(Role::Member)).await.unwrap().id);
    }
    organization_with_admin(r).await; // a neighbour whose users must not show up

    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let page = r
            .users
            .list(&UserQuery {
                after,
                limit: 2,
                ..query(org.id)
            })
            .await
            .unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen.extend(page.iter().map(|u| u.id));
    }
    assert_eq!(seen, expected, "every user once, in id order");
    assert_eq!(
        ids(&r
            .users
            .list(&UserQuery {
                limit: 100,
                ..query(org.id)
            })
            .await
            .unwrap()),
        expected
    );
}

pub async fn listing_present_users_skips_offline_ones(r: &Repositories) {
    let (org, _admin) = organization_with_admin(r).await;
    let mut present = Vec::new();
    for status in [
        UserStatus::Online,
        UserStatus::Away,
        UserStatus::Busy,
        UserStatus::Offline,
    ] {
        let member = r.users.create(org.id, user(Role::Member)).await.unwrap();
        r.users.set_status(member.id, status, now()).await.unwrap();
        if status != UserStatus::Offline {
            present.push(member.id);
        }
    }
    let listed = r
        .users
        .list(&UserQuery {
            present_only: true,
            ..query(org.id)
        })
        .await
        .unwrap();
    assert_eq!(ids(&listed), present);
}

pub async fn listing_skips_inactive_users_unless_asked(r: &Repositories) {
    let (org, admin) = organization_with_admin(r).await;
    let gone = r.users.create(org.id, user(Role::Member)).await.unwrap();
    r.users
        .update_profile(
            gone.id,
            &ProfileChanges {
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(
        ids(&r.users.list(&query(org.id)).await.unwrap()),
        vec![admin.id]
    );
    let everyone = r
        .users
        .list(&UserQuery {
            include_inactive: true,
            ..query(org.id)
        })
        .await
        .unwrap();
    assert_eq!(ids(&everyone), vec![admin.id, gone.id]);
}

pub async fn updating_a_profile_changes_only_the_given_fields(r: &Repositories) {
    let (_, admin) = organization_with_admin(r).await;
    let fresh = user(Role::Member);
    let unchanged = r
        .users
        .update_profile(admin.id, &ProfileChanges::default())
        .await
        .unwrap();
    assert_eq!(unchanged, admin);

    let changed = r
        .users
        .update_profile(
            admin.id,
            &ProfileChanges {
                email: Some(fresh.email.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        changed,
        User {
            email: fresh.email.clone(),
            ..admin.clone()
        }
    );

    let changes = ProfileChanges {
        username: Some(fresh.username.clone()),
        display_name: Some(Some(DisplayName::parse("Zoë O'Brien").unwrap())),
        profile_picture: Some(Some(ProfilePicture::parse("/api/v1/files/42").unwrap())),
        role: Some(Role::Moderator),
        ..Default::default()
    };
    let changed = r.users.update_profile(admin.id, &changes).await.unwrap();
    let expected = User {
        email: fresh.email,
        username: fresh.username,
        display_name: changes.display_name.clone().unwrap(),
        profile_picture: changes.profile_picture.clone().unwrap(),
        role: Role::Moderator,
        ..admin
    };
    assert_eq!(changed, expected);
    assert_eq!(r.users.find_by_id(changed.id).await.unwrap(), Some(changed));
}

pub async fn updating_a_profile_can_clear_nullable_fields(r: &Repositories) {
    let (_, admin) = organization_with_admin(r).await;
    let picture = ProfileChanges {
        profile_picture: Some(Some(
            ProfilePicture::parse("/api/v1/files/1/thumbnail").unwrap(),
        )),
        ..Default::default()
    };
    let pictured = r.users.update_profile(admin.id, &picture).await.unwrap();
    assert!(pictured.display_name.is_some() && pictured.profile_picture.is_some());

    let clear = ProfileChanges {
        display_name: Some(None),
        profile_picture: Some(None),
        ..Default::default()
    };
    let cleared = r.users.update_profile(admin.id, &clear).await.unwrap();
    assert_eq!(
        cleared,
        User {
            display_name: None,
            profile_picture: None,
            ..pictured
        }
    );
    assert_eq!(r.users.find_by_id(admin.id).await.unwrap(), Some(cleared));
}

pub async fn updating_a_profile_to_a_taken_email_or_username_is_a_conflict(r: &Repositories) {
    let (org, admin) = organization_with_admin(r).await;
    let member = r.users.create(org.id, user(Role::Member)).await.unwrap();
    let take_email = ProfileChanges {
        email: Some(admin.email.clone()),
        ..Default::default()
    };
    let take_username = ProfileChanges {
        username: Some(admin.username.clone()),
        ..Default::default()
    };
    assert_conflict(
        r.users.update_profile(member.id, &take_email).await,
        UniqueField::Email,
    );
    assert_conflict(
        r.users.update_profile(member.id, &take_username).await,
        UniqueField::Username,
    );
    assert_eq!(r.users.find_by_id(member.id).await.unwrap(), Some(member));
}

pub async fn changing_an_unknown_user_is_not_found(r: &Repositories) {
    let (nobody, at) = (UserId::new(i64::MAX), now());
    let some_change = ProfileChanges {
        role: Some(Role::Admin),
        ..Default::default()
    };
    let outcomes = [
        r.users.update_profile(nobody, &some_change).await.map(drop),
        r.users
            .update_profile(nobody, &ProfileChanges::default())
            .await
            .map(drop),
        r.users
            .set_status(nobody, UserStatus::Online, at)
            .await
            .map(drop),
        r.users.touch(nobody, at).await,
        r.users.set_password_hash(nobody, "hash").await,
    ];
    for outcome in outcomes {
        assert!(matches!(outcome, Err(PortError::NotFound)), "{outcome:?}");
    }
}

pub async fn setting_status_records_when_it_happened(r: &Repositories) {
    let (_, admin) = organization_with_admin(r).await;
    let at = now();
    let busy = r
        .users
        .set_status(admin.id, UserStatus::Busy, at)
        .await
        .unwrap();
    assert_eq!(
        busy,
        User {
            status: UserStatus::Busy,
            last_activity: Some(at),
            ..admin
        }
    );
    assert_eq!(r.users.find_by_id(busy.id).await.unwrap(), Some(busy));
}

pub async fn touching_records_activity_without_changing_status(r: &Repositories) {
    let (_, admin) = organization_with_admin(r).await;
    let away = r
        .users
        .set_status(admin.id, UserStatus::Away, now() - TimeDelta::hours(1))
        .await
        .unwrap();
    let later = now();
    r.users.touch(admin.id, later).await.unwrap();
    assert_eq!(
        r.users.find_by_id(admin.id).await.unwrap(),
        Some(User {
            last_activity: Some(later),
            ..away
        })
    );
}

pub async fn setting_a_password_hash_replaces_it(r: &Repositories) {
    let (_, admin) = organization_with_admin(r).await;
    r.users
        .set_password_hash(admin.id, "$2b$12$replaced")
        .await
        .unwrap();
    let credentials = r
        .users
        .find_credentials_by_email(&admin.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (credentials.password_hash.as_str(), credentials.user),
        ("$2b$12$replaced", admin)
    );
}

pub async fn only_active_admins_are_counted(r: &Repositories) {
    let (org, first) = organization_with_admin(r).await;
    organization_with_admin(r).await; // another organization's admin never counts
    assert_eq!(r.users.count_active_admins(org.id).await.unwrap(), 1);
    let second = r.users.create(org.id, user(Role::Admin)).await.unwrap();
    r.users.create(org.id, user(Role::Moderator)).await.unwrap();
    r.users.create(org.id, user(Role::Member)).await.unwrap();
    assert_eq!(r.users.count_active_admins(org.id).await.unwrap(), 2);
    r.users
        .update_profile(
            second.id,
            &ProfileChanges {
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    r.users
        .update_profile(
            first.id,
            &ProfileChanges {
                role: Some(Role::Member),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.users.count_active_admins(org.id).await.unwrap(), 0);
}
