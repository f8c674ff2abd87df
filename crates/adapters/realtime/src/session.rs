//! One WebSocket connection to one channel: a task that selects over the client's frames, the
//! channel's topic on the event bus, and a one-second tick (heartbeat, typing expiry, presence).
//!
//! Delivery is ordered by `seq` and never skips: every stored event goes out exactly once, in
//! order. Live frames ahead of what was sent trigger a catch-up from the database; frames at or
//! below it are dropped as duplicates.
//!
//! The connection is counted in [`tandem_app::ports::RealtimeStats`] while it lives, and every
//! live frame about a stored change records its delivery latency when the writer has handed it
//! to the socket: now minus the change's time, which the envelope carries (no JSON parsing).
//! Catch-up frames are not measured: their age is the client's absence, not the server's speed.

use crate::GatewaySettings;
use crate::commands::{self, Outcome};
use crate::encode::frame_for;
use crate::protocol::{ClientFrame, ServerFrame, TypingState, Who, envelope};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError, Session};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;
use tandem_app::AppContext;
use tandem_app::auth::Authenticated;
use tandem_app::ports::{
    ChannelChange, ConnectionKind, Delivery, OpenConnection, RealtimeStats, Subscription, Topic,
};
use tandem_app::{channels, messages};
use tandem_domain::{Actor, ChannelId, MessageId};
use tokio::sync::mpsc;

/// Close codes of the protocol (4000–4999 are the application's).
pub mod close {
    pub const UNAUTHENTICATED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const NOT_FOUND: u16 = 4404;
    pub const SLOW_CONSUMER: u16 = 4408;
    pub const HEARTBEAT_TIMEOUT: u16 = 4410;
    pub const UNAVAILABLE: u16 = 4503;
}

/// How long a closing connection may take to flush its queue and its close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a heartbeat ping may wait for room in a connection's buffer.
const PING_ROOM_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
const SLOW_CONSUMER_REASON: &str = "too slow: frames piled up; reconnect and resume";

pub struct ChatSession {
    pub ctx: Arc<AppContext>,
    pub settings: Arc<GatewaySettings>,
    pub caller: Authenticated,
    pub channel_id: ChannelId,
    pub can_post: bool,
}

/// What went out last, and what the session is doing.
struct State {
    last_seq: i64,
    last_heard: Instant,
    typing_until: Option<Instant>,
    last_typing_sent: Option<Instant>,
    /// Live events that arrived ahead of a missing one, by seq, with when the gap opened.
    ahead: BTreeMap<i64, Arc<[u8]>>,
    gap_since: Option<Instant>,
    /// The queue of the session's command runner, which stores commands one at a time while
    /// this loop goes on delivering; started with the first command, so connections that only
    /// listen never pay for it.
    commands: Option<CommandRunner>,
}

type CommandRunner = (
    mpsc::Sender<(Option<String>, ClientFrame)>,
    actix_web::rt::task::JoinHandle<()>,
);

/// Commands (messages, edits, reactions) one connection may have waiting to be stored.
const COMMANDS_WAITING: usize = 32;

/// Concurrent senders' events may be published out of order: one that arrives ahead of a
/// missing seq waits this long for it before the session reads the gap from storage.
const REORDER_WAIT: std::time::Duration = std::time::Duration::from_millis(200);
/// Events held ahead of a gap at most; beyond that, read from storage at once.
const REORDER_LIMIT: usize = 256;

enum Stop {
    /// The client closed or the socket broke: nothing to send.
    Gone,
    Close(u16, &'static str),
}

impl ChatSession {
    fn actor(&self) -> Actor {
        self.caller.actor()
    }

    fn who(&self) -> Who {
        Who {
            user_id: self.caller.user.id.get(),
            username: self.caller.user.username.as_str().to_owned(),
        }
    }

