//! The WebSocket gateway: delivery to members and nobody else, acks after storage, resume
//! without gaps or duplicates, typing, presence in the channel, bad frames and refusals.

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use tandem_tests::{Session, TestApp, assert_error, on_every_backend};

on_every_backend!(
    a_message_sent_on_the_socket_is_acked_after_storage_and_reaches_every_member,
    changes_made_over_rest_are_broadcast_with_their_seq,
    a_client_that_reconnects_gets_what_it_missed_in_order_then_live,
    typing_starts_stops_and_expires,
    opening_and_closing_a_socket_is_announced_to_the_channel,
    bad_frames_get_errors_and_the_socket_keeps_working,
    refused_connections_close_with_a_clear_code,
    the_notifications_socket_tells_its_owner_about_mentions_direct_messages_invites_and_unread,
    presence_changes_reach_the_organization,
    a_silent_connection_is_closed_after_the_client_timeout,
    the_ready_frame_names_who_is_here,
    a_consumer_that_stops_reading_is_cut_off_without_holding_up_the_others,
    a_flood_of_messages_gets_rate_limited_error_frames,
    a_socket_of_someone_removed_from_a_private_channel_is_closed_after_their_removal,
    pings_from_the_client_are_answered_with_pongs_on_both_sockets,
    open_sockets_close_when_their_session_ends_on_logout_or_a_password_change,
    ending_a_session_from_the_sessions_list_closes_its_sockets_on_every_node,
    a_stopping_node_tells_and_closes_every_connection_at_once,
    a_channels_socket_acts_on_that_channels_messages_only,
    one_person_holds_a_bounded_number_of_connections,
    resumes_that_read_history_are_limited_per_person,
);

const QUIET: Duration = Duration::from_millis(600);

async fn room(app: &TestApp) -> (Session, Session, i64) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    (ana, bob, general)
}

async fn a_message_sent_on_the_socket_is_acked_after_storage_and_reaches_every_member(
    app: TestApp,
) {
    let (ana, bob, general) = room(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    let elsewhere = app
        .channel(&carol.access_token, "elsewhere", "public")
        .await;
    let mut ana_ws = app.socket(&ana.access_token, general, "").await;
    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    let mut carol_ws = app.socket(&carol.access_token, elsewhere, "").await;
    let ready = ana_ws.expect("ready").await;
    assert_eq!(
        (ready["channel_id"].as_i64(), ready["user_id"].as_i64()),
        (Some(general), Some(ana.id))
    );
    bob_ws.expect("ready").await;

    ana_ws.send(json!({ "type": "chat_message", "content": "hello over the socket", "client_msg_id": "ws-1", "ref": "r1" })).await;
    // The sender's own copy of the broadcast and the ack come in either order.
    let (mut ack, mut own_copy) = (None, None);
    while ack.is_none() || own_copy.is_none() {
        let frame = ana_ws
            .next_within(tandem_tests::ws::WAIT)
            .await
            .expect("ack and copy");
        match frame["type"].as_str() {
            Some("ack") => ack = Some(frame),
            Some("chat_message") => own_copy = Some(frame),
            _ => {}
        }
    }
    let (ack, own_copy) = (ack.unwrap(), own_copy.unwrap());
    assert_eq!(
        (ack["client_msg_id"].as_str(), ack["ref"].as_str()),
        (Some("ws-1"), Some("r1"))
    );
    let (id, seq) = (ack["id"].as_i64().unwrap(), ack["seq"].as_i64().unwrap());
    // Acknowledged means stored: the REST history has it.
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &bob.access_token,
        )
        .await;
    assert_eq!(history["messages"][0]["id"], id);

    let delivered = bob_ws.expect("chat_message").await;
    assert_eq!(
        (
            delivered["seq"].as_i64(),
            delivered["message"]["id"].as_i64()
        ),
        (Some(seq), Some(id))
    );
    assert_eq!(delivered["message"]["content"], "hello over the socket");
    assert_eq!(own_copy["seq"], seq, "the sender gets the broadcast too");
    carol_ws.expect_none("chat_message", QUIET).await;

    // A retried frame with the same key is acked with the same message, and not broadcast again.
    ana_ws.send(json!({ "type": "chat_message", "content": "hello over the socket", "client_msg_id": "ws-1" })).await;
    let again = ana_ws.expect("ack").await;
    assert_eq!(
        (again["id"].as_i64(), again["seq"].as_i64()),
        (Some(id), Some(seq))
    );
    bob_ws.expect_none("chat_message", QUIET).await;
}

