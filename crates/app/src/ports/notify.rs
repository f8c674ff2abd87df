//! Telling live clients what changed, once it is stored.

use async_trait::async_trait;
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

/// Something one person should hear about wherever they are in the app.
#[derive(Debug, Clone)]
pub enum Notice {
    /// A message mentions them (by name, `@channel` or `@here`).
    Mention { message: Message },
    /// A new message in a direct conversation they are in.
    DirectMessage { message: Message },
    /// Someone added them to a channel.
    ChannelInvite { channel: Channel, by: UserId },
    /// A channel they are in has a new message: their unread count changed.
    UnreadChanged {
        channel_id: ChannelId,
        seq: i64,
        message_id: i64,
        author_id: UserId,
    },
}

/// Announces stored changes to whoever listens (WebSocket and SSE clients on every node).
/// Best effort by design: the change is already durable, and a client that misses an
/// announcement catches up from the channel's log by `seq`.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Publishes the change to the channel's listeners. Failures are logged, not returned:
    /// nothing a use case could do about them.
    async fn channel_changed(&self, change: ChannelChange);

    /// Tells each of `recipients` about `notice` on their personal channel.
    async fn users_notified(&self, notice: Notice, recipients: &[UserId]);
}

/// A notifier for contexts with no live clients (command-line tools, use-case tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

#[async_trait]
impl Notifier for Silent {
    async fn channel_changed(&self, _change: ChannelChange) {}

    async fn users_notified(&self, _notice: Notice, _recipients: &[UserId]) {}
}
