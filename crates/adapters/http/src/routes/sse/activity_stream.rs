//! The producer of a channel's activity stream: replay from the change log, then live events
//! from the bus, in `seq` order with no gap and no duplicate (the WebSocket session's rules).
//!
//! Only stored changes go out, each as `event: <type>`, `id: <seq>`, `data: <frame JSON>`;
//! unsequenced frames (typing, who opened the channel) are skipped: this is an activity log.
//! Live deliveries ahead of what was sent, and [`Delivery::Lagged`], trigger a catch-up from
//! the database; deliveries at or below it are dropped as duplicates.
//!
//! actix notices a client that went away only when it writes to it, so an idle stream learns
//! of it at the next keep-alive comment at the latest (15 seconds by default).

use super::stream::{Chunk, End, Sink};
use crate::EventStreamSettings;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use tandem_api_types::ChannelFrame;
use tandem_api_types::frames::{self, Opened};
use tandem_app::AppContext;
use tandem_app::channels::{self, ChatError};
use tandem_app::messages;
use tandem_app::ports::{Delivery, OpenConnection, Subscription};
use tandem_domain::{Actor, ChannelId};
use utoipa::ToSchema;

/// The first event of an activity stream: where it starts. Its `id` is the seq after which
/// events follow (the requested one when resuming, else the channel's latest), so a client
/// that reconnects before any change still resumes from the right place.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityReady {
    #[schema(example = "ready")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub channel_id: i64,
    /// The channel's latest seq when the stream started.
    pub seq: i64,
    pub user_id: i64,
}

/// A stream in progress.
pub(super) struct ActivityStream {
    pub ctx: Arc<AppContext>,
    pub settings: EventStreamSettings,
    pub actor: Actor,
    /// This stream, counted while it lives.
    pub counted: OpenConnection,
    pub channel_id: ChannelId,
    /// The channel's seq when the subscription started.
    pub current_seq: i64,
    /// Replay the log after this seq first.
    pub resume_after: Option<i64>,
    /// When the caller's access token expires: the stream ends then.
    pub expires_at: DateTime<Utc>,
}

impl ActivityStream {
    pub(super) async fn run(self, sink: Sink, mut subscription: Subscription) {
        let mut last_seq = self.resume_after.unwrap_or(self.current_seq);
        let end = match self.stream(&sink, &mut subscription, &mut last_seq).await {
            Ok(never) => match never {},
            Err(end) => end,
        };
        tracing::debug!(channel_id = %self.channel_id, last_seq, ?end, "activity stream ended");
        sink.farewell(end);
        drop(self.counted);
    }

    async fn stream(
        &self,
        sink: &Sink,
        subscription: &mut Subscription,
        last_seq: &mut i64,
    ) -> Result<std::convert::Infallible, End> {
        sink.send(Chunk::retry(self.settings.retry)).await?;
        let ready = ActivityReady {
            kind: "ready",
            channel_id: self.channel_id.get(),
            seq: self.current_seq,
            user_id: self.actor.id.get(),
        };
        sink.send(Chunk::event(
            "ready",
            Some(*last_seq),
            &frames::to_json(&ready),
        ))
        .await?;
        if self.resume_after.is_some() {
            self.catch_up(sink, last_seq).await?;
        }
        let every = self.settings.keep_alive;
        let mut keep_alive =
            actix_web::rt::time::interval_at(actix_web::rt::time::Instant::now() + every, every);
        // After a long wait for a slow client, one keep-alive is enough, not a burst.
        keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let expiry =
            actix_web::rt::time::sleep((self.expires_at - Utc::now()).to_std().unwrap_or_default());
        tokio::pin!(expiry);
        loop {
            tokio::select! {
                () = sink.closed() => return Err(End::Gone),
                delivery = subscription.recv() => self.on_delivery(delivery, sink, last_seq).await?,
                _ = keep_alive.tick() => sink.send(Chunk::comment("keep-alive")).await?,
                () = &mut expiry => return Err(End::Unauthorized),
            }
        }
    }

    async fn on_delivery(
        &self,
        delivery: Option<Delivery>,
        sink: &Sink,
        last_seq: &mut i64,
    ) -> Result<(), End> {
        let bytes = match delivery {
            None => return Err(End::Unavailable),
            Some(Delivery::Lagged { .. }) => return self.catch_up(sink, last_seq).await,
            Some(Delivery::Payload(bytes)) => bytes,
        };
        let Some(Opened { seq, origin, json }) = frames::open(&bytes) else {
            return Ok(());
        };
        if seq == 0 || seq <= *last_seq {
            return Ok(());
        }
        if seq > *last_seq + 1 {
            // Published before we subscribed, or lost on the way: the log has it.
            return self.catch_up(sink, last_seq).await;
        }
        let kind = frames::frame_type(json).unwrap_or("message");
        sink.send(Chunk::event(kind, Some(seq), json).measured(origin))
            .await?;
        *last_seq = seq;
        if matches!(kind, "member_left" | "channel_updated") {
            // The caller may have left a private channel: the stream must not outlive the
            // right to read it. Rare events, so one lookup each is cheap.
            self.check_access().await?;
        }
        Ok(())
    }

    async fn check_access(&self) -> Result<(), End> {
        match channels::get_channel(&self.ctx, &self.actor, self.channel_id).await {
            Ok(_) => Ok(()),
            Err(error) => Err(end_for(&error)),
        }
    }

    /// Sends every stored event after `last_seq`, in order, page by page.
    async fn catch_up(&self, sink: &Sink, last_seq: &mut i64) -> Result<(), End> {
        loop {
            let page = messages::channel_events(
                &self.ctx,
                &self.actor,
                self.channel_id,
                *last_seq,
                Some(messages::events::MAX_EVENTS),
            )
            .await
            .map_err(|error| end_for(&error))?;
            let Some(last) = page.events.last().map(|e| e.seq) else {
                return Ok(());
            };
            let found: HashMap<_, _> = page.messages.iter().map(|m| (m.id, m)).collect();
            for event in page.events {
                let seq = event.seq;
                let message = event.message_id.and_then(|id| found.get(&id).copied());
                let user = event
                    .user_id
                    .and_then(|id| page.users.iter().find(|u| u.id == id));
                let frame = ChannelFrame::new(
                    event,
                    message.cloned(),
                    Some(page.channel.clone()),
                    user.cloned(),
                );
                if let Some(frame) = frame {
                    sink.send(Chunk::event(frame.kind(), Some(seq), &frame.to_json()))
                        .await?;
                }
                *last_seq = seq;
            }
            if last >= page.last_seq {
                return Ok(());
            }
        }
    }
}

fn end_for(error: &ChatError) -> End {
    match error {
        ChatError::NotFound(_) | ChatError::Forbidden(_) => End::AccessLost,
        other => {
            tracing::warn!(error = %other, "an activity stream could not read the channel");
            End::Unavailable
        }
    }
}
