//! Announcing on the event bus: stored channel changes to the channel's listeners, personal
//! notifications to their recipients, presence to the organization, typing and who has a
//! channel open to the channel. Each frame is encoded once and the same bytes go to every node.
//!
//! Best effort by design: a change is durable before it is announced, and a listener that
//! misses an announcement catches up from the channel's log by `seq`. Failures are logged,
//! never returned: there is nothing a use case could do about them.

use super::Envelope;
use crate::integrations::EventSubscriptions;
use crate::ports::{ChannelChange, EventBus, FrameEncoder, Notification, Topic};
use std::sync::Arc;
use std::time::Duration;
use tandem_domain::{ChannelEventKind, ChannelId, MessageType, User, UserId};

/// Publishes what the use cases and real-time connections announce.
#[derive(Clone)]
pub struct Announcer {
    bus: Arc<dyn EventBus>,
    frames: Arc<dyn FrameEncoder>,
    /// Outgoing webhooks hear of every stored channel change too.
    subscriptions: Option<Arc<EventSubscriptions>>,
}

impl Announcer {
    pub fn new(bus: Arc<dyn EventBus>, frames: Arc<dyn FrameEncoder>) -> Self {
        Self {
            bus,
            frames,
            subscriptions: None,
        }
    }

    /// Offers every stored channel change to the organization's outgoing webhooks as well.
    #[must_use]
    pub fn with_subscriptions(mut self, subscriptions: Arc<EventSubscriptions>) -> Self {
        self.subscriptions = Some(subscriptions);
        self
    }

    /// A stored change, to the channel's listeners, with its `seq` and time, and to the
    /// outgoing webhooks that want it.
    pub async fn channel_changed(&self, change: ChannelChange) {
        let event = change.event.clone();
        let (channel_id, seq, kind, at) =
            (event.channel_id, event.seq, event.kind, event.created_at);
        // Tandem's own lines (joins, renames) reach webhooks as the events they tell of.
        let system = change
            .message
            .as_ref()
            .is_some_and(|message| message.message_type == MessageType::System);
        let words = self
            .subscriptions
            .as_ref()
            .and(change.message.as_ref())
            .map(|message| message.content.clone());
        let Some(text) = self.frames.channel_change(change) else {
            tracing::error!(%channel_id, seq, kind = kind.as_str(), "a channel change lacks what its frame needs");
            return;
        };
        let envelope = Envelope::sequenced(seq, Some(at), rechecks_access(kind), &text);
        if let Err(error) = self
            .bus
            .publish(&Topic::Channel(channel_id), envelope.bytes())
            .await
        {
            // Stored already: listeners catch up by seq when the bus is back.
            tracing::warn!(%channel_id, seq, %error, "could not publish a channel change");
        }
        if let Some(subscriptions) = &self.subscriptions
            && !system
        {
            subscriptions.offer(&event, words.as_deref(), &text).await;
        }
    }

    /// A personal notification, to each of `recipients` wherever they are connected.
    pub async fn notify(&self, notification: &Notification, recipients: &[UserId]) {
        // One encoding, however many recipients.
        let bytes = Envelope::unsequenced(&self.frames.notification(notification)).bytes();
        for user in recipients {
            if let Err(error) = self.bus.publish(&Topic::User(*user), bytes.clone()).await {
                tracing::warn!(user_id = %user, %error, "could not publish a notification");
            }
        }
    }

    /// Sessions of `user_id` ended: the one of access token `token_id`, or all of them (`None`).
    /// Their live connections on every node close.
    pub async fn sessions_ended(&self, user_id: UserId, token_id: Option<&str>) {
        let text = token_id.unwrap_or(super::session::ALL_SESSIONS);
        self.publish(Topic::Sessions(user_id), text).await;
    }

    /// `user` came online or went offline, to their organization.
    pub async fn presence_changed(&self, user: &User, online: bool) {
        let text = self.frames.presence(user, online);
        self.publish(Topic::Organization(user.organization_id), &text)
            .await;
    }

    /// `user` started or stopped typing in `channel_id`.
    pub async fn typing(&self, channel_id: ChannelId, user: &User, typing: bool, ttl: Duration) {
        let text = self.frames.typing(user, typing, ttl);
        self.publish(Topic::Channel(channel_id), &text).await;
    }

    /// `user` opened or closed a connection to `channel_id`.
    pub async fn connection(&self, channel_id: ChannelId, user: &User, opened: bool) {
        let text = self.frames.connection(user, opened);
        self.publish(Topic::Channel(channel_id), &text).await;
    }

    async fn publish(&self, topic: Topic, text: &str) {
        if let Err(error) = self
            .bus
            .publish(&topic, Envelope::unsequenced(text).bytes())
            .await
        {
            tracing::debug!(%error, %topic, "could not publish a frame");
        }
    }
}

/// Changes after which a listener may no longer read the channel: it checks, once it has
/// passed the change on (so a member removed from a private channel sees their removal, then
/// the end of the feed).
pub(crate) fn rechecks_access(kind: ChannelEventKind) -> bool {
    matches!(
        kind,
        ChannelEventKind::MemberLeft | ChannelEventKind::ChannelUpdated
    )
}
