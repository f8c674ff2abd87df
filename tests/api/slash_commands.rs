//! Slash commands: Tandem's own, run with the caller's rights, and an organization's, answered
//! by a real endpoint the test starts on loopback (signature checked independently), whose
//! answer is posted in the channel or shown to the caller only.

use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::receiver::Receiver;
use tandem_tests::{Backend, TestApp, assert_error, on_every_backend_by_value, spawn_app_with};

on_every_backend_by_value!(
    tandems_own_commands_do_what_they_say_with_the_callers_rights,
    a_custom_command_calls_its_endpoint_and_shows_or_posts_its_answer,
    only_signed_in_admins_register_commands_and_bad_ones_are_refused,
);

async fn app_for(backend: Backend, receiver: &Receiver) -> TestApp {
    spawn_app_with(
        backend,
        json!({ "integrations": {
            "allowed_hosts": [format!("127.0.0.1:{}", receiver.port)],
        } }),
    )
    .await
}

async fn run(app: &TestApp, token: &str, channel: i64, text: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/channels/{channel}/commands"),
        Some(token),
        &json!({ "text": text }),
    )
    .await
}

async fn run_ok(app: &TestApp, token: &str, channel: i64, text: &str) -> Value {
    app.post_ok(
        &format!("/api/v1/channels/{channel}/commands"),
        token,
        &json!({ "text": text }),
    )
    .await
}

async fn tandems_own_commands_do_what_they_say_with_the_callers_rights(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver).await;
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let general = app.channel(&ana.access_token, "general", "public").await;

    let me = run_ok(&app, &ana.access_token, general, "/me waves").await;
    assert_eq!(me["response_type"], "in_channel");
    assert_eq!(me["message"]["content"], "*waves*");
    assert_eq!(me["message"]["user_id"], ana.id);
    let shrug = run_ok(&app, &ana.access_token, general, "/shrug works for me").await;
    assert_eq!(shrug["message"]["content"], r"works for me ¯\\\_(ツ)\_/¯");

    // /invite adds people; /topic sets the description; both are a manager's to do.
    let invited = run_ok(
        &app,
        &ana.access_token,
        general,
        &format!("/invite @{} {}", bo.username, carol.username),
    )
    .await;
    assert_eq!(invited["response_type"], "ephemeral");
    assert!(
        invited["text"].as_str().unwrap().contains(&bo.username),
        "{invited}"
    );
    let members = app
        .get_ok(
            &format!("/api/v1/channels/{general}/members"),
            &ana.access_token,
        )
        .await;
    assert_eq!(members["members"].as_array().unwrap().len(), 3, "{members}");
    run_ok(&app, &ana.access_token, general, "/topic Release week").await;
    let channel = app
        .get_ok(&format!("/api/v1/channels/{general}"), &bo.access_token)
        .await;
    assert_eq!(channel["description"], "Release week", "{channel}");
    let refused = run(&app, &bo.access_token, general, "/topic mine now").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // /mute and /unmute are the caller's own preferences.
    let muted = run_ok(&app, &bo.access_token, general, "/mute").await;
    assert!(muted["text"].as_str().unwrap().contains("muted"), "{muted}");
    let channel_path = format!("/api/v1/channels/{general}");
    let seen = app.get_ok(&channel_path, &bo.access_token).await;
    assert_eq!(seen["muted"], true, "{seen}");
    run_ok(&app, &bo.access_token, general, "/unmute").await;
    let seen = app.get_ok(&channel_path, &bo.access_token).await;
    assert_eq!(seen["muted"], false, "{seen}");

    // /help lists what there is; /leave leaves.
    let help = run_ok(&app, &bo.access_token, general, "/help").await;
    assert!(help["text"].as_str().unwrap().contains("/shrug"), "{help}");
    let listed = app.get_ok("/api/v1/commands", &bo.access_token).await;
    assert!(
        listed["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "invite" && c["built_in"] == true),
        "{listed}"
    );
    run_ok(&app, &carol.access_token, general, "/leave").await;
    let members = app
        .get_ok(
            &format!("/api/v1/channels/{general}/members"),
            &ana.access_token,
        )
        .await;
    assert!(
        !members["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["id"] == carol.id),
        "{members}"
    );

    // Mistakes get a clear word.
    for (text, code) in [
        ("hello", "not_a_command"),
        ("/nope", "unknown_command"),
        ("/me", "missing_arguments"),
        ("/invite @nobody-here", "unknown_person"),
    ] {
        let refused = assert_error(
            run(&app, &ana.access_token, general, text).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["details"][0]["code"], code, "{text}: {refused}");
    }
    // A token with `write` posts with /me but does not change the channel with /topic.
    let writer = app
        .post_ok(
            "/api/v1/users/me/tokens",
            &ana.access_token,
            &json!({ "name": "writer", "scopes": ["read", "write"] }),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    run_ok(&app, &writer, general, "/me deploys").await;
    assert_eq!(
        run(&app, &writer, general, "/topic sneaky").await.status(),
        StatusCode::FORBIDDEN
    );
}

async fn a_custom_command_calls_its_endpoint_and_shows_or_posts_its_answer(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver).await;
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bo.access_token, general).await;
    let created = app
        .post_ok(
            "/api/v1/slash-commands",
            &ana.access_token,
            &json!({
                "trigger": "deploy",
                "url": format!("http://127.0.0.1:{}/command", receiver.port),
                "description": "Deploy a service",
            }),
        )
        .await;
    let secret = created["secret"].as_str().unwrap().to_owned();

    // An ephemeral answer: for Bo only, nothing stored.
    receiver.answer_json(200, &json!({ "text": "Deploying *api*…" }));
    let answer = run_ok(&app, &bo.access_token, general, "/deploy api now").await;
    assert_eq!(answer["response_type"], "ephemeral");
    assert_eq!(answer["text"], "Deploying *api*…");
    let request = &receiver.received()[0];
    let body = request.json();
    assert_eq!(body["command"], "/deploy");
    assert_eq!(body["text"], "api now");
    assert_eq!(body["channel_id"], general);
    assert_eq!(body["user_id"], bo.id);
    assert_eq!(body["username"], bo.username.as_str());
    let timestamp = request.header("x-tandem-timestamp");
    let mut mac = Hmac::<sha256::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{}", request.body).as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(request.header("x-tandem-signature"), format!("v1={hex}"));
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &ana.access_token,
        )
        .await;
    assert!(!history.to_string().contains("Deploying"), "{history}");

    // An in-channel answer is posted as the caller.
    receiver.answer_json(
        200,
        &json!({ "text": "api is deployed", "response_type": "in_channel" }),
    );
    let posted = run_ok(&app, &bo.access_token, general, "/DEPLOY api").await;
    assert_eq!(posted["response_type"], "in_channel");
    assert_eq!(posted["message"]["content"], "api is deployed");
    assert_eq!(posted["message"]["user_id"], bo.id);

    // A failing or confused endpoint is a clear refusal, and the command keeps working.
    receiver.answer_json(500, &json!({ "error": "boom" }));
    receiver.answer_json(200, &json!({ "text": 5 }));
    receiver.answer_json(200, &json!({ "text": "x", "response_type": "everyone" }));
    for _ in 0..3 {
        let refused = assert_error(
            run(&app, &bo.access_token, general, "/deploy api").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["details"][0]["code"], "command_failed", "{refused}");
    }
    receiver.answer_json(200, &json!({}));
    let quiet = run_ok(&app, &bo.access_token, general, "/deploy api").await;
    assert_eq!(quiet["response_type"], "ephemeral");
    let listed = app.get_ok("/api/v1/commands", &bo.access_token).await;
    assert!(
        listed["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "deploy" && c["built_in"] == false),
        "{listed}"
    );

    // Removed, it is unknown.
    let id = created["command"]["id"].as_i64().unwrap();
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/slash-commands/{id}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refused = assert_error(
        run(&app, &bo.access_token, general, "/deploy api").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["details"][0]["code"], "unknown_command");
}

