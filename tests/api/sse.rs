//! Server-Sent Events: a channel's activity with `id: <seq>` and resume by `Last-Event-ID`,
//! who may open which stream, and the admin dashboard's metrics.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_tests::sse::{Event, EventStream, WAIT};
use tandem_tests::{Session, TestApp, assert_error, on_every_backend, spawn_app_with};

on_every_backend!(
    channel_changes_arrive_as_events_named_by_type_with_their_seq_as_id,
    reconnecting_with_last_event_id_replays_exactly_what_was_missed_then_goes_live,
    streams_need_a_valid_token_and_the_right_to_read_the_channel,
    the_dashboard_streams_plausible_metrics_to_admins_only,
    closing_a_stream_ends_it_on_the_server_and_the_server_keeps_serving,
);

const QUIET: Duration = Duration::from_millis(600);

/// Ana (admin) and Bob (member) in the public `general`.
async fn room(app: &TestApp) -> (Session, Session, i64) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    (ana, bob, general)
}

fn activity(channel: i64) -> String {
    format!("/api/v1/sse/activity/{channel}")
}

/// The next event that is a chat message, skipping others (announcements are messages too,
/// but they come from joins the tests do not make while reading).
async fn next_chat(stream: &mut EventStream) -> Event {
    stream.expect("chat_message").await
}

async fn channel_changes_arrive_as_events_named_by_type_with_their_seq_as_id(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    // Carol is in the organization but not in the channel: public channels are readable.
    let carol = app.register("carol", "acme.io", None).await;
    let mut stream = app
        .sse(&activity(general), Some(&carol.access_token), None)
        .await;
    let ready = stream.next().await;
    assert_eq!(ready.event, "ready");
    let start = ready.seq();
    assert_eq!(ready.json()["seq"], start, "{ready:?}");
    assert_eq!(ready.json()["channel_id"], general);
    assert!(
        stream.retry.is_some(),
        "the stream tells clients when to reconnect"
    );
    let mut ws = app.socket(&ana.access_token, general, "").await;
    ws.expect("ready").await;

    let message = app.say(&bob.access_token, general, "over rest").await;
    let id = message["id"].as_i64().unwrap();
    let created = stream.next().await;
    assert_eq!(created.event, "chat_message", "{created:?}");
    assert_eq!(created.seq(), message["seq"].as_i64().unwrap());
    assert_eq!(created.seq(), start + 1, "no gap after ready");
    let data = created.json();
    assert_eq!(
        (data["type"].as_str(), data["seq"].as_i64()),
        (Some("chat_message"), Some(created.seq()))
    );
    assert_eq!(data["message"]["content"], "over rest");
    assert_eq!(
        data,
        ws.expect("chat_message").await,
        "the same JSON as the WebSocket frame"
    );

    app.send_ok(
        Method::PUT,
        &format!("/api/v1/messages/{id}"),
        &bob.access_token,
        &json!({ "content": "over rest, edited" }),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/messages/{id}/reactions"),
        &ana.access_token,
        &json!({ "emoji": "🎉" }),
    )
    .await;
    // Typing is not activity: it never reaches the stream.
    ws.send(json!({ "type": "typing", "state": "start" })).await;
    let edited = stream.next().await;
    let reacted = stream.next().await;
    assert_eq!(
        (edited.event.as_str(), edited.seq()),
        ("message_edited", start + 2)
    );
    assert_eq!(edited.json()["message"]["content"], "over rest, edited");
    assert_eq!(
        (reacted.event.as_str(), reacted.seq()),
        ("reaction_added", start + 3)
    );
    assert_eq!(reacted.json()["emoji"], "🎉");
    stream.expect_nothing(QUIET).await;
}

