//! Access and refresh tokens: rotation, reuse detection, logout, forgery, expiry, revocation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_tests::{
    JWT_SECRET, PASSWORD, Session, TestApp, assert_error, on_every_backend, status_and_json,
};

on_every_backend!(
    refreshing_rotates_both_tokens,
    a_reused_refresh_token_ends_its_whole_session,
    logout_revokes_the_access_token_and_the_session_but_not_other_sessions,
    forged_tampered_and_unsigned_tokens_are_refused,
    expired_tokens_are_refused_as_expired,
    bad_refresh_tokens_are_refused,
    changing_the_password_ends_every_session,
    revocations_outlive_a_restart_of_the_server_and_of_redis,
);

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refresh_token": token }),
    )
    .await
}

async fn me_status(app: &TestApp, token: &str) -> (StatusCode, Value) {
    status_and_json(app.get("/api/v1/auth/me", Some(token)).await).await
}

async fn refreshing_rotates_both_tokens(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (status, body) = status_and_json(refresh(&app, &ana.refresh_token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["refresh_token"], ana.refresh_token.as_str());
    assert_ne!(body["access_token"], ana.access_token.as_str());
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["user"]["id"], ana.id);
    let (status, _) = me_status(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    // The new refresh token works in turn.
    let (status, _) =
        status_and_json(refresh(&app, body["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_reused_refresh_token_ends_its_whole_session(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let other_device = app.login_ok("ana@acme.io").await;
    let (_, rotated) = status_and_json(refresh(&app, &ana.refresh_token).await).await;
    let successor = rotated["refresh_token"].as_str().unwrap().to_owned();
    let successor_access = rotated["access_token"].as_str().unwrap().to_owned();

    // Someone replays the spent token: theft detected.
    assert_error(
        refresh(&app, &ana.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "refresh_token_reused",
    )
    .await;
    // The legitimate successor is dead too, and so are the access tokens issued so far.
    assert_error(
        refresh(&app, &successor).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_error(
        app.get("/api/v1/auth/me", Some(&successor_access)).await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    // Another login's refresh token is a different session and still works.
    let (status, body) = status_and_json(refresh(&app, &other_device.refresh_token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Logging in again gives a working session.
    let fresh = app.login_ok("ana@acme.io").await;
    assert_eq!(me_status(&app, &fresh.access_token).await.0, StatusCode::OK);
}

async fn logout_revokes_the_access_token_and_the_session_but_not_other_sessions(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let phone = app.login_ok("ana").await;
    let laptop = app.login_ok("ana").await;
    let response = app
        .post_json(
            "/api/v1/auth/logout",
            Some(&ana.access_token),
            &json!({ "refresh_token": ana.refresh_token }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get("/api/v1/auth/me", Some(&ana.access_token)).await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    assert_error(
        refresh(&app, &ana.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(me_status(&app, &phone.access_token).await.0, StatusCode::OK);
    // Logout without a body ends the whole session the access token belongs to: the access
    // token and its refresh token both stop working, and other sessions go on.
    let response = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&phone.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get("/api/v1/auth/me", Some(&phone.access_token)).await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    assert_error(
        refresh(&app, &phone.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(
        me_status(&app, &laptop.access_token).await.0,
        StatusCode::OK
    );
    let (status, body) = status_and_json(refresh(&app, &laptop.refresh_token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Logging out needs a token.
    assert_error(
        app.post_json("/api/v1/auth/logout", None, &json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

/// The claims the server puts in its tokens, re-read from a real one.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn forged_tampered_and_unsigned_tokens_are_refused(app: TestApp) {
    let admin = app.register("ana", "acme.io", Some("Acme")).await;
    let member = app.register("bob", "acme.io", None).await;
    let claims = claims_of(&member.access_token);
    let mut as_admin = claims.clone();
    as_admin["role"] = json!("admin");
    as_admin["sub"] = json!(admin.id.to_string());

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(as_admin.to_string());
    let parts: Vec<&str> = member.access_token.split('.').collect();
    let cases = [
        (
            "signed with another key",
            sign(&as_admin, b"another-key-another-key-another-key-0123"),
        ),
        ("alg none", format!("{header}.{body}.")),
        (
            "payload swapped, signature kept",
            format!("{}.{body}.{}", parts[0], parts[2]),
        ),
        (
            "truncated",
            member.access_token[..member.access_token.len() - 5].to_owned(),
        ),
        ("not a JWT", "hello".to_owned()),
        (
            "wrong token type",
            sign(
                &with(&claims, "typ", json!("refresh")),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "wrong issuer",
            sign(
                &with(&claims, "iss", json!("someone-else")),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "other organization claimed",
            sign(
                &with(&claims, "org", json!(admin.organization_id + 1000)),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "unknown user",
            sign(
                &with(&claims, "sub", json!("999999")),
                JWT_SECRET.as_bytes(),
            ),
        ),
    ];
    for (what, token) in cases {
        let (status, body) = me_status(&app, &token).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_token")),
            "{what}: {body}"
        );
    }
    // The genuine token still works.
    assert_eq!(
        me_status(&app, &member.access_token).await.1["role"],
        "member"
    );
}

fn with(claims: &Value, key: &str, value: Value) -> Value {
    let mut changed = claims.clone();
    changed[key] = value;
    changed
}

async fn expired_tokens_are_refused_as_expired(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let now = chrono::Utc::now().timestamp();
    let mut claims = claims_of(&ana.access_token);
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 600);
    let expired = sign(&claims, JWT_SECRET.as_bytes());
    assert_error(
        app.get("/api/v1/auth/me", Some(&expired)).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;
}

async fn bad_refresh_tokens_are_refused(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for token in ["made-up", "' OR 1=1 --", &ana.access_token] {
        assert_error(
            refresh(&app, token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        )
        .await;
    }
    assert_error(
        refresh(&app, "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        app.post_json("/api/v1/auth/refresh", None, &json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

async fn changing_the_password_ends_every_session(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let laptop: Session = app.login_ok("ana").await;
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    let wrong = app
        .post_json(
            "/api/v1/auth/password",
            Some(&ana.access_token),
            &change("not it", "a brand new secret"),
        )
        .await;
    let body = assert_error(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["field"], "current_password");
    let weak = app
        .post_json(
            "/api/v1/auth/password",
            Some(&ana.access_token),
            &change(PASSWORD, "password1"),
        )
        .await;
    let body = assert_error(weak, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["field"], "new_password");

    let ok = app
        .post_json(
            "/api/v1/auth/password",
            Some(&ana.access_token),
            &change(PASSWORD, "a brand new secret"),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    for token in [&ana.access_token, &laptop.access_token] {
        assert_error(
            app.get("/api/v1/auth/me", Some(token)).await,
            StatusCode::UNAUTHORIZED,
            "token_revoked",
        )
        .await;
    }
    for token in [&ana.refresh_token, &laptop.refresh_token] {
        assert_error(
            refresh(&app, token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        )
        .await;
    }
    assert_error(
        app.login("ana", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    // Right away, the new password gives a session that works.
    let (status, body) = status_and_json(app.login("ana", "a brand new secret").await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        me_status(&app, body["access_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::OK
    );
}

/// Revocations are kept in the database: a restarted node (and, in a cluster, a Redis that
/// restarted empty — a new key namespace is exactly that to the node) still refuses a token
/// revoked by a logout or by a password change.
async fn revocations_outlive_a_restart_of_the_server_and_of_redis(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let bob = app.register("bob", "acme.io", None).await;
    let untouched = app.login_ok("ana").await;
    let logout = app
        .post_json(
            "/api/v1/auth/logout",
            Some(&ana.access_token),
            &json!({ "refresh_token": ana.refresh_token }),
        )
        .await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let changed = app
        .post_json(
            "/api/v1/auth/password",
            Some(&bob.access_token),
            &json!({ "current_password": PASSWORD, "new_password": "a brand new secret" }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    let app = app
        .restarted(json!({ "redis_namespace": format!("tandem-test-forgotten-{}", uuid::Uuid::new_v4().simple()) }))
        .await;
    for token in [&ana.access_token, &bob.access_token] {
        assert_error(
            app.get("/api/v1/auth/me", Some(token)).await,
            StatusCode::UNAUTHORIZED,
            "token_revoked",
        )
        .await;
    }
    let (status, me) = me_status(&app, &untouched.access_token).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("ana"))
    );
}
