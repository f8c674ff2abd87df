//! Who may do what to whom. Pure functions over already-loaded entities; use cases call them
//! between loading and changing anything.

use crate::{OrganizationId, Role, User, UserId};

/// The authenticated user on whose behalf a use case runs, as freshly loaded from storage (so a
/// role change or deactivation takes effect on the next request, not when a token expires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub role: Role,
}

impl Actor {
    pub fn of(user: &User) -> Self {
        Self {
            id: user.id,
            organization_id: user.organization_id,
            role: user.role,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether `user` lives in the actor's organization. Everything outside it is treated as
    /// if it did not exist.
    pub fn sees(&self, user: &User) -> bool {
        user.organization_id == self.organization_id
    }
}

/// A rule said no. The variants say which rule, so errors can explain themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("only an organization admin can change another user's profile")]
    NotProfileOwner,
    #[error("only an organization admin can change roles")]
    NotAdminForRole,
    #[error("only an organization admin can deactivate or reactivate other users")]
    NotAdminForActivation,
    #[error("you can change only your own status")]
    NotStatusOwner,
}

/// A user edits their own profile fields; admins edit anyone's in their organization.
///
/// # Errors
/// [`Denied::NotProfileOwner`].
pub fn can_edit_profile(actor: &Actor, target: &User) -> Result<(), Denied> {
    if actor.id == target.id || actor.is_admin() {
        Ok(())
    } else {
        Err(Denied::NotProfileOwner)
    }
}

/// Only admins change roles (their own included).
///
/// # Errors
/// [`Denied::NotAdminForRole`].
pub fn can_change_role(actor: &Actor) -> Result<(), Denied> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Denied::NotAdminForRole)
    }
}

/// Users may deactivate their own account; admins may deactivate or reactivate anyone's.
///
/// # Errors
/// [`Denied::NotAdminForActivation`].
pub fn can_set_active(actor: &Actor, target: &User, active: bool) -> Result<(), Denied> {
    let own_deactivation = actor.id == target.id && !active;
    if actor.is_admin() || own_deactivation {
        Ok(())
    } else {
        Err(Denied::NotAdminForActivation)
    }
}

/// Status is personal.
///
/// # Errors
/// [`Denied::NotStatusOwner`].
pub fn can_set_status(actor: &Actor, target: &User) -> Result<(), Denied> {
    if actor.id == target.id {
        Ok(())
    } else {
        Err(Denied::NotStatusOwner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, UserStatus, Username};
    use chrono::Utc;

    fn user(id: i64, role: Role) -> User {
        User {
            id: UserId::new(id),
            email: Email::parse(&format!("u{id}@acme.io")).unwrap(),
            username: Username::parse(&format!("user{id}")).unwrap(),
            display_name: None,
            organization_id: OrganizationId::new(1),
            role,
            profile_picture: None,
            status: UserStatus::Offline,
            last_activity: None,
            created_at: Utc::now(),
            is_active: true,
            email_verified: true,
            is_bot: false,
            bot_owner_id: None,
        }
    }

    #[test]
    fn members_edit_only_themselves_and_admins_edit_anyone() {
        let member = user(1, Role::Member);
        let other = user(2, Role::Member);
        let admin = user(3, Role::Admin);
        assert!(can_edit_profile(&Actor::of(&member), &member).is_ok());
        assert_eq!(
            can_edit_profile(&Actor::of(&member), &other),
            Err(Denied::NotProfileOwner)
        );
        assert!(can_edit_profile(&Actor::of(&admin), &other).is_ok());
    }

    #[test]
    fn only_admins_change_roles() {
        assert!(can_change_role(&Actor::of(&user(1, Role::Admin))).is_ok());
        assert!(can_change_role(&Actor::of(&user(1, Role::Moderator))).is_err());
        assert!(can_change_role(&Actor::of(&user(1, Role::Member))).is_err());
    }

    #[test]
    fn users_may_leave_but_only_admins_deactivate_or_reactivate_others() {
        let member = user(1, Role::Member);
        let other = user(2, Role::Member);
        let admin = user(3, Role::Admin);
        assert!(can_set_active(&Actor::of(&member), &member, false).is_ok());
        assert!(can_set_active(&Actor::of(&member), &member, true).is_err());
        assert!(can_set_active(&Actor::of(&member), &other, false).is_err());
        assert!(can_set_active(&Actor::of(&admin), &other, false).is_ok());
        assert!(can_set_active(&Actor::of(&admin), &other, true).is_ok());
    }

    #[test]
    fn status_is_personal() {
        let a = user(1, Role::Admin);
        let b = user(2, Role::Member);
        assert!(can_set_status(&Actor::of(&a), &a).is_ok());
        assert!(can_set_status(&Actor::of(&a), &b).is_err());
    }
}
