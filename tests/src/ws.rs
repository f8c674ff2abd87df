//! A WebSocket client for tests: connect to a channel, send frames, and wait for frames — always
//! with a timeout, so a broken server fails a test instead of hanging it.

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(5);

pub struct Socket {
    inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl crate::TestApp {
    /// Opens `/api/v1/ws/chat/{channel}` with a bearer header and optional query (`after_seq=3`).
    pub async fn socket(&self, token: &str, channel: i64, query: &str) -> Socket {
        let request = self.ws_request(&format!("/api/v1/ws/chat/{channel}?{query}"), token);
        let (inner, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the WebSocket connects");
        Socket { inner }
    }

    /// Opens the personal notifications socket of `user_id` and waits for it to be ready.
    pub async fn notifications(&self, token: &str, user_id: i64) -> Socket {
        let request = self.ws_request(&format!("/api/v1/ws/notifications/{user_id}"), token);
        let (inner, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the WebSocket connects");
        let mut socket = Socket { inner };
        socket.expect("notifications_ready").await;
        socket
    }

    /// Like [`Self::socket`], over a TCP connection with a small receive buffer: for a client
    /// that stops reading, so the server's buffers fill after kilobytes rather than megabytes.
    pub async fn socket_with_small_buffer(&self, token: &str, channel: i64) -> Socket {
        let request = self.ws_request(&format!("/api/v1/ws/chat/{channel}"), token);
        let address: std::net::SocketAddr = self
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("the app listens on an IP address");
        let tcp = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
        tcp.set_recv_buffer_size(4096)
            .expect("a receive buffer size");
        let stream = tcp
            .connect(address)
            .await
            .expect("the TCP connection opens");
        let (inner, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .expect("the WebSocket connects");
        Socket { inner }
    }

    /// A WebSocket handshake request for `path_and_query` with a bearer header.
    fn ws_request(
        &self,
        path_and_query: &str,
        token: &str,
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        let url = format!("{}{path_and_query}", self.address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("a valid request");
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header"),
        );
        request
    }

    /// Opens a socket with a raw URL path and query, no header (browser style).
    pub async fn socket_url(&self, path_and_query: &str) -> Socket {
        let url = format!("{}{path_and_query}", self.address.replacen("http", "ws", 1));
        let (inner, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the WebSocket connects");
        Socket { inner }
    }
}

impl Socket {
    pub async fn send(&mut self, frame: Value) {
        self.inner
            .send(Message::text(frame.to_string()))
            .await
            .expect("frame sent");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.inner
            .send(Message::text(text.to_owned()))
            .await
            .expect("frame sent");
    }

    /// The next JSON frame, or `None` when the socket closes or `wait` passes.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.inner.next())
                .await
                .ok()??;
            match next {
                Ok(Message::Text(text)) => {
                    let frame: Value = serde_json::from_str(&text).expect("frames are JSON");
                    crate::conformance::check("ServerFrame", &frame);
                    return Some(frame);
                }
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(_) | Err(_) => return None,
            }
        }
    }

    /// The next frame of `kind`, skipping others; panics after `WAIT`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if frame["type"] == kind => return frame,
                Some(_) => {}
                None => panic!("no {kind} frame within {WAIT:?}"),
            }
        }
    }

    /// Asserts no frame of `kind` arrives within `wait`.
    pub async fn expect_none(&mut self, kind: &str, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if frame["type"] == kind => panic!("unexpected {kind}: {frame}"),
                Some(_) => {}
                None => return,
            }
        }
    }

    /// The `seq` of the next frame about a stored change, skipping unsequenced ones (typing,
    /// presence); panics after `WAIT`.
    pub async fn next_sequenced(&mut self) -> i64 {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if frame["type"] != "ready" && frame["seq"].is_i64() => {
                    return frame["seq"].as_i64().unwrap();
                }
                Some(_) => {}
                None => panic!("no frame with a seq within {WAIT:?}"),
            }
        }
    }

    /// Asserts no frame about a stored change arrives within `wait`.
    pub async fn expect_no_sequenced(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if frame["type"] != "ready" && frame["seq"].is_i64() => {
                    panic!("unexpected {frame}")
                }
                Some(_) => {}
                None => return,
            }
        }
    }

    /// Waits for the server to close the socket; returns its close code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.inner.next())
                .await
                .expect("the server closes the socket in time");
            match next {
                Some(Ok(Message::Close(Some(CloseFrame { code, reason })))) => {
                    return (code.into(), reason.to_string());
                }
                Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
                Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                )) => return (1006, String::new()),
                Some(Err(error)) => return (1006, error.to_string()),
                Some(Ok(_)) => {}
            }
        }
    }

    /// Sends a WebSocket ping (a control frame, as keepalive clients do) and waits for the pong
    /// that echoes `payload`, skipping other frames; `false` when none comes within `WAIT`.
    pub async fn ping(&mut self, payload: &[u8]) -> bool {
        self.inner
            .send(Message::Ping(payload.to_vec().into()))
            .await
            .expect("the ping is sent");
        let deadline = tokio::time::Instant::now() + WAIT;
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, self.inner.next()).await
        {
            if let Message::Pong(echo) = message
                && echo.as_ref() == payload
            {
                return true;
            }
        }
        false
    }

    pub async fn close(mut self) {
        let _ = self.inner.close(None).await;
    }
}