async fn changes_made_over_rest_are_broadcast_with_their_seq(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let mut ws = app.socket(&ana.access_token, general, "").await;
    let start = ws.expect("ready").await["seq"].as_i64().unwrap();
    let message = app.say(&bob.access_token, general, "over rest").await;
    let id = message["id"].as_i64().unwrap();
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
    app.post_ok(
        &format!("/api/v1/messages/{id}/pin"),
        &ana.access_token,
        &json!({}),
    )
    .await;
    app.send_ok(
        Method::DELETE,
        &format!("/api/v1/messages/{id}"),
        &bob.access_token,
        &json!({}),
    )
    .await;

    let expected = [
        "chat_message",
        "message_edited",
        "reaction_added",
        "message_pinned",
        "message_deleted",
    ];
    for (offset, kind) in expected.iter().enumerate() {
        let frame = ws.expect(kind).await;
        assert_eq!(
            frame["seq"].as_i64(),
            Some(start + 1 + offset as i64),
            "{kind}: {frame}"
        );
    }
}

async fn a_client_that_reconnects_gets_what_it_missed_in_order_then_live(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let mut ws = app.socket(&ana.access_token, general, "").await;
    let seen = ws.expect("ready").await["seq"].as_i64().unwrap();
    ws.close().await;

    // While ana is away.
    let first = app.say(&bob.access_token, general, "missed one").await;
    app.say(&bob.access_token, general, "missed two").await;
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/messages/{}", first["id"]),
        &bob.access_token,
        &json!({ "content": "missed one (edited)" }),
    )
    .await;

    let mut ws = app
        .socket(&ana.access_token, general, &format!("after_seq={seen}"))
        .await;
    assert_eq!(ws.expect("ready").await["seq"], seen + 3);
    let mut seqs = Vec::new();
    for kind in ["chat_message", "chat_message", "message_edited"] {
        let frame = ws.expect(kind).await;
        seqs.push(frame["seq"].as_i64().unwrap());
    }
    assert_eq!(seqs, [seen + 1, seen + 2, seen + 3]);
    // Then live, with nothing repeated.
    app.say(&bob.access_token, general, "live again").await;
    let live = ws.expect("chat_message").await;
    assert_eq!(
        (live["seq"].as_i64(), live["message"]["content"].as_str()),
        (Some(seen + 4), Some("live again"))
    );

    // `resume` on an open socket sends what this socket has not sent, never a frame again:
    // nothing after `seen`, where it started; the channel's earlier history, once, in order.
    ws.send(json!({ "type": "resume", "after_seq": seen + 2 }))
        .await;
    ws.expect_no_sequenced(QUIET).await;
    for _ in 0..3 {
        ws.send(json!({ "type": "resume", "after_seq": 0 })).await;
    }
    let mut history = Vec::new();
    for _ in 1..=seen {
        history.push(ws.next_sequenced().await);
    }
    assert_eq!(history, (1..=seen).collect::<Vec<_>>());
    ws.expect_no_sequenced(QUIET).await;
    app.say(&bob.access_token, general, "and live").await;
    assert_eq!(ws.expect("chat_message").await["seq"], seen + 5);
}

async fn typing_starts_stops_and_expires(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let mut ana_ws = app.socket(&ana.access_token, general, "").await;
    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    bob_ws.expect("ready").await;
    ana_ws
        .send(json!({ "type": "typing", "state": "start" }))
        .await;
    let typing = bob_ws.expect("user_typing").await;
    assert_eq!(
        (
            typing["user"]["user_id"].as_i64(),
            typing["typing"].as_bool()
        ),
        (Some(ana.id), Some(true))
    );
    assert!(typing["expires_in_ms"].as_u64().unwrap() > 0);
    ana_ws
        .send(json!({ "type": "typing", "state": "stop" }))
        .await;
    assert_eq!(bob_ws.expect("user_typing").await["typing"], false);
    // Started and abandoned: it expires by itself (1 s in tests).
    ana_ws
        .send(json!({ "type": "typing", "state": "start" }))
        .await;
    assert_eq!(bob_ws.expect("user_typing").await["typing"], true);
    assert_eq!(
        bob_ws.expect("user_typing").await["typing"],
        false,
        "typing expires without a refresh"
    );
    // Nothing of it is stored.
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/events?after_seq=0"),
            &bob.access_token,
        )
        .await;
    assert!(
        history["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] != "user_typing")
    );
}

