//! The people and channels of a run, made over the REST API: one organization (a fresh email
//! domain per run), its users, its channels, and each user a member of one channel.

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// One registered user: who they are and the channel their connections open.
#[derive(Debug, Clone)]
pub struct Member {
    pub token: String,
    pub channel_id: i64,
}

/// What the setup made.
#[derive(Debug)]
pub struct World {
    pub members: Vec<Member>,
    pub channel_ids: Vec<i64>,
    pub register_secs: f64,
    pub join_secs: f64,
}

#[derive(Deserialize)]
struct AuthAnswer {
    access_token: String,
}

#[derive(Deserialize)]
struct ChannelAnswer {
    id: i64,
}

/// A short tag, unique per run, for email domains, usernames and channel names.
pub fn run_tag() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut n = millis % 36u128.pow(8);
    let mut tag = Vec::new();
    for _ in 0..8 {
        let digit = (n % 36) as u32;
        tag.push(char::from_digit(digit, 36).unwrap_or('0'));
        n /= 36;
    }
    tag.into_iter().rev().collect()
}

pub struct Setup<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub tag: &'a str,
    pub users: usize,
    pub channels: usize,
    pub concurrency: usize,
    pub quiet: bool,
}

impl Setup<'_> {
    /// Registers `users` people (the first founds the organization and creates the channels);
    /// user `u` joins channel `u % channels`.
    pub async fn run(&self) -> anyhow::Result<World> {
        let started = Instant::now();
        let admin = self
            .register(0, true)
            .await
            .context("registering the founder")?;
        let mut members = vec![admin];
        let rest: Vec<Member> = stream::iter(1..self.users)
            .map(|i| async move {
                let member = self.register(i, false).await;
                if !self.quiet && i % 1000 == 0 {
                    eprintln!("  registered {i} users");
                }
                member
            })
            .buffered(self.concurrency.max(1))
            .try_collect()
            .await?;
        members.extend(rest);
        let register_secs = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut channel_ids = Vec::with_capacity(self.channels);
        for c in 0..self.channels {
            channel_ids.push(self.create_channel(&members[0].token, c).await?);
        }
        for (u, member) in members.iter_mut().enumerate() {
            member.channel_id = channel_ids[u % channel_ids.len()];
        }
        // The founder created every channel and is already a member of them.
        stream::iter(members.iter().skip(1))
            .map(|m| self.join(&m.token, m.channel_id))
            .buffer_unordered(self.concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
        Ok(World {
            members,
            channel_ids,
            register_secs,
            join_secs: started.elapsed().as_secs_f64(),
        })
    }

    async fn register(&self, i: usize, founder: bool) -> anyhow::Result<Member> {
        let tag = self.tag;
        let mut body = json!({
            "email": format!("u{i}@l{tag}.load.test"),
            "username": format!("l{tag}u{i}"),
            "password": format!("Load-{tag}-pass-{i}-Zq9"),
        });
        if founder {
            body["organization_name"] = json!(format!("Load {tag}"));
        }
        let answer: AuthAnswer = self
            .post(&format!("{}/api/v1/auth/register", self.base), None, &body)
            .await
            .with_context(|| format!("registering user {i}"))?;
        Ok(Member {
            token: answer.access_token,
            channel_id: 0,
        })
    }

    async fn create_channel(&self, token: &str, c: usize) -> anyhow::Result<i64> {
        let body = json!({"name": format!("load-{}-{c}", self.tag), "type": "public"});
        let answer: ChannelAnswer = self
            .post(
                &format!("{}/api/v1/channels", self.base),
                Some(token),
                &body,
            )
            .await
            .with_context(|| format!("creating channel {c}"))?;
        Ok(answer.id)
    }

    async fn join(&self, token: &str, channel_id: i64) -> anyhow::Result<()> {
        let url = format!("{}/api/v1/channels/{channel_id}/join", self.base);
        self.post::<serde_json::Value>(&url, Some(token), &json!({}))
            .await
            .with_context(|| format!("joining channel {channel_id}"))?;
        Ok(())
    }

    /// POSTs JSON; retries a few times on 429/503 and connection errors (a busy server).
    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> anyhow::Result<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.http.post(url).json(body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let outcome = request.send().await;
            let retry = match outcome {
                Ok(response) if response.status().is_success() => {
                    let bytes = response.bytes().await?;
                    if bytes.is_empty() {
                        return Ok(serde_json::from_value(serde_json::Value::Null)?);
                    }
                    return Ok(serde_json::from_slice(&bytes)?);
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    if status.as_u16() != 429 && status.as_u16() != 503 || attempt >= 5 {
                        bail!("{status}: {text}");
                    }
                    format!("{status}")
                }
                Err(error) if attempt < 5 => error.to_string(),
                Err(error) => return Err(error.into()),
            };
            if !self.quiet {
                eprintln!("  retrying {url} ({retry})");
            }
            tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
        }
    }
}
