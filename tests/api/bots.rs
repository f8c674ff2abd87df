//! Bot accounts: made by admins with a token of their own, members that join and post like
//! people and spend a request budget of their own, never signed in to, and stopped at once
//! (their sockets closed) when their token is replaced or they are deactivated, or their owner
//! is.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    Backend, TestApp, assert_error, on_every_backend, on_every_backend_by_value, spawn_app_with,
    status_and_json,
};

on_every_backend!(
    an_admin_makes_a_bot_that_joins_and_posts_with_its_own_token,
    only_signed_in_admins_manage_bots_and_bad_requests_are_refused,
    a_new_token_ends_the_old_one_and_deactivating_stops_the_bot,
    deactivating_an_owner_stops_their_bots_until_an_admin_brings_one_back,
);

on_every_backend_by_value!(
    a_bot_and_a_token_spend_their_own_budgets_and_made_up_tokens_the_address
);

/// Makes the bot `username` as the admin `token`; the bot and its token.
async fn bot(app: &TestApp, token: &str, username: &str) -> (Value, String) {
    let (status, body) = status_and_json(
        app.post_json(
            "/api/v1/bots",
            Some(token),
            &json!({ "username": username, "display_name": "Deploy bot" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("tdm_pat_"), "{secret}");
    (body["bot"].clone(), secret)
}

async fn an_admin_makes_a_bot_that_joins_and_posts_with_its_own_token(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (deploy, secret) = bot(&app, &ana.access_token, "deploy-bot").await;
    assert_eq!(deploy["is_bot"], true);
    assert_eq!(deploy["bot_owner_id"], ana.id);
    assert_eq!(deploy["display_name"], "Deploy bot");
    assert!(
        deploy["email"].as_str().unwrap().ends_with("@bots.invalid"),
        "{deploy}"
    );

    // The bot acts with its token: it is itself, joins and posts.
    let me = app.get_ok("/api/v1/auth/me", &secret).await;
    assert_eq!(me["id"], deploy["id"]);
    app.join(&secret, general).await;
    let posted = app.say(&secret, general, "deployed v2").await;
    assert_eq!(posted["user_id"], deploy["id"]);
    // Everyone sees it is a bot; people are not.
    let seen = app
        .get_ok(&format!("/api/v1/users/{}", deploy["id"]), &bo.access_token)
        .await;
    assert_eq!(seen["is_bot"], true);
    let ana_seen = app
        .get_ok(&format!("/api/v1/users/{}", ana.id), &bo.access_token)
        .await;
    assert_eq!(ana_seen["is_bot"], false);
    assert_eq!(ana_seen["bot_owner_id"], Value::Null);

    // Nobody signs in as a bot, by username or by its made-up address.
    for login in ["deploy-bot", deploy["email"].as_str().unwrap()] {
        let refused = app.login(login, tandem_tests::PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{login}");
    }
    // The admins' list shows it; the token stays secret.
    let list = app.get_ok("/api/v1/bots", &ana.access_token).await;
    let bots = list["bots"].as_array().unwrap();
    assert_eq!(bots.len(), 1, "{list}");
    assert_eq!(bots[0]["username"], "deploy-bot");
    assert!(!list.to_string().contains("tdm_pat_"), "{list}");
    // Its token is among the organization's, named after it.
    let tokens = app
        .get_ok("/api/v1/organizations/current/tokens", &ana.access_token)
        .await;
    let of_bot: Vec<&Value> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["user_id"] == deploy["id"])
        .collect();
    assert_eq!(of_bot.len(), 1, "{tokens}");
    assert_eq!(of_bot[0]["scopes"], json!(["read", "write", "channels"]));
    assert!(of_bot[0]["last_used_at"].is_string());

    // A bot never holds more than a member's scopes: no administration.
    assert_error(
        app.send_json(
            Method::PATCH,
            "/api/v1/organizations/current",
            Some(&secret),
            &json!({ "self_signup": false }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
    )
    .await;
}

async fn only_signed_in_admins_manage_bots_and_bad_requests_are_refused(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let (eve, _) = app.organization("evil.io", "Evil").await;
    let create = json!({ "username": "helper" });

    // A member may not; nor may any token, an admin's with every scope or a bot's.
    assert_error(
        app.post_json("/api/v1/bots", Some(&bo.access_token), &create)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let admin_token = app
        .post_ok(
            "/api/v1/users/me/tokens",
            &ana.access_token,
            &json!({ "name": "all", "scopes": ["read", "write", "channels", "admin"] }),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, bot_token) = bot(&app, &ana.access_token, "first-bot").await;
    for token in [&admin_token, &bot_token] {
        assert_error(
            app.post_json("/api/v1/bots", Some(token), &create).await,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        )
        .await;
        assert_error(
            app.get("/api/v1/bots", Some(token)).await,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        )
        .await;
    }
    assert_error(
        app.get("/api/v1/bots", Some(&bo.access_token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // A taken username (a person's or a bot's), a bad one, a bad owner.
    for taken in [bo.username.as_str(), "first-bot"] {
        assert_error(
            app.post_json(
                "/api/v1/bots",
                Some(&ana.access_token),
                &json!({ "username": taken }),
            )
            .await,
            StatusCode::CONFLICT,
            "username_taken",
        )
        .await;
    }
    for bad in [
        json!({ "username": "a b" }),
        json!({ "username": "" }),
        json!({ "username": "<script>" }),
        json!({ "username": 7 }),
        json!({ "username": "fine-bot", "extra": true }),
    ] {
        let (status, body) = status_and_json(
            app.post_json("/api/v1/bots", Some(&ana.access_token), &bad)
                .await,
        )
        .await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status} {body}"
        );
    }
    // Another organization's person (or no one) cannot own one, nor can a bot.
    let first = app.get_ok("/api/v1/bots", &ana.access_token).await["bots"][0].clone();
    for owner in [eve.id, 987_654_321] {
        assert_error(
            app.post_json(
                "/api/v1/bots",
                Some(&ana.access_token),
                &json!({ "username": "owned-bot", "owner_id": owner }),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    let refused = assert_error(
        app.post_json(
            "/api/v1/bots",
            Some(&ana.access_token),
            &json!({ "username": "owned-bot", "owner_id": first["id"] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["details"][0]["code"], "invalid_owner", "{refused}");
    // Bo can own one an admin makes for him.
    let (status, owned) = status_and_json(
        app.post_json(
            "/api/v1/bots",
            Some(&ana.access_token),
            &json!({ "username": "bos-bot", "owner_id": bo.id }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{owned}");
    assert_eq!(owned["bot"]["bot_owner_id"], bo.id);

    // Other organizations' bots are not there for Eve, and a person is no bot to Ana.
    let id = first["id"].as_i64().unwrap();
    for (method, path, token) in [
        (
            Method::POST,
            format!("/api/v1/bots/{id}/token"),
            &eve.access_token,
        ),
        (
            Method::DELETE,
            format!("/api/v1/bots/{id}"),
            &eve.access_token,
        ),
        (
            Method::DELETE,
            format!("/api/v1/bots/{}", bo.id),
            &ana.access_token,
        ),
        (
            Method::POST,
            format!("/api/v1/bots/{}/token", bo.id),
            &ana.access_token,
        ),
    ] {
        let response = app
            .request(method.clone(), &path, Some(token))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_eq!(
        app.get_ok("/api/v1/bots", &eve.access_token).await["bots"],
        json!([])
    );
}

async fn a_new_token_ends_the_old_one_and_deactivating_stops_the_bot(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (deploy, old) = bot(&app, &ana.access_token, "deploy-bot").await;
    let id = deploy["id"].as_i64().unwrap();
    app.join(&old, general).await;
    let mut socket = app.socket(&old, general, "").await;
    socket.expect("ready").await;

    let renewed = app
        .post_ok(
            &format!("/api/v1/bots/{id}/token"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    let new = renewed["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let (code, reason) = socket.closed().await;
    assert_eq!(code, 4401, "{reason}");
    assert_error(
        app.get("/api/v1/channels", Some(&old)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    app.say(&new, general, "still here").await;

    // Deactivated: its token stops, its socket closes, its messages stay.
    let mut socket = app.socket(&new, general, "").await;
    socket.expect("ready").await;
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/bots/{id}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (code, _) = socket.closed().await;
    assert_eq!(code, 4401);
    assert_eq!(
        app.get("/api/v1/channels", Some(&new)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let listed = app.get_ok("/api/v1/bots", &ana.access_token).await;
    assert_eq!(listed["bots"][0]["is_active"], false, "{listed}");
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &ana.access_token,
        )
        .await;
    assert!(history.to_string().contains("still here"), "{history}");

    // A new token brings it back.
    let back = app
        .post_ok(
            &format!("/api/v1/bots/{id}/token"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(back["bot"]["is_active"], true);
    app.get_ok("/api/v1/auth/me", back["token"].as_str().unwrap())
        .await;
}

async fn a_bot_and_a_token_spend_their_own_budgets_and_made_up_tokens_the_address(
    backend: Backend,
) {
    let app = spawn_app_with(
        backend,
        json!({ "limits": {
            "requests_per_minute": 3,
            "anonymous_requests_per_minute": 3,
            "sign_in_requests_per_minute": 1_000_000,
        } }),
    )
    .await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (_, bot_token) = bot(&app, &ana.access_token, "busy-bot").await;
    // Making the bot spent one of Ana's three (signing up has a budget of its own).
    let mut refused_after = None;
    for spent in 0..5 {
        if app.get("/api/v1/auth/me", Some(&bot_token)).await.status()
            == StatusCode::TOO_MANY_REQUESTS
        {
            refused_after = Some(spent);
            break;
        }
    }
    assert_eq!(refused_after, Some(3), "the bot has three of its own");
    // Ana's are her own.
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&ana.access_token))
            .await
            .status(),
        StatusCode::OK
    );
    // A made-up token of the right shape spends the address's budget, not anyone's.
    let made_up = "tdm_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            app.get("/api/v1/openapi.json", Some(made_up))
                .await
                .status(),
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(
        app.get("/api/v1/openapi.json", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the same address"
    );
}

async fn deactivating_an_owner_stops_their_bots_until_an_admin_brings_one_back(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    // Ana makes a bot Bo owns, and one of her own.
    let (status, owned) = status_and_json(
        app.post_json(
            "/api/v1/bots",
            Some(&ana.access_token),
            &json!({ "username": "bos-bot", "owner_id": bo.id }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{owned}");
    let id = owned["bot"]["id"].as_i64().unwrap();
    let bos_token = owned["token"].as_str().unwrap().to_owned();
    let (anas, anas_token) = bot(&app, &ana.access_token, "anas-bot").await;
    app.join(&bos_token, general).await;
    let mut socket = app.socket(&bos_token, general, "").await;
    socket.expect("ready").await;
    // Bo makes an incoming webhook in a channel of his: its bot is owned by him too.
    let deploys = app.channel(&bo.access_token, "deploys", "public").await;
    let (status, hook) = status_and_json(
        app.post_json(
            &format!("/api/v1/channels/{deploys}/hooks"),
            Some(&bo.access_token),
            &json!({ "name": "CI" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    assert_eq!(hook["hook"]["bot"]["bot_owner_id"], bo.id, "{hook}");
    let url = hook["url"].as_str().unwrap();
    let hook_path = url[url.find("/api/v1/hooks/").unwrap()..].to_owned();

    // Ana deactivates Bo: his bot's token stops at once and its socket closes.
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{}", bo.id),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (code, reason) = socket.closed().await;
    assert_eq!(code, 4401, "{reason}");
    assert_error(
        app.get("/api/v1/channels", Some(&bos_token)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let is_active = |list: &Value, bot_id: i64| {
        list["bots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == bot_id)
            .map(|b| b["is_active"].clone())
    };
    let listed = app.get_ok("/api/v1/bots", &ana.access_token).await;
    assert_eq!(is_active(&listed, id), Some(json!(false)), "{listed}");
    // Ana's bot is hers, and goes on.
    assert_eq!(
        is_active(&listed, anas["id"].as_i64().unwrap()),
        Some(json!(true)),
        "{listed}"
    );
    app.get_ok("/api/v1/auth/me", &anas_token).await;
    // The hook Bo made is its channel's: it goes on posting, as its bot.
    let (status, posted) = status_and_json(
        app.post_json(&hook_path, None, &json!({ "text": "build 43 is green" }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{posted}");
    assert_eq!(posted["user_id"], hook["hook"]["bot"]["id"]);

    // Reactivating Bo does not bring his bot back.
    let back = app
        .send_ok(
            Method::PUT,
            &format!("/api/v1/users/{}", bo.id),
            &ana.access_token,
            &json!({ "is_active": true }),
        )
        .await;
    assert_eq!(back["is_active"], true, "{back}");
    assert_error(
        app.get("/api/v1/channels", Some(&bos_token)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let listed = app.get_ok("/api/v1/bots", &ana.access_token).await;
    assert_eq!(is_active(&listed, id), Some(json!(false)), "{listed}");
    // An admin does, with a new token.
    let renewed = app
        .post_ok(
            &format!("/api/v1/bots/{id}/token"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(renewed["bot"]["is_active"], true);
    app.say(renewed["token"].as_str().unwrap(), general, "back at work")
        .await;
}
