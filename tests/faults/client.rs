//! A storm client: one user on one channel's WebSocket, sending its share of messages and
//! recording everything it sees, as a well-behaved real client would behave:
//!
//! - each message has its own `client_msg_id` and is sent as `chat_message` with a fresh `ref`
//!   per attempt; at most `window` are unanswered at a time, paced `pace` apart;
//! - an `error` answer puts the message back in line, and sending pauses with a backoff (100 ms
//!   doubling to 1 s, reset by the next ack);
//! - when its socket closes or breaks (or its node dies), it reconnects to the other node with
//!   `?after_seq=<the last seq it applied>` and re-sends every unacknowledged message with the
//!   same `client_msg_id`; a failed attempt tries the other node next, with a backoff.
//!
//! It keeps going (listening) until told to stop, and records per socket every sequenced frame
//! it received, for [`crate::storm`] to check.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A command unanswered this long on a socket that is still open is a hang: the client gives
/// the socket up and records it.
pub const ANSWER_GUARD: Duration = Duration::from_secs(30);
/// How long a connection attempt may take, handshake and `ready` frame included.
const CONNECT_GUARD: Duration = Duration::from_secs(15);
const SEND_GUARD: Duration = Duration::from_secs(5);
const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub name: String,
    pub token: String,
    pub channel: i64,
    /// Every node's base URL; the client starts on `home` and moves to the next one on failure.
    pub nodes: Vec<String>,
    pub home: usize,
    /// The messages to send, by their `client_msg_id`.
    pub client_msg_ids: Vec<String>,
    pub pace: Duration,
    pub window: usize,
}

/// One WebSocket connection that got as far as `ready`.
#[derive(Debug, Clone)]
pub struct SocketRecord {
    pub node: usize,
    /// The `after_seq` it was opened with.
    pub after_seq: i64,
    pub ready_at: Instant,
    /// Every sequenced frame's `seq`, in the order received.
    pub seqs: Vec<i64>,
    pub end: Option<(Instant, SocketEnd)>,
}

impl SocketRecord {
    /// Whether it was open at `at`.
    pub fn open_at(&self, at: Instant) -> bool {
        self.ready_at <= at && self.end.as_ref().is_none_or(|(ended, _)| *ended > at)
    }

