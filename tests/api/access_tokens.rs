//! Personal access tokens: made when signed in, shown once, limited to their scopes on the
//! REST API, the WebSocket gateway and the event streams, never able to manage the account,
//! and revoked at once (their sockets closed) by their owner or an admin.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    a_token_does_what_its_scopes_allow_and_nothing_of_the_account,
    revoking_a_token_stops_it_at_once_and_closes_its_socket,
    expired_forged_and_malformed_tokens_are_refused,
    on_the_socket_a_token_reads_or_writes_as_its_scopes_say,
    admins_see_and_revoke_their_organizations_tokens_only,
    admins_turn_tokens_off_and_on_for_their_organization,
);

/// Makes a token of `scopes` with the signed-in `session_token`; its secret and record.
async fn token(app: &TestApp, session_token: &str, name: &str, scopes: &[&str]) -> (String, Value) {
    let response = app
        .post_json(
            "/api/v1/users/me/tokens",
            Some(session_token),
            &json!({ "name": name, "scopes": scopes }),
        )
        .await;
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("tdm_pat_"), "{secret}");
    (secret, body["access_token"].clone())
}

async fn insufficient(response: reqwest::Response) {
    assert_error(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
}

async fn a_token_does_what_its_scopes_allow_and_nothing_of_the_account(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let posts = format!("/api/v1/channels/{general}/messages");
    let (reader, reader_record) = token(&app, &ana.access_token, "reader", &["read"]).await;
    let (writer, _) = token(&app, &ana.access_token, "notifier", &["read", "write"]).await;
    let (organizer, _) = token(&app, &ana.access_token, "organizer", &["channels"]).await;
    let (admin, _) = token(&app, &ana.access_token, "admin", &["admin"]).await;

    // Reading takes `read`.
    let me = app.get_ok("/api/v1/auth/me", &reader).await;
    assert_eq!(me["id"], ana.id);
    app.get_ok(&posts, &reader).await;
    insufficient(app.get(&posts, Some(&organizer)).await).await;
    // Writing takes `write`.
    insufficient(
        app.post_json(&posts, Some(&reader), &json!({ "content": "hi" }))
            .await,
    )
    .await;
    let posted = app
        .post_ok(&posts, &writer, &json!({ "content": "deployed v2" }))
        .await;
    assert_eq!(posted["user_id"], ana.id, "a token acts as its owner");
    // Channels take `channels`.
    let create = json!({ "name": "ops", "type": "public" });
    insufficient(
        app.post_json("/api/v1/channels", Some(&writer), &create)
            .await,
    )
    .await;
    let (status, _) = status_and_json(
        app.post_json("/api/v1/channels", Some(&organizer), &create)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The administration takes `admin`.
    let closed = json!({ "self_signup": false });
    insufficient(
        app.send_json(
            Method::PATCH,
            "/api/v1/organizations/current",
            Some(&writer),
            &closed,
        )
        .await,
    )
    .await;
    let org = app
        .send_ok(
            Method::PATCH,
            "/api/v1/organizations/current",
            &admin,
            &closed,
        )
        .await;
    assert_eq!(org["self_signup"], false);

    // Whatever its scopes, a token never manages the account or makes tokens.
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/users/me/tokens",
            json!({ "name": "more", "scopes": ["read"] }),
        ),
        (Method::GET, "/api/v1/users/me/tokens", Value::Null),
        (
            Method::POST,
            "/api/v1/auth/password",
            json!({ "current_password": "x", "new_password": "violet harbor kettle 9" }),
        ),
        (Method::POST, "/api/v1/auth/logout", Value::Null),
        (Method::GET, "/api/v1/auth/sessions", Value::Null),
        (
            Method::GET,
            "/api/v1/organizations/current/tokens",
            Value::Null,
        ),
    ] {
        let response = if body.is_null() {
            app.request(method.clone(), path, Some(&admin))
                .send()
                .await
                .unwrap()
        } else {
            app.send_json(method.clone(), path, Some(&admin), &body)
                .await
        };
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        insufficient(response).await;
    }

    // Only admins may give a token the admin scope; a member's token does what they may.
    let (status, error) = status_and_json(
        app.post_json(
            "/api/v1/users/me/tokens",
            Some(&bo.access_token),
            &json!({ "name": "sneaky", "scopes": ["admin"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    let (bo_writer, _) = token(&app, &bo.access_token, "bo", &["read", "write"]).await;
    app.join(&bo.access_token, general).await;
    app.post_ok(
        &posts,
        &bo_writer,
        &json!({ "content": "from Bo's script" }),
    )
    .await;

    // The owner's list: names, scopes and last use, never a secret.
    let list = app
        .get_ok("/api/v1/users/me/tokens", &ana.access_token)
        .await;
    let tokens = list["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 4, "{list}");
    assert!(!list.to_string().contains("tdm_pat_"), "{list}");
    let listed_reader = tokens
        .iter()
        .find(|t| t["id"] == reader_record["id"])
        .unwrap();
    assert_eq!(listed_reader["scopes"], json!(["read"]));
    assert!(listed_reader["last_used_at"].is_string(), "{listed_reader}");
    assert_eq!(listed_reader["expires_at"], Value::Null);
}

async fn revoking_a_token_stops_it_at_once_and_closes_its_socket(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (secret, record) = token(&app, &ana.access_token, "bot", &["read", "write"]).await;
    let mut socket = app.socket(&secret, general, "").await;
    socket.expect("ready").await;
    // Another of her tokens, and her session, are untouched by it.
    let (other, _) = token(&app, &ana.access_token, "other", &["read"]).await;

    let revoke = format!("/api/v1/users/me/tokens/{}", record["id"]);
    let response = app
        .request(Method::DELETE, &revoke, Some(&ana.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (code, reason) = socket.closed().await;
    assert_eq!(code, 4401, "{reason}");
    assert_error(
        app.get("/api/v1/channels", Some(&secret)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    app.get_ok("/api/v1/channels", &other).await;
    app.get_ok("/api/v1/channels", &ana.access_token).await;
    // Gone is gone.
    let again = app
        .request(Method::DELETE, &revoke, Some(&ana.access_token))
        .send()
        .await
        .unwrap();
    assert_error(again, StatusCode::NOT_FOUND, "not_found").await;
}

async fn expired_forged_and_malformed_tokens_are_refused(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let created = app
        .post_ok(
            "/api/v1/users/me/tokens",
            &ana.access_token,
            &json!({ "name": "short-lived", "scopes": ["read"], "expires_in_days": 1 }),
        )
        .await;
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(
        created["access_token"]["expires_at"].is_string(),
        "{created}"
    );
    app.get_ok("/api/v1/channels", &secret).await;
    app.clock.advance(Duration::from_secs(2 * 24 * 3600));
    assert_error(
        app.get("/api/v1/channels", Some(&secret)).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;

    for forged in [
        "tdm_pat_".to_owned(),
        "tdm_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        format!("{secret}x"),
        "tdm_pat_'; DROP TABLE access_tokens; --".to_owned(),
    ] {
        assert_error(
            app.get("/api/v1/channels", Some(&forged)).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        )
        .await;
    }

    // Two tokens in one request, header and query, are refused, even when both are good.
    for path in ["/api/v1/sse/notifications", "/api/v1/files/1"] {
        let both = app
            .request(
                Method::GET,
                &format!("{path}?token={}", ana.access_token),
                Some(&ana.access_token),
            )
            .send()
            .await
            .unwrap();
        let error = assert_error(both, StatusCode::UNAUTHORIZED, "invalid_token").await;
        assert!(
            error["message"].as_str().unwrap().contains("not both"),
            "{error}"
        );
    }

    for (body, field) in [
        (json!({ "name": "x", "scopes": [] }), "scopes"),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_in_days": 0 }),
            "expires_in_days",
        ),
        (
            json!({ "name": "x", "scopes": ["read"], "expires_in_days": 3651 }),
            "expires_in_days",
        ),
        (json!({ "name": "   ", "scopes": ["read"] }), "name"),
        (json!({ "name": "x", "scopes": ["everything"] }), "scopes"),
        (
            json!({ "name": "x", "scopes": ["read"], "owner": 1 }),
            "owner",
        ),
    ] {
        let error = assert_error(
            app.post_json("/api/v1/users/me/tokens", Some(&ana.access_token), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        let named = error["details"][0]["field"].as_str().unwrap_or_default();
        assert!(
            named.starts_with(field) || named == "body",
            "{body}: {error}"
        );
    }
}

async fn on_the_socket_a_token_reads_or_writes_as_its_scopes_say(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (reader, _) = token(&app, &ana.access_token, "reader", &["read"]).await;
    let (writer, _) = token(&app, &ana.access_token, "writer", &["write"]).await;

    let mut socket = app.socket(&reader, general, "").await;
    socket.expect("ready").await;
    socket
        .send(json!({ "type": "chat_message", "content": "may I?", "ref": "r1" }))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(error["code"], "insufficient_scope", "{error}");
    assert_eq!(error["ref"], "r1");
    // It still reads: someone else's message arrives.
    app.say(&ana.access_token, general, "from the session")
        .await;
    let frame = socket.expect("chat_message").await;
    assert_eq!(frame["message"]["content"], "from the session");

    // Without `read`, no stream opens.
    let mut blind = app.socket(&writer, general, "").await;
    assert_eq!(blind.closed().await.0, 4403);
    let refused = app
        .request(
            Method::GET,
            &format!("/api/v1/sse/activity/{general}"),
            Some(&writer),
        )
        .send()
        .await
        .unwrap();
    insufficient(refused).await;
}

async fn admins_see_and_revoke_their_organizations_tokens_only(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (zoe, _) = app.organization("globex.io", "Globex").await;
    let (bo_secret, bo_record) = token(&app, &bo.access_token, "bo's", &["read"]).await;
    let (_, ana_record) = token(&app, &ana.access_token, "ana's", &["read"]).await;
    let (_, zoe_record) = token(&app, &zoe.access_token, "zoe's", &["read"]).await;

    let all = app
        .get_ok("/api/v1/organizations/current/tokens", &ana.access_token)
        .await;
    let owners: Vec<&Value> = all["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["user_id"])
        .collect();
    assert_eq!(owners.len(), 2, "{all}");
    assert!(owners.contains(&&json!(bo.id)) && owners.contains(&&json!(ana.id)));
    // Members see only their own, and may not look at the organization's.
    assert_error(
        app.get(
            "/api/v1/organizations/current/tokens",
            Some(&bo.access_token),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A member cannot revoke the admin's token through their own list.
    let mine = format!("/api/v1/users/me/tokens/{}", ana_record["id"]);
    let response = app
        .request(Method::DELETE, &mine, Some(&bo.access_token))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    // Another organization's token is not there for Ana.
    let foreign = format!("/api/v1/organizations/current/tokens/{}", zoe_record["id"]);
    let response = app
        .request(Method::DELETE, &foreign, Some(&ana.access_token))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;

    let bos = format!("/api/v1/organizations/current/tokens/{}", bo_record["id"]);
    let response = app
        .request(Method::DELETE, &bos, Some(&ana.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get("/api/v1/channels", Some(&bo_secret)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}

async fn admins_turn_tokens_off_and_on_for_their_organization(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (eve, _) = app.organization("evil.io", "Evil").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (bos, _) = token(&app, &bo.access_token, "bo's script", &["read"]).await;
    let (eves, _) = token(&app, &eve.access_token, "eve's script", &["read"]).await;
    let bot = app
        .post_ok(
            "/api/v1/bots",
            &ana.access_token,
            &json!({ "username": "steady-bot" }),
        )
        .await;
    let bot_token = bot["token"].as_str().unwrap().to_owned();
    let mut socket = app.socket(&bos, general, "").await;
    socket.expect("ready").await;
    let current = app
        .get_ok("/api/v1/organizations/current", &ana.access_token)
        .await;
    assert_eq!(current["access_tokens_enabled"], true);

    // Only an admin turns them off.
    let off = json!({ "access_tokens_enabled": false });
    let refused = app
        .send_json(
            Method::PATCH,
            "/api/v1/organizations/current",
            Some(&bo.access_token),
            &off,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let org = app
        .send_ok(
            Method::PATCH,
            "/api/v1/organizations/current",
            &ana.access_token,
            &off,
        )
        .await;
    assert_eq!(org["access_tokens_enabled"], false);

    // Bo's token stops at once, its socket closes, and no new one can be made.
    let (code, reason) = socket.closed().await;
    assert_eq!(code, 4401, "{reason}");
    assert_error(
        app.get("/api/v1/channels", Some(&bos)).await,
        StatusCode::FORBIDDEN,
        "access_tokens_disabled",
    )
    .await;
    assert_error(
        app.post_json(
            "/api/v1/users/me/tokens",
            Some(&bo.access_token),
            &json!({ "name": "another", "scopes": ["read"] }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "access_tokens_disabled",
    )
    .await;
    // Sessions, the organization's bots and other organizations go on.
    app.get_ok("/api/v1/channels", &bo.access_token).await;
    app.get_ok("/api/v1/auth/me", &bot_token).await;
    app.get_ok("/api/v1/auth/me", &eves).await;

    // On again, the same token works again.
    app.send_ok(
        Method::PATCH,
        "/api/v1/organizations/current",
        &ana.access_token,
        &json!({ "access_tokens_enabled": true }),
    )
    .await;
    app.get_ok("/api/v1/channels", &bos).await;
}