    /// The channel's online members and the caller, who is connecting now.
    async fn present(&self) -> Vec<Who> {
        let mut present: Vec<Who> =
            match channels::present_members(&self.ctx, &self.actor(), self.channel_id).await {
                Ok(users) => users
                    .iter()
                    .map(|u| Who {
                        user_id: u.id.get(),
                        username: u.username.as_str().to_owned(),
                    })
                    .collect(),
                Err(error) => {
                    tracing::warn!(%error, "who is present is unknown");
                    Vec::new()
                }
            };
        let me = self.who();
        if !present.iter().any(|w| w.user_id == me.user_id) {
            let at = present.partition_point(|w| w.user_id < me.user_id);
            present.insert(at, me);
        }
        present
    }

    /// Runs the connection to its end. `after_seq`: resume from there first.
    pub async fn run(
        self,
        session: Session,
        stream: actix_ws::MessageStream,
        mut subscription: Subscription,
        current_seq: i64,
        after_seq: Option<i64>,
    ) {
        let settings = self.settings.clone();
        let _counted = OpenConnection::new(
            self.ctx.stats.clone(),
            self.caller.user.organization_id,
            ConnectionKind::WebSocket,
        );
        let mut frames = stream
            .max_frame_size(settings.max_frame_bytes)
            .aggregate_continuations()
            .max_continuation_size(settings.max_frame_bytes);
        let (outbound, writer) = spawn_writer(
            session.clone(),
            settings.outbound_queue,
            self.ctx.stats.clone(),
        );
        let mut state = State {
            last_seq: after_seq.unwrap_or(current_seq),
            last_heard: Instant::now(),
            typing_until: None,
            last_typing_sent: None,
            ahead: BTreeMap::new(),
            gap_since: None,
            commands: None,
        };
        let connection_id = uuid::Uuid::new_v4().to_string();

        let mut stop = self
            .start(
                &outbound,
                &mut state,
                current_seq,
                after_seq,
                &connection_id,
            )
            .await
            .err();
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let mut ticks: u64 = 0;
        while stop.is_none() {
            let gap_deadline = state.gap_since.map(|since| since + REORDER_WAIT);
            let result = tokio::select! {
                frame = frames.next() => self.on_client(frame, &outbound, &mut state).await,
                delivery = subscription.recv() => self.on_delivery(delivery, &outbound, &mut state).await,
                () = sleep_until_some(gap_deadline) => self.catch_up(&outbound, &mut state).await,
                _ = tick.tick() => {
                    ticks += 1;
                    self.on_tick(ticks, &session, &mut state, &connection_id).await
                }
            };
            stop = result.err();
        }
        // Commands already received are stored and acknowledged before the connection ends.
        if let Some((queue, runner)) = state.commands.take() {
            drop(queue);
            let _ = tokio::time::timeout(CLOSE_GRACE, runner).await;
        }
        drop(outbound);
        self.finish(&mut state, &connection_id).await;
        let reason = match stop {
            Some(Stop::Close(code, reason)) => Some(CloseReason {
                code: CloseCode::Other(code),
                description: Some(reason.to_owned()),
            }),
            _ => None,
        };
        if matches!(stop, Some(Stop::Close(close::SLOW_CONSUMER, _))) {
            // Its queue is full and its writer stuck: what is queued will never be read in time.
            writer.abort();
        } else {
            // Frames already queued (an error explaining the close, say) go out first.
            let _ = tokio::time::timeout(CLOSE_GRACE, writer).await;
        }
        // A client that reads nothing never makes room for the close frame: after the grace
        // period the session is dropped, which ends the connection without one.
        let _ = tokio::time::timeout(CLOSE_GRACE, session.close(reason)).await;
    }

    async fn start(
        &self,
        outbound: &Outbound,
        state: &mut State,
        current_seq: i64,
        after_seq: Option<i64>,
        connection_id: &str,
    ) -> Result<(), Stop> {
        outbound.push(&ServerFrame::Ready {
            channel_id: self.channel_id.get(),
            seq: current_seq,
            user_id: self.caller.user.id.get(),
            present: self.present().await,
        })?;
        if after_seq.is_some() {
            self.catch_up(outbound, state).await?;
        }
        let user = &self.caller.user;
        let ttl = self.settings.presence_ttl;
        match self
            .ctx
            .presence
            .connect(user.id, user.organization_id, connection_id, ttl)
            .await
        {
            Ok(true) => {
                self.publish(
                    Topic::Organization(user.organization_id),
                    &ServerFrame::Presence {
                        user_id: user.id.get(),
                        status: "online".to_owned(),
                    },
                )
                .await
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "presence unavailable"),
        }
        self.publish(
            Topic::Channel(self.channel_id),
            &ServerFrame::UserJoined { user: self.who() },
        )
        .await;
        Ok(())
    }