async fn opening_and_closing_a_socket_is_announced_to_the_channel(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let mut ana_ws = app.socket(&ana.access_token, general, "").await;
    ana_ws.expect("ready").await;
    assert_eq!(
        ana_ws.expect("user_joined").await["user"]["user_id"],
        ana.id,
        "one's own arrival comes first"
    );
    let bob_ws = app.socket(&bob.access_token, general, "").await;
    let joined = ana_ws.expect("user_joined").await;
    assert_eq!(
        (
            joined["user"]["user_id"].as_i64(),
            joined["user"]["username"].as_str()
        ),
        (Some(bob.id), Some(bob.username.as_str()))
    );
    bob_ws.close().await;
    let left = ana_ws.expect("user_left").await;
    assert_eq!(left["user"]["user_id"], bob.id);
}

async fn bad_frames_get_errors_and_the_socket_keeps_working(app: TestApp) {
    let (ana, _, general) = room(&app).await;
    let mut ws = app.socket(&ana.access_token, general, "").await;
    ws.expect("ready").await;
    let cases = [
        ("{not json", "malformed_frame"),
        (r#"{"type":"explode"}"#, "unknown_frame_type"),
        (r#"{"type":"chat_message"}"#, "malformed_frame"),
        (r#"{"type":"chat_message","content":42}"#, "malformed_frame"),
        (
            r#"{"type":"chat_message","content":"   "}"#,
            "validation_failed",
        ),
        (
            r#"{"type":"chat_message","content":"x","client_msg_id":"bad id"}"#,
            "validation_failed",
        ),
        (
            r#"{"type":"edit_message","message_id":999999,"content":"x"}"#,
            "not_found",
        ),
        (
            r#"{"type":"add_reaction","message_id":1,"emoji":"nope"}"#,
            "validation_failed",
        ),
        (r#"[1,2,3]"#, "malformed_frame"),
    ];
    for (text, code) in cases {
        ws.send_text(text).await;
        let error = ws.expect("error").await;
        assert_eq!(error["code"], code, "{text}: {error}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    ws.send(json!({ "type": "ping" })).await;
    ws.expect("pong").await;
    ws.send(json!({ "type": "chat_message", "content": "still alive" }))
        .await;
    assert!(ws.expect("ack").await["id"].is_i64());
    // A frame over the limit (64 KiB) closes the connection.
    ws.send_text(&format!(
        r#"{{"type":"chat_message","content":"{}"}}"#,
        "x".repeat(70 * 1024)
    ))
    .await;
    assert_eq!(ws.closed().await.0, 1009);
}

async fn refused_connections_close_with_a_clear_code(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let body = app
        .post_ok(
            "/api/v1/channels",
            &ana.access_token,
            &json!({ "name": "secret", "type": "private" }),
        )
        .await;
    let secret = body["id"].as_i64().unwrap();
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    let cases = [
        (
            app.socket_url(&format!("/api/v1/ws/chat/{general}")).await,
            4401,
        ),
        (
            app.socket_url(&format!(
                "/api/v1/ws/chat/{general}?token=forged.token.here"
            ))
            .await,
            4401,
        ),
        (app.socket(&bob.access_token, secret, "").await, 4404),
        (app.socket(&zoe.access_token, general, "").await, 4404),
        (app.socket(&ana.access_token, 999_999, "").await, 4404),
    ];
    for (mut ws, code) in cases {
        let (actual, reason) = ws.closed().await;
        assert_eq!(actual, code, "{reason}");
        assert!(!reason.is_empty());
    }
    // Browsers pass the token in the query.
    let mut browser = app
        .socket_url(&format!(
            "/api/v1/ws/chat/{general}?token={}",
            ana.access_token
        ))
        .await;
    assert_eq!(browser.expect("ready").await["user_id"], ana.id);
}

async fn the_notifications_socket_tells_its_owner_about_mentions_direct_messages_invites_and_unread(
    app: TestApp,
) {
    let (ana, bob, general) = room(&app).await;
    // Only its owner opens it.
    let mut foreign = app
        .socket_url(&format!(
            "/api/v1/ws/notifications/{}?token={}",
            bob.id, ana.access_token
        ))
        .await;
    assert_eq!(foreign.closed().await.0, 4403);
    let mut bob_inbox = app.notifications(&bob.access_token, bob.id).await;
    let mut ana_inbox = app.notifications(&ana.access_token, ana.id).await;

    let plain = app.say(&ana.access_token, general, "no mention here").await;
    let unread = bob_inbox.expect("unread_changed").await;
    assert_eq!(
        (
            unread["channel_id"].as_i64(),
            unread["seq"].clone(),
            unread["author_id"].as_i64()
        ),
        (Some(general), plain["seq"].clone(), Some(ana.id))
    );
    bob_inbox.expect_none("mention", QUIET).await;
    ana_inbox.expect_none("unread_changed", QUIET).await;

    app.say(
        &ana.access_token,
        general,
        &format!("@{} look", bob.username),
    )
    .await;
    let mention = bob_inbox.expect("mention").await;
    assert_eq!(
        mention["message"]["content"],
        format!("@{} look", bob.username)
    );

    let dm = app
        .post_ok(
            "/api/v1/channels",
            &ana.access_token,
            &json!({ "type": "direct", "member_ids": [bob.id] }),
        )
        .await;
    app.say(&ana.access_token, dm["id"].as_i64().unwrap(), "psst")
        .await;
    assert_eq!(
        bob_inbox.expect("direct_message").await["message"]["content"],
        "psst"
    );

    let private = app
        .post_ok(
            "/api/v1/channels",
            &ana.access_token,
            &json!({ "name": "secret", "type": "private" }),
        )
        .await;
    let private_id = private["id"].as_i64().unwrap();
    app.post_json(
        &format!("/api/v1/channels/{private_id}/members"),
        Some(&ana.access_token),
        &json!({ "user_id": bob.id }),
    )
    .await;
    let invite = bob_inbox.expect("channel_invite").await;
    assert_eq!(
        (
            invite["channel"]["id"].as_i64(),
            invite["by_user_id"].as_i64()
        ),
        (Some(private_id), Some(ana.id))
    );
    bob_inbox.send(json!({ "type": "ping" })).await;
    bob_inbox.expect("pong").await;
}

async fn presence_changes_reach_the_organization(app: TestApp) {
    let (ana, bob, _) = room(&app).await;
    let mut ana_inbox = app.notifications(&ana.access_token, ana.id).await;
    let bob_inbox = app.notifications(&bob.access_token, bob.id).await;
    assert_eq!(
        ana_inbox.expect("presence").await["user_id"],
        ana.id,
        "her own arrival first"
    );
    let online = ana_inbox.expect("presence").await;
    assert_eq!(
        (online["user_id"].as_i64(), online["status"].as_str()),
        (Some(bob.id), Some("online"))
    );
    // A second connection of the same person changes nothing.
    let bob_second = app.notifications(&bob.access_token, bob.id).await;
    ana_inbox.expect_none("presence", QUIET).await;
    bob_second.close().await;
    ana_inbox.expect_none("presence", QUIET).await;
    bob_inbox.close().await;
    let offline = ana_inbox.expect("presence").await;
    assert_eq!(
        (offline["user_id"].as_i64(), offline["status"].as_str()),
        (Some(bob.id), Some("offline"))
    );
}

async fn a_silent_connection_is_closed_after_the_client_timeout(app: TestApp) {
    let quick = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "realtime": { "heartbeat_interval_secs": 1, "client_timeout_secs": 2 } }),
    )
    .await;
    let (ana, bob, general) = room(&quick).await;
    // Bob watches, reading (and so answering pings) all along.
    let mut watcher = quick.socket(&bob.access_token, general, "").await;
    watcher.expect("ready").await;
    assert_eq!(
        watcher.expect("user_joined").await["user"]["user_id"],
        bob.id
    );
    // Ana connects and then stops reading: she never answers the server's pings.
    let mut silent = quick.socket(&ana.access_token, general, "").await;
    let joined = watcher.expect("user_joined").await;
    assert_eq!(joined["user"]["user_id"], ana.id);
    let left = watcher.expect("user_left").await;
    assert_eq!(
        left["user"]["user_id"], ana.id,
        "the server dropped the silent connection"
    );
    // Her client sees the close (4410), or a broken pipe if it tries to answer the old pings
    // after the server hung up.
    let (code, reason) = silent.closed().await;
    assert!(code == 4410 || code == 1006, "{code} {reason}");
    // The watcher, who kept answering, is still connected.
    watcher.send(json!({ "type": "ping" })).await;
    watcher.expect("pong").await;
}

async fn the_ready_frame_names_who_is_here(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    app.join(&carol.access_token, general).await;
    // Carol is online (her notifications socket is open) but not in the channel's socket.
    let _carol_inbox = app.notifications(&carol.access_token, carol.id).await;
    let mut ana_ws = app.socket(&ana.access_token, general, "").await;
    let ready = ana_ws.expect("ready").await;
    let present = |ready: &serde_json::Value| -> Vec<(i64, String)> {
        ready["present"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["user_id"].as_i64().unwrap(),
                    w["username"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let mut expected = vec![
        (ana.id, ana.username.clone()),
        (carol.id, "carol".to_owned()),
    ];
    expected.sort();
    assert_eq!(
        present(&ready),
        expected,
        "online members and me; Bob is offline"
    );
    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    let ready = bob_ws.expect("ready").await;
    let mut expected = vec![
        (ana.id, ana.username.clone()),
        (bob.id, bob.username.clone()),
        (carol.id, "carol".to_owned()),
    ];
    expected.sort();
    assert_eq!(present(&ready), expected);
}

async fn a_consumer_that_stops_reading_is_cut_off_without_holding_up_the_others(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({
            // Room for Bob's bursts (each message is an ack and a copy), little beyond that.
            "realtime": { "outbound_queue": 64 },
            "chat": { "max_messages_per_window": 1_000_000 },
        }),
    )
    .await;
    let (ana, bob, general) = room(&app).await;
    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    bob_ws.expect("ready").await;
    // Ana connects and then reads nothing: the kernel's buffers fill, then her queue.
    let mut ana_ws = app
        .socket_with_small_buffer(&ana.access_token, general)
        .await;
    assert_eq!(
        bob_ws.expect("user_joined").await["user"]["user_id"],
        bob.id
    );
    assert_eq!(
        bob_ws.expect("user_joined").await["user"]["user_id"],
        ana.id
    );

    let content = "slow consumer ".repeat(280);
    let (mut sent, mut acked, mut copies, mut ana_left) = (0, 0, 0, false);
    while !ana_left {
        assert!(sent < 10_000, "Ana was never cut off after {sent} messages");
        for _ in 0..10 {
            bob_ws
                .send(json!({ "type": "chat_message", "content": content }))
                .await;
            sent += 1;
        }
        // Bob keeps reading: his acks and his own copies keep coming while Ana stalls.
        while acked < sent {
            let frame = bob_ws
                .next_within(tandem_tests::ws::WAIT)
                .await
                .unwrap_or_else(|| panic!("Bob's socket stalled after {acked} acks"));
            match frame["type"].as_str() {
                Some("ack") => acked += 1,
                Some("chat_message") => copies += 1,
                Some("user_left") if frame["user"]["user_id"] == ana.id => ana_left = true,
                Some("error") => panic!("{frame}"),
                _ => {}
            }
        }
    }
    eprintln!("Ana was cut off after {sent} messages");
    let (code, reason) = ana_ws.closed().await;
    assert_eq!(code, 4408, "{reason}");
    assert!(reason.contains("too slow"), "{reason}");
    // Bob received every one of his messages, and goes on.
    while copies < sent {
        let frame = bob_ws.expect("chat_message").await;
        assert_eq!(frame["message"]["user_id"], bob.id);
        copies += 1;
    }
    bob_ws
        .send(json!({ "type": "chat_message", "content": "still here", "client_msg_id": "after" }))
        .await;
    assert_eq!(bob_ws.expect("ack").await["client_msg_id"], "after");
}

async fn a_flood_of_messages_gets_rate_limited_error_frames(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "chat": { "max_messages_per_window": 3, "message_window_secs": 60 } }),
    )
    .await;
    let (ana, bob, general) = room(&app).await;
    let mut ws = app.socket(&ana.access_token, general, "").await;
    ws.expect("ready").await;
    for i in 0..3 {
        ws.send(
            json!({ "type": "chat_message", "content": format!("m{i}"), "ref": format!("r{i}") }),
        )
        .await;
        assert_eq!(ws.expect("ack").await["ref"], format!("r{i}"));
    }
    ws.send(json!({ "type": "chat_message", "content": "one too many", "client_msg_id": "x1", "ref": "r3" }))
        .await;
    let error = ws.expect("error").await;
    assert_eq!(
        (error["code"].as_str(), error["ref"].as_str()),
        (Some("rate_limited"), Some("r3"))
    );
    let retry = error["retry_after_secs"].as_u64().unwrap();
    assert!((1..=60).contains(&retry), "{error}");
    assert!(error["message"].as_str().unwrap().contains("too fast"));
    // The refused message was not stored, the socket still works, and others are unaffected.
    ws.send(json!({ "type": "ping" })).await;
    ws.expect("pong").await;
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &bob.access_token,
        )
        .await;
    let contents: Vec<&str> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(!contents.contains(&"one too many"), "{contents:?}");
    let mut bob_ws = app.socket(&bob.access_token, general, "").await;
    bob_ws.expect("ready").await;
    bob_ws
        .send(json!({ "type": "chat_message", "content": "bob is fine" }))
        .await;
    assert!(bob_ws.expect("ack").await["id"].is_i64());
}

async fn a_socket_of_someone_removed_from_a_private_channel_is_closed_after_their_removal(
    app: TestApp,
) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let secret = app.channel(&ana.access_token, "secret", "private").await;
    let invite = app
        .post_json(
            &format!("/api/v1/channels/{secret}/members"),
            Some(&ana.access_token),
            &json!({ "user_id": bob.id }),
        )
        .await;
    assert_eq!(invite.status(), reqwest::StatusCode::NO_CONTENT);
    let mut bob_ws = app.socket(&bob.access_token, secret, "").await;
    let mut ana_ws = app.socket(&ana.access_token, secret, "").await;
    bob_ws.expect("ready").await;
    ana_ws.expect("ready").await;

    let removed = app
        .request(
            Method::DELETE,
            &format!("/api/v1/channels/{secret}/members/{}", bob.id),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_success(), "{}", removed.status());
    // Bob sees his removal, then the socket closes: nothing said after it reaches him.
    let left = bob_ws.expect("member_left").await;
    assert_eq!(left["user"]["id"], bob.id);
    let (code, reason) = bob_ws.closed().await;
    assert_eq!(code, 4404, "{reason}");
    // Ana's socket goes on.
    ana_ws.expect("member_left").await;
    app.say(&ana.access_token, secret, "just us now").await;
    let said = ana_ws.expect("chat_message").await;
    assert_eq!(said["message"]["content"], "just us now");
}

