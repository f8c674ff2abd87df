//! Editing a profile, changing a role, deactivating and reactivating accounts. Deactivating
//! someone deactivates the bots they own; reactivating them does not bring the bots back.

use super::{UserError, load_visible};
use crate::PeopleContext;
use crate::auth::bots::retire_bots_of;
use crate::auth::change_password::end_all_sessions;
use crate::ports::ProfileChanges;
use tandem_domain::{Actor, Role, User, UserId, permissions};

/// # Errors
/// `NotFound` outside the organization, `Forbidden` when a rule says no, `Conflict` for a
/// taken email or username, `LastAdmin` when the change would leave no active admin.
pub async fn update_user(
    ctx: &PeopleContext,
    actor: &Actor,
    id: UserId,
    changes: ProfileChanges,
) -> Result<User, UserError> {
    let target = load_visible(ctx, actor, id).await?;
    let touches_profile = changes.email.is_some()
        || changes.username.is_some()
        || changes.display_name.is_some()
        || changes.profile_picture.is_some();
    if touches_profile {
        permissions::can_edit_profile(actor, &target)?;
    }
    let own_new_email =
        actor.id == target.id && changes.email.as_ref().is_some_and(|e| *e != target.email);
    if own_new_email && ctx.auth.policy.require_email_verification {
        return Err(UserError::EmailNeedsConfirmation);
    }
    if changes.role.is_some_and(|r| r != target.role) {
        permissions::can_change_role(actor)?;
    }
    if let Some(active) = changes.is_active.filter(|a| *a != target.is_active) {
        permissions::can_set_active(actor, &target, active)?;
    }

    let loses_admin = target.role == Role::Admin
        && target.is_active
        && (changes.role.is_some_and(|r| r != Role::Admin) || changes.is_active == Some(false));
    if loses_admin
        && ctx
            .users
            .count_active_admins(target.organization_id)
            .await?
            <= 1
    {
        return Err(UserError::LastAdmin);
    }

    let deactivating = changes.is_active == Some(false) && target.is_active;
    let updated = if changes.is_empty() {
        target
    } else {
        ctx.users.update_profile(id, &changes).await?
    };
    if deactivating {
        end_all_sessions(&ctx.auth, id).await?;
        let bots = retire_bots_of(&ctx.auth, ctx.webhooks.as_ref(), &updated).await?;
        tracing::info!(user_id = %id, by = %actor.id, bots, "user deactivated");
    }
    Ok(updated)
}

/// Deactivates an account (soft delete), ends all its sessions and deactivates the bots it
/// owns (not its hooks' bots).
///
/// # Errors
/// As [`update_user`].
pub async fn deactivate_user(
    ctx: &PeopleContext,
    actor: &Actor,
    id: UserId,
) -> Result<User, UserError> {
    update_user(
        ctx,
        actor,
        id,
        ProfileChanges {
            is_active: Some(false),
            ..ProfileChanges::default()
        },
    )
    .await
}
