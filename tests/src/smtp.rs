//! A mail server for tests: speaks enough SMTP for a real client (EHLO, MAIL, RCPT, DATA,
//! RSET, NOOP, QUIT) on a real TCP port, keeps every message it accepts, and can be told to
//! refuse recipients for good (550) or for now (451), or to stop listening.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How the server answers `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// `550 5.1.1`: a permanent refusal.
    Refuse,
    /// `451 4.3.0`: try again later, `n` more times, then accept.
    TryLater(u32),
}

/// A message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message (headers and body), dot-unstuffed, with CRLF line ends.
    pub data: String,
}

impl Received {
    /// The message parsed (headers, MIME parts, decoded bodies).
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(self.data.as_bytes()).expect("a well-formed message")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    /// The decoded body of the part with this content type (`text/plain`, `text/html`).
    pub fn part(&self, mime: &str) -> Option<String> {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
            if part.ctype.mimetype == mime {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        find(&self.parsed(), mime)
    }
}

#[derive(Debug)]
struct State {
    answer: Answer,
    received: Vec<Received>,
    /// `RCPT` commands answered, whatever the answer.
    attempts: u32,
}

pub struct SmtpSink {
    port: u16,
    state: Arc<Mutex<State>>,
    arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("bound").port();
        let state = Arc::new(Mutex::new(State {
            answer: Answer::Accept,
            received: Vec::new(),
            attempts: 0,
        }));
        let arrived = Arc::new(Notify::new());
        let task = tokio::spawn({
            let (state, arrived) = (state.clone(), arrived.clone());
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, state.clone(), arrived.clone()));
                }
            }
        });
        Self {
            port,
            state,
            arrived,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn answer(&self, answer: Answer) {
        self.state.lock().unwrap().answer = answer;
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// How many recipients were offered so far (accepted or not).
    pub fn attempts(&self) -> u32 {
        self.state.lock().unwrap().attempts
    }

    /// The messages to `address`, waiting until there are `count` of them; panics after
    /// `wait`.
    pub async fn wait_for(&self, address: &str, count: usize, wait: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.arrived.notified();
            let found: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|m| m.to.iter().any(|to| to == address))
                .collect();
            if found.len() >= count {
                return found;
            }
            assert!(
                tokio::time::timeout_at(deadline, notified).await.is_ok(),
                "{count} email(s) to {address} did not arrive within {wait:?}; got {}",
                found.len()
            );
        }
    }

    /// Stops listening: connections are refused from now on.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>, arrived: Arc<Notify>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let reply = |text: &str| format!("{text}\r\n");
    if write
        .write_all(reply("220 sink ESMTP").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") {
            "250-sink\r\n250 8BITMIME".to_owned()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK".to_owned()
        } else if upper.starts_with("RSET") {
            (from, to) = (String::new(), Vec::new());
            "250 OK".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line[10..]);
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            let mut state = state.lock().unwrap();
            state.attempts += 1;
            match state.answer {
                Answer::Accept => {
                    to.push(address(&line[8..]));
                    "250 OK".to_owned()
                }
                Answer::Refuse => "550 5.1.1 no such mailbox here".to_owned(),
                Answer::TryLater(n) => {
                    state.answer = if n <= 1 {
                        Answer::Accept
                    } else {
                        Answer::TryLater(n - 1)
                    };
                    "451 4.3.0 try again later".to_owned()
                }
            }
        } else if upper == "DATA" {
            if write
                .write_all(reply("354 end with <CRLF>.<CRLF>").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                let line = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(line);
                data.push_str("\r\n");
            }
            state.lock().unwrap().received.push(Received {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            arrived.notify_waiters();
            "250 OK queued".to_owned()
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(reply("221 bye").as_bytes()).await;
            return;
        } else {
            "502 not implemented".to_owned()
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}

/// `<ana@acme.io> SIZE=123` → `ana@acme.io`.
fn address(argument: &str) -> String {
    let argument = argument.trim();
    let end = argument.find('>').unwrap_or(argument.len());
    argument[..end].trim_start_matches('<').to_owned()
}