async fn pings_from_the_client_are_answered_with_pongs_on_both_sockets(app: TestApp) {
    let (ana, _bob, general) = room(&app).await;
    let mut channel = app.socket(&ana.access_token, general, "").await;
    channel.expect("ready").await;
    assert!(
        channel.ping(b"keepalive-1").await,
        "the channel socket answers"
    );
    let mut inbox = app.notifications(&ana.access_token, ana.id).await;
    assert!(
        inbox.ping(b"keepalive-2").await,
        "the notifications socket answers"
    );
    // Still working after the pings.
    channel.send(json!({ "type": "ping" })).await;
    channel.expect("pong").await;
}

async fn open_sockets_close_when_their_session_ends_on_logout_or_a_password_change(app: TestApp) {
    let (_ana, bob, general) = room(&app).await;
    let laptop = app.login_ok(&bob.username).await;
    let mut phone_channel = app.socket(&bob.access_token, general, "").await;
    let mut phone_inbox = app.notifications(&bob.access_token, bob.id).await;
    let mut laptop_channel = app.socket(&laptop.access_token, general, "").await;
    phone_channel.expect("ready").await;
    laptop_channel.expect("ready").await;

    // Logging out on the phone closes the phone's sockets, on whichever node they are.
    let out = app
        .post_json("/api/v1/auth/logout", Some(&bob.access_token), &json!({}))
        .await;
    assert_eq!(out.status(), reqwest::StatusCode::NO_CONTENT);
    assert_eq!(phone_channel.closed().await.0, 4401);
    assert_eq!(phone_inbox.closed().await.0, 4401);
    // The laptop's session goes on...
    app.say(&laptop.access_token, general, "still here").await;
    laptop_channel.expect("chat_message").await;

    // ...until a password change ends every session.
    let changed = app
        .post_json(
            "/api/v1/auth/password",
            Some(&laptop.access_token),
            &json!({ "current_password": tandem_tests::PASSWORD, "new_password": "a brand new secret" }),
        )
        .await;
    assert_eq!(changed.status(), reqwest::StatusCode::NO_CONTENT);
    assert_eq!(laptop_channel.closed().await.0, 4401);
}