async fn reconnecting_with_last_event_id_replays_exactly_what_was_missed_then_goes_live(
    app: TestApp,
) {
    let (ana, bob, general) = room(&app).await;
    let token = bob.access_token.as_str();
    let mut first = app.sse(&activity(general), Some(token), None).await;
    first.expect("ready").await;
    app.say(&ana.access_token, general, "one").await;
    app.say(&ana.access_token, general, "two").await;
    next_chat(&mut first).await;
    let seen = next_chat(&mut first).await.seq();
    drop(first);

    let mut missed = Vec::new();
    for text in ["three", "four", "five"] {
        missed.push(
            app.say(&ana.access_token, general, text).await["seq"]
                .as_i64()
                .unwrap(),
        );
    }
    let seen_id = seen.to_string();
    let mut again = app
        .sse(&activity(general), Some(token), Some(&seen_id))
        .await;
    let ready = again.next().await;
    assert_eq!((ready.event.as_str(), ready.seq()), ("ready", seen));
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let event = again.next().await;
        assert_eq!(event.event, "chat_message", "{event:?}");
        replayed.push((event.seq(), event.json()["message"]["content"].clone()));
    }
    assert_eq!(
        replayed,
        vec![
            (missed[0], json!("three")),
            (missed[1], json!("four")),
            (missed[2], json!("five"))
        ],
        "exactly the missed events, in order"
    );
    let live = app.say(&ana.access_token, general, "six").await;
    let event = again.next().await;
    assert_eq!(
        (event.seq(), event.json()["message"]["content"].clone()),
        (live["seq"].as_i64().unwrap(), json!("six"))
    );
    again.expect_nothing(QUIET).await;

    // A new EventSource resumes with `after_seq`; `Last-Event-ID` wins when both are sent.
    let mut by_query = app
        .sse(
            &format!("{}?after_seq={}", activity(general), missed[1]),
            Some(token),
            None,
        )
        .await;
    by_query.expect("ready").await;
    assert_eq!(next_chat(&mut by_query).await.seq(), missed[2]);
    let latest = live["seq"].as_i64().unwrap().to_string();
    let mut both = app
        .sse(
            &format!("{}?after_seq=0", activity(general)),
            Some(token),
            Some(&latest),
        )
        .await;
    assert_eq!(both.next().await.event, "ready");
    both.expect_nothing(QUIET).await;

    for bad in ["abc", "-1"] {
        let response = app
            .sse_request(&activity(general), Some(token), Some(bad))
            .await;
        assert_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    // Though the header wins, a wrong `after_seq` beside it is refused all the same.
    let response = app
        .sse_request(
            &format!("{}?after_seq=-5", activity(general)),
            Some(token),
            Some("0"),
        )
        .await;
    let error = assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["field"], "after_seq", "{error}");
}

