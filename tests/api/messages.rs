//! Messages: validation, idempotent sends, edits, deletes, threads, mentions, reactions, pins,
//! reports, and history pages that stay put while people post.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    message_content_is_validated_and_stored_verbatim,
    a_retried_send_returns_the_stored_message,
    only_authors_edit_and_moderators_may_delete_anything,
    replies_attach_to_the_root_of_their_thread,
    mentions_name_only_members_of_the_channel,
    reactions_are_one_per_person_per_emoji,
    members_pin_and_unpin_messages,
    a_message_can_be_reported_once_per_person,
    history_pages_stay_stable_while_people_post,
);

async fn setup(app: &TestApp) -> (tandem_tests::Session, tandem_tests::Session, i64) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    (ana, bob, general)
}

fn post_path(channel: i64) -> String {
    format!("/api/v1/channels/{channel}/messages")
}

async fn message_content_is_validated_and_stored_verbatim(app: TestApp) {
    let (ana, _, general) = setup(&app).await;
    let cases = [
        (json!({ "content": "" }), "empty_message"),
        (json!({ "content": "   \n\t " }), "empty_message"),
        (json!({ "content": "x".repeat(4001) }), "message_too_long"),
        (
            json!({ "content": "ring \u{7} ring" }),
            "invalid_characters",
        ),
        (
            json!({ "content": "hi", "client_msg_id": "has space" }),
            "invalid_client_msg_id",
        ),
        (
            json!({ "content": "hi", "reply_to_id": 999_999 }),
            "invalid_reply_to",
        ),
    ];
    for (body, code) in cases {
        let error = assert_error(
            app.post_json(&post_path(general), Some(&ana.access_token), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"][0]["code"], code, "{error}");
    }
    assert_error(
        app.post_json(
            &post_path(general),
            Some(&ana.access_token),
            &json!({ "content": 42 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let longest = app.say(&ana.access_token, general, &"é".repeat(4000)).await;
    assert_eq!(longest["content"].as_str().unwrap().chars().count(), 4000);
    for text in [
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE messages; --",
        "**bold** `code`\n> quote",
        "多言語 🎉",
    ] {
        let stored = app.say(&ana.access_token, general, text).await;
        assert_eq!(stored["content"], text);
        assert_eq!(stored["message_type"], "text");
        let fetched = app
            .get_ok(
                &format!("/api/v1/messages/{}", stored["id"]),
                &ana.access_token,
            )
            .await;
        assert_eq!(fetched["content"], text);
    }
}

async fn a_retried_send_returns_the_stored_message(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let body = json!({ "content": "exactly once", "client_msg_id": "0b7e9c1a-6d4f-4e3e-9a57-2f1d3c4b5a69" });
    let (status, first) = status_and_json(
        app.post_json(&post_path(general), Some(&ana.access_token), &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["client_msg_id"], body["client_msg_id"]);
    let (status, again) = status_and_json(
        app.post_json(&post_path(general), Some(&ana.access_token), &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["id"].clone(), again["seq"].clone()),
        (first["id"].clone(), first["seq"].clone())
    );
    // Retries racing each other still store one message.
    let racing_path = post_path(general);
    let racing = json!({ "content": "raced", "client_msg_id": "race-1" });
    let responses = futures_util::future::join_all(
        (0..8).map(|_| app.post_json(&racing_path, Some(&ana.access_token), &racing)),
    )
    .await;
    let mut ids = Vec::new();
    for response in responses {
        let (status, body) = status_and_json(response).await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        ids.push(body["id"].as_i64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one message for one key: {ids:?}");
    // The key is the author's: another person's same key is another message.
    let (status, theirs) = status_and_json(
        app.post_json(&post_path(general), Some(&bob.access_token), &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(theirs["id"], first["id"]);
    let history = app
        .get_ok(
            &format!("{}?limit=100", post_path(general)),
            &ana.access_token,
        )
        .await;
    let copies = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"] == "exactly once")
        .count();
    assert_eq!(copies, 2);
}

async fn only_authors_edit_and_moderators_may_delete_anything(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    app.join(&carol.access_token, general).await;
    let message = app.say(&bob.access_token, general, "frist").await;
    let id = message["id"].as_i64().unwrap();
    let path = format!("/api/v1/messages/{id}");
    assert_error(
        app.send_json(
            Method::PUT,
            &path,
            Some(&carol.access_token),
            &json!({ "content": "hacked" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.send_json(
            Method::PUT,
            &path,
            Some(&bob.access_token),
            &json!({ "content": " " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let edited = app
        .send_ok(
            Method::PUT,
            &path,
            &bob.access_token,
            &json!({ "content": "first" }),
        )
        .await;
    assert_eq!(edited["content"], "first");
    assert!(edited["edited_at"].is_string());
    assert_eq!(
        edited["seq"], message["seq"],
        "an edit keeps the message's place"
    );

    assert_error(
        app.request(Method::DELETE, &path, Some(&carol.access_token))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A moderator may delete anyone's message.
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/users/{}", carol.id),
        &ana.access_token,
        &json!({ "role": "moderator" }),
    )
    .await;
    let tombstone = app
        .send_ok(Method::DELETE, &path, &carol.access_token, &json!({}))
        .await;
    assert_eq!(
        (
            tombstone["is_deleted"].as_bool(),
            tombstone["content"].as_str()
        ),
        (Some(true), Some(""))
    );
    let history = app.get_ok(&post_path(general), &ana.access_token).await;
    let kept = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .expect("the tombstone keeps its place");
    assert_eq!(
        (kept["is_deleted"].as_bool(), kept["content"].as_str()),
        (Some(true), Some(""))
    );
    assert_error(
        app.request(Method::DELETE, &path, Some(&bob.access_token))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.send_json(
            Method::PUT,
            &path,
            Some(&bob.access_token),
            &json!({ "content": "back" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Authors delete their own.
    let own = app.say(&bob.access_token, general, "oops").await;
    let gone = app
        .send_ok(
            Method::DELETE,
            &format!("/api/v1/messages/{}", own["id"]),
            &bob.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(gone["is_deleted"], true);
}

async fn replies_attach_to_the_root_of_their_thread(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let root = app
        .say(&ana.access_token, general, "release on friday?")
        .await;
    let root_id = root["id"].as_i64().unwrap();
    let reply = app
        .post_ok(
            &post_path(general),
            &bob.access_token,
            &json!({ "content": "yes", "reply_to_id": root_id }),
        )
        .await;
    assert_eq!(reply["reply_to_id"], root_id);
    let nested = app
        .post_ok(
            &post_path(general),
            &ana.access_token,
            &json!({ "content": "great", "reply_to_id": reply["id"] }),
        )
        .await;
    assert_eq!(
        nested["reply_to_id"], root_id,
        "a reply to a reply joins the root's thread"
    );

    let thread = app
        .get_ok(
            &format!("/api/v1/messages/{root_id}/thread"),
            &bob.access_token,
        )
        .await;
    assert_eq!(thread["root"]["reply_count"], 2);
    assert!(thread["root"]["last_reply_at"].is_string());
    let replies: Vec<&str> = thread["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(replies, ["yes", "great"]);
    let via_reply = app
        .get_ok(
            &format!("/api/v1/messages/{}/thread", reply["id"]),
            &bob.access_token,
        )
        .await;
    assert_eq!(via_reply["root"]["id"], root_id);
    // The channel's history shows the root, not the replies.
    let history = app.get_ok(&post_path(general), &ana.access_token).await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["reply_to_id"].is_null())
    );
    // A reply must stay in its channel.
    let other = app.channel(&ana.access_token, "other", "public").await;
    let cross = app
        .post_json(
            &post_path(other),
            Some(&ana.access_token),
            &json!({ "content": "here?", "reply_to_id": root_id }),
        )
        .await;
    let error = assert_error(cross, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(error["details"][0]["field"], "reply_to_id");
}

async fn mentions_name_only_members_of_the_channel(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    let text = format!(
        "@{} and @{} and @nobody, @channel @here — not `@{}`",
        bob.username, carol.username, bob.username
    );
    let message = app.say(&ana.access_token, general, &text).await;
    let mentions = message["mentions"].as_array().unwrap();
    assert!(
        mentions.contains(&json!({ "type": "user", "user_id": bob.id })),
        "{mentions:?}"
    );
    assert!(
        mentions.contains(&json!({ "type": "channel" }))
            && mentions.contains(&json!({ "type": "here" }))
    );
    assert!(
        !mentions.contains(&json!({ "type": "user", "user_id": carol.id })),
        "carol is not in the channel"
    );
    assert_eq!(mentions.len(), 3, "{mentions:?}");
    // The mention of a non-member gave her nothing: the channel is not in her unread mentions.
    let list = app.get_ok("/api/v1/channels", &carol.access_token).await;
    let entry = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == general)
        .unwrap();
    assert_eq!(entry["unread_mentions"], 0);
}

async fn reactions_are_one_per_person_per_emoji(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let id = app.say(&ana.access_token, general, "ship it").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/messages/{id}/reactions");
    app.post_ok(&path, &bob.access_token, &json!({ "emoji": "👍" }))
        .await;
    let twice = app
        .post_ok(&path, &bob.access_token, &json!({ "emoji": "👍" }))
        .await;
    assert_eq!(
        twice["reactions"],
        json!([{ "emoji": "👍", "count": 1, "user_ids": [bob.id], "me": true }])
    );
    let both = app
        .post_ok(&path, &ana.access_token, &json!({ "emoji": "👍" }))
        .await;
    assert_eq!(
        (
            both["reactions"][0]["count"].as_i64(),
            both["reactions"][0]["me"].as_bool()
        ),
        (Some(2), Some(true))
    );
    app.post_ok(&path, &ana.access_token, &json!({ "emoji": ":tada:" }))
        .await;
    let seen_by_bob = app
        .get_ok(&format!("/api/v1/messages/{id}"), &bob.access_token)
        .await;
    let tada = seen_by_bob["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["emoji"] == ":tada:")
        .unwrap();
    assert_eq!(
        (tada["count"].as_i64(), tada["me"].as_bool()),
        (Some(1), Some(false))
    );
    let removed = app
        .send_ok(
            Method::DELETE,
            &format!("{path}/%F0%9F%91%8D"),
            &bob.access_token,
            &json!({}),
        )
        .await;
    let thumbs = removed["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["emoji"] == "👍")
        .unwrap();
    assert_eq!(
        (thumbs["count"].as_i64(), thumbs["me"].as_bool()),
        (Some(1), Some(false))
    );
    for bad in ["", "ok", "<b>", ":not valid:"] {
        assert_error(
            app.post_json(&path, Some(&bob.access_token), &json!({ "emoji": bad }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    let outsider = app.register("carol", "acme.io", None).await;
    assert_error(
        app.post_json(
            &path,
            Some(&outsider.access_token),
            &json!({ "emoji": "👍" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn members_pin_and_unpin_messages(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let first = app.say(&ana.access_token, general, "rules").await["id"]
        .as_i64()
        .unwrap();
    let second = app.say(&ana.access_token, general, "faq").await["id"]
        .as_i64()
        .unwrap();
    for id in [first, second] {
        let pinned = app
            .post_ok(
                &format!("/api/v1/messages/{id}/pin"),
                &bob.access_token,
                &json!({}),
            )
            .await;
        assert!(pinned["pinned_at"].is_string());
    }
    let pins = app
        .get_ok(
            &format!("/api/v1/channels/{general}/pins"),
            &ana.access_token,
        )
        .await;
    let ids: Vec<i64> = pins["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [second, first], "most recently pinned first");
    let unpinned = app
        .send_ok(
            Method::DELETE,
            &format!("/api/v1/messages/{first}/pin"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(unpinned["pinned_at"], Value::Null);
    let pins = app
        .get_ok(
            &format!("/api/v1/channels/{general}/pins"),
            &ana.access_token,
        )
        .await;
    assert_eq!(pins["messages"].as_array().unwrap().len(), 1);
}

async fn a_message_can_be_reported_once_per_person(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    let id = app.say(&bob.access_token, general, "something rude").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/messages/{id}/report");
    let (status, report) = status_and_json(
        app.post_json(&path, Some(&ana.access_token), &json!({ "reason": "rude" }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(
        (
            report["status"].as_str(),
            report["message_id"].as_i64(),
            report["reported_by"].as_i64()
        ),
        (Some("pending"), Some(id), Some(ana.id))
    );
    assert_error(
        app.post_json(
            &path,
            Some(&ana.access_token),
            &json!({ "reason": "still rude" }),
        )
        .await,
        StatusCode::CONFLICT,
        "already_reported",
    )
    .await;
    assert_error(
        app.post_json(&path, Some(&bob.access_token), &json!({ "reason": "me" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.post_json(&path, Some(&ana.access_token), &json!({ "reason": "  " }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    assert_error(
        app.post_json(&path, Some(&zoe.access_token), &json!({ "reason": "x" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn history_pages_stay_stable_while_people_post(app: TestApp) {
    let (ana, bob, general) = setup(&app).await;
    for i in 0..30 {
        app.say(&ana.access_token, general, &format!("m{i}")).await;
    }
    let page = |query: String| {
        let (app, token) = (&app, bob.access_token.clone());
        async move {
            app.get_ok(&format!("{}?{query}", post_path(general)), &token)
                .await
        }
    };
    let contents = |body: &Value| {
        body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let seqs = |body: &Value| {
        body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };

    let newest = page("limit=10".to_owned()).await;
    assert_eq!(contents(&newest).first().map(String::as_str), Some("m29"));
    let oldest_seen = *seqs(&newest).last().unwrap();
    // People keep posting while we scroll back.
    for i in 30..35 {
        app.say(&bob.access_token, general, &format!("m{i}")).await;
    }
    let older = page(format!("limit=10&before_seq={oldest_seen}")).await;
    assert_eq!(
        contents(&older),
        (10..20).rev().map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let forward = page(format!("limit=100&after_seq={}", seqs(&newest)[0])).await;
    assert_eq!(
        contents(&forward),
        (30..35).map(|i| format!("m{i}")).collect::<Vec<_>>(),
        "oldest first after a seq"
    );
    let all = page("limit=100".to_owned()).await;
    let mut all_seqs = seqs(&all);
    let before = all_seqs.len();
    all_seqs.dedup();
    assert_eq!(all_seqs.len(), before);
    assert!(
        all_seqs.windows(2).all(|w| w[0] > w[1]),
        "newest first, strictly"
    );
    assert_error(
        app.get(
            &format!("{}?before_seq=5&after_seq=1", post_path(general)),
            Some(&bob.access_token),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