/// Ending one session from another device (the sessions page) closes that session's sockets
/// at once, on whichever node holds them, and its token is refused everywhere.
async fn ending_a_session_from_the_sessions_list_closes_its_sockets_on_every_node(app: TestApp) {
    let (_ana, bob, general) = room(&app).await;
    let laptop = app.login_ok(&bob.username).await;
    // On PostgreSQL and Redis the sockets live on a second node of the cluster.
    let other = match app.backend {
        tandem_tests::Backend::Postgres => Some(app.second_node().await),
        tandem_tests::Backend::Sqlite => None,
    };
    let node = other.as_ref().unwrap_or(&app);
    let mut phone_channel = node.socket(&bob.access_token, general, "").await;
    let mut phone_inbox = node.notifications(&bob.access_token, bob.id).await;
    let mut laptop_channel = node.socket(&laptop.access_token, general, "").await;
    phone_channel.expect("ready").await;
    laptop_channel.expect("ready").await;

    let list = app
        .get_ok("/api/v1/auth/sessions", &laptop.access_token)
        .await;
    let phone = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|session| session["current"] == false)
        .expect("the phone's session is listed")["id"]
        .as_i64()
        .unwrap();
    let ended = app
        .request(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{phone}"),
            Some(&laptop.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(phone_channel.closed().await.0, 4401);
    assert_eq!(phone_inbox.closed().await.0, 4401);
    for node in [&app, node] {
        let refused = node.get("/api/v1/auth/me", Some(&bob.access_token)).await;
        assert_error(refused, StatusCode::UNAUTHORIZED, "token_revoked").await;
    }
    // The laptop, the session that did it, goes on.
    app.say(&laptop.access_token, general, "still here").await;
    laptop_channel.expect("chat_message").await;
}

/// A node told to stop (SIGTERM) does not wait for its shutdown timeout to cut connections
/// off: each socket gets `shutting_down` then a 4503 close, the event stream an `end` with
/// `shutting_down`, so clients move to another node at once.
async fn a_stopping_node_tells_and_closes_every_connection_at_once(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    let mut chat = app.socket(&ana.access_token, general, "").await;
    chat.expect("ready").await;
    chat.send(
        json!({ "type": "chat_message", "content": "before", "client_msg_id": "c1", "ref": "r1" }),
    )
    .await;
    assert_eq!(chat.expect("ack").await["client_msg_id"], "c1");
    let mut notes = app.notifications(&bob.access_token, bob.id).await;
    let mut stream = app
        .sse(
            &format!("/api/v1/sse/activity/{general}"),
            Some(&bob.access_token),
            None,
        )
        .await;
    stream.expect("ready").await;

    // Read while the server stops, as clients would.
    let clients = async {
        let told = chat.expect("error").await;
        assert_eq!(told["code"], "shutting_down", "{told}");
        assert_eq!(chat.closed().await.0, 4503);
        assert_eq!(notes.closed().await.0, 4503);
        let ended = stream.ended_within(Duration::from_secs(5)).await;
        let end = ended
            .iter()
            .find(|e| e.event == "end")
            .expect("an end event");
        assert_eq!(end.json()["code"], "shutting_down", "{ended:?}");
    };
    tokio::join!(app.shut_down(), clients);
}

/// Edits, deletions and reactions sent on a channel's socket name a message of that channel;
/// one of another channel (even one the sender may change) is `not_found` and stays as it was.
async fn a_channels_socket_acts_on_that_channels_messages_only(app: TestApp) {
    let (ana, _bob, general) = room(&app).await;
    let random = app.channel(&ana.access_token, "random", "public").await;
    let elsewhere = app.say(&ana.access_token, random, "in random").await;
    let id = elsewhere["id"].as_i64().unwrap();
    let mut ws = app.socket(&ana.access_token, general, "").await;
    ws.expect("ready").await;
    for (n, frame) in [
        json!({ "type": "edit_message", "message_id": id, "content": "hijacked" }),
        json!({ "type": "add_reaction", "message_id": id, "emoji": "👍" }),
        json!({ "type": "delete_message", "message_id": id }),
    ]
    .into_iter()
    .enumerate()
    {
        let mut frame = frame;
        frame["ref"] = json!(format!("r{n}"));
        ws.send(frame).await;
        let refused = ws.expect("error").await;
        assert_eq!(
            (refused["ref"].as_str(), refused["code"].as_str()),
            (Some(format!("r{n}").as_str()), Some("not_found")),
            "{refused}"
        );
    }
    let stored = app
        .get_ok(&format!("/api/v1/messages/{id}"), &ana.access_token)
        .await;
    assert_eq!(stored["content"], "in random");
    assert_eq!(stored["is_deleted"], false);
    assert_eq!(stored["reactions"], json!([]));
}

/// Sockets and event streams count together against `realtime.max_connections_per_user`; one
/// more is refused (4429, or 429 `too_many_connections` for a stream), someone else is not
/// affected, and closing one frees its place.
async fn one_person_holds_a_bounded_number_of_connections(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "realtime": { "max_connections_per_user": 2 } }),
    )
    .await;
    let (ana, bob, general) = room(&app).await;
    let mut first = app.socket(&ana.access_token, general, "").await;
    first.expect("ready").await;
    let _notes = app.notifications(&ana.access_token, ana.id).await;

    let mut refused = app.socket(&ana.access_token, general, "").await;
    let (code, reason) = refused.closed().await;
    assert_eq!(code, 4429, "{reason}");
    let stream = app
        .sse_request(
            &format!("/api/v1/sse/activity/{general}"),
            Some(&ana.access_token),
            None,
        )
        .await;
    assert_error(
        stream,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_connections",
    )
    .await;
    let mut bobs = app.socket(&bob.access_token, general, "").await;
    bobs.expect("ready").await;

    first.close().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let mut again = app.socket(&ana.access_token, general, "").await;
        match again.next_within(Duration::from_secs(2)).await {
            Some(frame) if frame["type"] == "ready" => break,
            _ => assert!(
                tokio::time::Instant::now() < deadline,
                "a closed socket gives its place back"
            ),
        }
    }
}

