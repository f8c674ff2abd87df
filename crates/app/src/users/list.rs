//! Listing the people of the caller's organization, a page at a time.

use crate::PeopleContext;
use crate::ports::{PortError, UserQuery};
use tandem_domain::{Actor, User, UserId};

#[derive(Debug, Clone, Default)]
pub struct ListUsers {
    /// Continue after this id (the previous page's `next_cursor`).
    pub after: Option<UserId>,
    /// Page size; clamped to 1..=100, default 50.
    pub limit: Option<u64>,
    /// Include deactivated accounts (admins only; ignored for others).
    pub include_inactive: bool,
    /// Only people whose status is not offline.
    pub present_only: bool,
}

#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<UserId>,
}

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

/// # Errors
/// `PortError` when storage fails.
pub async fn list_users(
    ctx: &PeopleContext,
    actor: &Actor,
    request: ListUsers,
) -> Result<UserPage, PortError> {
    let limit = request.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    // One extra row tells whether another page exists without a count query.
    let mut users = ctx
        .users
        .list(&UserQuery {
            organization_id: actor.organization_id,
            after: request.after,
            limit: limit + 1,
            include_inactive: request.include_inactive && actor.is_admin(),
            present_only: request.present_only,
            bots_only: false,
        })
        .await?;
    let has_more = users.len() as u64 > limit;
    users.truncate(limit as usize);
    let next_cursor = if has_more {
        users.last().map(|u| u.id)
    } else {
        None
    };
    Ok(UserPage { users, next_cursor })
}