    async fn finish(&self, state: &mut State, connection_id: &str) {
        if state.typing_until.take().is_some() {
            self.publish_typing(false).await;
        }
        self.publish(
            Topic::Channel(self.channel_id),
            &ServerFrame::UserLeft { user: self.who() },
        )
        .await;
        let user = &self.caller.user;
        match self.ctx.presence.disconnect(user.id, connection_id).await {
            Ok(true) => {
                self.publish(
                    Topic::Organization(user.organization_id),
                    &ServerFrame::Presence {
                        user_id: user.id.get(),
                        status: "offline".to_owned(),
                    },
                )
                .await
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "presence unavailable"),
        }
    }

    /// Sends every stored event after `state.last_seq`, in order.
    async fn catch_up(&self, outbound: &Outbound, state: &mut State) -> Result<(), Stop> {
        let actor = self.actor();
        loop {
            let page = messages::channel_events(
                &self.ctx,
                &actor,
                self.channel_id,
                state.last_seq,
                Some(messages::events::MAX_EVENTS),
            )
            .await
            .map_err(|error| {
                tracing::warn!(%error, "catch-up failed");
                Stop::Close(
                    close::UNAVAILABLE,
                    "could not read the channel's history; reconnect and resume",
                )
            })?;
            let Some(last) = page.events.last().map(|e| e.seq) else {
                return resume_after_catch_up(outbound, state);
            };
            let messages: HashMap<MessageId, _> =
                page.messages.iter().map(|m| (m.id, m.clone())).collect();
            for event in page.events {
                let change = ChannelChange {
                    message: event.message_id.and_then(|id| messages.get(&id).cloned()),
                    channel: Some(page.channel.clone()),
                    user: event
                        .user_id
                        .and_then(|id| page.users.iter().find(|u| u.id == id).cloned()),
                    event,
                };
                let seq = change.event.seq;
                if let Some(frame) = frame_for(change) {
                    outbound.push(&frame)?;
                }
                state.last_seq = seq;
            }
            if last >= page.last_seq {
                return resume_after_catch_up(outbound, state);
            }
        }
    }

    async fn on_delivery(
        &self,
        delivery: Option<Delivery>,
        outbound: &Outbound,
        state: &mut State,
    ) -> Result<(), Stop> {
        match delivery {
            None => Err(Stop::Close(
                close::UNAVAILABLE,
                "the server is shutting down; reconnect and resume",
            )),
            Some(Delivery::Lagged { .. }) => self.catch_up(outbound, state).await,
            Some(Delivery::Payload(bytes)) => {
                let Some(tandem_api_types::frames::Opened { seq, origin, json }) =
                    tandem_api_types::frames::open(&bytes)
                else {
                    return Ok(());
                };
                if seq == 0 {
                    return outbound.push_text(json);
                }
                if seq <= state.last_seq {
                    return Ok(());
                }
                if seq > state.last_seq + 1 {
                    // Published out of order, before we subscribed, or lost on the way: wait
                    // briefly for the missing ones, then read them from storage.
                    state.ahead.insert(seq, bytes.clone());
                    state.gap_since.get_or_insert_with(Instant::now);
                    if state.ahead.len() > REORDER_LIMIT {
                        return self.catch_up(outbound, state).await;
                    }
                    return Ok(());
                }
                state.last_seq = seq;
                outbound.push_live(json, origin)?;
                flush_ahead(outbound, state)
            }
        }
    }

