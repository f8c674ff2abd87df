//! Malformed, mistyped, oversized and misdirected requests: each gets the right status and a
//! stable code, and the server keeps serving.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tandem_tests::{PASSWORD, TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    malformed_and_mistyped_bodies_get_clear_errors,
    registration_fields_are_validated_together,
    bodies_over_the_limit_are_refused_and_the_server_keeps_serving,
    unknown_routes_and_bad_parameters_answer_in_the_error_shape,
    optional_bodies_are_optional_but_never_ignored,
    numbers_and_counts_are_read_as_the_document_says,
    a_literal_path_with_another_method_is_405_not_a_bad_id,
);

async fn malformed_and_mistyped_bodies_get_clear_errors(app: TestApp) {
    let raw = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login", None)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: [(&str, &str, StatusCode, &str); 7] = [
        (
            "{\"email\": \"ana@acme.io\", ",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not json at all",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "{\"email\": \"ana@acme.io\"}",
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "email=ana&password=x",
            "application/x-www-form-urlencoded",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "{\"email\": 42, \"password\": \"x\"}",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "[1, 2, 3]",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let (actual, error) = status_and_json(raw(body, content_type).await.unwrap()).await;
        assert_eq!(
            (actual, error["code"].as_str()),
            (status, Some(code)),
            "{body:?} as {content_type}: {error}"
        );
    }
    let missing = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "ana@acme.io" }),
        )
        .await;
    let error = assert_error(
        missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        (
            error["details"][0]["field"].as_str(),
            error["details"][0]["code"].as_str()
        ),
        (Some("password"), Some("required"))
    );
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "a@b.io", "password": "x", "admin": true }),
        )
        .await;
    let error = assert_error(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        (
            error["details"][0]["field"].as_str(),
            error["details"][0]["code"].as_str()
        ),
        (Some("admin"), Some("unknown_field"))
    );
}

