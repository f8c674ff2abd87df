//! Incoming webhooks: a channel's managers make one; another system posts to its secret
//! address, with no other credential, in the payload shape Slack's and Mattermost's hooks
//! take; the message is the hook bot's. Bad payloads are refused with clear errors while the
//! hook keeps working; deleting it stops it at once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    a_channel_manager_makes_a_hook_that_posts_as_its_bot,
    only_the_channels_managers_signed_in_manage_its_hooks,
    bad_posts_are_refused_and_the_hook_keeps_working,
    deleting_a_hook_stops_it_and_retires_its_bot,
    slacks_form_encoded_payload_is_taken_like_json,
);

/// Makes a hook named `name` in `channel`; the answer (`hook`, `url`, `token`).
async fn hook(app: &TestApp, token: &str, channel: i64, name: &str) -> Value {
    let (status, body) = status_and_json(
        app.post_json(
            &format!("/api/v1/channels/{channel}/hooks"),
            Some(token),
            &json!({ "name": name }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Posts `body` to the hook's address, as another system would: no `Authorization`.
async fn post(app: &TestApp, created: &Value, body: &Value) -> reqwest::Response {
    let url = created["url"].as_str().unwrap();
    let path = &url[url.find("/api/v1/hooks/").unwrap()..];
    app.post_json(path, None, body).await
}

/// `value` encoded as a form field's value is (`application/x-www-form-urlencoded`): spaces
/// as `+`, everything but letters, digits and `-._~` as `%XX`, as `curl --data-urlencode`
/// and HTML forms send it.
fn form_value(value: &str) -> String {
    let mut encoded = String::new();
    for byte in value.bytes() {
        match byte {
            b' ' => encoded.push('+'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// Posts `body` to the hook's address as a form, with the given `Content-Type`.
async fn post_form(
    app: &TestApp,
    created: &Value,
    content_type: &str,
    body: String,
) -> reqwest::Response {
    let url = created["url"].as_str().unwrap();
    let path = &url[url.find("/api/v1/hooks/").unwrap()..];
    app.request(Method::POST, path, None)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn a_channel_manager_makes_a_hook_that_posts_as_its_bot(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let alerts = app.channel(&ana.access_token, "alerts", "private").await;
    app.post_ok(
        &format!("/api/v1/channels/{alerts}/members"),
        &ana.access_token,
        &json!({ "user_id": bo.id }),
    )
    .await;
    let created = hook(&app, &ana.access_token, alerts, "Deploy alerts").await;
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("tdm_hook_"), "{created}");
    assert!(
        created["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/hooks/{token}")),
        "{created}"
    );
    let bot = &created["hook"]["bot"];
    assert_eq!(bot["is_bot"], true);
    assert_eq!(bot["display_name"], "Deploy alerts");
    assert!(
        bot["username"]
            .as_str()
            .unwrap()
            .starts_with("deploy-alerts-"),
        "{bot}"
    );
    // Its bot is a member of the (private) channel.
    let members = app
        .get_ok(
            &format!("/api/v1/channels/{alerts}/members"),
            &bo.access_token,
        )
        .await;
    assert!(
        members["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["id"] == bot["id"]),
        "{members}"
    );

    // The common payload: text with Markdown and a mention, and an attachment.
    let response = post(
        &app,
        &created,
        &json!({
            "text": format!("Deploy of *api* finished, cc @{}", bo.username),
            "username": "ignored-override",
            "icon_emoji": ":rocket:",
            "attachments": [{
                "color": "#36a64f",
                "title": "Build 42",
                "title_link": "https://ci.example.com/42",
                "fields": [{ "title": "Branch", "value": "main", "short": true }],
            }],
        }),
    )
    .await;
    let (status, message) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{message}");
    assert_eq!(message["user_id"], bot["id"]);
    assert_eq!(message["channel_id"], alerts);
    assert_eq!(
        message["content"],
        format!(
            "Deploy of *api* finished, cc @{}\n\n**[Build 42](https://ci.example.com/42)**\n\
             **Branch**: main",
            bo.username
        )
    );
    assert!(
        message["mentions"]
            .as_array()
            .unwrap()
            .contains(&json!({ "type": "user", "user_id": bo.id })),
        "{message}"
    );
    // Bo sees it in the channel, from the bot.
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{alerts}/messages"),
            &bo.access_token,
        )
        .await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == message["id"] && m["user_id"] == bot["id"]),
        "{history}"
    );

    // The managers' list: with its last use, never its secret.
    let listed = app
        .get_ok(
            &format!("/api/v1/channels/{alerts}/hooks"),
            &ana.access_token,
        )
        .await;
    let hooks = listed["hooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 1, "{listed}");
    assert_eq!(hooks[0]["name"], "Deploy alerts");
    assert_eq!(hooks[0]["created_by"], ana.id);
    assert!(hooks[0]["last_used_at"].is_string(), "{listed}");
    assert!(!listed.to_string().contains("tdm_hook_"), "{listed}");

    // Two hooks of one name get bots of their own; a chosen username is kept.
    let again = hook(&app, &ana.access_token, alerts, "Deploy alerts").await;
    assert_ne!(again["hook"]["bot"]["id"], bot["id"]);
    let named = app
        .post_ok(
            &format!("/api/v1/channels/{alerts}/hooks"),
            &ana.access_token,
            &json!({ "name": "CI", "username": "ci-bot" }),
        )
        .await;
    assert_eq!(named["hook"]["bot"]["username"], "ci-bot");
    assert_error(
        app.post_json(
            &format!("/api/v1/channels/{alerts}/hooks"),
            Some(&ana.access_token),
            &json!({ "name": "CI again", "username": "ci-bot" }),
        )
        .await,
        StatusCode::CONFLICT,
        "username_taken",
    )
    .await;
}

async fn only_the_channels_managers_signed_in_manage_its_hooks(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (eve, _) = app.organization("evil.io", "Evil").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bo.access_token, general).await;
    let hooks = format!("/api/v1/channels/{general}/hooks");
    let create = json!({ "name": "Alerts" });

    // A member who does not manage the channel may not.
    assert_error(
        app.post_json(&hooks, Some(&bo.access_token), &create).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get(&hooks, Some(&bo.access_token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Another organization does not see the channel at all.
    assert_error(
        app.post_json(&hooks, Some(&eve.access_token), &create)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // No token makes credentials, even an admin's with every scope.
    let all = app
        .post_ok(
            "/api/v1/users/me/tokens",
            &ana.access_token,
            &json!({ "name": "all", "scopes": ["read", "write", "channels", "admin"] }),
        )
        .await;
    assert_error(
        app.post_json(&hooks, all["token"].as_str(), &create).await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    // A channel admin (made so by Ana) may.
    app.send_ok(
        Method::PATCH,
        &format!("/api/v1/channels/{general}/members/{}", bo.id),
        &ana.access_token,
        &json!({ "role": "admin" }),
    )
    .await;
    let created = hook(&app, &bo.access_token, general, "Bo's alerts").await;
    let id = created["hook"]["id"].as_i64().unwrap();
    // Deleting takes a manager too, and the hook's own channel.
    let other = app.channel(&ana.access_token, "other", "public").await;
    for (path, token, status) in [
        (
            format!("{hooks}/{id}"),
            &eve.access_token,
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/channels/{other}/hooks/{id}"),
            &ana.access_token,
            StatusCode::NOT_FOUND,
        ),
        (
            format!("{hooks}/999999"),
            &ana.access_token,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = app
            .request(Method::DELETE, &path, Some(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
    }
    let listed = app.get_ok(&hooks, &ana.access_token).await;
    assert_eq!(listed["hooks"].as_array().unwrap().len(), 1, "{listed}");
}

async fn bad_posts_are_refused_and_the_hook_keeps_working(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let created = hook(&app, &ana.access_token, general, "Alerts").await;
    let url = created["url"].as_str().unwrap();
    let path = &url[url.find("/api/v1/hooks/").unwrap()..];

    // Not JSON, or not this shape.
    let malformed = app
        .request(Method::POST, path, None)
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;
    for wrong in [
        json!({ "text": 5 }),
        json!({ "attachments": "x" }),
        json!([1, 2]),
    ] {
        assert_error(
            post(&app, &created, &wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    // Neither JSON nor a form (forms are `slacks_form_encoded_payload_is_taken_like_json`).
    for content_type in [
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = app
            .request(Method::POST, path, None)
            .body("{\"text\": \"hi\"}");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let refused = assert_error(
            request.send().await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        assert!(
            refused["message"].as_str().unwrap().contains("payload"),
            "{content_type:?}: {refused}"
        );
    }
    // Nothing to post, too long, too many attachments.
    for (body, field) in [
        (json!({}), "text"),
        (json!({ "text": "   " }), "text"),
        (json!({ "attachments": [{ "color": "#fff" }] }), "text"),
        (json!({ "text": "x".repeat(4_001) }), "content"),
        (
            json!({ "text": "hi", "attachments": vec![json!({ "text": "a" }); 21] }),
            "attachments",
        ),
    ] {
        let refused = assert_error(
            post(&app, &created, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["details"][0]["field"], field, "{refused}");
    }
    // Larger than any JSON body may be.
    let huge = post(
        &app,
        &created,
        &json!({ "text": "y".repeat(2 * 1024 * 1024) }),
    )
    .await;
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Wrong addresses: not a hook's secret, a made-up one of the right shape.
    for wrong in [
        "/api/v1/hooks/nope".to_owned(),
        "/api/v1/hooks/tdm_hook_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        format!("{path}x"),
    ] {
        assert_error(
            app.post_json(&wrong, None, &json!({ "text": "hi" })).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    // Injection strings are words like any other, stored as sent.
    for words in [
        "'); DROP TABLE messages; --",
        "<script>alert(1)</script>",
        "{{7*7}} ${7*7}",
    ] {
        let (status, message) =
            status_and_json(post(&app, &created, &json!({ "text": words })).await).await;
        assert_eq!(status, StatusCode::OK, "{message}");
        assert_eq!(message["content"], words);
    }
    // An archived channel takes nothing, from hooks either; unarchived, the hook works again.
    app.post_ok(
        &format!("/api/v1/channels/{general}/archive"),
        &ana.access_token,
        &json!({}),
    )
    .await;
    assert_eq!(
        post(&app, &created, &json!({ "text": "late" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.post_ok(
        &format!("/api/v1/channels/{general}/unarchive"),
        &ana.access_token,
        &json!({}),
    )
    .await;
    let (status, _) = status_and_json(post(&app, &created, &json!({ "text": "back" })).await).await;
    assert_eq!(status, StatusCode::OK);
    // A flood is slowed like anyone's: the message limit, with `Retry-After`.
    let mut refused = None;
    for n in 0..80 {
        let response = post(&app, &created, &json!({ "text": format!("flood {n}") })).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = refused.expect("the hook was never slowed down");
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Everyone else goes on.
    app.say(&ana.access_token, general, "still fine").await;
}

async fn deleting_a_hook_stops_it_and_retires_its_bot(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let created = hook(&app, &ana.access_token, general, "Alerts").await;
    let (status, message) =
        status_and_json(post(&app, &created, &json!({ "text": "before" })).await).await;
    assert_eq!(status, StatusCode::OK);

    let id = created["hook"]["id"].as_i64().unwrap();
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/channels/{general}/hooks/{id}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        post(&app, &created, &json!({ "text": "after" })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let bot = app
        .get_ok(
            &format!("/api/v1/users/{}", created["hook"]["bot"]["id"]),
            &ana.access_token,
        )
        .await;
    assert_eq!(bot["is_active"], false, "{bot}");
    // What it posted stays.
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &ana.access_token,
        )
        .await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == message["id"]),
        "{history}"
    );
    let listed = app
        .get_ok(
            &format!("/api/v1/channels/{general}/hooks"),
            &ana.access_token,
        )
        .await;
    assert_eq!(listed["hooks"], json!([]));
}

async fn slacks_form_encoded_payload_is_taken_like_json(app: TestApp) {
    const FORM: &str = "application/x-www-form-urlencoded";
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let created = hook(&app, &ana.access_token, general, "Alerts").await;
    let bot = created["hook"]["bot"]["id"].clone();

    // Slack's shape: the JSON in `payload`, URL-encoded; other fields are ignored. The message
    // is the one the same JSON makes.
    let payload = json!({
        "text": "Deploy of *api* finished: café ☕ & 100% green",
        "attachments": [{ "title": "Build 42", "title_link": "https://ci.example.com/42" }],
    });
    let expected = "Deploy of *api* finished: café ☕ & 100% green\n\n\
                    **[Build 42](https://ci.example.com/42)**";
    for (content_type, body) in [
        (
            FORM,
            format!("payload={}", form_value(&payload.to_string())),
        ),
        (
            "application/x-www-form-urlencoded; charset=utf-8",
            format!(
                "channel=%23ignored&payload={}&username=ignored",
                form_value(&payload.to_string())
            ),
        ),
    ] {
        let (status, message) =
            status_and_json(post_form(&app, &created, content_type, body).await).await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {message}");
        assert_eq!(message["user_id"], bot);
        assert_eq!(message["channel_id"], general);
        assert_eq!(message["content"], expected);
    }
    let (status, from_json) = status_and_json(post(&app, &created, &payload).await).await;
    assert_eq!(status, StatusCode::OK, "{from_json}");
    assert_eq!(from_json["content"], expected);

    // No `payload` (or two), or one that is not JSON: `400 malformed_json`, as a body that is
    // not JSON is, saying what is wrong.
    for (body, says) in [
        (format!("text={}", form_value("hi")), "`payload`"),
        (String::new(), "`payload`"),
        (
            format!("Payload={}", form_value("{\"text\":\"hi\"}")),
            "`payload`",
        ),
        (
            format!("payload={0}&payload={0}", form_value("{\"text\":\"hi\"}")),
            "exactly one `payload`",
        ),
        (
            format!("payload={}", form_value("{\"text\": ")),
            "`payload` is not valid JSON",
        ),
        (
            "payload=text%3Dhi".to_owned(),
            "`payload` is not valid JSON",
        ),
        ("payload=".to_owned(), "`payload` is not valid JSON"),
    ] {
        let refused = assert_error(
            post_form(&app, &created, FORM, body.clone()).await,
            StatusCode::BAD_REQUEST,
            "malformed_json",
        )
        .await;
        assert!(
            refused["message"].as_str().unwrap().contains(says),
            "{body}: {refused}"
        );
    }
    // JSON of the wrong shape, nothing to post, too much: `422`, the very answer the same
    // JSON body gets.
    for payload in [
        json!({ "text": 5 }),
        json!({ "attachments": "x" }),
        json!([1, 2]),
        json!({}),
        json!({ "text": "x".repeat(4_001) }),
        json!({ "text": "hi", "attachments": vec![json!({ "text": "a" }); 21] }),
    ] {
        let (status, as_form) = status_and_json(
            post_form(
                &app,
                &created,
                FORM,
                format!("payload={}", form_value(&payload.to_string())),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{as_form}");
        assert_eq!(as_form["code"], "validation_failed", "{as_form}");
        let (json_status, as_json) = status_and_json(post(&app, &created, &payload).await).await;
        assert_eq!((status, &as_form), (json_status, &as_json), "{payload}");
    }
    // Larger than any JSON body may be: `413`, as for JSON.
    let huge = json!({ "text": "y".repeat(2 * 1024 * 1024) });
    let refused = assert_error(
        post_form(
            &app,
            &created,
            FORM,
            format!("payload={}", form_value(&huge.to_string())),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert!(
        refused["message"].as_str().unwrap().contains("limit"),
        "{refused}"
    );
    // A form for no hook is no hook's, as JSON is.
    let wrong = app
        .request(
            Method::POST,
            "/api/v1/hooks/tdm_hook_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            None,
        )
        .header("content-type", FORM)
        .body(format!("payload={}", form_value("{\"text\":\"hi\"}")))
        .send()
        .await
        .unwrap();
    assert_error(wrong, StatusCode::NOT_FOUND, "not_found").await;
    // After all of it, the hook works.
    let (status, _) = status_and_json(
        post_form(
            &app,
            &created,
            FORM,
            format!("payload={}", form_value("{\"text\":\"still here\"}")),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
