//! Setting one's own status (online, away, busy, offline).

use super::{UserError, load_visible};
use crate::PeopleContext;
use tandem_domain::{Actor, User, UserId, UserStatus, permissions};

/// # Errors
/// `NotFound` outside the organization; `Forbidden` for someone else's status.
pub async fn set_status(
    ctx: &PeopleContext,
    actor: &Actor,
    id: UserId,
    status: UserStatus,
) -> Result<User, UserError> {
    let target = load_visible(ctx, actor, id).await?;
    permissions::can_set_status(actor, &target)?;
    Ok(ctx
        .users
        .set_status(target.id, status, ctx.clock.now())
        .await?)
}
