//! The gateway's side of the notifier port: encode once, publish the bytes on the bus.

use crate::encode::frame_for;
use crate::protocol::ServerFrame;
use crate::protocol::envelope;
use async_trait::async_trait;
use std::sync::Arc;
use tandem_api_types::{ChannelResponse, MessageResponse};
use tandem_app::ports::{ChannelChange, EventBus, Notice, Notifier, Topic};
use tandem_domain::UserId;

/// Publishes every stored channel change to the channel's topic, where each node's sessions
/// forward the same bytes to their sockets.
pub struct BusNotifier {
    bus: Arc<dyn EventBus>,
}

impl BusNotifier {
    pub fn new(bus: Arc<dyn EventBus>) -> Self {
        Self { bus }
    }
}

#[async_trait]
impl Notifier for BusNotifier {
    async fn channel_changed(&self, change: ChannelChange) {
        let channel_id = change.event.channel_id;
        let (seq, kind, at) = (change.event.seq, change.event.kind, change.event.created_at);
        let Some(frame) = frame_for(change) else {
            tracing::error!(%channel_id, seq, kind = kind.as_str(), "a channel change lacks what its frame needs");
            return;
        };
        // With the change's time, so receivers can measure how long delivery took.
        let payload = tandem_api_types::frames::envelope(seq, Some(at), &frame.to_json());
        if let Err(error) = self.bus.publish(&Topic::Channel(channel_id), payload).await {
            // Stored already: listeners catch up by seq when the bus is back.
            tracing::warn!(%channel_id, seq, %error, "could not publish a channel change");
        }
    }

    async fn users_notified(&self, notice: Notice, recipients: &[UserId]) {
        let frame = match notice {
            Notice::Mention { message } => ServerFrame::Mention {
                message: MessageResponse::from(message),
            },
            Notice::DirectMessage { message } => ServerFrame::DirectMessage {
                message: MessageResponse::from(message),
            },
            Notice::ChannelInvite { channel, by } => ServerFrame::ChannelInvite {
                channel: ChannelResponse::new(channel, None),
                by_user_id: by.get(),
            },
            Notice::UnreadChanged {
                channel_id,
                seq,
                message_id,
                author_id,
            } => ServerFrame::UnreadChanged {
                channel_id: channel_id.get(),
                seq,
                message_id,
                author_id: author_id.get(),
            },
        };
        // One encoding, however many recipients.
        let payload = envelope(&frame);
        for user in recipients {
            if let Err(error) = self.bus.publish(&Topic::User(*user), payload.clone()).await {
                tracing::warn!(user_id = %user, %error, "could not publish a notification");
            }
        }
    }
}
