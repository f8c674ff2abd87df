//! Catching up: a channel's change log after a sequence number, with the messages it names.

use crate::ChatContext;
use crate::channels::{ChatError, load};
use tandem_domain::{
    Actor, Channel, ChannelAction, ChannelEvent, ChannelId, Message, MessageId, User, UserId,
};

/// A page of the log. `messages` holds the current state of every message the events name
/// (deleted ones as tombstones), so a client applies the page without further requests.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<ChannelEvent>,
    pub messages: Vec<Message>,
    /// The people member events name.
    pub users: Vec<User>,
    /// The channel as it is now (what `ChannelUpdated` events lead to).
    pub channel: Channel,
    /// The channel's latest seq: when the last event's seq is below it, ask again after it.
    pub last_seq: i64,
}

pub const MAX_EVENTS: u64 = 500;

/// # Errors
/// `NotFound` for channels the actor cannot read; `Invalid` for a negative `after_seq`.
pub async fn channel_events(
    ctx: &ChatContext,
    actor: &Actor,
    channel_id: ChannelId,
    after_seq: i64,
    limit: Option<u64>,
) -> Result<EventPage, ChatError> {
    if after_seq < 0 {
        return Err(ChatError::invalid(
            "after_seq",
            "invalid_cursor",
            "must be 0 or a sequence number",
        ));
    }
    let loaded = load(ctx, actor, channel_id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    let events = ctx
        .messages
        .events_after(
            channel_id,
            after_seq,
            limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS),
        )
        .await?;
    let mut ids: Vec<MessageId> = events.iter().filter_map(|e| e.message_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let messages = ctx.messages.find_many(&ids, actor.id).await?;
    let mut user_ids: Vec<UserId> = events.iter().filter_map(|e| e.user_id).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users = ctx
        .users
        .find_many(actor.organization_id, &user_ids)
        .await?;
    let last_seq = loaded.channel.last_seq;
    Ok(EventPage {
        events,
        messages,
        users,
        channel: loaded.channel,
        last_seq,
    })
}
