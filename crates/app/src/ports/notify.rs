//! Telling live clients what changed, once it is stored.

use async_trait::async_trait;
use tandem_domain::{Channel, ChannelEvent, Message, User};

/// One stored change of a channel, with what a client needs to apply it: the message of
/// message and reaction events, the channel of `ChannelUpdated`, the user of member events.
#[derive(Debug, Clone)]
pub struct ChannelChange {
    pub event: ChannelEvent,
    pub message: Option<Message>,
    pub channel: Option<Channel>,
    pub user: Option<User>,
}

/// Announces stored changes to whoever listens (WebSocket and SSE clients on every node).
/// Best effort by design: the change is already durable, and a client that misses an
/// announcement catches up from the channel's log by `seq`.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Publishes the change to the channel's listeners. Failures are logged, not returned:
    /// nothing a use case could do about them.
    async fn channel_changed(&self, change: ChannelChange);
}

/// A notifier for contexts with no live clients (command-line tools, use-case tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

#[async_trait]
impl Notifier for Silent {
    async fn channel_changed(&self, _change: ChannelChange) {}
}
