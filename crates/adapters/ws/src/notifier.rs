//! The gateway's side of the notifier port: encode once, publish the bytes on the bus.

use crate::encode::frame_for;
use crate::protocol::envelope;
use async_trait::async_trait;
use std::sync::Arc;
use tandem_app::ports::{ChannelChange, EventBus, Notifier, Topic};

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
        let (seq, kind) = (change.event.seq, change.event.kind);
        let Some(frame) = frame_for(change) else {
            tracing::error!(%channel_id, seq, kind = kind.as_str(), "a channel change lacks what its frame needs");
            return;
        };
        if let Err(error) = self
            .bus
            .publish(&Topic::Channel(channel_id), envelope(&frame))
            .await
        {
            // Stored already: listeners catch up by seq when the bus is back.
            tracing::warn!(%channel_id, seq, %error, "could not publish a channel change");
        }
    }
}
