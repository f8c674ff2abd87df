//! The web app's refresh token in an `HttpOnly` cookie (`Tandem-Refresh: cookie`): issued
//! instead of the body, rotated on refresh, refused from other sites' pages and without the
//! header, cleared on logout and when refused, `Secure` over HTTPS.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    Backend, PASSWORD, TestApp, assert_error, on_every_backend, on_every_backend_by_value,
    spawn_app_with, status_and_json,
};

on_every_backend!(
    browsers_get_the_refresh_token_in_an_http_only_cookie_that_rotates,
    the_cookie_counts_only_with_the_header_and_from_this_servers_pages,
    logging_out_ends_the_cookies_session_and_clears_it,
);
on_every_backend_by_value!(behind_a_trusted_https_proxy_the_cookie_is_secure);

const HEADER: &str = "tandem-refresh";

/// The `tandem_refresh` Set-Cookie line of a response.
fn set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tandem_refresh="))
        .map(str::to_owned)
}

/// The cookie's value, as the browser would send it back (`tandem_refresh=…`).
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

async fn cookie_login(app: &TestApp, login: &str) -> (Value, String) {
    let response = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header(HEADER, "cookie")
        .json(&json!({ "email": login, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&response).expect("the login sets the refresh cookie");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (body, cookie)
}

async fn cookie_refresh(app: &TestApp, cookie: &str, origin: Option<&str>) -> Response {
    let mut request = app
        .request(Method::POST, "/api/v1/auth/refresh", None)
        .header(HEADER, "cookie")
        .header("cookie", pair(cookie));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

async fn browsers_get_the_refresh_token_in_an_http_only_cookie_that_rotates(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (body, cookie) = cookie_login(&app, &ana.email).await;
    assert!(body["access_token"].is_string());
    assert!(
        body.get("refresh_token").is_none(),
        "no script sees the refresh token: {body}"
    );
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP: a Secure cookie would never come back: {cookie}"
    );
    let access = body["access_token"].as_str().unwrap();
    app.get_ok("/api/v1/auth/me", access).await;

    // Refreshing reads the cookie, answers a new access token and rotates the cookie.
    let own_origin = app.address.clone();
    let refreshed = cookie_refresh(&app, &cookie, Some(&own_origin)).await;
    let next = set_cookie(&refreshed).expect("a new refresh cookie");
    let (status, renewed) = status_and_json(refreshed).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert!(renewed.get("refresh_token").is_none());
    assert_ne!(pair(&next), pair(&cookie));

    // The spent cookie, presented again, ends the whole session and is cleared.
    let replayed = cookie_refresh(&app, &cookie, None).await;
    let cleared = set_cookie(&replayed).expect("a refused cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_error(replayed, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    assert_error(
        cookie_refresh(&app, &next, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;

    // Clients that do not ask for the cookie keep the token in the body, as before.
    let plain = app.login_ok(&ana.email).await;
    assert!(!plain.refresh_token.is_empty());
    let registered = app
        .request(Method::POST, "/api/v1/auth/register", None)
        .header(HEADER, "cookie")
        .json(&json!({ "email": "bo@acme.io", "username": "bo", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&registered).is_some(), "registering sets it too");
    let (status, body) = status_and_json(registered).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body.get("refresh_token").is_none());
}

async fn the_cookie_counts_only_with_the_header_and_from_this_servers_pages(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (_, cookie) = cookie_login(&app, &ana.email).await;

    // A form or image of another site carries no header: the cookie is not even read.
    let no_header = app
        .request(Method::POST, "/api/v1/auth/refresh", None)
        .header("cookie", pair(&cookie))
        .send()
        .await
        .unwrap();
    assert_error(
        no_header,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // Another site's script, or a sandboxed one (`Origin: null`), is refused.
    for origin in [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
    ] {
        assert_error(
            cookie_refresh(&app, &cookie, Some(origin)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // None of that spent the cookie.
    let own_origin = app.address.clone();
    assert_eq!(
        cookie_refresh(&app, &cookie, Some(&own_origin))
            .await
            .status(),
        StatusCode::OK
    );
    // A forged cookie is just an unknown token.
    let forged = "tandem_refresh=not-a-real-token; Path=/api/v1/auth";
    assert_error(
        cookie_refresh(&app, forged, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
}

async fn logging_out_ends_the_cookies_session_and_clears_it(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (body, cookie) = cookie_login(&app, &ana.email).await;
    let access = body["access_token"].as_str().unwrap();
    let logout = app
        .request(Method::POST, "/api/v1/auth/logout", Some(access))
        .header(HEADER, "cookie")
        .header("cookie", pair(&cookie))
        .send()
        .await
        .unwrap();
    let cleared = set_cookie(&logout).expect("logging out clears the cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_error(
        cookie_refresh(&app, &cookie, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
}

async fn behind_a_trusted_https_proxy_the_cookie_is_secure(backend: Backend) {
    let app = spawn_app_with(
        backend,
        json!({ "http": { "trust_forwarded_headers": true } }),
    )
    .await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let response = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header(HEADER, "cookie")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "chat.acme.io")
        .json(&json!({ "email": ana.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&response).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    // Behind the proxy, the page's origin is the proxy's.
    let refreshed = app
        .request(Method::POST, "/api/v1/auth/refresh", None)
        .header(HEADER, "cookie")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "chat.acme.io")
        .header("origin", "https://chat.acme.io")
        .header("cookie", pair(&cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
}