async fn registration_fields_are_validated_together(app: TestApp) {
    let body = json!({ "email": "not-an-email", "username": "a b", "password": PASSWORD, "organization_name": "   ", "display_name": "" });
    let error = assert_error(
        app.post_json("/api/v1/auth/register", None, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let details: Vec<(String, String)> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("display_name", "invalid_display_name"),
        ("email", "invalid_email"),
        ("organization_name", "invalid_organization_name"),
        ("username", "invalid_username"),
    ];
    assert_eq!(
        details,
        expected.map(|(f, c)| (f.to_owned(), c.to_owned())),
        "{error}"
    );
    // A role cannot be smuggled into a registration.
    let smuggled = json!({ "email": "ana@acme.io", "username": "ana", "password": PASSWORD, "organization_name": "Acme", "role": "admin" });
    assert_error(
        app.post_json("/api/v1/auth/register", None, &smuggled)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let reserved = json!({ "email": "ana@acme.io", "username": "here", "password": PASSWORD, "organization_name": "Acme" });
    let error = assert_error(
        app.post_json("/api/v1/auth/register", None, &reserved)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "reserved_username");
}

async fn bodies_over_the_limit_are_refused_and_the_server_keeps_serving(app: TestApp) {
    let huge = json!({ "email": "ana@acme.io", "username": "ana", "password": PASSWORD, "organization_name": "x".repeat(2 * 1024 * 1024) });
    assert_error(
        app.post_json("/api/v1/auth/register", None, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    // Streamed without a length: refused as it goes.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..64).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let streamed = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    if let Ok(response) = streamed {
        assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
    // Nothing was created and the server still answers.
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (status, _) =
        status_and_json(app.get("/api/v1/auth/me", Some(&ana.access_token)).await).await;
    assert_eq!(status, StatusCode::OK);
}

async fn unknown_routes_and_bad_parameters_answer_in_the_error_shape(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let token = Some(ana.access_token.as_str());
    assert_error(
        app.get("/api/v1/nothing-here", token).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    assert_error(
        app.get("/api/v2/users", token).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    // A path that exists, with a method it does not take: 405 and the methods it does take.
    for (method, path, allow) in [
        (Method::PATCH, "/api/v1/auth/me", "GET"),
        (Method::DELETE, "/api/v1/auth/login", "POST"),
        (Method::POST, "/api/v1/users/7", "GET, PUT, DELETE"),
    ] {
        let refused = app
            .request(method.clone(), path, token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            refused.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        assert_error(
            refused,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
    for path in [
        "/api/v1/users/abc",
        "/api/v1/users/1%20OR%201=1",
        "/api/v1/users/99999999999999999999999",
    ] {
        assert_error(
            app.get(path, token).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
    }
    for query in [
        "limit=-1",
        "limit=lots",
        "after=x",
        "include_inactive=maybe",
        "sort=name",
    ] {
        assert_error(
            app.get(&format!("/api/v1/users?{query}"), token).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
    }
}

/// Logout and marking read take an optional body: none at all is fine, but one that is there
/// is read like any other (an unknown field or a wrong type is refused, and nothing happens).
async fn optional_bodies_are_optional_but_never_ignored(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let read = format!("/api/v1/channels/{general}/read");
    for (path, body, code) in [
        (
            "/api/v1/auth/logout",
            json!({ "refresh_token": ana.refresh_token, "everywhere": true }),
            "unknown_field",
        ),
        (read.as_str(), json!({ "seq": "latest" }), "invalid_type"),
    ] {
        let refused = app.post_json(path, Some(&ana.access_token), &body).await;
        let error = assert_error(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"][0]["code"], code, "{path}: {error}");
    }
    // The refused logout did nothing: the token still works.
    let (status, _) =
        status_and_json(app.get("/api/v1/auth/me", Some(&ana.access_token)).await).await;
    assert_eq!(status, StatusCode::OK);

    let empty = |path: &str| {
        app.request(Method::POST, path, Some(&ana.access_token))
            .send()
    };
    assert_eq!(empty(&read).await.unwrap().status(), StatusCode::OK);
    // `null` is nothing, as no body is.
    let null = app
        .request(Method::POST, &read, Some(&ana.access_token))
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(null.status(), StatusCode::OK);
    assert_eq!(
        empty("/api/v1/auth/logout").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
}

/// A whole number written with a point is the integer it equals (JSON Schema's reading), while
/// a fraction is still refused; a count past the document's `int64` is refused as in a path.
async fn numbers_and_counts_are_read_as_the_document_says(app: TestApp) {
    let (ana, bo) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bo.access_token, general).await;
    let mute = format!("/api/v1/channels/{general}/members/{}/mute", bo.id);
    let muted = app
        .send_ok(
            Method::PUT,
            &mute,
            &ana.access_token,
            &json!({ "minutes": 30.0 }),
        )
        .await;
    assert!(muted["posting_muted_until"].is_string(), "{muted}");
    let error = assert_error(
        app.send_json(
            Method::PUT,
            &mute,
            Some(&ana.access_token),
            &json!({ "minutes": 30.5 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "invalid_type", "{error}");

    for path in [
        "/api/v1/users?limit=9223372036854775808",
        "/api/v1/users/online?limit=18446744073709551615",
        "/api/v1/notifications?limit=9223372036854775808",
        &format!("/api/v1/channels/{general}/messages?limit=9223372036854775808"),
    ] {
        assert_error(
            app.get(path, Some(&ana.access_token)).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
    }
    // The largest count is read, as the most a page holds.
    let page = app
        .get_ok("/api/v1/users?limit=9223372036854775807", &ana.access_token)
        .await;
    assert_eq!(page["users"].as_array().unwrap().len(), 2, "{page}");
}

/// `/users/online` and `/messages/search` are paths of their own: another method on them is
/// 405 with what they take, not a request about a user or message whose id is "online".
async fn a_literal_path_with_another_method_is_405_not_a_bad_id(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/users/online", "GET"),
        (Method::DELETE, "/api/v1/users/online", "GET"),
        (Method::PUT, "/api/v1/messages/search?q=x", "GET"),
    ] {
        let refused = app
            .request(method.clone(), path, Some(&ana.access_token))
            .send()
            .await
            .unwrap();
        assert_eq!(
            refused.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        assert_error(
            refused,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
    // The routes themselves still answer.
    app.get_ok("/api/v1/users/online", &ana.access_token).await;
    let me = app
        .send_ok(
            Method::PUT,
            &format!("/api/v1/users/{}", ana.id),
            &ana.access_token,
            &json!({ "display_name": "Ana" }),
        )
        .await;
    assert_eq!(me["display_name"], "Ana");
}
