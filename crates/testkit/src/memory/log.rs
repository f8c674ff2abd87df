//! The channel event log: giving a change the channel's next seqs and recording its events.
//!
//! Under the store's one lock the next seq is simply `last_seq + 1`, so seqs have neither gaps
//! nor duplicates however the callers interleave. A write that ends up changing nothing never
//! gets here, so it spends no seq (the SQL adapters roll back their reservation instead).

use super::ChannelRow;
use chrono::{DateTime, Utc};
use tandem_domain::{ChannelEvent, ChannelEventKind, Emoji, MessageId, UserId};

/// An event before it has its seq.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    kind: ChannelEventKind,
    actor_id: UserId,
    message_id: Option<MessageId>,
    user_id: Option<UserId>,
    emoji: Option<Emoji>,
}

impl Draft {
    pub(super) fn message(kind: ChannelEventKind, actor_id: UserId, id: MessageId) -> Self {
        Self {
            message_id: Some(id),
            ..Self::channel(kind, actor_id)
        }
    }

    pub(super) fn channel(kind: ChannelEventKind, actor_id: UserId) -> Self {
        Self {
            kind,
            actor_id,
            message_id: None,
            user_id: None,
            emoji: None,
        }
    }

    pub(super) fn member(kind: ChannelEventKind, actor_id: UserId, user_id: UserId) -> Self {
        Self {
            user_id: Some(user_id),
            ..Self::channel(kind, actor_id)
        }
    }

    /// Reaction events name the reactor twice: as the actor and as the user.
    pub(super) fn reaction(kind: ChannelEventKind, id: MessageId, user: UserId, e: &Emoji) -> Self {
        Self {
            user_id: Some(user),
            emoji: Some(e.clone()),
            ..Self::message(kind, user, id)
        }
    }
}

impl ChannelRow {
    /// The seq the next event will get.
    pub(super) fn next_seq(&self) -> i64 {
        self.channel.last_seq + 1
    }

    /// Appends the event at the next seq and returns it.
    pub(super) fn record(&mut self, at: DateTime<Utc>, draft: Draft) -> ChannelEvent {
        let event = ChannelEvent {
            channel_id: self.channel.id,
            seq: self.next_seq(),
            kind: draft.kind,
            actor_id: draft.actor_id,
            message_id: draft.message_id,
            user_id: draft.user_id,
            emoji: draft.emoji,
            created_at: at,
        };
        self.channel.last_seq = event.seq;
        self.events.push(event.clone());
        event
    }

    /// The events after `after_seq`, oldest first, at most `limit`.
    pub(super) fn events_after(&self, after_seq: i64, limit: u64) -> Vec<ChannelEvent> {
        // Event `n` is at index `n - 1`, so the ones after `after_seq` start at index
        // `after_seq`.
        let start = usize::try_from(after_seq.max(0)).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.events
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take(limit)
            .cloned()
            .collect()
    }
}
