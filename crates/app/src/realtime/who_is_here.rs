//! Who is here: the members of a channel with at least one live connection, for the `ready`
//! frame a socket receives when it connects.

use crate::RealtimeContext;
use crate::channels::{ChatError, load};
use std::collections::HashSet;
use tandem_domain::{Actor, ChannelAction, ChannelId, User, UserId};

/// At most this many people are named; clients wanting everyone page `GET /users/online`.
pub const PRESENT_LIMIT: usize = 100;
/// Members read per page while looking for online ones.
const PAGE: u64 = 500;
/// Members examined at most, so a channel of the whole company costs a bounded amount.
const SCAN_LIMIT: usize = 10_000;

/// Online members of the channel by user id, at most [`PRESENT_LIMIT`] of them.
///
/// # Errors
/// `NotFound` for channels the actor cannot read; `Port` when storage or presence fails.
pub async fn present_members(
    ctx: &RealtimeContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<Vec<User>, ChatError> {
    let loaded = load(&ctx.chat, actor, id).await?;
    loaded.access(&ctx.chat, actor).check(ChannelAction::Read)?;
    let online: HashSet<UserId> = ctx
        .presence
        .online_users(actor.organization_id)
        .await?
        .into_iter()
        .collect();
    let mut present = Vec::new();
    let mut after = None;
    let mut scanned = 0;
    while !online.is_empty() && present.len() < PRESENT_LIMIT && scanned < SCAN_LIMIT {
        let page = ctx.chat.channels.members(id, after, PAGE).await?;
        scanned += page.len();
        after = page.last().map(|m| m.user_id);
        present.extend(
            page.iter()
                .map(|m| m.user_id)
                .filter(|user_id| online.contains(user_id)),
        );
        if page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    present.truncate(PRESENT_LIMIT);
    let mut users: Vec<User> = ctx
        .chat
        .users
        .find_many(actor.organization_id, &present)
        .await?
        .into_iter()
        .filter(|u| u.is_active)
        .collect();
    users.sort_by_key(|u| u.id);
    Ok(users)
}
