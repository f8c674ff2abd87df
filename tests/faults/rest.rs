//! The few REST calls the scenarios make against a node: registering and logging in, setting
//! up the storm's channel, logging out, and reading the channel's log back.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use tandem_tests::{PASSWORD, status_and_json};

pub use tandem_tests::Session;

/// An HTTP client with a per-request timeout, so a hung node fails a test instead of hanging it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("an HTTP client")
}

/// `POST /api/v1/auth/register` of `username@faults.test`; the first founds the organization.
pub async fn register(base: &str, username: &str, founder: bool) -> Session {
    let mut body = json!({
        "email": format!("{username}@faults.test"),
        "username": username,
        "password": PASSWORD,
    });
    if founder {
        body["organization_name"] = json!("Faults");
    }
    let response = http()
        .post(format!("{base}/api/v1/auth/register"))
        .json(&body)
        .send()
        .await
        .expect("register sent");
    let (status, body) = status_and_json(response).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "registering {username}: {body}"
    );
    Session::from_body(&body)
}

/// `POST /api/v1/auth/login`: a new session of the same user.
pub async fn login(base: &str, email: &str) -> Session {
    let response = http()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login sent");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "login {email}: {body}");
    Session::from_body(&body)
}

/// `POST /api/v1/auth/logout` with `token`, and the refresh token in the body when given.
pub async fn logout(base: &str, token: &str, refresh_token: Option<&str>) -> StatusCode {
    let request = http()
        .post(format!("{base}/api/v1/auth/logout"))
        .bearer_auth(token);
    let request = match refresh_token {
        Some(refresh) => request.json(&json!({ "refresh_token": refresh })),
        None => request,
    };
    request.send().await.expect("logout sent").status()
}

/// `GET /api/v1/auth/me` with `token`: the status and the body.
pub async fn me(base: &str, token: &str) -> (StatusCode, Value) {
    let response = http()
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me sent");
    status_and_json(response).await
}

async fn post_ok(base: &str, path: &str, token: &str, body: &Value) -> Value {
    let response = http()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request sent");
    let (status, answer) = status_and_json(response).await;
    assert!(status.is_success(), "POST {path} {body}: {status} {answer}");
    answer
}

/// The storm's world: one organization, a user per client (the first is the admin), and a
/// public channel they all joined.
#[derive(Debug, Clone)]
pub struct World {
    pub users: Vec<Session>,
    pub channel: i64,
}

impl World {
    /// Registers `clients` users (alternating nodes, so both serve from the start) and
    /// creates the channel.
    pub async fn create(urls: &[String], clients: usize) -> Self {
        let mut users = Vec::new();
        for i in 0..clients {
            let base = &urls[i % urls.len()];
            users.push(register(base, &format!("user{i}"), i == 0).await);
        }
        let admin = &users[0];
        let channel = post_ok(
            &urls[0],
            "/api/v1/channels",
            &admin.access_token,
            &json!({ "name": "storm", "type": "public" }),
        )
        .await["id"]
            .as_i64()
            .expect("channel id");
        for (i, user) in users.iter().enumerate().skip(1) {
            post_ok(
                &urls[i % urls.len()],
                &format!("/api/v1/channels/{channel}/join"),
                &user.access_token,
                &json!({}),
            )
            .await;
        }
        Self { users, channel }
    }
}

/// A message as stored, from the channel's log.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: i64,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    /// `text`, or `system` for the channel's own notices (someone joined, ...).
    pub message_type: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The channel's whole change log, read through `GET /api/v1/channels/{id}/events`.
#[derive(Debug, Clone)]
pub struct ChannelLog {
    /// Every event's `seq`, in the order the log gave them.
    pub seqs: Vec<i64>,
    /// The channel's latest `seq`, as the last page said.
    pub last_seq: i64,
    /// The message of every `message_created` event, in log order.
    pub created: Vec<StoredMessage>,
}

impl ChannelLog {
    /// Reads the log from the start, page by page, from the first node of `urls` that answers.
    pub async fn read(urls: &[String], token: &str, channel: i64) -> Self {
        let mut last_error = String::new();
        for base in urls {
            match Self::read_from(base, token, channel).await {
                Ok(log) => return log,
                Err(error) => last_error = format!("{base}: {error}"),
            }
        }
        panic!("no node answered the channel's events: {last_error}");
    }

    async fn read_from(base: &str, token: &str, channel: i64) -> Result<Self, String> {
        let client = http();
        let mut log = Self {
            seqs: Vec::new(),
            last_seq: 0,
            created: Vec::new(),
        };
        let mut after = 0;
        loop {
            let response = client
                .get(format!(
                    "{base}/api/v1/channels/{channel}/events?after_seq={after}&limit=500"
                ))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body: Value = response.json().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!("{status} {body}"));
            }
            let messages: BTreeMap<i64, &Value> = body["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|m| (m["id"].as_i64().expect("message id"), m))
                .collect();
            let events = body["events"].as_array().expect("events");
            for event in events {
                let seq = event["seq"].as_i64().expect("event seq");
                log.seqs.push(seq);
                if event["type"] == "message_created" {
                    let id = event["message_id"].as_i64().expect("message_id");
                    let message = messages.get(&id).unwrap_or_else(|| {
                        panic!("event {seq} names message {id}, not in the page")
                    });
                    log.created.push(StoredMessage {
                        id,
                        seq: message["seq"].as_i64().expect("message seq"),
                        client_msg_id: message["client_msg_id"].as_str().map(str::to_owned),
                        message_type: message["message_type"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        created_at: serde_json::from_value(message["created_at"].clone())
                            .expect("created_at"),
                    });
                }
            }
            log.last_seq = body["last_seq"].as_i64().expect("last_seq");
            match events.last() {
                Some(last) if last["seq"].as_i64() < Some(log.last_seq) => {
                    after = last["seq"].as_i64().expect("seq");
                }
                _ => return Ok(log),
            }
        }
    }
}
