//! The channel's change log: every change to a channel is an event with the channel's next
//! sequence number, stored in the same transaction as the change. Order never depends on clocks.

use crate::{ChannelId, Emoji, MessageId, UserId};
use chrono::{DateTime, Utc};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelEventKind {
    MessageCreated,
    MessageEdited,
    MessageDeleted,
    ReactionAdded,
    ReactionRemoved,
    MessagePinned,
    MessageUnpinned,
    MemberJoined,
    MemberLeft,
    ChannelUpdated,
    /// A member's role or mute changed (`user_id` says whose).
    MemberUpdated,
}

impl ChannelEventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MessageCreated => "message_created",
            Self::MessageEdited => "message_edited",
            Self::MessageDeleted => "message_deleted",
            Self::ReactionAdded => "reaction_added",
            Self::ReactionRemoved => "reaction_removed",
            Self::MessagePinned => "message_pinned",
            Self::MessageUnpinned => "message_unpinned",
            Self::MemberJoined => "member_joined",
            Self::MemberLeft => "member_left",
            Self::ChannelUpdated => "channel_updated",
            Self::MemberUpdated => "member_updated",
        }
    }

    pub const ALL: [Self; 11] = [
        Self::MessageCreated,
        Self::MessageEdited,
        Self::MessageDeleted,
        Self::ReactionAdded,
        Self::ReactionRemoved,
        Self::MessagePinned,
        Self::MessageUnpinned,
        Self::MemberJoined,
        Self::MemberLeft,
        Self::ChannelUpdated,
        Self::MemberUpdated,
    ];
}

impl FromStr for ChannelEventKind {
    type Err = crate::InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                crate::InvalidInput::new(
                    "invalid_event_kind",
                    format!("unknown channel event kind {s:?}"),
                )
            })
    }
}

/// One entry of a channel's log. Which optional fields are set depends on `kind`: message
/// events name the message, member events the user, reaction events the message, user and emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelEvent {
    pub channel_id: ChannelId,
    pub seq: i64,
    pub kind: ChannelEventKind,
    /// Who caused it.
    pub actor_id: UserId,
    pub message_id: Option<MessageId>,
    pub user_id: Option<UserId>,
    pub emoji: Option<Emoji>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in ChannelEventKind::ALL {
            assert_eq!(kind.as_str().parse::<ChannelEventKind>().unwrap(), kind);
        }
        assert!("message_exploded".parse::<ChannelEventKind>().is_err());
    }
}