async fn streams_need_a_valid_token_and_the_right_to_read_the_channel(app: TestApp) {
    let (ana, bob, _) = room(&app).await;
    let secret = app.channel(&ana.access_token, "secret", "private").await;
    let path = activity(secret);

    let refused = app.sse_request(&path, Some(&bob.access_token), None).await;
    assert_error(refused, StatusCode::NOT_FOUND, "not_found").await;
    let nowhere = app
        .sse_request(&activity(999_999), Some(&ana.access_token), None)
        .await;
    assert_error(nowhere, StatusCode::NOT_FOUND, "not_found").await;

    for path in [path.as_str(), "/api/v1/sse/dashboard"] {
        let anonymous = app.sse_request(path, None, None).await;
        assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let forged = format!("{}x", ana.access_token);
        let response = app.sse_request(path, Some(&forged), None).await;
        assert_error(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
        let response = app
            .sse_request(&format!("{path}?token={forged}"), None, None)
            .await;
        assert_error(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }

    // EventSource cannot send headers: the token may come in the query.
    let mut stream = app
        .sse(&format!("{path}?token={}", ana.access_token), None, None)
        .await;
    assert_eq!(stream.next().await.event, "ready");
    app.say(&ana.access_token, secret, "members only").await;
    assert_eq!(
        next_chat(&mut stream).await.json()["message"]["content"],
        "members only"
    );
}

/// A dashboard reading, after checking every field is present with a plausible type.
fn reading(event: &Event) -> Value {
    assert_eq!(event.event, "metrics");
    let m = event.json();
    for field in [
        "active_users",
        "messages_per_minute",
        "active_channels",
        "open_connections",
        "open_event_streams",
    ] {
        assert!(m[field].is_u64(), "{field} in {m}");
    }
    assert!(m["at"].is_string(), "{m}");
    let server = &m["server"];
    for field in ["cpu_percent", "load_average"] {
        let value = &server[field];
        assert!(
            value.is_null() || value.as_f64().is_some_and(|v| v >= 0.0),
            "{field} in {m}"
        );
    }
    if cfg!(target_os = "linux") {
        assert!(
            server["memory_bytes"]
                .as_u64()
                .is_some_and(|b| b > 1_000_000),
            "{m}"
        );
        assert!(server["cores"].as_u64().is_some_and(|c| c > 0), "{m}");
    }
    let latency = &m["delivery_latency_ms"];
    if !latency.is_null() {
        let (p50, p95, p99) = (
            latency["p50"].as_f64().unwrap(),
            latency["p95"].as_f64().unwrap(),
            latency["p99"].as_f64().unwrap(),
        );
        assert!(0.0 <= p50 && p50 <= p95 && p95 <= p99, "{m}");
        assert!(p99 < 10_000.0, "a local delivery takes milliseconds: {m}");
        assert!(latency["samples"].as_u64().is_some_and(|n| n > 0), "{m}");
    }
    m
}

/// Readings until one satisfies `done`, within [`WAIT`].
async fn metrics_until(stream: &mut EventStream, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = Value::Null;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match stream.next_within(left).await {
            Some(event) if event.event == "metrics" => {
                last = reading(&event);
                if done(&last) {
                    return last;
                }
            }
            Some(_) => {}
            None => panic!("no matching metrics within {WAIT:?}; last: {last}"),
        }
    }
}

async fn the_dashboard_streams_plausible_metrics_to_admins_only(app: TestApp) {
    let app = spawn_app_with(
        app.backend,
        json!({ "realtime": { "dashboard_interval_ms": 200, "dashboard_heartbeat_secs": 1 } }),
    )
    .await;
    let (ana, bob, general) = room(&app).await;
    let member = app
        .sse_request("/api/v1/sse/dashboard", Some(&bob.access_token), None)
        .await;
    assert_error(member, StatusCode::FORBIDDEN, "forbidden").await;

    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    bob_ws.expect("ready").await;
    for text in ["one", "two", "three"] {
        app.say(&ana.access_token, general, text).await;
        bob_ws.expect("chat_message").await;
    }
    let mut dashboard = app
        .sse(
            &format!("/api/v1/sse/dashboard?token={}", ana.access_token),
            None,
            None,
        )
        .await;
    let first = reading(&dashboard.next().await);
    assert_eq!(first["organization_id"], ana.organization_id);
    let m = metrics_until(&mut dashboard, |m| {
        !m["delivery_latency_ms"].is_null() && m["active_users"] == 1
    })
    .await;
    assert_eq!(m["open_connections"], 1, "Bob's socket: {m}");
    assert_eq!(m["open_event_streams"], 1, "this stream: {m}");
    // The notifications socket counts too.
    let bob_notifications = app.notifications(&bob.access_token, bob.id).await;
    metrics_until(&mut dashboard, |m| m["open_connections"] == 2).await;
    bob_notifications.close().await;
    metrics_until(&mut dashboard, |m| m["open_connections"] == 1).await;
    assert_eq!(
        m["messages_per_minute"], 3,
        "the three posts, not the join announcement: {m}"
    );
    assert_eq!(m["active_channels"], 1, "{m}");
    assert!(
        m["delivery_latency_ms"]["samples"].as_u64().unwrap() >= 3,
        "{m}"
    );
    dashboard.expect("heartbeat").await;

    bob_ws.close().await;
    metrics_until(&mut dashboard, |m| {
        m["open_connections"] == 0 && m["active_users"] == 0
    })
    .await;
}

async fn closing_a_stream_ends_it_on_the_server_and_the_server_keeps_serving(app: TestApp) {
    let app = spawn_app_with(
        app.backend,
        json!({ "realtime": { "dashboard_interval_ms": 200, "event_stream_keep_alive_secs": 1 } }),
    )
    .await;
    let (ana, _, general) = room(&app).await;
    let dashboard_path = format!("/api/v1/sse/dashboard?token={}", ana.access_token);
    let mut watcher = app.sse(&dashboard_path, None, None).await;
    let mut other = app.sse(&dashboard_path, None, None).await;
    other.expect("metrics").await;
    let mut activity_stream = app
        .sse(&activity(general), Some(&ana.access_token), None)
        .await;
    activity_stream.expect("ready").await;
    metrics_until(&mut watcher, |m| m["open_event_streams"] == 3).await;

    drop(other);
    drop(activity_stream);
    metrics_until(&mut watcher, |m| m["open_event_streams"] == 1).await;

    let health = app.get("/healthz", None).await;
    assert_eq!(health.status(), StatusCode::OK);
    let mut again = app
        .sse(&activity(general), Some(&ana.access_token), None)
        .await;
    again.expect("ready").await;
    app.say(&ana.access_token, general, "still here").await;
    assert_eq!(
        next_chat(&mut again).await.json()["message"]["content"],
        "still here"
    );
    // An idle stream keeps talking: keep-alive comments, one a second here.
    again.expect_nothing(Duration::from_millis(1500)).await;
    assert!(
        again.comments.iter().any(|c| c == "keep-alive"),
        "{:?}",
        again.comments
    );
}