    async fn on_client(
        &self,
        frame: Option<Result<AggregatedMessage, ProtocolError>>,
        outbound: &Outbound,
        state: &mut State,
    ) -> Result<(), Stop> {
        state.last_heard = Instant::now();
        let text = match frame {
            None | Some(Ok(AggregatedMessage::Close(_))) => return Err(Stop::Gone),
            Some(Err(ProtocolError::Overflow)) => return Err(Stop::Close(1009, "frame too large")),
            Some(Err(_)) => return Err(Stop::Close(1002, "protocol error")),
            Some(Ok(AggregatedMessage::Ping(_) | AggregatedMessage::Pong(_))) => return Ok(()),
            Some(Ok(AggregatedMessage::Binary(_))) => {
                return outbound.push(&ServerFrame::error(
                    None,
                    "malformed_frame",
                    "frames are JSON text",
                ));
            }
            Some(Ok(AggregatedMessage::Text(text))) => text,
        };
        let frame: ClientFrame = match serde_json::from_str(&text) {
            Ok(frame) => frame,
            Err(error) => {
                let known_type = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned));
                let (code, message) = match known_type {
                    Some(t) if !commands::KNOWN_TYPES.contains(&t.as_str()) => {
                        ("unknown_frame_type", format!("unknown frame type {t:?}"))
                    }
                    _ => ("malformed_frame", format!("not a valid frame: {error}")),
                };
                return outbound.push(&ServerFrame::error(None, code, message));
            }
        };
        match frame {
            ClientFrame::Ping => outbound.push(&ServerFrame::Pong),
            ClientFrame::Resume { after_seq } => {
                if after_seq < 0 {
                    return outbound.push(&ServerFrame::error(
                        None,
                        "validation_failed",
                        "after_seq must be 0 or more",
                    ));
                }
                state.last_seq = after_seq;
                self.catch_up(outbound, state).await
            }
            ClientFrame::Typing { state: typing } => {
                self.on_typing(typing, state).await;
                Ok(())
            }
            other => {
                let reference = other.reference().map(str::to_owned);
                let was_message = matches!(other, ClientFrame::ChatMessage { .. });
                let (queue, _) = state.commands.get_or_insert_with(|| {
                    spawn_command_runner(
                        Arc::clone(&self.ctx),
                        self.actor(),
                        self.channel_id,
                        outbound.clone(),
                    )
                });
                let queued = queue.try_send((reference.clone(), other)).is_ok();
                if !queued {
                    return outbound.push(&ServerFrame::error(
                        reference.as_deref(),
                        "rate_limited",
                        "too many commands waiting to be stored; wait for their acks",
                    ));
                }
                if was_message && state.typing_until.take().is_some() {
                    self.publish_typing(false).await;
                }
                Ok(())
            }
        }
    }

    async fn on_typing(&self, typing: TypingState, state: &mut State) {
        if !self.can_post {
            return;
        }
        let now = Instant::now();
        match typing {
            TypingState::Start => {
                state.typing_until = Some(now + self.settings.typing_ttl);
                // Throttled: one announcement per half lifetime is enough to keep it alive.
                let due = state
                    .last_typing_sent
                    .is_none_or(|at| now.duration_since(at) >= self.settings.typing_ttl / 2);
                if due {
                    state.last_typing_sent = Some(now);
                    self.publish_typing(true).await;
                }
            }
            TypingState::Stop => {
                if state.typing_until.take().is_some() {
                    state.last_typing_sent = None;
                    self.publish_typing(false).await;
                }
            }
        }
    }

    async fn on_tick(
        &self,
        ticks: u64,
        session: &Session,
        state: &mut State,
        connection_id: &str,
    ) -> Result<(), Stop> {
        let now = Instant::now();
        if state.typing_until.is_some_and(|until| until <= now) {
            state.typing_until = None;
            state.last_typing_sent = None;
            self.publish_typing(false).await;
        }
        if now.duration_since(state.last_heard) > self.settings.client_timeout {
            return Err(Stop::Close(
                close::HEARTBEAT_TIMEOUT,
                "no answer to pings; reconnect and resume",
            ));
        }
        if ticks.is_multiple_of(self.settings.heartbeat_interval.as_secs().max(1)) {
            let mut session = session.clone();
            // The ping waits for room in the connection's buffer; a client that has left none
            // is not reading and would hold up this loop.
            match tokio::time::timeout(PING_ROOM_WAIT, session.ping(b"tandem")).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err(Stop::Gone),
                Err(_) => return Err(Stop::Close(close::SLOW_CONSUMER, SLOW_CONSUMER_REASON)),
            }
            let user = &self.caller.user;
            if let Ok(false) = self
                .ctx
                .presence
                .heartbeat(user.id, connection_id, self.settings.presence_ttl)
                .await
            {
                let _ = self
                    .ctx
                    .presence
                    .connect(
                        user.id,
                        user.organization_id,
                        connection_id,
                        self.settings.presence_ttl,
                    )
                    .await;
            }
        }
        Ok(())
    }

    async fn publish_typing(&self, typing: bool) {
        let expires_in_ms = u64::try_from(self.settings.typing_ttl.as_millis()).unwrap_or(u64::MAX);
        self.publish(
            Topic::Channel(self.channel_id),
            &ServerFrame::UserTyping {
                user: self.who(),
                typing,
                expires_in_ms,
            },
        )
        .await;
    }

    async fn publish(&self, topic: Topic, frame: &ServerFrame) {
        if let Err(error) = self.ctx.bus.publish(&topic, envelope(frame)).await {
            tracing::debug!(%error, %topic, "could not publish a frame");
        }
    }
}

