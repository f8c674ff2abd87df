//! Outgoing webhooks, against a real HTTP receiver the tests start on loopback (allowed by the
//! operator's `integrations.allowed_hosts`): channel events delivered signed (the signature
//! checked here with an independent HMAC implementation), tried again after failures, logged,
//! and the hook turned off after too many failures in a row; addresses that may not be reached
//! refused before any connection is made.

use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_tests::receiver::Receiver;
use tandem_tests::{
    Backend, TestApp, assert_error, on_every_backend_by_value, spawn_app_with, status_and_json,
};

on_every_backend_by_value!(
    an_admin_subscribes_an_endpoint_that_gets_signed_events,
    failed_deliveries_are_tried_again_and_logged,
    too_many_failures_in_a_row_turn_the_hook_off_until_an_admin_turns_it_on,
    addresses_that_may_not_be_reached_are_refused_before_any_request,
    only_signed_in_admins_manage_outgoing_webhooks_and_bad_requests_are_refused,
);

/// A server whose operator allowed the receiver's loopback address.
async fn app_for(backend: Backend, receiver: &Receiver, integrations: Value) -> TestApp {
    let mut settings = json!({
        "allowed_hosts": [format!("127.0.0.1:{}", receiver.port)],
    });
    tandem_tests::merge(&mut settings, integrations);
    spawn_app_with(
        backend,
        json!({ "integrations": settings, "jobs": { "poll_interval_ms": 50 } }),
    )
    .await
}

