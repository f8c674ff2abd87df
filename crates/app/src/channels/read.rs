//! Read markers: how far a member has read a channel.

use super::{ChatError, load};
use crate::ChatContext;
use tandem_domain::{Actor, ChannelDenied, ChannelId, Membership};

/// Moves the caller's read marker to `seq` (or to the end when `None`); never backwards.
///
/// # Errors
/// `NotFound`, `Forbidden` for non-members.
pub async fn mark_read(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    seq: Option<i64>,
) -> Result<Membership, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    if loaded.membership.is_none() {
        return Err(ChannelDenied::NotMember.into());
    }
    let seq = seq.unwrap_or(loaded.channel.last_seq);
    let membership = ctx.channels.mark_read(id, actor.id, seq).await?;
    crate::notifications::channel_read(ctx, actor, id, membership.last_read_seq).await;
    Ok(membership)
}
