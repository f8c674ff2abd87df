//! One WebSocket connection: connect (from a chosen source address), wait for `ready`, then a
//! reader task that timestamps every frame and, for senders, a writer task that sends on a
//! schedule (or one message per ack).
//!
//! Latency needs no shared map: the send instant travels inside the message's `client_msg_id`
//! (`l<connection>-<counter>-<µs since the tool started>`), which the server stores and puts
//! in the `ack` and in every member's `chat_message`.

use crate::stats::{Clock, Stats, Window};
use anyhow::{Context, anyhow, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

type Socket = WebSocketStream<TcpStream>;

/// What every connection shares.
pub struct Shared {
    pub clock: Clock,
    pub stats: Stats,
    pub window: Window,
    /// Open connections per channel (by channel index): the receivers a message should reach.
    pub channel_open: Vec<AtomicU64>,
    /// Set before the tool closes its sockets, so those closes are not counted as failures.
    pub stopping: AtomicBool,
    /// The message body every sender uses.
    pub content: String,
    pub server: SocketAddr,
    pub host: String,
}

/// One connection to open.
pub struct Spec {
    pub index: usize,
    pub token: String,
    pub channel_id: i64,
    pub channel_index: usize,
    pub source: Option<IpAddr>,
    /// Senders are numbered 0.. to spread their first messages over one period.
    pub sender_index: Option<usize>,
}

/// When and how fast the senders send, published once every socket is open.
#[derive(Clone, Copy)]
pub struct Plan {
    pub start: Instant,
    /// No message is sent at or after this instant.
    pub end: Instant,
    /// Each sender's interval between messages; `None`: the next message as soon as the
    /// previous one is answered.
    pub period: Option<Duration>,
    pub senders: usize,
}

/// Opens the socket, authenticates and waits for `ready`.
pub async fn connect(shared: &Shared, spec: &Spec) -> anyhow::Result<Socket> {
    let stream = match spec.source {
        Some(ip) => {
            let socket = if ip.is_ipv4() {
                TcpSocket::new_v4()?
            } else {
                TcpSocket::new_v6()?
            };
            socket
                .bind(SocketAddr::new(ip, 0))
                .with_context(|| format!("binding a client socket to {ip}"))?;
            socket.connect(shared.server).await?
        }
        None => TcpStream::connect(shared.server).await?,
    };
    stream.set_nodelay(true)?;
    let url = format!("ws://{}/api/v1/ws/chat/{}", shared.host, spec.channel_id);
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {}", spec.token))?,
    );
    // Small read buffers: tungstenite's default (128 KiB) would dominate the tool's memory with
    // tens of thousands of idle sockets.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut socket, _) = client_async_with_config(request, stream, Some(config)).await?;
    let deadline = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(deadline);
    loop {
        let message = tokio::select! {
            message = socket.next() => message,
            () = &mut deadline => bail!("no ready frame within 30 s"),
        };
        match message {
            Some(Ok(Message::Text(text))) => {
                if let Ok(frame) = serde_json::from_str::<Frame<'_>>(&text)
                    && frame.kind == "ready"
                {
                    return Ok(socket);
                }
            }
            Some(Ok(Message::Close(frame))) => {
                bail!("closed before ready: {}", describe_close(frame.as_ref()))
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(anyhow!(error)),
            None => bail!("closed before ready"),
        }
    }
}

fn describe_close(frame: Option<&tokio_tungstenite::tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        Some(frame) => format!("close {} {}", u16::from(frame.code), frame.reason),
        None => "close without a code".to_owned(),
    }
}

/// The parts of a server frame the tool looks at; the rest is skipped without allocating.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(borrow, default)]
    client_msg_id: Option<&'a str>,
    #[serde(borrow, default)]
    message: Option<MessagePart<'a>>,
    #[serde(borrow, default)]
    code: Option<std::borrow::Cow<'a, str>>,
}

/// `message` is an object in `chat_message` frames and a string in `error` frames: keep the
/// object's `client_msg_id`, skip everything else without allocating.
#[derive(Default)]
struct MessagePart<'a> {
    client_msg_id: Option<&'a str>,
}

impl<'de: 'a, 'a> Deserialize<'de> for MessagePart<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = MessagePart<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message object or a string")
            }

            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(MessagePart::default())
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut part = MessagePart::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "client_msg_id" {
                        part.client_msg_id = map.next_value()?;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(part)
            }
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

/// The send instant inside one of our message ids, in [`Clock`] microseconds.
fn sent_at(client_msg_id: &str) -> Option<u64> {
    if !client_msg_id.starts_with('l') {
        return None;
    }
    client_msg_id.rsplit('-').next()?.parse().ok()
}

/// Runs a connected socket: the reader at once, and for senders a writer that waits for the
/// plan. Returns when the socket closes; the caller aborts it at the end of the run.
pub async fn run(
    shared: Arc<Shared>,
    spec: Spec,
    socket: Socket,
    plan: watch::Receiver<Option<Plan>>,
) {
    shared.channel_open[spec.channel_index].fetch_add(1, Relaxed);
    shared.stats.connected.fetch_add(1, Relaxed);
    let (sink, stream) = socket.split();
    let answered = Arc::new(Notify::new());
    let _writer = spec.sender_index.map(|sender| {
        AbortOnDrop(tokio::spawn(write(
            shared.clone(),
            (spec.index, sender),
            sink,
            plan,
            answered.clone(),
        )))
    });
    read(&shared, &spec, stream, &answered).await;
    shared.channel_open[spec.channel_index].fetch_sub(1, Relaxed);
    shared.stats.connected.fetch_sub(1, Relaxed);
}

