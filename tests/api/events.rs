//! The channel change log: ordered by sequence number, complete, and enough to catch up.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend};

on_every_backend!(
    catching_up_returns_exactly_the_missed_events_in_order,
    concurrent_posts_get_distinct_consecutive_sequence_numbers,
);

async fn catching_up_returns_exactly_the_missed_events_in_order(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    let kept = app.say(&ana.access_token, general, "before you left").await;
    // Bob goes away having seen everything up to here.
    let seen = app
        .get_ok(&format!("/api/v1/channels/{general}"), &bob.access_token)
        .await["last_seq"]
        .as_i64()
        .unwrap();

    let edited = app.say(&ana.access_token, general, "tpyo").await;
    let edited_id = edited["id"].as_i64().unwrap();
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/messages/{edited_id}"),
        &ana.access_token,
        &json!({ "content": "typo" }),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/messages/{}/reactions", kept["id"]),
        &ana.access_token,
        &json!({ "emoji": "👀" }),
    )
    .await;
    app.post_ok(
        &format!("/api/v1/messages/{}/pin", kept["id"]),
        &ana.access_token,
        &json!({}),
    )
    .await;
    let doomed = app.say(&ana.access_token, general, "delete me").await;
    app.send_ok(
        Method::DELETE,
        &format!("/api/v1/messages/{}", doomed["id"]),
        &ana.access_token,
        &json!({}),
    )
    .await;
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/channels/{general}"),
        &ana.access_token,
        &json!({ "description": "the main room" }),
    )
    .await;

    let page = app
        .get_ok(
            &format!("/api/v1/channels/{general}/events?after_seq={seen}"),
            &bob.access_token,
        )
        .await;
    let events = page["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "message_created",
            "message_edited",
            "reaction_added",
            "message_pinned",
            "message_created",
            "message_deleted",
            "channel_updated"
        ],
        "{page}"
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        ((seen + 1)..=(seen + 7)).collect::<Vec<_>>(),
        "consecutive, starting right after what was seen"
    );
    assert_eq!(page["last_seq"], seen + 7);
    assert_eq!(events[2]["emoji"], "👀");
    let messages = page["messages"].as_array().unwrap();
    let current = |id: &Value| {
        messages
            .iter()
            .find(|m| &m["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        current(&json!(edited_id))["content"],
        "typo",
        "the current state of an edited message"
    );
    assert_eq!(current(&doomed["id"])["is_deleted"], true);
    assert_eq!(current(&kept["id"])["reactions"][0]["emoji"], "👀");

    // Paging through the log with a small limit gives the same events.
    let mut after = seen;
    let mut paged = Vec::new();
    loop {
        let page = app
            .get_ok(
                &format!("/api/v1/channels/{general}/events?after_seq={after}&limit=3"),
                &bob.access_token,
            )
            .await;
        let batch = page["events"].as_array().unwrap().clone();
        let Some(last) = batch.last() else { break };
        after = last["seq"].as_i64().unwrap();
        paged.extend(batch.iter().map(|e| e["seq"].as_i64().unwrap()));
    }
    assert_eq!(paged, seqs);
    // Up to date: nothing more.
    let empty = app
        .get_ok(
            &format!("/api/v1/channels/{general}/events?after_seq={}", seen + 7),
            &bob.access_token,
        )
        .await;
    assert!(empty["events"].as_array().unwrap().is_empty());
    for bad in ["after_seq=-1", "after_seq=abc", ""] {
        let response = app
            .get(
                &format!("/api/v1/channels/{general}/events?{bad}"),
                Some(&bob.access_token),
            )
            .await;
        assert!(
            response.status() == StatusCode::BAD_REQUEST
                || response.status() == StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            response.status()
        );
    }
    assert_error(
        app.get(
            &format!("/api/v1/channels/{general}/events?after_seq=0"),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn concurrent_posts_get_distinct_consecutive_sequence_numbers(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    let start = app
        .get_ok(&format!("/api/v1/channels/{general}"), &ana.access_token)
        .await["last_seq"]
        .as_i64()
        .unwrap();
    let sends = (0..20).map(|i| {
        let token = if i % 2 == 0 {
            ana.access_token.clone()
        } else {
            bob.access_token.clone()
        };
        let app = &app;
        async move {
            app.say(&token, general, &format!("burst {i}")).await["seq"]
                .as_i64()
                .unwrap()
        }
    });
    let mut seqs = futures_util::future::join_all(sends).await;
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        ((start + 1)..=(start + 20)).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
    let page = app
        .get_ok(
            &format!("/api/v1/channels/{general}/events?after_seq={start}"),
            &ana.access_token,
        )
        .await;
    assert_eq!(page["events"].as_array().unwrap().len(), 20);
}