async fn only_signed_in_admins_register_commands_and_bad_ones_are_refused(backend: Backend) {
    let receiver = Receiver::start().await;
    let app = app_for(backend, &receiver).await;
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (eve, _) = app.organization("evil.io", "Evil").await;
    let url = format!("http://127.0.0.1:{}/command", receiver.port);
    let good = json!({ "trigger": "deploy", "url": url });

    assert_error(
        app.post_json("/api/v1/slash-commands", Some(&bo.access_token), &good)
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
        app.post_json("/api/v1/slash-commands", all["token"].as_str(), &good)
            .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
    let created = app
        .post_ok("/api/v1/slash-commands", &ana.access_token, &good)
        .await;
    for (body, field, code) in [
        (
            json!({ "trigger": "shrug", "url": url }),
            "trigger",
            "reserved_trigger",
        ),
        (
            json!({ "trigger": "two words", "url": url }),
            "trigger",
            "invalid_trigger",
        ),
        (
            json!({ "trigger": "ok", "url": "ftp://x" }),
            "url",
            "invalid_url",
        ),
        (
            json!({ "trigger": "ok", "url": url, "description": "x".repeat(201) }),
            "description",
            "invalid_description",
        ),
    ] {
        let refused = assert_error(
            app.post_json("/api/v1/slash-commands", Some(&ana.access_token), &body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["details"][0]["field"], field, "{body}: {refused}");
        assert_eq!(refused["details"][0]["code"], code, "{body}: {refused}");
    }
    assert_error(
        app.post_json("/api/v1/slash-commands", Some(&ana.access_token), &good)
            .await,
        StatusCode::CONFLICT,
        "trigger_taken",
    )
    .await;
    assert_error(
        app.post_json(
            "/api/v1/slash-commands",
            Some(&ana.access_token),
            &json!({ "trigger": "ok", "url": "http://localhost:9/x" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "address_not_allowed",
    )
    .await;
    // Another organization's command is neither listed nor removable there, nor runnable.
    assert_eq!(
        app.get_ok("/api/v1/slash-commands", &eve.access_token)
            .await["commands"],
        json!([])
    );
    let id = created["command"]["id"].as_i64().unwrap();
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/slash-commands/{id}"),
            Some(&eve.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    let eves = app.channel(&eve.access_token, "plans", "public").await;
    let refused = assert_error(
        run(&app, &eve.access_token, eves, "/deploy x").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["details"][0]["code"], "unknown_command");
    assert!(receiver.received().is_empty());
}
