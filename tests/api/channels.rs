//! `/api/v1/channels`: kinds, visibility, membership, management, unread counts.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    channels_are_listed_with_unread_and_mention_counts,
    channel_names_are_unique_within_an_organization_only,
    private_channels_are_invisible_to_non_members,
    direct_conversations_are_found_again_for_the_same_people,
    posting_needs_membership_and_an_open_channel,
    managers_rename_archive_and_delete_channels,
    members_are_listed_added_and_removed,
    other_organizations_channels_do_not_exist,
);

fn find(list: &Value, id: i64) -> Option<&Value> {
    list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
}

async fn channels_are_listed_with_unread_and_mention_counts(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let list = app.get_ok("/api/v1/channels/", &bob.access_token).await;
    let entry = find(&list, general).expect("public channels are listed for everyone");
    assert_eq!(
        (entry["is_member"].as_bool(), entry["unread_count"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(
        (entry["type"].as_str(), entry["name"].as_str()),
        (Some("public"), Some("general"))
    );

    app.join(&bob.access_token, general).await;
    app.say(&ana.access_token, general, "hello").await;
    app.say(
        &ana.access_token,
        general,
        &format!("@{} please look", bob.username),
    )
    .await;
    app.say(&ana.access_token, general, "@channel lunch").await;
    app.say(&bob.access_token, general, "my own message is never unread")
        .await;
    let list = app.get_ok("/api/v1/channels", &bob.access_token).await;
    let entry = find(&list, general).unwrap();
    assert_eq!(
        (
            entry["unread_count"].as_i64(),
            entry["unread_mentions"].as_i64()
        ),
        (Some(3), Some(2)),
        "{entry}"
    );
    assert_eq!(entry["member_count"], 2);

    let marker = app
        .post_ok(
            &format!("/api/v1/channels/{general}/read"),
            &bob.access_token,
            &json!({}),
        )
        .await;
    let last_seq = marker["last_read_seq"].as_i64().unwrap();
    let list = app.get_ok("/api/v1/channels", &bob.access_token).await;
    assert_eq!(find(&list, general).unwrap()["unread_count"], 0);
    // Never backwards, and clamped to the end.
    let back = app
        .post_ok(
            &format!("/api/v1/channels/{general}/read"),
            &bob.access_token,
            &json!({ "seq": 1 }),
        )
        .await;
    assert_eq!(back["last_read_seq"], last_seq);
    let far = app
        .post_ok(
            &format!("/api/v1/channels/{general}/read"),
            &bob.access_token,
            &json!({ "seq": 1_000_000 }),
        )
        .await;
    assert_eq!(far["last_read_seq"], last_seq);
}

async fn channel_names_are_unique_within_an_organization_only(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    app.channel(&ana.access_token, "general", "public").await;
    let again = app
        .post_json(
            "/api/v1/channels",
            Some(&ana.access_token),
            &json!({ "name": "General", "type": "private" }),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "channel_name_taken").await;
    app.channel(&zoe.access_token, "general", "public").await;
    let cases = [
        (json!({ "type": "public" }), "name"),
        (json!({ "name": "two words" }), "name"),
        // "general" with a Cyrillic "е": a look-alike of the real one.
        (json!({ "name": "gen\u{0435}ral" }), "name"),
        (json!({ "name": "ok", "type": "secret" }), "type"),
        (
            json!({ "name": "ok", "description": "x".repeat(251) }),
            "description",
        ),
    ];
    for (body, field) in cases {
        let error = assert_error(
            app.post_json("/api/v1/channels", Some(&ana.access_token), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(error.to_string().contains(field), "{field}: {error}");
    }
}

async fn private_channels_are_invisible_to_non_members(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let body = app
        .post_ok(
            "/api/v1/channels",
            &ana.access_token,
            &json!({ "name": "secret", "type": "private", "member_ids": [bob.id] }),
        )
        .await;
    let secret = body["id"].as_i64().unwrap();
    app.say(&bob.access_token, secret, "for members only").await;

    let outsider = Some(carol.access_token.as_str());
    for path in [
        format!("/api/v1/channels/{secret}"),
        format!("/api/v1/channels/{secret}/messages"),
        format!("/api/v1/channels/{secret}/members"),
        format!("/api/v1/channels/{secret}/events?after_seq=0"),
    ] {
        assert_error(
            app.get(&path, outsider).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{secret}/join"),
            outsider,
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{secret}/messages"),
            outsider,
            &json!({ "content": "hi" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(
        find(
            &app.get_ok("/api/v1/channels", &carol.access_token).await,
            secret
        )
        .is_none()
    );
    // A member invites carol; now she sees it.
    let invite = app
        .post_json(
            &format!("/api/v1/channels/{secret}/members"),
            Some(&bob.access_token),
            &json!({ "user_id": carol.id }),
        )
        .await;
    assert_eq!(invite.status(), StatusCode::NO_CONTENT);
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{secret}/messages"),
            &carol.access_token,
        )
        .await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["content"] == "for members only")
    );
}

async fn direct_conversations_are_found_again_for_the_same_people(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    let (status, first) = status_and_json(
        app.post_json(
            "/api/v1/channels",
            Some(&ana.access_token),
            &json!({ "type": "direct", "member_ids": [bob.id] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["type"], "direct");
    let (status, again) = status_and_json(
        app.post_json(
            "/api/v1/channels",
            Some(&bob.access_token),
            &json!({ "type": "direct", "member_ids": [ana.id, bob.id] }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, again["id"].clone()),
        (StatusCode::OK, first["id"].clone())
    );
    let dm = first["id"].as_i64().unwrap();
    assert_error(
        app.get(&format!("/api/v1/channels/{dm}"), Some(&carol.access_token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{dm}/leave"),
            Some(&ana.access_token),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{dm}/members"),
            Some(&ana.access_token),
            &json!({ "user_id": carol.id }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A group conversation is a different one.
    let (status, group) = status_and_json(
        app.post_json(
            "/api/v1/channels",
            Some(&ana.access_token),
            &json!({ "type": "direct", "member_ids": [bob.id, carol.id] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(group["id"], first["id"]);
    // Nobody outside the organization, and somebody is needed.
    assert_error(
        app.post_json(
            "/api/v1/channels",
            Some(&ana.access_token),
            &json!({ "type": "direct", "member_ids": [zoe.id] }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.post_json(
            "/api/v1/channels",
            Some(&ana.access_token),
            &json!({ "type": "direct", "member_ids": [] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    app.say(&bob.access_token, dm, "psst").await;
}

async fn post_hi(app: &TestApp, channel: i64, token: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/channels/{channel}/messages"),
        Some(token),
        &json!({ "content": "hi" }),
    )
    .await
}

async fn posting_needs_membership_and_an_open_channel(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;

    assert_error(
        post_hi(&app, general, &bob.access_token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Public channels are readable without joining.
    app.say(&ana.access_token, general, "welcome").await;
    assert_eq!(
        app.get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &bob.access_token
        )
        .await["messages"][0]["content"],
        "welcome"
    );
    app.join(&bob.access_token, general).await;
    assert_eq!(
        post_hi(&app, general, &bob.access_token).await.status(),
        StatusCode::CREATED
    );

    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{general}/archive"),
            Some(&bob.access_token),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let archived = app
        .post_ok(
            &format!("/api/v1/channels/{general}/archive"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(archived["is_archived"], true);
    assert_error(
        post_hi(&app, general, &bob.access_token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(
        !app.get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &bob.access_token
        )
        .await["messages"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let carol = app.register("carol", "acme.io", None).await;
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{general}/join"),
            Some(&carol.access_token),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    app.post_ok(
        &format!("/api/v1/channels/{general}/unarchive"),
        &ana.access_token,
        &json!({}),
    )
    .await;
    assert_eq!(
        post_hi(&app, general, &bob.access_token).await.status(),
        StatusCode::CREATED
    );
}

async fn managers_rename_archive_and_delete_channels(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let id = app.channel(&carol.access_token, "random", "public").await;
    app.join(&bob.access_token, id).await;
    let path = format!("/api/v1/channels/{id}");
    assert_error(
        app.send_json(
            Method::PUT,
            &path,
            Some(&bob.access_token),
            &json!({ "name": "mine" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let renamed = app
        .send_ok(
            Method::PUT,
            &path,
            &carol.access_token,
            &json!({ "name": "watercooler", "description": "Off-topic" }),
        )
        .await;
    assert_eq!(
        (renamed["name"].as_str(), renamed["description"].as_str()),
        (Some("watercooler"), Some("Off-topic"))
    );
    let cleared = app
        .send_ok(
            Method::PUT,
            &path,
            &carol.access_token,
            &json!({ "description": null }),
        )
        .await;
    assert_eq!(cleared["description"], Value::Null);
    let history = app
        .get_ok(&format!("{path}/messages"), &bob.access_token)
        .await;
    let system = &history["messages"][0];
    assert_eq!(system["message_type"], "system");
    assert!(
        system["content"].as_str().unwrap().contains("#watercooler"),
        "{system}"
    );

    // An organization admin manages every channel; members do not.
    assert_error(
        app.request(Method::DELETE, &path, Some(&bob.access_token))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(
        app.request(Method::DELETE, &path, Some(&ana.access_token))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.get(&path, Some(&carol.access_token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn members_are_listed_added_and_removed(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let id = app.channel(&ana.access_token, "team", "public").await;
    app.join(&bob.access_token, id).await;
    app.join(&bob.access_token, id).await;
    let members = app
        .get_ok(
            &format!("/api/v1/channels/{id}/members"),
            &carol.access_token,
        )
        .await;
    let names: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{members}");
    assert!(names.contains(&bob.username.as_str()) && names.contains(&ana.username.as_str()));

    let remove = |token: &str, user: i64| {
        app.request(
            Method::DELETE,
            &format!("/api/v1/channels/{id}/members/{user}"),
            Some(token),
        )
        .send()
    };
    assert_error(
        remove(&bob.access_token, ana.id).await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(
        remove(&ana.access_token, bob.id).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{id}/messages"),
            Some(&bob.access_token),
            &json!({ "content": "still here?" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    app.join(&carol.access_token, id).await;
    assert_eq!(
        app.post_json(
            &format!("/api/v1/channels/{id}/leave"),
            Some(&carol.access_token),
            &json!({})
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{id}/messages?limit=100"),
            &ana.access_token,
        )
        .await;
    let system: Vec<&str> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["message_type"] == "system")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(
        system.contains(&"joined the channel") && system.contains(&"left the channel"),
        "{system:?}"
    );
    assert!(
        system
            .iter()
            .any(|s| s.contains(&format!("removed @{}", bob.username))),
        "{system:?}"
    );
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{id}/members"),
            Some(&ana.access_token),
            &json!({ "user_id": 999_999 }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn other_organizations_channels_do_not_exist(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    let theirs = app
        .channel(&zoe.access_token, "globex-only", "public")
        .await;
    let token = Some(ana.access_token.as_str());
    let attempts = [
        app.get(&format!("/api/v1/channels/{theirs}"), token).await,
        app.get(&format!("/api/v1/channels/{theirs}/messages"), token)
            .await,
        app.get(&format!("/api/v1/channels/{theirs}/members"), token)
            .await,
        app.get(&format!("/api/v1/channels/{theirs}/pins"), token)
            .await,
        app.get(
            &format!("/api/v1/channels/{theirs}/events?after_seq=0"),
            token,
        )
        .await,
        app.post_json(
            &format!("/api/v1/channels/{theirs}/join"),
            token,
            &json!({}),
        )
        .await,
        app.post_json(
            &format!("/api/v1/channels/{theirs}/messages"),
            token,
            &json!({ "content": "hi" }),
        )
        .await,
        app.send_json(
            Method::PUT,
            &format!("/api/v1/channels/{theirs}"),
            token,
            &json!({ "name": "hijacked" }),
        )
        .await,
        app.request(Method::DELETE, &format!("/api/v1/channels/{theirs}"), token)
            .send()
            .await
            .unwrap(),
    ];
    for response in attempts {
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert!(
        find(
            &app.get_ok("/api/v1/channels", &ana.access_token).await,
            theirs
        )
        .is_none()
    );
    assert_eq!(
        app.get_ok(&format!("/api/v1/channels/{theirs}"), &zoe.access_token)
            .await["name"],
        "globex-only"
    );
}