/// Stops the writer with its connection, however the connection ends (closed or aborted).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn read(shared: &Shared, spec: &Spec, mut stream: SplitStream<Socket>, answered: &Notify) {
    let stats = &shared.stats;
    let reason = loop {
        let text = match stream.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => break describe_close(frame.as_ref()),
            Some(Ok(_)) => continue,
            Some(Err(error)) => break format!("error: {error}"),
            None => break "end of stream".to_owned(),
        };
        let now = shared.clock.now_micros();
        let Ok(frame) = serde_json::from_str::<Frame<'_>>(&text) else {
            stats.error_frame("unparsable_frame");
            continue;
        };
        match frame.kind {
            "chat_message" => {
                let Some(sent) = frame
                    .message
                    .and_then(|m| m.client_msg_id)
                    .and_then(sent_at)
                else {
                    continue;
                };
                stats.delivered_total.fetch_add(1, Relaxed);
                if shared.window.contains(sent) {
                    stats.delivered_in_window.fetch_add(1, Relaxed);
                    let latency = now.saturating_sub(sent);
                    stats.delivery_latency.record(latency);
                    if spec.sender_index.is_none() {
                        stats.listener_delivery_latency.record(latency);
                    }
                }
            }
            "ack" => {
                answered.notify_one();
                let Some(sent) = frame.client_msg_id.and_then(sent_at) else {
                    continue;
                };
                if shared.window.contains(sent) {
                    stats.acked_in_window.fetch_add(1, Relaxed);
                    stats.ack_latency.record(now.saturating_sub(sent));
                    let receivers = shared.channel_open[spec.channel_index].load(Relaxed);
                    stats.expected_deliveries.fetch_add(receivers, Relaxed);
                }
            }
            "error" => {
                answered.notify_one();
                stats.error_frame(frame.code.as_deref().unwrap_or("(no code)"));
            }
            _ => {}
        }
    };
    if !shared.stopping.load(Relaxed) {
        stats.disconnected(reason);
    }
}

async fn write(
    shared: Arc<Shared>,
    (index, sender): (usize, usize),
    mut sink: SplitSink<Socket, Message>,
    mut plan: watch::Receiver<Option<Plan>>,
    answered: Arc<Notify>,
) {
    let Ok(plan) = plan.wait_for(Option::is_some).await.map(|p| *p) else {
        return;
    };
    let Some(plan) = plan else {
        return;
    };
    let stats = &shared.stats;
    let mut counter: u64 = 0;
    let mut send = async |counter: u64| -> bool {
        let sent = shared.clock.now_micros();
        let text = format!(
            r#"{{"type":"chat_message","content":"{}","client_msg_id":"l{index}-{counter}-{sent}"}}"#,
            shared.content
        );
        stats.sent_total.fetch_add(1, Relaxed);
        if shared.window.contains(sent) {
            stats.sent_in_window.fetch_add(1, Relaxed);
        }
        if sink.send(Message::Text(text.into())).await.is_err() {
            if !shared.stopping.load(Relaxed) {
                stats.send_errors.fetch_add(1, Relaxed);
            }
            return false;
        }
        true
    };
    match plan.period {
        Some(period) => {
            // Senders start one after another over the first period, not all at once.
            let offset = period.mul_f64(sender as f64 / plan.senders.max(1) as f64);
            let mut ticker = tokio::time::interval_at(plan.start + offset, period);
            // A tick missed because the tool was busy is skipped, not sent in a burst: the
            // report shows the rate actually offered.
            ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
            loop {
                let at = ticker.tick().await;
                if at >= plan.end {
                    break;
                }
                counter += 1;
                if !send(counter).await {
                    break;
                }
            }
        }
        None => {
            tokio::time::sleep_until(plan.start).await;
            while Instant::now() < plan.end {
                counter += 1;
                if !send(counter).await {
                    break;
                }
                let answer = tokio::time::timeout(Duration::from_secs(10), answered.notified());
                if answer.await.is_err() {
                    stats.ack_timeouts.fetch_add(1, Relaxed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_give_their_type_ids_and_codes() {
        let chat = r#"{"type":"chat_message","seq":3,"message":{"id":1,"content":"a \"b\"","mentions":[{"x":1}],"client_msg_id":"l4-2-123456","seq":3}}"#;
        let frame: Frame<'_> = serde_json::from_str(chat).unwrap();
        assert_eq!(frame.kind, "chat_message");
        let id = frame.message.and_then(|m| m.client_msg_id).unwrap();
        assert_eq!(sent_at(id), Some(123_456));

        let error = r#"{"type":"error","code":"rate_limited","message":"slow down"}"#;
        let frame: Frame<'_> = serde_json::from_str(error).unwrap();
        assert_eq!(frame.code.as_deref(), Some("rate_limited"));

        let ack = r#"{"type":"ack","client_msg_id":"l0-1-99","id":5,"seq":9}"#;
        let frame: Frame<'_> = serde_json::from_str(ack).unwrap();
        assert_eq!(frame.client_msg_id.and_then(sent_at), Some(99));
        assert_eq!(sent_at("someone-else"), None);
    }
}
