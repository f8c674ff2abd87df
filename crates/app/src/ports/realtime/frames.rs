//! What the use cases publish for live clients, and the port that writes it in the wire
//! format: the core decides what is said and to whom, the adapter how it reads.

use std::time::Duration;
use tandem_domain::{Channel, ChannelEvent, ChannelId, Message, User, UserId};

/// One stored change of a channel, with what a client needs to apply it: the message of
/// message and reaction events, the channel of `ChannelUpdated`, the user of member events.
#[derive(Debug, Clone)]
pub struct ChannelChange {
    pub event: ChannelEvent,
    pub message: Option<Message>,
    pub channel: Option<Channel>,
    pub user: Option<User>,
}

/// Something one person should hear about wherever they are in the app, on their personal
/// topic (the notifications socket).
#[derive(Debug, Clone)]
pub enum Notification {
    /// A message mentions them (by name, `@channel` or `@here`).
    Mention { message: Message },
    /// A new message in a direct conversation they are in.
    DirectMessage { message: Message },
    /// Someone added them to a channel.
    ChannelInvite { channel: Channel, by: UserId },
    /// A notification was stored for them (the notification centre's live feed).
    Stored(super::super::StoredNotification),
    /// Some of their notifications were read, on any device: badges agree everywhere.
    Read {
        /// The ones read, when they were named; `None` with `up_to`.
        ids: Option<Vec<i64>>,
        /// Every one up to this id, when that was the selection.
        up_to: Option<i64>,
        counts: super::super::UnreadCounts,
    },
    /// A channel they are in has a new message: their unread count changed.
    UnreadChanged {
        channel_id: ChannelId,
        seq: i64,
        message_id: i64,
        author_id: UserId,
    },
}

/// Writes what the core publishes as the text clients receive (the JSON frames of the
/// real-time protocol). Pure: no IO, and the same input always gives the same text, so an
/// event is encoded once and the same bytes go to every listener.
pub trait FrameEncoder: Send + Sync {
    /// The frame of a stored change; `None` when the change lacks what its frame needs (a
    /// message event whose message is gone), which only a broken caller produces.
    fn channel_change(&self, change: ChannelChange) -> Option<String>;

    /// A personal notification.
    fn notification(&self, notification: &Notification) -> String;

    /// `user` came online (`true`) or went offline.
    fn presence(&self, user: &User, online: bool) -> String;

    /// `user` started (`true`) or stopped typing in a channel; a start lasts `expires_in`
    /// without a refresh.
    fn typing(&self, user: &User, typing: bool, expires_in: Duration) -> String;

    /// `user` opened (`true`) or closed a live connection to a channel (not a membership
    /// change).
    fn connection(&self, user: &User, opened: bool) -> String;
}