/// The bounded queue between the session and the socket writer. A client that does not read
/// fills it, and is disconnected rather than slowing anyone else or growing without bound.
/// Each frame goes with the time of the change it announces when it is a live one, for the
/// writer to measure delivery latency.
#[derive(Clone)]
struct Outbound(mpsc::Sender<(String, Option<DateTime<Utc>>)>);

impl Outbound {
    fn push(&self, frame: &ServerFrame) -> Result<(), Stop> {
        self.push_text(&frame.to_json())
    }

    fn push_text(&self, json: &str) -> Result<(), Stop> {
        self.push_live(json, None)
    }

    fn push_live(&self, json: &str, origin: Option<DateTime<Utc>>) -> Result<(), Stop> {
        match self.0.try_send((json.to_owned(), origin)) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                Err(Stop::Close(close::SLOW_CONSUMER, SLOW_CONSUMER_REASON))
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Stop::Gone),
        }
    }
}

/// Sends the held events that now follow `last_seq` without a gap; forgets those already
/// sent; closes the gap when nothing is held any more.
fn flush_ahead(outbound: &Outbound, state: &mut State) -> Result<(), Stop> {
    while let Some(entry) = state.ahead.first_entry() {
        let seq = *entry.key();
        if seq > state.last_seq + 1 {
            break;
        }
        let bytes = entry.remove();
        if seq == state.last_seq + 1
            && let Some(opened) = tandem_api_types::frames::open(&bytes)
        {
            outbound.push_live(opened.json, opened.origin)?;
            state.last_seq = seq;
        }
    }
    if state.ahead.is_empty() {
        state.gap_since = None;
    }
    Ok(())
}

/// After reading from storage: what was held and now follows goes out; anything still ahead
/// of a gap waits another [`REORDER_WAIT`] rather than sending the session round again at once.
fn resume_after_catch_up(outbound: &Outbound, state: &mut State) -> Result<(), Stop> {
    flush_ahead(outbound, state)?;
    if !state.ahead.is_empty() {
        state.gap_since = Some(Instant::now());
    }
    Ok(())
}

/// Waits until `deadline`, or forever when there is none.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

/// Runs a connection's commands one at a time, in the order received, each acknowledged (or
/// refused) on the connection once stored; meanwhile the session loop goes on delivering
/// everyone else's events, however slow storage is.
fn spawn_command_runner(
    ctx: Arc<AppContext>,
    actor: Actor,
    channel_id: ChannelId,
    outbound: Outbound,
) -> CommandRunner {
    let (sender, mut receiver) = mpsc::channel::<(Option<String>, ClientFrame)>(COMMANDS_WAITING);
    let runner = actix_web::rt::spawn(async move {
        while let Some((reference, frame)) = receiver.recv().await {
            let mut pending = None;
            let reply = match commands::run(&ctx, &actor, channel_id, frame).await {
                Outcome::Ack {
                    client_msg_id,
                    id,
                    seq,
                    notices,
                } => {
                    pending = notices;
                    ServerFrame::Ack {
                        reference,
                        client_msg_id,
                        id,
                        seq,
                    }
                }
                Outcome::Error {
                    code,
                    message,
                    retry_after_secs,
                } => ServerFrame::Error {
                    reference,
                    code: code.to_owned(),
                    message,
                    retry_after_secs,
                },
            };
            // A full queue closes the connection from the session loop's next push.
            if outbound.push(&reply).is_err() {
                break;
            }
            // The sender has its ack; the members' personal notices follow.
            if let Some(notices) = pending {
                notices.deliver(&ctx).await;
            }
        }
    });
    (sender, runner)
}

