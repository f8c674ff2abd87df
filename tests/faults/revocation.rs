//! Scenario 5: a revoked access token across a Redis restart.

use crate::client::connect;
use crate::cluster::{Cluster, Options};
use crate::rest::{self, World};
use crate::storm::ms;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// A node that cannot reach a dependency answers 503 (or closes a socket with 4503): such
/// answers are retried this long before the check counts them, so a moment of unavailability
/// right after the restart is not mistaken for a verdict on the token.
const SETTLE_GUARD: Duration = Duration::from_secs(10);
const CLOSE_UNAUTHENTICATED: u16 = 4401;
const CLOSE_UNAVAILABLE: u16 = 4503;

/// Logging out is for good: an access token revoked by `POST /api/v1/auth/logout` (alone, or
/// with its refresh token's session) is refused with 401 by both nodes, over REST and on the
/// WebSocket (closed with 4401 before `ready`), and stays refused after Redis restarts and
/// loses everything it held (the nodes' copies of the database's revocations answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_stays_revoked_across_a_redis_restart() {
    let mut cluster = Cluster::start(Options::default()).await;
    let urls = cluster.urls();
    let world = World::create(&urls, 1).await;
    let user = &world.users[0];
    let alone = rest::login(&urls[0], &user.email).await;
    let with_session = rest::login(&urls[1], &user.email).await;
    assert_eq!(
        rest::logout(&urls[0], &alone.access_token, None).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        rest::logout(
            &urls[1],
            &with_session.access_token,
            Some(&with_session.refresh_token)
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let revoked = [
        ("logged out alone", alone.access_token.as_str()),
        (
            "logged out with its session",
            with_session.access_token.as_str(),
        ),
    ];
    let mut failures = Vec::new();
    for (label, token) in revoked {
        refused_everywhere(
            &urls,
            world.channel,
            label,
            token,
            "before the restart",
            &mut failures,
        )
        .await;
    }

    // At once: a node that has not yet copied the other's revocation from the database learns
    // that Redis restarted empty (its marker is gone) and reads the database then.
    cluster.redis.stop();
    let restart_begun = Instant::now();
    cluster.redis.restart().await;
    let ready_at = cluster.wait_ready(Duration::from_secs(30)).await;

    // The nodes work: a fresh token is accepted everywhere, so a refusal below is about the
    // revoked tokens, nothing else.
    let fresh = rest::login(&urls[0], &user.email).await;
    for (node, base) in urls.iter().enumerate() {
        let (status, body) = settled_me(base, &fresh.access_token).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "node {node}: a fresh token after the Redis restart: {body}"
        );
        match settled_connect(base, &fresh.access_token, world.channel).await {
            Ok(()) => {}
            Err(failure) => {
                panic!("node {node}: a fresh token's WebSocket after the Redis restart: {failure}")
            }
        }
    }
    for (label, token) in revoked {
        refused_everywhere(
            &urls,
            world.channel,
            label,
            token,
            "after Redis restarted empty",
            &mut failures,
        )
        .await;
    }
    eprintln!(
        "recovery: revocation: nodes ready {} ms after the Redis restart",
        ms(ready_at - restart_begun)
    );
    assert!(
        failures.is_empty(),
        "revocation across a Redis restart: {} failure(s):\n- {}",
        failures.len(),
        failures.join("\n- ")
    );
}

/// Checks that `token` is refused by every node, over REST (401) and WebSocket (4401).
async fn refused_everywhere(
    urls: &[String],
    channel: i64,
    label: &str,
    token: &str,
    when: &str,
    failures: &mut Vec<String>,
) {
    for (node, base) in urls.iter().enumerate() {
        let (status, body) = settled_me(base, token).await;
        if status != StatusCode::UNAUTHORIZED {
            failures.push(format!(
                "{when}: the token {label} got {status} from GET /api/v1/auth/me on node {node}, not 401: {body}"
            ));
        }
        match settled_connect(base, token, channel).await {
            Ok(()) => failures.push(format!(
                "{when}: the token {label} opened a WebSocket on node {node} (ready), not a {CLOSE_UNAUTHENTICATED} close"
            )),
            Err(failure) if failure.close_code == Some(CLOSE_UNAUTHENTICATED) => {}
            Err(failure) => failures.push(format!(
                "{when}: the token {label}'s WebSocket on node {node}: {failure}, not a {CLOSE_UNAUTHENTICATED} close"
            )),
        }
    }
}

/// `GET /api/v1/auth/me`, retried while the node answers 503.
async fn settled_me(base: &str, token: &str) -> (StatusCode, serde_json::Value) {
    let deadline = Instant::now() + SETTLE_GUARD;
    loop {
        let (status, body) = rest::me(base, token).await;
        if status != StatusCode::SERVICE_UNAVAILABLE || Instant::now() >= deadline {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the channel's socket (and closes it again), retried while the node closes it with
/// 4503.
async fn settled_connect(
    base: &str,
    token: &str,
    channel: i64,
) -> Result<(), crate::client::ConnectFailure> {
    let deadline = Instant::now() + SETTLE_GUARD;
    loop {
        match connect(base, token, channel, None).await {
            Ok(mut ws) => {
                let _ = ws.close(None).await;
                return Ok(());
            }
            Err(failure)
                if failure.close_code == Some(CLOSE_UNAVAILABLE) && Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(failure) => return Err(failure),
        }
    }
}
