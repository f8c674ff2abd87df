//! Creating organizations and users, the unique rules on them, and finding them again.

use super::Repositories;
use super::fixtures::*;
use tandem_app::ports::{NewOrganization, NewUser, PortError, ProfileChanges, UniqueField};
use tandem_domain::{OrganizationId, Role, UserId, UserStatus};

pub async fn creating_an_organization_with_its_first_user_stores_both(r: &Repositories) {
    let (new_org, new_user) = (organization(), user(Role::Admin));
    let (org, admin) = r
        .users
        .create_with_organization(new_org.clone(), new_user.clone())
        .await
        .unwrap();

    assert_eq!(org.name, new_org.name);
    assert_eq!(org.domain, new_org.domain);
    assert_eq!(org.subscription_plan, new_org.subscription_plan);
    assert_eq!(
        (org.self_signup, org.created_at, org.is_active),
        (new_org.self_signup, new_org.created_at, true)
    );
    assert_eq!(admin.organization_id, org.id);
    assert_eq!(
        (&admin.email, &admin.username, &admin.display_name),
        (&new_user.email, &new_user.username, &new_user.display_name)
    );
    assert_eq!(
        (admin.role, admin.status, admin.is_active),
        (Role::Admin, UserStatus::Offline, true)
    );
    assert_eq!(
        (
            admin.profile_picture.clone(),
            admin.last_activity,
            admin.created_at
        ),
        (None, None, new_user.created_at)
    );
    assert_eq!(r.organizations.find_by_id(org.id).await.unwrap(), Some(org));
    assert_eq!(r.users.find_by_id(admin.id).await.unwrap(), Some(admin));
}

pub async fn a_conflict_on_the_first_user_leaves_no_organization_behind(r: &Repositories) {
    let (_, existing) = organization_with_admin(r).await;
    let new_org = organization();
    let domain = new_org.domain.clone().unwrap();
    let clash = NewUser {
        email: existing.email.clone(),
        ..user(Role::Admin)
    };

    assert_conflict(
        r.users
            .create_with_organization(new_org.clone(), clash)
            .await,
        UniqueField::Email,
    );
    assert_eq!(
        r.organizations
            .find_active_by_domain(&domain)
            .await
            .unwrap(),
        None
    );
    // Nothing of the failed attempt holds on to the domain either.
    r.users
        .create_with_organization(new_org, user(Role::Admin))
        .await
        .unwrap();
}

pub async fn creating_a_user_with_a_taken_email_is_a_conflict(r: &Repositories) {
    let (org, admin) = organization_with_admin(r).await;
    let (other_org, _) = organization_with_admin(r).await;
    for org_id in [org.id, other_org.id] {
        let clash = NewUser {
            email: admin.email.clone(),
            ..user(Role::Member)
        };
        assert_conflict(r.users.create(org_id, clash).await, UniqueField::Email);
    }
    let clash = NewUser {
        email: admin.email.clone(),
        ..user(Role::Admin)
    };
    assert_conflict(
        r.users
            .create_with_organization(organization(), clash)
            .await,
        UniqueField::Email,
    );
}

pub async fn creating_a_user_with_a_taken_username_is_a_conflict(r: &Repositories) {
    let (org, admin) = organization_with_admin(r).await;
    let (other_org, _) = organization_with_admin(r).await;
    for org_id in [org.id, other_org.id] {
        let clash = NewUser {
            username: admin.username.clone(),
            ..user(Role::Member)
        };
        assert_conflict(r.users.create(org_id, clash).await, UniqueField::Username);
    }
    let clash = NewUser {
        username: admin.username.clone(),
        ..user(Role::Admin)
    };
    assert_conflict(
        r.users
            .create_with_organization(organization(), clash)
            .await,
        UniqueField::Username,
    );
}

pub async fn claiming_a_taken_organization_domain_is_a_conflict(r: &Repositories) {
    let (org, _) = organization_with_admin(r).await;
    let clash = NewOrganization {
        domain: org.domain.clone(),
        ..organization()
    };
    assert_conflict(
        r.users
            .create_with_organization(clash, user(Role::Admin))
            .await,
        UniqueField::OrganizationDomain,
    );
    // Any number of organizations may claim no domain at all.
    for _ in 0..2 {
        let unclaimed = NewOrganization {
            domain: None,
            ..organization()
        };
        r.users
            .create_with_organization(unclaimed, user(Role::Admin))
            .await
            .unwrap();
    }
}

pub async fn creating_a_user_in_an_unknown_organization_is_not_found(r: &Repositories) {
    let result = r
        .users
        .create(OrganizationId::new(i64::MAX), user(Role::Member))
        .await;
    assert!(matches!(result, Err(PortError::NotFound)), "{result:?}");
}

pub async fn users_are_found_by_id_email_and_username_whether_active_or_not(r: &Repositories) {
    let (org, _) = organization_with_admin(r).await;
    let new_user = user(Role::Member);
    let member = r.users.create(org.id, new_user.clone()).await.unwrap();
    for active in [true, false] {
        let member = r
            .users
            .update_profile(
                member.id,
                &ProfileChanges {
                    is_active: Some(active),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            r.users.find_by_id(member.id).await.unwrap().as_ref(),
            Some(&member)
        );
        let by_email = r
            .users
            .find_credentials_by_email(&member.email)
            .await
            .unwrap()
            .unwrap();
        let by_username = r
            .users
            .find_credentials_by_username(&member.username)
            .await
            .unwrap()
            .unwrap();
        for credentials in [by_email, by_username] {
            assert_eq!(
                (&credentials.user, &credentials.password_hash),
                (&member, &new_user.password_hash)
            );
        }
    }
    let stranger = user(Role::Member);
    assert_eq!(
        r.users.find_by_id(UserId::new(i64::MAX)).await.unwrap(),
        None
    );
    assert!(
        r.users
            .find_credentials_by_email(&stranger.email)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        r.users
            .find_credentials_by_username(&stranger.username)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn organizations_are_found_by_id_and_by_their_domain(r: &Repositories) {
    let (org, _) = organization_with_admin(r).await;
    let domain = org.domain.clone().unwrap();
    assert_eq!(
        r.organizations.find_by_id(org.id).await.unwrap().as_ref(),
        Some(&org)
    );
    assert_eq!(
        r.organizations
            .find_active_by_domain(&domain)
            .await
            .unwrap(),
        Some(org)
    );
    assert_eq!(
        r.organizations
            .find_by_id(OrganizationId::new(i64::MAX))
            .await
            .unwrap(),
        None
    );
    let unclaimed = organization().domain.unwrap();
    assert_eq!(
        r.organizations
            .find_active_by_domain(&unclaimed)
            .await
            .unwrap(),
        None
    );
}
