//! One WebSocket connection to one channel: a task that selects over the client's frames, the
//! channel's feed from the real-time core, and a one-second tick (heartbeat, typing expiry,
//! presence). The feed decides what goes out and in which order; this writes it.
//!
//! The connection is counted in [`tandem_app::ports::RealtimeStats`] while it lives, and every
//! live frame about a stored change records its delivery latency when the writer has handed it
//! to the socket: now minus the change's time, which the envelope carries (no JSON parsing).
//! Catch-up frames are not measured: their age is the client's absence, not the server's speed.

use super::close;
use super::commands::{self, Outcome};
use crate::GatewaySettings;
use crate::drain::{SHUTTING_DOWN, Watch};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError, Session};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Instant;
use tandem_api_types::realtime::{ClientFrame, ServerFrame, TypingState, Who};
use tandem_app::AppContext;
use tandem_app::auth::Authenticated;
use tandem_app::ports::{ConnectionKind, OpenConnection, RealtimeStats};
use tandem_app::realtime::{
    ChannelFeed, Envelope, FeedEnd, OpenedFeed, PresenceConnection, Typing, present_members,
};
use tandem_domain::{Actor, ChannelId, TokenScope};
use tokio::sync::mpsc;

/// How long a closing connection may take to flush its queue and its close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a heartbeat ping may wait for room in a connection's buffer.
const PING_ROOM_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
const SLOW_CONSUMER_REASON: &str = "too slow: frames piled up; reconnect and resume";

/// Resumes that read history one person may send per `REPLAY_WINDOW`.
const REPLAYS_PER_WINDOW: u64 = 20;
const REPLAY_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Commands (messages, edits, reactions) one connection may have waiting to be stored.
const COMMANDS_WAITING: usize = 32;

pub(super) struct ChatSession {
    ctx: Arc<AppContext>,
    settings: Arc<GatewaySettings>,
    caller: Authenticated,
    channel_id: ChannelId,
    /// The channel's latest seq when the connection opened.
    opened_at_seq: i64,
    feed: ChannelFeed,
    typing: Typing,
    last_heard: Instant,
    /// The queue of the session's command runner, which stores commands one at a time while
    /// this loop goes on delivering; started with the first command, so connections that only
    /// listen never pay for it.
    commands: Option<CommandRunner>,
}

type CommandRunner = (
    mpsc::Sender<(Option<String>, ClientFrame)>,
    actix_web::rt::task::JoinHandle<()>,
);

enum Stop {
    /// The client closed or the socket broke: nothing to send.
    Gone,
    Close(u16, &'static str),
}

impl ChatSession {
    pub(super) fn new(
        ctx: Arc<AppContext>,
        settings: Arc<GatewaySettings>,
        caller: Authenticated,
        opened: OpenedFeed,
    ) -> Self {
        let typing = Typing::new(
            caller.user.clone(),
            opened.channel.id,
            opened.can_post,
            settings.typing_ttl,
        );
        Self {
            channel_id: opened.channel.id,
            opened_at_seq: opened.channel.last_seq,
            feed: opened.feed,
            typing,
            ctx,
            settings,
            caller,
            last_heard: Instant::now(),
            commands: None,
        }
    }

    fn actor(&self) -> Actor {
        self.caller.actor()
    }

    /// The channel's online members and the caller, who is connecting now.
    async fn present(&self) -> Vec<Who> {
        let realtime = &self.ctx.realtime;
        let mut present: Vec<Who> =
            match present_members(realtime, &self.actor(), self.channel_id).await {
                Ok(users) => users.iter().map(Who::of).collect(),
                Err(error) => {
                    tracing::warn!(%error, "who is present is unknown");
                    Vec::new()
                }
            };
        let me = Who::of(&self.caller.user);
        if !present.iter().any(|w| w.user_id == me.user_id) {
            let at = present.partition_point(|w| w.user_id < me.user_id);
            present.insert(at, me);
        }
        present
    }

