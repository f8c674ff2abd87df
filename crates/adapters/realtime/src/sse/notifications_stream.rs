//! The producer of a person's notifications stream: what their notifications socket carries
//! (stored notifications, reads on other devices, mentions, direct messages, invitations,
//! unread changes, presence), as Server-Sent Events named by each frame's `type`.

use super::stream::{Chunk, End, Sink};
use crate::EventStreamSettings;
use serde::Serialize;
use tandem_api_types::frames;
use tandem_app::ports::OpenConnection;
use tandem_app::realtime::{FeedEnd, PersonalFeed, PersonalItem};
use utoipa::ToSchema;

/// The first event of a notifications stream.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsStreamReady {
    #[schema(example = "ready", pattern = "^ready$")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub user_id: i64,
}

/// Some events were lost (the bus lagged): refresh the unread counts
/// (`GET /api/v1/notifications/unread_count`, `GET /api/v1/channels`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsLost {
    #[schema(example = "notifications_lost", pattern = "^notifications_lost$")]
    #[serde(rename = "type")]
    pub kind: &'static str,
}

pub(super) struct NotificationsStream {
    pub settings: EventStreamSettings,
    pub drain: crate::Drain,
    pub _held: crate::limits::Held,
    pub counted: OpenConnection,
    pub ready: NotificationsStreamReady,
}

impl NotificationsStream {
    pub(super) async fn run(self, sink: Sink, mut feed: PersonalFeed) {
        let end = match self.stream(&sink, &mut feed).await {
            Ok(never) => match never {},
            Err(end) => end,
        };
        tracing::debug!(
            user_id = self.ready.user_id,
            ?end,
            "notifications stream ended"
        );
        sink.farewell(end);
        drop(self.counted);
    }

    async fn stream(
        &self,
        sink: &Sink,
        feed: &mut PersonalFeed,
    ) -> Result<std::convert::Infallible, End> {
        sink.send(Chunk::retry(self.settings.retry)).await?;
        sink.send(Chunk::event("ready", None, &frames::to_json(&self.ready)))
            .await?;
        let mut keep_alive = super::stream::keep_alive(self.settings.keep_alive);
        let mut draining = self.drain.watch();
        loop {
            tokio::select! {
                () = sink.closed() => return Err(End::Gone),
                () = draining.started() => return Err(End::ShuttingDown),
                next = feed.next() => {
                    let item = next.map_err(|end| match end {
                        FeedEnd::SessionEnded => End::Unauthorized,
                        FeedEnd::AccessLost | FeedEnd::Unavailable => End::Unavailable,
                    })?;
                    let chunk = match item {
                        PersonalItem::Frame(envelope) => {
                            let text = envelope.text();
                            let kind = frames::frame_type(text).unwrap_or("message");
                            Chunk::event(kind, None, text)
                        }
                        PersonalItem::Lost => {
                            let lost = NotificationsLost { kind: "notifications_lost" };
                            Chunk::event("notifications_lost", None, &frames::to_json(&lost))
                        }
                    };
                    sink.send(chunk).await?;
                }
                _ = keep_alive.tick() => sink.send(Chunk::comment("keep-alive")).await?,
            }
        }
    }
}