/// Each resume that reads history counts against the person's replays (20 a minute); the
/// 21st is refused with `rate_limited` and its retry time, and the socket carries on live.
async fn resumes_that_read_history_are_limited_per_person(app: TestApp) {
    let (ana, bob, general) = room(&app).await;
    for n in 0..22 {
        app.say(&bob.access_token, general, &format!("old {n}"))
            .await;
    }
    let mut ws = app.socket(&ana.access_token, general, "").await;
    let latest = ws.expect("ready").await["seq"].as_i64().unwrap();
    for back in 1..=20 {
        ws.send(json!({ "type": "resume", "after_seq": latest - back }))
            .await;
        assert_eq!(
            ws.next_sequenced().await,
            latest - back + 1,
            "resume {back}"
        );
    }
    ws.send(json!({ "type": "resume", "after_seq": latest - 21 }))
        .await;
    let refused = ws.expect("error").await;
    assert_eq!(refused["code"], "rate_limited", "{refused}");
    assert!(
        refused["retry_after_secs"].as_u64().unwrap() > 0,
        "{refused}"
    );
    ws.expect_no_sequenced(QUIET).await;
    let live = app.say(&bob.access_token, general, "live").await;
    assert_eq!(ws.next_sequenced().await, live["seq"].as_i64().unwrap());
}