async fn subscribe(app: &TestApp, token: &str, body: &Value) -> Value {
    let (status, answer) = status_and_json(
        app.post_json("/api/v1/outgoing-webhooks", Some(token), body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

/// The signature, computed independently of the server.
fn expected_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<sha256::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

async fn deliveries(app: &TestApp, token: &str, hook: i64) -> Vec<Value> {
    app.get_ok(
        &format!("/api/v1/outgoing-webhooks/{hook}/deliveries"),
        token,
    )
    .await["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

async fn an_admin_subscribes_an_endpoint_that_gets_signed_events(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver, json!({})).await;
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let secret_room = app.channel(&ana.access_token, "secret", "private").await;
    let created = subscribe(
        &app,
        &ana.access_token,
        &json!({
            "name": "CI",
            "url": receiver.url(),
            "events": ["message_created", "member_joined"],
        }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{created}");
    let hook = created["webhook"]["id"].as_i64().unwrap();
    assert_eq!(created["webhook"]["is_active"], true);

    // A private channel's messages, and events it did not subscribe to, make no delivery.
    app.say(&ana.access_token, secret_room, "not for the endpoint")
        .await;
    app.join(&bo.access_token, general).await;
    let hello = app.say(&ana.access_token, general, "hello").await;
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/messages/{}", hello["id"]),
        &ana.access_token,
        &json!({ "content": "hello, edited" }),
    )
    .await;

    let received = receiver.wait_for(2).await;
    for request in &received {
        let timestamp = request.header("x-tandem-timestamp");
        assert!(timestamp.parse::<i64>().is_ok(), "{request:?}");
        assert_eq!(
            request.header("x-tandem-signature"),
            expected_signature(secret, timestamp, &request.body),
            "{request:?}"
        );
        assert_eq!(request.header("content-type"), "application/json");
        assert!(!request.header("x-tandem-delivery").is_empty());
        let body = request.json();
        assert_eq!(body["hook_id"], hook);
        assert_eq!(body["channel_id"], general);
        assert_eq!(body["event"], request.header("x-tandem-event"));
    }
    let by_event = |event: &str| {
        received
            .iter()
            .find(|r| r.header("x-tandem-event") == event)
            .unwrap_or_else(|| panic!("no {event} in {received:?}"))
            .json()
    };
    let joined = by_event("member_joined");
    assert_eq!(joined["data"]["type"], "member_joined");
    assert_eq!(joined["data"]["user"]["id"], bo.id);
    let message = by_event("message_created");
    assert_eq!(message["data"]["type"], "chat_message");
    assert_eq!(message["data"]["message"]["content"], "hello");
    assert!(message["data"]["seq"].is_i64());

    // The log: two deliveries, each answered 200 at the first try, nothing for the rest.
    let log = deliveries(&app, &ana.access_token, hook).await;
    assert_eq!(log.len(), 2, "{log:?}");
    for delivery in &log {
        assert_eq!(delivery["status"], "succeeded", "{delivery}");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["response_code"], 200);
        assert!(delivery["latency_ms"].as_i64().unwrap() >= 0);
        assert_eq!(delivery["error"], Value::Null);
    }
    assert_eq!(receiver.received().len(), 2);
}

async fn failed_deliveries_are_tried_again_and_logged(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver, json!({ "max_delivery_attempts": 3 })).await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let hook = subscribe(
        &app,
        &ana.access_token,
        &json!({ "name": "flaky", "url": receiver.url(), "events": ["message_created"] }),
    )
    .await["webhook"]["id"]
        .as_i64()
        .unwrap();
    receiver.answer(&[500, 503]);
    app.say(&ana.access_token, general, "deploy done").await;

    // The first try fails; the next comes after the queue's backoff, which the test's clock
    // skips.
    receiver.wait_for(1).await;
    let log = deliveries(&app, &ana.access_token, hook).await;
    assert_eq!(log[0]["response_code"], 500, "{log:?}");
    for tries in 2..=3 {
        app.clock.advance(Duration::from_secs(10 * 60));
        receiver.wait_for(tries).await;
    }
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "every try sends the same body"
    );
    let mut delivery = Value::Null;
    for _ in 0..100 {
        delivery = deliveries(&app, &ana.access_token, hook).await[0].clone();
        if delivery["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["response_code"], 200);
    let listed = app
        .get_ok("/api/v1/outgoing-webhooks", &ana.access_token)
        .await;
    assert_eq!(listed["webhooks"][0]["consecutive_failures"], 0, "{listed}");
}

async fn too_many_failures_in_a_row_turn_the_hook_off_until_an_admin_turns_it_on(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(
        backend,
        &receiver,
        json!({ "max_delivery_attempts": 1, "disable_after_failures": 2 }),
    )
    .await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let hook = subscribe(
        &app,
        &ana.access_token,
        &json!({ "name": "broken", "url": receiver.url(), "events": ["message_created"] }),
    )
    .await["webhook"]["id"]
        .as_i64()
        .unwrap();
    receiver.answer(&[500, 500]);
    app.say(&ana.access_token, general, "one").await;
    receiver.wait_for(1).await;
    app.say(&ana.access_token, general, "two").await;
    receiver.wait_for(2).await;

    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = app
            .get_ok("/api/v1/outgoing-webhooks", &ana.access_token)
            .await["webhooks"][0]
            .clone();
        if listed["is_active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed["is_active"], false, "{listed}");
    assert!(
        listed["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("2 failed deliveries in a row"),
        "{listed}"
    );
    let log = deliveries(&app, &ana.access_token, hook).await;
    assert!(log.iter().all(|d| d["status"] == "failed"), "{log:?}");

    // Off (this node forgets its copy at once): new messages make no delivery.
    app.say(&ana.access_token, general, "three").await;
    assert_eq!(deliveries(&app, &ana.access_token, hook).await.len(), 2);

    // On again: failures start from 0, and deliveries go out.
    let on = app
        .send_ok(
            Method::PATCH,
            &format!("/api/v1/outgoing-webhooks/{hook}"),
            &ana.access_token,
            &json!({ "is_active": true }),
        )
        .await;
    assert_eq!(on["is_active"], true);
    assert_eq!(on["consecutive_failures"], 0);
    assert_eq!(on["disabled_reason"], Value::Null);
    app.say(&ana.access_token, general, "four").await;
    let received = receiver.wait_for(3).await;
    assert_eq!(received[2].json()["data"]["message"]["content"], "four");
}

async fn addresses_that_may_not_be_reached_are_refused_before_any_request(backend: Backend) {
    let receiver = Receiver::start().await;
    // Another endpoint on loopback, not allowed: it must never be asked anything.
    let unlisted = Receiver::start().await;
    let app = app_for(backend, &receiver, json!({})).await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for url in [
        unlisted.url(),
        format!("http://localhost:{}/events", unlisted.port),
        format!("http://localhost:{}/events", receiver.port),
        format!("http://[::1]:{}/events", receiver.port),
        format!("http://2130706433:{}/events", unlisted.port),
        format!("http://[::ffff:127.0.0.1]:{}/events", unlisted.port),
        format!("http://0.0.0.0:{}/events", unlisted.port),
    ] {
        let refused = assert_error(
            app.post_json(
                "/api/v1/outgoing-webhooks",
                Some(&ana.access_token),
                &json!({ "name": "sneaky", "url": url, "events": ["message_created"] }),
            )
            .await,
            StatusCode::FORBIDDEN,
            "address_not_allowed",
        )
        .await;
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("allowed_hosts"),
            "{url}: {refused}"
        );
    }
    assert!(unlisted.received().is_empty());
    assert!(receiver.received().is_empty());
    assert_eq!(
        app.get_ok("/api/v1/outgoing-webhooks", &ana.access_token)
            .await["webhooks"],
        json!([])
    );
}

async fn only_signed_in_admins_manage_outgoing_webhooks_and_bad_requests_are_refused(
    backend: Backend,
) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver, json!({})).await;
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (eve, _) = app.organization("evil.io", "Evil").await;
    let eves_channel = app.channel(&eve.access_token, "plans", "private").await;
    let good = json!({ "name": "CI", "url": receiver.url(), "events": ["message_created"] });

    assert_error(
        app.post_json("/api/v1/outgoing-webhooks", Some(&bo.access_token), &good)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let all = app
        .post_ok(
            "/api/v1/users/me/tokens",
            &ana.access_token,
            &json!({ "name": "all", "scopes": ["read", "write", "channels", "admin"] }),
        )
        .await;
    assert_error(
        app.post_json("/api/v1/outgoing-webhooks", all["token"].as_str(), &good)
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;

    for (body, field, code) in [
        (
            json!({ "name": "x", "url": "ftp://example.com", "events": ["message_created"] }),
            "url",
            "invalid_url",
        ),
        (
            json!({ "name": "x", "url": "https://user:pw@example.com/", "events": ["message_created"] }),
            "url",
            "invalid_url",
        ),
        (
            json!({ "name": "x", "url": receiver.url(), "events": [] }),
            "events",
            "required",
        ),
        (
            json!({ "name": "", "url": receiver.url(), "events": ["message_created"] }),
            "name",
            "invalid_hook_name",
        ),
        (
            json!({ "name": "x", "url": receiver.url(), "events": ["message_created"], "trigger_words": ["two words"] }),
            "trigger_words",
            "invalid_trigger_word",
        ),
    ] {
        let refused = assert_error(
            app.post_json("/api/v1/outgoing-webhooks", Some(&ana.access_token), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["details"][0]["field"], field, "{body}: {refused}");
        assert_eq!(refused["details"][0]["code"], code, "{body}: {refused}");
    }
    for wrong in [
        json!({ "name": "x", "url": receiver.url(), "events": ["everything"] }),
        json!({ "name": "x", "url": receiver.url(), "events": "message_created" }),
        json!({ "name": "x", "url": receiver.url(), "events": ["message_created"], "extra": 1 }),
    ] {
        assert_error(
            app.post_json("/api/v1/outgoing-webhooks", Some(&ana.access_token), &wrong)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }

    // Another organization's channel is not there for Ana.
    assert_error(
        app.post_json(
            "/api/v1/outgoing-webhooks",
            Some(&ana.access_token),
            &json!({ "name": "x", "url": receiver.url(), "events": ["message_created"], "channel_ids": [eves_channel] }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Another organization's webhook is not there for Eve.
    let hook = subscribe(&app, &ana.access_token, &good).await["webhook"]["id"]
        .as_i64()
        .unwrap();
    for (method, path) in [
        (Method::DELETE, format!("/api/v1/outgoing-webhooks/{hook}")),
        (
            Method::GET,
            format!("/api/v1/outgoing-webhooks/{hook}/deliveries"),
        ),
    ] {
        let response = app
            .request(method, &path, Some(&eve.access_token))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_error(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/outgoing-webhooks/{hook}"),
            Some(&eve.access_token),
            &json!({ "is_active": false }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Ana deletes it: gone, with its log.
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/outgoing-webhooks/{hook}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(
            &format!("/api/v1/outgoing-webhooks/{hook}/deliveries"),
            Some(&ana.access_token),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
