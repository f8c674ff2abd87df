//! Conversions between rows and domain types, in both directions. Stored values were written
//! by this adapter, so a row that does not parse is a broken invariant (`Unexpected`).

mod channels;

pub(crate) use channels::*;

use crate::entities::{organization, user};
use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use tandem_app::ports::{Credentials, NewOrganization, NewUser, PortError, ProfileChanges};
use tandem_domain::{
    DisplayName, Email, EmailDomain, InvalidInput, Organization, OrganizationId, OrganizationName,
    ProfilePicture, Role, SubscriptionPlan, TwoFactorPolicy, User, UserId, UserStatus, Username,
};

#[derive(Debug, thiserror::Error)]
#[error("stored {column} is not valid: {source}")]
struct CorruptRow {
    column: &'static str,
    #[source]
    source: InvalidInput,
}

pub(crate) fn stored<T>(
    column: &'static str,
    parsed: Result<T, InvalidInput>,
) -> Result<T, PortError> {
    parsed.map_err(|source| PortError::unexpected(CorruptRow { column, source }))
}

pub(crate) fn organization_from_row(row: organization::Model) -> Result<Organization, PortError> {
    Ok(Organization {
        id: OrganizationId::new(row.id),
        name: stored("organizations.name", OrganizationName::parse(&row.name))?,
        domain: row.domain.map(EmailDomain::from_trusted),
        subscription_plan: stored(
            "organizations.subscription_plan",
            row.subscription_plan.parse::<SubscriptionPlan>(),
        )?,
        self_signup: row.self_signup,
        two_factor_policy: stored(
            "organizations.two_factor_policy",
            row.two_factor_policy.parse::<TwoFactorPolicy>(),
        )?,
        sso_only: row.sso_only,
        access_tokens_enabled: row.access_tokens_enabled,
        created_at: row.created_at,
        is_active: row.is_active,
    })
}

pub(crate) fn user_from_row(row: user::Model) -> Result<User, PortError> {
    Ok(User {
        id: UserId::new(row.id),
        email: stored("users.email", Email::parse(&row.email))?,
        username: stored("users.username", Username::parse(&row.username))?,
        display_name: row
            .display_name
            .map(|name| stored("users.display_name", DisplayName::parse(&name)))
            .transpose()?,
        organization_id: OrganizationId::new(row.organization_id),
        role: stored("users.role", row.role.parse::<Role>())?,
        profile_picture: row
            .profile_picture
            .map(|url| stored("users.profile_picture", ProfilePicture::parse(&url)))
            .transpose()?,
        status: stored("users.status", row.status.parse::<UserStatus>())?,
        last_activity: row.last_activity,
        created_at: row.created_at,
        is_active: row.is_active,
        email_verified: row.email_verified_at.is_some(),
        is_bot: row.is_bot,
        bot_owner_id: row.bot_owner_id.map(UserId::new),
    })
}

pub(crate) fn credentials_from_row(row: user::Model) -> Result<Credentials, PortError> {
    let password_hash = row.password_hash.clone();
    Ok(Credentials {
        user: user_from_row(row)?,
        password_hash,
    })
}

pub(crate) fn new_organization_row(org: NewOrganization) -> organization::ActiveModel {
    organization::ActiveModel {
        id: NotSet,
        name: Set(org.name.as_str().to_owned()),
        domain: Set(org.domain.map(|domain| domain.as_str().to_owned())),
        subscription_plan: Set(org.subscription_plan.as_str().to_owned()),
        self_signup: Set(org.self_signup),
        two_factor_policy: Set(TwoFactorPolicy::default().as_str().to_owned()),
        sso_only: Set(false),
        access_tokens_enabled: Set(true),
        created_at: Set(org.created_at),
        is_active: Set(true),
    }
}

pub(crate) fn new_user_row(organization_id: OrganizationId, user: NewUser) -> user::ActiveModel {
    user::ActiveModel {
        id: NotSet,
        organization_id: Set(organization_id.get()),
        email: Set(user.email.as_str().to_owned()),
        username: Set(user.username.as_str().to_owned()),
        display_name: Set(user.display_name.map(|name| name.as_str().to_owned())),
        password_hash: Set(user.password_hash),
        role: Set(user.role.as_str().to_owned()),
        profile_picture: Set(None),
        status: Set(UserStatus::Offline.as_str().to_owned()),
        last_activity: Set(None),
        email_verified_at: Set(user.email_verified.then_some(user.created_at)),
        created_at: Set(user.created_at),
        is_active: Set(true),
        is_bot: Set(user.bot_owner_id.is_some()),
        bot_owner_id: Set(user.bot_owner_id.map(UserId::get)),
    }
}

/// An update that touches only the fields `changes` names.
pub(crate) fn profile_changes_row(id: UserId, changes: &ProfileChanges) -> user::ActiveModel {
    let mut row = user::ActiveModel {
        id: Unchanged(id.get()),
        ..Default::default()
    };
    if let Some(email) = &changes.email {
        row.email = Set(email.as_str().to_owned());
    }
    if let Some(username) = &changes.username {
        row.username = Set(username.as_str().to_owned());
    }
    if let Some(display_name) = &changes.display_name {
        row.display_name = Set(display_name.as_ref().map(|name| name.as_str().to_owned()));
    }
    if let Some(picture) = &changes.profile_picture {
        row.profile_picture = Set(picture.as_ref().map(|url| url.as_str().to_owned()));
    }
    if let Some(role) = changes.role {
        row.role = Set(role.as_str().to_owned());
    }
    if let Some(is_active) = changes.is_active {
        row.is_active = Set(is_active);
    }
    row
}
