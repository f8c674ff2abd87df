//! Who is online: people with at least one live connection (several tabs or devices count
//! once), consistent across nodes through the presence store.

use super::list::{DEFAULT_PAGE, MAX_PAGE, UserPage};
use crate::PeopleContext;
use crate::ports::PortError;
use tandem_domain::{Actor, UserId, UserStatus};

/// Online people of the actor's organization by id, a page at a time. Their status is the one
/// they chose (away, busy), or `online`; never `offline`.
///
/// # Errors
/// `PortError` when the presence store or storage fails.
pub async fn online_users(
    ctx: &PeopleContext,
    actor: &Actor,
    after: Option<UserId>,
    limit: Option<u64>,
) -> Result<UserPage, PortError> {
    let limit =
        usize::try_from(limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)).unwrap_or(usize::MAX);
    let mut ids: Vec<UserId> = ctx
        .presence
        .online_users(actor.organization_id)
        .await?
        .into_iter()
        .filter(|id| after.is_none_or(|a| *id > a))
        .collect();
    ids.sort_unstable();
    let has_more = ids.len() > limit;
    ids.truncate(limit);
    let mut users: Vec<_> = ctx
        .users
        .find_many(actor.organization_id, &ids)
        .await?
        .into_iter()
        .filter(|u| u.is_active)
        .collect();
    users.sort_by_key(|u| u.id);
    for user in &mut users {
        if user.status == UserStatus::Offline {
            user.status = UserStatus::Online;
        }
    }
    let next_cursor = if has_more { ids.last().copied() } else { None };
    Ok(UserPage { users, next_cursor })
}