fn spawn_writer(
    mut session: Session,
    capacity: usize,
    stats: Arc<dyn RealtimeStats>,
) -> (Outbound, actix_web::rt::task::JoinHandle<()>) {
    let (sender, mut receiver) = mpsc::channel::<(String, Option<DateTime<Utc>>)>(capacity.max(1));
    let writer = actix_web::rt::spawn(async move {
        while let Some((text, origin)) = receiver.recv().await {
            if session.text(text).await.is_err() {
                break;
            }
            if let Some(origin) = origin {
                // A clock behind the publisher's counts as no delay rather than a negative one.
                let latency = (Utc::now() - origin).to_std().unwrap_or_default();
                stats.delivered(latency);
            }
        }
    });
    (Outbound(sender), writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(last_seq: i64) -> State {
        State {
            last_seq,
            last_heard: Instant::now(),
            typing_until: None,
            last_typing_sent: None,
            ahead: BTreeMap::new(),
            gap_since: Some(Instant::now()),
            commands: None,
        }
    }

    fn hold(state: &mut State, seq: i64) {
        let json = format!(r#"{{"type":"chat_message","seq":{seq}}}"#);
        state
            .ahead
            .insert(seq, tandem_api_types::frames::envelope(seq, None, &json));
    }

    fn sent(receiver: &mut mpsc::Receiver<(String, Option<DateTime<Utc>>)>) -> Vec<String> {
        std::iter::from_fn(|| receiver.try_recv().ok().map(|(json, _)| json)).collect()
    }

    #[test]
    fn events_held_ahead_of_a_gap_go_out_in_order_once_it_closes() {
        let (sender, mut receiver) = mpsc::channel(16);
        let outbound = Outbound(sender);
        let mut state = state(1);
        hold(&mut state, 4);
        hold(&mut state, 3);
        assert!(flush_ahead(&outbound, &mut state).is_ok());
        assert!(sent(&mut receiver).is_empty(), "2 is still missing");
        assert!(state.gap_since.is_some());

        // 2 arrives live (or from storage): 3 and 4 follow it, in order, and the gap is closed.
        state.last_seq = 2;
        assert!(flush_ahead(&outbound, &mut state).is_ok());
        assert_eq!(
            sent(&mut receiver),
            [
                r#"{"type":"chat_message","seq":3}"#,
                r#"{"type":"chat_message","seq":4}"#
            ]
        );
        assert_eq!(state.last_seq, 4);
        assert!(state.ahead.is_empty() && state.gap_since.is_none());
    }

    #[test]
    fn held_events_already_sent_from_storage_are_dropped_and_a_remaining_gap_waits_again() {
        let (sender, mut receiver) = mpsc::channel(16);
        let outbound = Outbound(sender);
        let mut state = state(1);
        hold(&mut state, 3);
        hold(&mut state, 7);
        let opened = Instant::now() - REORDER_WAIT * 2;
        state.gap_since = Some(opened);
        // The catch-up read everything up to 5 from storage.
        state.last_seq = 5;
        assert!(resume_after_catch_up(&outbound, &mut state).is_ok());
        assert!(
            sent(&mut receiver).is_empty(),
            "3 went out from storage already"
        );
        assert_eq!(state.ahead.keys().copied().collect::<Vec<_>>(), [7]);
        assert!(
            state.gap_since.is_some_and(|since| since > opened),
            "6 gets another wait before the next read"
        );
    }
}
