//! Values and steps the cases share; every name, email and hash is random.

use super::Repositories;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use tandem_app::ports::{
    NewOrganization, NewRefreshToken, NewUser, PortError, RotateOutcome, UniqueField, UserQuery,
};
use tandem_domain::{
    DisplayName, Email, EmailDomain, Organization, OrganizationId, OrganizationName, Role,
    SubscriptionPlan, User, UserId, Username,
};

pub(super) fn random(prefix: &str) -> String {
    format!("{prefix}{:016x}", rand::random::<u64>())
}

pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

pub(super) fn organization() -> NewOrganization {
    let tag = random("");
    NewOrganization {
        name: OrganizationName::parse(&format!("Acme {tag}")).unwrap(),
        domain: Some(EmailDomain::of(
            &Email::parse(&format!("it@acme-{tag}.io")).unwrap(),
        )),
        subscription_plan: SubscriptionPlan::Pro,
        self_signup: true,
        created_at: now(),
    }
}

pub(super) fn user(role: Role) -> NewUser {
    let tag = random("");
    NewUser {
        email: Email::parse(&format!("ana.{tag}@acme-{tag}.io")).unwrap(),
        username: Username::parse(&format!("ana.{tag}")).unwrap(),
        display_name: Some(DisplayName::parse("Ana García").unwrap()),
        password_hash: format!("$2b$12${tag}"),
        role,
        created_at: now(),
        email_verified: true,
        bot_owner_id: None,
    }
}

pub(super) async fn organization_with_admin(r: &Repositories) -> (Organization, User) {
    r.users
        .create_with_organization(organization(), user(Role::Admin))
        .await
        .unwrap()
}

/// Starts a new session (a token family) for `user_id` and returns its token hash.
pub(super) async fn session(r: &Repositories, user_id: UserId) -> String {
    let (hash, created_at) = (random("hash"), now());
    let token = NewRefreshToken {
        user_id,
        family: random("family"),
        token_hash: hash.clone(),
        created_at,
        expires_at: created_at + TimeDelta::days(1),
    };
    r.sessions.create(token).await.unwrap();
    hash
}

pub(super) async fn rotate(r: &Repositories, presented: &str, successor: &str) -> RotateOutcome {
    let at = now();
    r.sessions
        .rotate(presented, successor, at, at + TimeDelta::days(1))
        .await
        .unwrap()
}

pub(super) fn query(organization_id: OrganizationId) -> UserQuery {
    UserQuery {
        organization_id,
        after: None,
        limit: 50,
        include_inactive: false,
        present_only: false,
        bots_only: false,
    }
}

pub(super) fn ids(users: &[User]) -> Vec<UserId> {
    users.iter().map(|u| u.id).collect()
}

#[track_caller]
pub(super) fn assert_conflict<T: std::fmt::Debug>(
    result: Result<T, PortError>,
    field: UniqueField,
) {
    assert!(
        matches!(result, Err(PortError::Conflict(f)) if f == field),
        "expected a {field} conflict, got {result:?}"
    );
}