    /// Runs the connection to its end.
    pub(super) async fn run(
        mut self,
        session: Session,
        stream: actix_ws::MessageStream,
        mut draining: Watch,
    ) {
        let settings = self.settings.clone();
        let realtime = self.ctx.realtime.clone();
        let _counted = OpenConnection::new(
            realtime.stats.clone(),
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
            realtime.stats.clone(),
        );

        let ready = ServerFrame::Ready {
            channel_id: self.channel_id.get(),
            seq: self.opened_at_seq,
            user_id: self.caller.user.id.get(),
            present: self.present().await,
        };
        let mut stop = outbound.push(&ready).err();
        let presence =
            PresenceConnection::start(&realtime, &self.caller.user, settings.presence_ttl).await;
        realtime
            .announcer
            .connection(self.channel_id, &self.caller.user, true)
            .await;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let mut ticks: u64 = 0;
        while stop.is_none() {
            let result = tokio::select! {
                frame = frames.next() => self.on_client(frame, &session, &outbound).await,
                next = self.feed.next() => deliver(next, &outbound),
                // The node is stopping: say so at once, read no more commands, answer those
                // already received (below), then close so the client moves to another node.
                () = draining.started() => outbound
                    .push(&ServerFrame::error(None, "shutting_down", SHUTTING_DOWN))
                    .and(Err(Stop::Close(close::UNAVAILABLE, SHUTTING_DOWN))),
                _ = tick.tick() => {
                    ticks += 1;
                    self.on_tick(ticks, &session, &presence).await
                }
            };
            stop = result.err();
        }
        // Commands already received are stored and acknowledged before the connection ends.
        if let Some((queue, runner)) = self.commands.take() {
            drop(queue);
            let _ = tokio::time::timeout(CLOSE_GRACE, runner).await;
        }
        drop(outbound);
        self.typing.stop(&realtime).await;
        realtime
            .announcer
            .connection(self.channel_id, &self.caller.user, false)
            .await;
        presence.end(&realtime).await;
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

    async fn on_client(
        &mut self,
        frame: Option<Result<AggregatedMessage, ProtocolError>>,
        session: &Session,
        outbound: &Outbound,
    ) -> Result<(), Stop> {
        self.last_heard = Instant::now();
        let text = match frame {
            None | Some(Ok(AggregatedMessage::Close(_))) => return Err(Stop::Gone),
            Some(Err(ProtocolError::Overflow)) => return Err(Stop::Close(1009, "frame too large")),
            Some(Err(_)) => return Err(Stop::Close(1002, "protocol error")),
            Some(Ok(AggregatedMessage::Ping(payload))) => return pong(session, &payload).await,
            Some(Ok(AggregatedMessage::Pong(_))) => return Ok(()),
            Some(Ok(AggregatedMessage::Binary(_))) => {
                return outbound.push(&ServerFrame::error(
                    None,
                    "malformed_frame",
                    "frames are JSON text",
                ));
            }
            Some(Ok(AggregatedMessage::Text(text))) => text,
        };
        let frame = match commands::parse(&text) {
            Ok(frame) => frame,
            Err((code, message)) => return outbound.push(&ServerFrame::error(None, code, message)),
        };
        let realtime = self.ctx.realtime.clone();
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
                if self.feed.would_replay(after_seq) {
                    if let Some(refused) = self.replay_refused().await {
                        return outbound.push(&refused);
                    }
                    self.feed.resume(after_seq);
                }
                Ok(())
            }
            ClientFrame::Typing {
                state: TypingState::Start,
            } => {
                self.typing.start(&realtime).await;
                Ok(())
            }
            ClientFrame::Typing {
                state: TypingState::Stop,
            } => {
                self.typing.stop(&realtime).await;
                Ok(())
            }
            other => {
                let reference = other.reference().map(str::to_owned);
                if !self.caller.allows(TokenScope::Write) {
                    return outbound.push(&ServerFrame::error(
                        reference.as_deref(),
                        "insufficient_scope",
                        "this token may read but not write: it needs the write scope",
                    ));
                }
                let was_message = matches!(other, ClientFrame::ChatMessage { .. });
                let (queue, _) = self.commands.get_or_insert_with(|| {
                    spawn_command_runner(
                        Arc::clone(&self.ctx),
                        self.caller.actor(),
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
                if was_message {
                    self.typing.sent(&realtime).await;
                }
                Ok(())
            }
        }
    }

    /// A resume that reads the log counts against the person's replays per minute (reconnecting
    /// with `after_seq` is the usual way back and is not counted). `None` when it may go on;
    /// a limiter that cannot be reached lets it through: this guards cost, not access.
    async fn replay_refused(&self) -> Option<ServerFrame> {
        let key = format!("replays:user:{}", self.caller.user.id);
        let window = self
            .ctx
            .chat
            .rate_limiter
            .increment(&key, REPLAY_WINDOW)
            .await
            .ok()?;
        (window.count > REPLAYS_PER_WINDOW).then(|| ServerFrame::Error {
            reference: None,
            code: "rate_limited".to_owned(),
            message: format!(
                "at most {REPLAYS_PER_WINDOW} resumes that read history per minute; reconnect with after_seq instead"
            ),
            retry_after_secs: Some(window.resets_in.as_secs().max(1)),
        })
    }

    async fn on_tick(
        &mut self,
        ticks: u64,
        session: &Session,
        presence: &PresenceConnection,
    ) -> Result<(), Stop> {
        let realtime = self.ctx.realtime.clone();
        self.typing.expire(&realtime).await;
        if self.last_heard.elapsed() > self.settings.client_timeout {
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
            presence.heartbeat(&realtime).await;
        }
        Ok(())
    }
}

/// Answers a client's ping with its payload (RFC 6455, 5.5.2), as keepalive clients expect;
/// waits for room in the connection's buffer no longer than the server's own pings do.
async fn pong(session: &Session, payload: &[u8]) -> Result<(), Stop> {
    let mut session = session.clone();
    match tokio::time::timeout(PING_ROOM_WAIT, session.pong(payload)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Stop::Gone),
        Err(_) => Err(Stop::Close(close::SLOW_CONSUMER, SLOW_CONSUMER_REASON)),
    }
}

/// Writes what the feed yields, or closes the socket as the feed ended.
fn deliver(next: Result<Envelope, FeedEnd>, outbound: &Outbound) -> Result<(), Stop> {
    match next {
        Ok(envelope) => outbound.push_live(envelope.text(), envelope.origin()),
        Err(FeedEnd::Unavailable) => Err(Stop::Close(
            close::UNAVAILABLE,
            "real-time delivery was interrupted; reconnect and resume",
        )),
        Err(FeedEnd::AccessLost) => Err(Stop::Close(
            close::NOT_FOUND,
            "you can no longer read this channel",
        )),
        Err(FeedEnd::SessionEnded) => Err(Stop::Close(
            close::UNAUTHENTICATED,
            "the access token expired or was revoked; reconnect with a fresh one",
        )),
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
        self.push_live(&frame.to_json(), None)
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
            let reply = match commands::run(&ctx, &actor, channel_id, frame).await {
                Outcome::Ack {
                    client_msg_id,
                    id,
                    seq,
                } => ServerFrame::Ack {
                    reference,
                    client_msg_id,
                    id,
                    seq,
                },
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