    pub fn close_code(&self) -> Option<u16> {
        match &self.end {
            Some((_, SocketEnd::Closed { code, .. })) => Some(*code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEnd {
    /// The server sent a close frame.
    Closed { code: u16, reason: String },
    /// The connection broke or ended without a close frame.
    Broken(String),
    /// A command went unanswered for [`ANSWER_GUARD`]; the client gave the socket up.
    Stalled,
    /// The client was told to stop and closed it.
    Stopped,
}

impl SocketEnd {
    /// A short name for reports: `close 4503`, `broken`, ...
    pub fn kind(&self) -> String {
        match self {
            Self::Closed { code, .. } => format!("close {code}"),
            Self::Broken(_) => "broken".to_owned(),
            Self::Stalled => "stalled".to_owned(),
            Self::Stopped => "stopped".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Answer {
    Ack { at: Instant },
    Error { code: String, at: Instant },
}

/// One attempt to send one message.
#[derive(Debug, Clone)]
pub struct SendRecord {
    /// Index of the message (in [`ClientConfig::client_msg_ids`]).
    pub message: usize,
    pub client_msg_id: String,
    pub socket: usize,
    pub at: Instant,
    /// The wall-clock time of the send, to compare with the stored `created_at`.
    pub wall: chrono::DateTime<chrono::Utc>,
    /// What the socket answered, if it did.
    pub answer: Option<Answer>,
}

#[derive(Debug, Clone)]
pub struct AckRecord {
    pub client_msg_id: Option<String>,
    pub id: Option<i64>,
    pub seq: Option<i64>,
    pub socket: usize,
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct ErrorRecord {
    pub code: String,
    pub message: String,
    pub reference: Option<String>,
    pub socket: usize,
    pub at: Instant,
    /// From the send it answers, for errors answering a send.
    pub latency: Option<Duration>,
}

/// A connection attempt that did not get to `ready`.
#[derive(Debug, Clone)]
pub struct FailedConnect {
    pub node: usize,
    pub why: ConnectFailure,
}

/// Everything a client saw.
#[derive(Debug, Clone, Default)]
pub struct ClientLog {
    pub sockets: Vec<SocketRecord>,
    pub sends: Vec<SendRecord>,
    pub acks: Vec<AckRecord>,
    pub errors: Vec<ErrorRecord>,
    pub failed_connects: Vec<FailedConnect>,
    /// Every `seq` received, on any socket.
    pub received: BTreeSet<i64>,
    /// The messages acknowledged.
    pub acked: BTreeSet<usize>,
    /// Frames that made no sense (an ack for no send of ours, a second `ready`, ...).
    pub anomalies: Vec<String>,
}

/// A running client: its log, shared with its task.
pub struct StormClient {
    pub name: String,
    pub client_msg_ids: Vec<String>,
    log: Arc<Mutex<ClientLog>>,
    task: JoinHandle<()>,
}

impl StormClient {
    pub fn spawn(config: ClientConfig, stop: watch::Receiver<bool>) -> Self {
        let log = Arc::new(Mutex::new(ClientLog::default()));
        let name = config.name.clone();
        let client_msg_ids = config.client_msg_ids.clone();
        let task = tokio::spawn(run(config, log.clone(), stop));
        Self {
            name,
            client_msg_ids,
            log,
            task,
        }
    }

    /// Reads the log as it is now.
    pub fn with<R>(&self, f: impl FnOnce(&ClientLog) -> R) -> R {
        f(&lock(&self.log))
    }

    pub fn acked(&self) -> usize {
        self.with(|log| log.acked.len())
    }

    /// Waits for the task to end (after stop), up to `guard`; aborts it otherwise.
    pub async fn join(self, guard: Duration) -> (String, ClientLog) {
        let Self {
            name, log, task, ..
        } = self;
        let abort = task.abort_handle();
        if tokio::time::timeout(guard, task).await.is_err() {
            abort.abort();
        }
        let log = lock(&log).clone();
        (name, log)
    }
}

fn lock(log: &Mutex<ClientLog>) -> MutexGuard<'_, ClientLog> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a connection attempt failed.
#[derive(Debug, Clone)]
pub struct ConnectFailure {
    /// The close code, when the server closed the socket before `ready`.
    pub close_code: Option<u16>,
    pub description: String,
}

impl std::fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.close_code {
            Some(code) => write!(f, "closed with {code}: {}", self.description),
            None => f.write_str(&self.description),
        }
    }
}

/// Opens `/api/v1/ws/chat/{channel}` on `base` with a bearer header and waits for `ready`
/// (the server authenticates after the handshake, so a refusal is a close frame).
pub async fn connect(
    base: &str,
    token: &str,
    channel: i64,
    after_seq: Option<i64>,
) -> Result<Ws, ConnectFailure> {
    let failure = |description: String| ConnectFailure {
        close_code: None,
        description,
    };
    let query = after_seq.map_or_else(String::new, |seq| format!("?after_seq={seq}"));
    let url = format!(
        "{}/api/v1/ws/chat/{channel}{query}",
        base.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("a header value"),
    );
    let deadline = tokio::time::Instant::now() + CONNECT_GUARD;
    let (mut ws, _) = tokio::time::timeout_at(deadline, tokio_tungstenite::connect_async(request))
        .await
        .map_err(|_| failure("the handshake timed out".to_owned()))?
        .map_err(|e| failure(format!("handshake: {e}")))?;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Err(failure(format!("no ready frame within {CONNECT_GUARD:?}"))),
            Ok(None) => return Err(failure("ended before ready".to_owned())),
            Ok(Some(Err(e))) => return Err(failure(format!("broke before ready: {e}"))),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(match frame {
                    Some(frame) => ConnectFailure {
                        close_code: Some(frame.code.into()),
                        description: frame.reason.to_string(),
                    },
                    None => failure("closed before ready, without a code".to_owned()),
                });
            }
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: Value = serde_json::from_str(&text)
                    .map_err(|_| failure(format!("a frame that is not JSON: {text}")))?;
                if frame["type"] == "ready" {
                    return Ok(ws);
                }
                return Err(failure(format!("the first frame was not ready: {frame}")));
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// The client's sending state, across sockets.
struct Sending {
    /// Messages to (re)send, lowest index first.
    todo: BTreeSet<usize>,
    /// `ref` → index in [`ClientLog::sends`] of the attempts awaiting an answer.
    in_flight: HashMap<String, usize>,
    next_ref: u64,
    next_send: Instant,
    backoff: Duration,
}

async fn run(config: ClientConfig, log: Arc<Mutex<ClientLog>>, mut stop: watch::Receiver<bool>) {
    let mut sending = Sending {
        todo: (0..config.client_msg_ids.len()).collect(),
        in_flight: HashMap::new(),
        next_ref: 0,
        next_send: Instant::now(),
        backoff: BACKOFF_START,
    };
    let nodes = config.nodes.len();
    let mut node = config.home;
    // The last seq applied: the first socket starts from the beginning of the log.
    let mut applied: i64 = 0;
    let mut failures: u32 = 0;
    loop {
        if *stop.borrow() {
            return;
        }
        match connect(
            &config.nodes[node],
            &config.token,
            config.channel,
            Some(applied),
        )
        .await
        {
            Ok(ws) => {
                failures = 0;
                let socket = {
                    let mut log = lock(&log);
                    log.sockets.push(SocketRecord {
                        node,
                        after_seq: applied,
                        ready_at: Instant::now(),
                        seqs: Vec::new(),
                        end: None,
                    });
                    log.sockets.len() - 1
                };
                let mut session = Session {
                    config: &config,
                    log: &log,
                    sending: &mut sending,
                    socket,
                    applied: &mut applied,
                };
                let end = session.run(ws, &mut stop).await;
                let mut log = lock(&log);
                // Whatever this socket left unanswered goes out again on the next one.
                for (_, send) in sending.in_flight.drain() {
                    sending.todo.insert(log.sends[send].message);
                }
                sending.next_send = Instant::now();
                log.sockets[socket].end = Some((Instant::now(), end.clone()));
                if end == SocketEnd::Stopped {
                    return;
                }
            }
            Err(why) => {
                failures += 1;
                lock(&log).failed_connects.push(FailedConnect { node, why });
                let wait = BACKOFF_START
                    .saturating_mul(1 << failures.min(4))
                    .min(BACKOFF_MAX);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return,
                }
            }
        }
        // The other node next: the one this socket was on may be dying.
        node = (node + 1) % nodes;
    }
}

/// One socket's life.
struct Session<'a> {
    config: &'a ClientConfig,
    log: &'a Mutex<ClientLog>,
    sending: &'a mut Sending,
    socket: usize,
    applied: &'a mut i64,
}

impl Session<'_> {
    async fn run(&mut self, mut ws: Ws, stop: &mut watch::Receiver<bool>) -> SocketEnd {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            let can_send =
                !self.sending.todo.is_empty() && self.sending.in_flight.len() < self.config.window;
            let send_at = tokio::time::Instant::from_std(self.sending.next_send);
            tokio::select! {
                _ = stop.changed() => {
                    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
                    return SocketEnd::Stopped;
                }
                next = ws.next() => match next {
                    Some(Ok(Message::Text(text))) => self.on_frame(&text),
                    Some(Ok(Message::Close(frame))) => {
                        return match frame {
                            Some(frame) => SocketEnd::Closed {
                                code: frame.code.into(),
                                reason: frame.reason.to_string(),
                            },
                            None => SocketEnd::Closed { code: 1005, reason: String::new() },
                        };
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return SocketEnd::Broken(e.to_string()),
                    None => return SocketEnd::Broken("ended without a close frame".to_owned()),
                },
                () = tokio::time::sleep_until(send_at), if can_send => {
                    if let Err(end) = self.send_next(&mut ws).await {
                        return end;
                    }
                }
                _ = tick.tick() => {
                    let log = lock(self.log);
                    let stalled = self
                        .sending
                        .in_flight
                        .values()
                        .any(|&send| log.sends[send].at.elapsed() > ANSWER_GUARD);
                    if stalled {
                        return SocketEnd::Stalled;
                    }
                }
            }
        }
    }

    async fn send_next(&mut self, ws: &mut Ws) -> Result<(), SocketEnd> {
        let Some(message) = self.sending.todo.pop_first() else {
            return Ok(());
        };
        let client_msg_id = self.config.client_msg_ids[message].clone();
        let reference = format!("r{}", self.sending.next_ref);
        self.sending.next_ref += 1;
        let frame = json!({
            "type": "chat_message",
            "content": format!("{} says #{message}", self.config.name),
            "client_msg_id": client_msg_id,
            "ref": reference,
        });
        {
            let mut log = lock(self.log);
            log.sends.push(SendRecord {
                message,
                client_msg_id,
                socket: self.socket,
                at: Instant::now(),
                wall: chrono::Utc::now(),
                answer: None,
            });
            self.sending
                .in_flight
                .insert(reference, log.sends.len() - 1);
        }
        self.sending.next_send = Instant::now() + self.config.pace;
        match tokio::time::timeout(SEND_GUARD, ws.send(Message::text(frame.to_string()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(SocketEnd::Broken(format!("send: {e}"))),
            Err(_) => Err(SocketEnd::Broken(format!(
                "a send took longer than {SEND_GUARD:?}"
            ))),
        }
    }

    fn on_frame(&mut self, text: &str) {
        let now = Instant::now();
        let mut log = lock(self.log);
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            log.anomalies
                .push(format!("a frame that is not JSON: {text}"));
            return;
        };
        let reference = frame["ref"].as_str().map(str::to_owned);
        match frame["type"].as_str().unwrap_or_default() {
            "ack" => {
                let (id, seq) = (frame["id"].as_i64(), frame["seq"].as_i64());
                log.acks.push(AckRecord {
                    client_msg_id: frame["client_msg_id"].as_str().map(str::to_owned),
                    id,
                    seq,
                    socket: self.socket,
                    at: now,
                });
                let send = reference
                    .as_deref()
                    .and_then(|r| self.sending.in_flight.remove(r));
                match (send, id, seq) {
                    (Some(send), Some(_), Some(_)) => {
                        log.sends[send].answer = Some(Answer::Ack { at: now });
                        let message = log.sends[send].message;
                        log.acked.insert(message);
                        self.sending.backoff = BACKOFF_START;
                    }
                    _ => log
                        .anomalies
                        .push(format!("an ack that answers no send in flight: {frame}")),
                }
            }
            "error" => {
                let code = frame["code"].as_str().unwrap_or_default().to_owned();
                let send = reference
                    .as_deref()
                    .and_then(|r| self.sending.in_flight.remove(r));
                let latency = send.map(|send| {
                    let record = &mut log.sends[send];
                    record.answer = Some(Answer::Error {
                        code: code.clone(),
                        at: now,
                    });
                    self.sending.todo.insert(record.message);
                    now - record.at
                });
                if send.is_some() {
                    // Back off before trying again, longer each time in a row.
                    self.sending.next_send = self.sending.next_send.max(now + self.sending.backoff);
                    self.sending.backoff = (self.sending.backoff * 2).min(BACKOFF_MAX);
                }
                log.errors.push(ErrorRecord {
                    code,
                    message: frame["message"].as_str().unwrap_or_default().to_owned(),
                    reference,
                    socket: self.socket,
                    at: now,
                    latency,
                });
            }
            "ready" => log.anomalies.push(format!("a second ready frame: {frame}")),
            _ => {
                if let Some(seq) = frame["seq"].as_i64() {
                    log.sockets[self.socket].seqs.push(seq);
                    log.received.insert(seq);
                    *self.applied = (*self.applied).max(seq);
                }
            }
        }
    }
}
