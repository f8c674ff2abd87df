//! A Server-Sent Events client for tests: open a stream, then read its events one by one with
//! a small parser of the `text/event-stream` format — always with a timeout, so a broken
//! server fails a test instead of hanging it.

use crate::TestApp;
use futures_util::{Stream, StreamExt};
use reqwest::Response;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use std::pin::Pin;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(5);

/// One dispatched event, as an `EventSource` would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `event:`, or `message` when the server named none.
    pub event: String,
    /// `id:` of this event, when it had one.
    pub id: Option<String>,
    /// The `data:` lines, joined with newlines.
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {}", self.data))
    }

    /// The id as a channel seq.
    pub fn seq(&self) -> i64 {
        self.id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("event without a numeric id: {self:?}"))
    }
}

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

pub struct EventStream {
    body: Body,
    /// Received text not yet split into lines.
    pending: String,
    /// The event being assembled.
    event: Option<String>,
    id: Option<String>,
    data: Vec<String>,
    /// `retry:` values and comment lines seen so far.
    pub retry: Option<u64>,
    pub comments: Vec<String>,
    /// The schema of the stream's event data in `openapi/asyncapi.json`, every event is
    /// checked against (see [`crate::conformance`]).
    schema: Option<&'static str>,
}

impl TestApp {
    /// `GET path_and_query` as an `EventSource` would (with a bearer header when `token` is
    /// given, and `Last-Event-ID` when `last_event_id` is), for tests of refusals.
    pub async fn sse_request(
        &self,
        path_and_query: &str,
        token: Option<&str>,
        last_event_id: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .get(self.url(path_and_query))
            .header(ACCEPT, "text/event-stream");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        tokio::time::timeout(WAIT, request.send())
            .await
            .expect("the stream's head arrives in time")
            .expect("request sent")
    }

    /// Opens a stream that must answer `200 text/event-stream`.
    pub async fn sse(
        &self,
        path_and_query: &str,
        token: Option<&str>,
        last_event_id: Option<&str>,
    ) -> EventStream {
        let response = self.sse_request(path_and_query, token, last_event_id).await;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            panic!("GET {path_and_query}: {status} {body}");
        }
        assert!(
            content_type.starts_with("text/event-stream"),
            "GET {path_and_query}: content type {content_type:?}"
        );
        let mut stream = EventStream::new(response);
        let path = path_and_query.split('?').next().unwrap_or_default();
        stream.schema = if path.starts_with("/api/v1/sse/activity/") {
            Some("ActivityEvent")
        } else if path == "/api/v1/sse/notifications" {
            Some("NotificationsEvent")
        } else if path == "/api/v1/sse/dashboard" {
            Some("DashboardEvent")
        } else {
            None
        };
        stream
    }
}

impl EventStream {
    pub fn new(response: Response) -> Self {
        Self {
            body: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map(|b| b.to_vec())),
            ),
            pending: String::new(),
            event: None,
            id: None,
            data: Vec::new(),
            retry: None,
            comments: Vec::new(),
            schema: None,
        }
    }

    /// The next event, or `None` when the stream ends or `wait` passes.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(line) = self.take_line() {
                if let Some(event) = self.feed(&line) {
                    return Some(event);
                }
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.pending.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) | Err(_) => return None,
            }
        }
    }

    /// The next event named `kind`, skipping others; panics after [`WAIT`].
    pub async fn expect(&mut self, kind: &str) -> Event {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(event) if event.event == kind => return event,
                Some(_) => {}
                None => panic!("no {kind} event within {WAIT:?}"),
            }
        }
    }

    /// The next event, whatever it is; panics after [`WAIT`].
    pub async fn next(&mut self) -> Event {
        self.next_within(WAIT)
            .await
            .unwrap_or_else(|| panic!("no event within {WAIT:?}"))
    }

    /// Asserts no event arrives within `wait` (the stream may stay open).
    pub async fn expect_nothing(&mut self, wait: Duration) {
        if let Some(event) = self.next_within(wait).await {
            panic!("unexpected event: {event:?}");
        }
    }

    /// Reads until the server ends the stream, which must happen within `wait`; returns the
    /// events read on the way.
    pub async fn ended_within(&mut self, wait: Duration) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut events = Vec::new();
        loop {
            while let Some(line) = self.take_line() {
                if let Some(event) = self.feed(&line) {
                    events.push(event);
                }
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.pending.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) => return events,
                Err(_) => panic!("the stream did not end within {wait:?}; read {events:?}"),
            }
        }
    }

    /// A complete line from the received text (LF, CRLF or CR ends one).
    fn take_line(&mut self) -> Option<String> {
        let end = self.pending.find(['\n', '\r'])?;
        // A CR at the very end may be the first half of a CRLF: wait for more.
        if self.pending[end..].starts_with('\r') && end + 1 == self.pending.len() {
            return None;
        }
        let line = self.pending[..end].to_owned();
        let skip = if self.pending[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        self.pending.drain(..end + skip);
        Some(line)
    }

    /// Applies one line; a blank line dispatches the event being assembled, if it has data.
    fn feed(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            let event = self.event.take();
            let id = self.id.take();
            if self.data.is_empty() {
                return None;
            }
            let event = Event {
                event: event.unwrap_or_else(|| "message".to_owned()),
                id,
                data: std::mem::take(&mut self.data).join("\n"),
            };
            if let Some(schema) = self.schema {
                crate::conformance::check(schema, &event.json());
            }
            return Some(event);
        }
        if let Some(comment) = line.strip_prefix(':') {
            self.comments.push(comment.trim_start().to_owned());
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            "id" => self.id = Some(value.to_owned()),
            "retry" => self.retry = value.parse().ok(),
            _ => {}
        }
        None
    }
}
