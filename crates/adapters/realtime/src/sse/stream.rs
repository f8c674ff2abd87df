//! The plumbing every event stream shares: the `text/event-stream` framing, and a response
//! whose body is fed by a producer task through a bounded queue.
//!
//! The producer runs on its own task and owns everything the stream needs (subscription,
//! timers); the response body only drains the queue. When the client goes away, actix drops
//! the body, the queue closes, and the producer sees it at once ([`Sink::closed`]) and ends.
//! A client that reads too slowly fills the queue; a producer that waits longer than the
//! configured time for room ends the stream, so memory per client stays bounded.

use crate::EventStreamSettings;
use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::convert::Infallible;
use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tandem_api_types::errors::ErrorCode;
use tandem_app::ports::RealtimeStats;
use tokio::sync::mpsc;
use utoipa::ToSchema;

/// The `data` of the `end` event a stream sends before it closes, when the client can act on
/// the reason.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamEnd {
    /// `unauthenticated` (the token expired or was revoked: reconnect with a fresh one),
    /// `not_found` (the caller can no longer read the channel), `forbidden` (no longer an
    /// admin) or `service_unavailable` (reconnect to resume).
    #[schema(example = "unauthenticated")]
    pub code: ErrorCode,
    pub message: &'static str,
}

/// Why a producer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// The client went away (or the stream was already closed).
    Gone,
    /// The client did not read for longer than the slow-client timeout.
    TooSlow,
    /// The access token expired or was revoked, or the account was deactivated.
    Unauthorized,
    /// The caller is no longer an admin (the dashboard).
    Forbidden,
    /// What the stream shows is no longer visible to the caller.
    AccessLost,
    /// A dependency failed (database, event bus).
    Unavailable,
    /// The node is shutting down: reconnect, and another node answers.
    ShuttingDown,
}

impl End {
    /// The code and explanation of the final `end` event, for the ends a client can act on.
    pub(super) fn explanation(self) -> Option<(ErrorCode, &'static str)> {
        match self {
            Self::Gone | Self::TooSlow => None,
            Self::Unauthorized => Some((
                ErrorCode::Unauthenticated,
                "the access token expired or was revoked; reconnect with a fresh one",
            )),
            Self::Forbidden => Some((
                ErrorCode::Forbidden,
                "only an organization admin can view the dashboard",
            )),
            Self::AccessLost => Some((ErrorCode::NotFound, "you can no longer read this channel")),
            Self::ShuttingDown => Some((ErrorCode::ShuttingDown, crate::drain::SHUTTING_DOWN)),
            Self::Unavailable => Some((
                ErrorCode::ServiceUnavailable,
                "real-time delivery was interrupted; reconnect to resume",
            )),
        }
    }
}

/// One piece of the stream, with the time of the change it announces when it is a live
/// channel event (to measure delivery latency when it is handed to the connection).
#[derive(Debug)]
pub(super) struct Chunk {
    bytes: Bytes,
    origin: Option<DateTime<Utc>>,
}

impl Chunk {
    /// An event: `event: <name>`, `id: <id>` when given, and `data`, one `data:` line per line
    /// of it (compact JSON has none, but the framing must not depend on that).
    pub(super) fn event(name: &str, id: Option<i64>, data: &str) -> Self {
        let mut text = String::with_capacity(data.len() + name.len() + 32);
        let _ = writeln!(text, "event: {name}");
        if let Some(id) = id {
            let _ = writeln!(text, "id: {id}");
        }
        for line in data.split('\n') {
            let _ = writeln!(text, "data: {line}");
        }
        text.push('\n');
        Self {
            bytes: Bytes::from(text),
            origin: None,
        }
    }

    /// A comment line, which clients ignore: keeps idle connections (and proxies) open.
    pub(super) fn comment(text: &str) -> Self {
        Self {
            bytes: Bytes::from(format!(": {text}\n\n")),
            origin: None,
        }
    }

    /// How long clients wait before reconnecting after the stream ends.
    pub(super) fn retry(after: Duration) -> Self {
        Self {
            bytes: Bytes::from(format!("retry: {}\n\n", after.as_millis())),
            origin: None,
        }
    }

    pub(super) fn measured(self, origin: Option<DateTime<Utc>>) -> Self {
        Self { origin, ..self }
    }

    #[cfg(test)]
    pub(super) fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }
}

/// The producer's end of the queue.
pub(super) struct Sink {
    queue: mpsc::Sender<Chunk>,
    slow_client_timeout: Duration,
}

impl Sink {
    /// Queues `chunk`, waiting for room at most the slow-client timeout.
    ///
    /// # Errors
    /// [`End::Gone`] when the client went away, [`End::TooSlow`] when it did not make room
    /// in time.
    pub(super) async fn send(&self, chunk: Chunk) -> Result<(), End> {
        match tokio::time::timeout(self.slow_client_timeout, self.queue.send(chunk)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Gone),
            Err(_) => Err(End::TooSlow),
        }
    }

    /// Resolves when the client has gone away. Cancel-safe.
    pub(super) async fn closed(&self) {
        self.queue.closed().await;
    }

    /// Tells the client why the stream ends, when it can still hear it and it helps.
    pub(super) fn farewell(&self, end: End) {
        if let Some((code, message)) = end.explanation() {
            let data = tandem_api_types::frames::to_json(&StreamEnd { code, message });
            let _ = self.queue.try_send(Chunk::event("end", None, &data));
        }
    }
}

/// A `200 text/event-stream` response fed by `produce`, which runs on a task of its own with
/// the [`Sink`] and ends the stream by returning.
pub(super) fn respond<F, Fut>(
    settings: &EventStreamSettings,
    stats: Arc<dyn RealtimeStats>,
    produce: F,
) -> HttpResponse
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    let (queue, chunks) = mpsc::channel::<Chunk>(settings.queue.max(1));
    let sink = Sink {
        queue,
        slow_client_timeout: settings.slow_client_timeout,
    };
    actix_web::rt::spawn(produce(sink));
    let body = futures_util::stream::unfold(chunks, move |mut chunks| {
        let stats = stats.clone();
        async move {
            let chunk = chunks.recv().await?;
            if let Some(origin) = chunk.origin {
                // A clock behind the publisher's counts as no delay rather than a negative one.
                stats.delivered((Utc::now() - origin).to_std().unwrap_or_default());
            }
            Some((Ok::<_, Infallible>(chunk.bytes), chunks))
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Compressing would hold events back until a compression block fills.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        // Tells nginx-style proxies not to buffer the stream either.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body)
}

/// The timer of a stream's `: keep-alive` comments: the first one `every` from now, and after
/// a long wait for a slow client one, not a burst.
pub(super) fn keep_alive(every: std::time::Duration) -> tokio::time::Interval {
    let mut timer =
        actix_web::rt::time::interval_at(actix_web::rt::time::Instant::now() + every, every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_framed_with_their_name_id_and_data() {
        let chunk = Chunk::event("chat_message", Some(5), r#"{"type":"chat_message"}"#);
        assert_eq!(
            chunk.text(),
            "event: chat_message\nid: 5\ndata: {\"type\":\"chat_message\"}\n\n"
        );
        assert_eq!(
            Chunk::event("metrics", None, "a\nb").text(),
            "event: metrics\ndata: a\ndata: b\n\n"
        );
        assert_eq!(Chunk::comment("keep-alive").text(), ": keep-alive\n\n");
        assert_eq!(
            Chunk::retry(Duration::from_secs(2)).text(),
            "retry: 2000\n\n"
        );
    }
}
