//! The producer of a channel's activity stream: the channel's feed from the real-time core
//! (replay, then live, in `seq` order with no gap and no duplicate), as Server-Sent Events.
//!
//! Only stored changes go out, each as `event: <type>`, `id: <seq>`, `data: <frame JSON>`;
//! unsequenced frames (typing, who opened the channel) are skipped: this is an activity log.
//!
//! actix notices a client that went away only when it writes to it, so an idle stream learns
//! of it at the next keep-alive comment at the latest (15 seconds by default).

use super::stream::{Chunk, End, Sink};
use crate::EventStreamSettings;
use serde::Serialize;
use tandem_api_types::frames;
use tandem_app::ports::OpenConnection;
use tandem_app::realtime::{ChannelFeed, FeedEnd};
use utoipa::ToSchema;

/// The first event of an activity stream: where it starts. Its `id` is the seq after which
/// events follow (the requested one when resuming, else the channel's latest), so a client
/// that reconnects before any change still resumes from the right place.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityReady {
    #[schema(example = "ready", pattern = "^ready$")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub channel_id: i64,
    /// The channel's latest seq when the stream started.
    pub seq: i64,
    pub user_id: i64,
}

/// A stream in progress.
pub(super) struct ActivityStream {
    pub settings: EventStreamSettings,
    pub drain: crate::Drain,
    /// Its place among the caller's open connections, given back when the stream ends.
    pub _held: crate::limits::Held,
    /// This stream, counted while it lives.
    pub counted: OpenConnection,
    pub ready: ActivityReady,
}

impl ActivityStream {
    pub(super) async fn run(self, sink: Sink, mut feed: ChannelFeed) {
        let end = match self.stream(&sink, &mut feed).await {
            Ok(never) => match never {},
            Err(end) => end,
        };
        tracing::debug!(
            channel_id = self.ready.channel_id,
            last_seq = feed.last_seq(),
            ?end,
            "activity stream ended"
        );
        sink.farewell(end);
        drop(self.counted);
    }

    async fn stream(
        &self,
        sink: &Sink,
        feed: &mut ChannelFeed,
    ) -> Result<std::convert::Infallible, End> {
        sink.send(Chunk::retry(self.settings.retry)).await?;
        // Its `id` is where the stream starts: the resume point, else the latest change.
        let start = feed.last_seq();
        sink.send(Chunk::event(
            "ready",
            Some(start),
            &frames::to_json(&self.ready),
        ))
        .await?;
        let mut keep_alive = super::stream::keep_alive(self.settings.keep_alive);
        let mut draining = self.drain.watch();
        loop {
            tokio::select! {
                () = sink.closed() => return Err(End::Gone),
                () = draining.started() => return Err(End::ShuttingDown),
                next = feed.next() => {
                    let envelope = next.map_err(|end| match end {
                        FeedEnd::AccessLost => End::AccessLost,
                        FeedEnd::SessionEnded => End::Unauthorized,
                        FeedEnd::Unavailable => End::Unavailable,
                    })?;
                    // Typing and who has the channel open are not activity.
                    if envelope.seq() != 0 {
                        let text = envelope.text();
                        let kind = frames::frame_type(text).unwrap_or("message");
                        sink.send(Chunk::event(kind, Some(envelope.seq()), text).measured(envelope.origin()))
                            .await?;
                    }
                }
                _ = keep_alive.tick() => sink.send(Chunk::comment("keep-alive")).await?,
            }
        }
    }
}
