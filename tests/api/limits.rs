//! The general request limiter and the browser security headers: budgets per person and per
//! address, stricter ones for signing in and searching, `429` with `Retry-After` and the
//! `RateLimit` headers, one budget across the nodes of a cluster; CSP and friends on every
//! answer, HSTS over HTTPS, CORS only for configured origins, `/metrics` kept private.

use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{
    Backend, PASSWORD, TestApp, assert_error, on_every_backend_by_value, spawn_app_with,
};

on_every_backend_by_value!(
    a_person_who_spends_their_budget_waits_while_everyone_else_goes_on,
    signing_in_has_a_stricter_budget_per_address,
    requests_without_a_valid_token_spend_the_address_budget,
    searching_has_a_budget_of_its_own,
    every_answer_carries_the_security_headers,
    cross_origin_calls_work_only_for_configured_origins,
    metrics_answer_only_nearby_scrapers_or_the_token,
);

/// Budgets a test spends on purpose; the others stay out of the way.
async fn app_with(backend: Backend, limits: Value) -> TestApp {
    let mut all = json!({
        "requests_per_minute": 1_000_000,
        "anonymous_requests_per_minute": 1_000_000,
        "sign_in_requests_per_minute": 1_000_000,
        "searches_per_minute": 1_000_000,
        "invitations_per_hour": 1_000_000,
    });
    tandem_tests::merge(&mut all, limits);
    spawn_app_with(backend, json!({ "limits": all })).await
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

fn number(response: &Response, name: &str) -> u64 {
    header(response, name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .parse()
        .unwrap()
}

/// Asks `path` until refused; returns how many were allowed and the refusal.
async fn spend(app: &TestApp, path: &str, token: Option<&str>, at_most: u64) -> (u64, Response) {
    for allowed in 0..=at_most {
        let response = app.get(path, token).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            return (allowed, response);
        }
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
    panic!("{path} was never refused in {} requests", at_most + 1);
}

/// A refusal: `429 rate_limited`, `Retry-After` within one refill interval, nothing left.
async fn assert_refused(response: Response, interval_secs: u64) -> Value {
    let retry_after = number(&response, "retry-after");
    assert!(
        (1..=interval_secs).contains(&retry_after),
        "Retry-After {retry_after} s, one unit comes back every {interval_secs} s"
    );
    assert_eq!(number(&response, "ratelimit-remaining"), 0);
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await
}

async fn a_person_who_spends_their_budget_waits_while_everyone_else_goes_on(backend: Backend) {
    // Three a minute: one unit back every 20 s, far longer than this test takes.
    let app = app_with(backend, json!({ "requests_per_minute": 3 })).await;
    let (ana, bob) = app.organization("acme.io", "Acme").await;

    let first = app.get("/api/v1/auth/me", Some(&ana.access_token)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(number(&first, "ratelimit-limit"), 3);
    assert_eq!(number(&first, "ratelimit-remaining"), 2);
    assert!((1..=60).contains(&number(&first, "ratelimit-reset")));
    assert_eq!(
        header(&first, "ratelimit-policy").as_deref(),
        Some("3;w=60")
    );

    let (allowed, refused) = spend(&app, "/api/v1/auth/me", Some(&ana.access_token), 3).await;
    assert_eq!(
        allowed, 2,
        "the budget holds three requests, one was spent above"
    );
    let body = assert_refused(refused, 20).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("too many requests"),
        "{body}"
    );

    // Bob's budget is his own.
    let bobs = app.get("/api/v1/auth/me", Some(&bob.access_token)).await;
    assert_eq!(bobs.status(), StatusCode::OK);
    assert_eq!(number(&bobs, "ratelimit-remaining"), 2);
    // Logging in again does not buy a new budget: it is the person's, not the token's.
    let again = app.login_ok("admin-acme-io").await;
    let refused = app.get("/api/v1/auth/me", Some(&again.access_token)).await;
    assert_refused(refused, 20).await;

    // A cluster shares the budget: the other node refuses Ana too.
    if backend == Backend::Postgres {
        let other = app.second_node().await;
        let refused = other.get("/api/v1/auth/me", Some(&ana.access_token)).await;
        assert_refused(refused, 20).await;
        let fine = other.get("/api/v1/auth/me", Some(&bob.access_token)).await;
        assert_eq!(fine.status(), StatusCode::OK);
        assert_eq!(
            number(&fine, "ratelimit-remaining"),
            1,
            "the same budget as node one's"
        );
    }
}

async fn signing_in_has_a_stricter_budget_per_address(backend: Backend) {
    let app = app_with(backend, json!({ "sign_in_requests_per_minute": 4 })).await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for _ in 0..3 {
        let wrong = app.login("ana", "not the password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    // Registering and three attempts spent the address's four: the right password waits too,
    // and so do the other doors a guesser would try.
    let refused = app.login("ana", PASSWORD).await;
    assert_refused(refused, 15).await;
    let reset = app
        .post_json(
            "/api/v1/auth/password-reset",
            None,
            &json!({ "email": "ana@acme.io" }),
        )
        .await;
    assert_refused(reset, 15).await;
    let register = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "eve@acme.io", "username": "eve", "password": PASSWORD }),
        )
        .await;
    assert_refused(register, 15).await;
    // Work already signed in goes on: that is another budget.
    let me = app.get("/api/v1/auth/me", Some(&ana.access_token)).await;
    assert_eq!(me.status(), StatusCode::OK);
}

async fn requests_without_a_valid_token_spend_the_address_budget(backend: Backend) {
    let app = app_with(backend, json!({ "anonymous_requests_per_minute": 3 })).await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    // A token signed with another key, naming Ana: it must not spend (or use) her budget.
    let forged = encode(
        &Header::default(),
        &json!({ "sub": ana.id.to_string(), "exp": 4_000_000_000_u64, "typ": "access" }),
        &EncodingKey::from_secret(b"not the server's key, not the server's key"),
    )
    .unwrap();
    let (allowed, refused) = spend(&app, "/api/v1/openapi.json", Some(&forged), 3).await;
    assert_eq!(allowed, 3);
    assert_refused(refused, 20).await;
    let anonymous = app.get("/api/v1/openapi.json", None).await;
    assert_refused(anonymous, 20).await;
    let real = app.get("/api/v1/auth/me", Some(&ana.access_token)).await;
    assert_eq!(
        real.status(),
        StatusCode::OK,
        "Ana's own budget is untouched"
    );
    // The web app's files and the health checks are not API requests.
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
    assert_ne!(
        app.get("/", None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn searching_has_a_budget_of_its_own(backend: Backend) {
    let app = app_with(backend, json!({ "searches_per_minute": 2 })).await;
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let path = "/api/v1/messages/search?q=launch";
    let (allowed, refused) = spend(&app, path, Some(&ana.access_token), 2).await;
    assert_eq!(allowed, 2);
    assert_refused(refused, 30).await;
    let other = app.get("/api/v1/channels", Some(&ana.access_token)).await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "the rest of the API still answers"
    );
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app_with(
        backend,
        json!({ "http": { "hsts_max_age_secs": 31_536_000, "trust_forwarded_headers": true } }),
    )
    .await;
    for path in ["/api/v1/openapi.json", "/healthz", "/", "/api/v1/auth/me"] {
        let response = app.get(path, None).await;
        let policy = header(&response, "content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            !policy.contains("script-src 'unsafe-inline'"),
            "{path}: {policy}"
        );
        assert_eq!(
            header(&response, "x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(
            header(&response, "strict-transport-security"),
            None,
            "{path}: HSTS over plain HTTP means nothing and is not sent"
        );
    }
    let api = app.get("/api/v1/openapi.json", None).await;
    let policy = header(&api, "content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("default-src 'self'"), "{policy}");

    // Behind a proxy that terminates TLS (and that the settings trust).
    let https = app
        .request(Method::GET, "/healthz", None)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&https, "strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    // Without that trust, a client's own header does not make the request HTTPS.
    let untrusted = spawn_app_with(
        backend,
        json!({ "http": { "hsts_max_age_secs": 31_536_000 } }),
    )
    .await;
    let claimed = untrusted
        .request(Method::GET, "/healthz", None)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&claimed, "strict-transport-security"), None);
}

async fn cross_origin_calls_work_only_for_configured_origins(backend: Backend) {
    let preflight = |app: &TestApp, origin: &str| {
        app.request(Method::OPTIONS, "/api/v1/auth/me", None)
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    // Off by default: no page elsewhere may read the API's answers.
    let closed = spawn_app_with(backend, json!({})).await;
    let answer = preflight(&closed, "https://tools.example.com")
        .await
        .unwrap();
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    drop(closed);

    let open = spawn_app_with(
        backend,
        json!({ "http": { "cors_allowed_origins": ["https://tools.example.com"] } }),
    )
    .await;
    let answer = preflight(&open, "https://tools.example.com").await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some("https://tools.example.com")
    );
    let methods = header(&answer, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("GET"), "{methods}");
    assert_eq!(header(&answer, "access-control-allow-credentials"), None);

    let stranger = preflight(&open, "https://evil.example.net").await.unwrap();
    assert_eq!(header(&stranger, "access-control-allow-origin"), None);

    let ana = open.register("ana", "acme.io", Some("Acme")).await;
    let call = open
        .request(Method::GET, "/api/v1/auth/me", Some(&ana.access_token))
        .header("origin", "https://tools.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(call.status(), StatusCode::OK);
    assert_eq!(
        header(&call, "access-control-allow-origin").as_deref(),
        Some("https://tools.example.com")
    );
    let exposed = header(&call, "access-control-expose-headers").unwrap_or_default();
    assert!(exposed.contains("ratelimit-remaining"), "{exposed}");
}

async fn metrics_answer_only_nearby_scrapers_or_the_token(backend: Backend) {
    let app = spawn_app_with(backend, json!({})).await;
    // The tests connect from 127.0.0.1: a scraper on the node's machine.
    let nearby = app.get("/metrics", None).await;
    assert_eq!(nearby.status(), StatusCode::OK);
    let through_proxy = app
        .request(Method::GET, "/metrics", None)
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_error(through_proxy, StatusCode::NOT_FOUND, "not_found").await;
    drop(app);

    let token = "scrape-0123456789abcdef";
    let app = spawn_app_with(backend, json!({ "http": { "metrics_token": token } })).await;
    let without = app.get("/metrics", None).await;
    assert_error(without, StatusCode::NOT_FOUND, "not_found").await;
    let wrong = app.get("/metrics", Some("scrape-0123456789abcdeX")).await;
    assert_error(wrong, StatusCode::NOT_FOUND, "not_found").await;
    let with = app.get("/metrics", Some(token)).await;
    assert_eq!(with.status(), StatusCode::OK);
    assert!(with.text().await.unwrap().contains("http_requests_total"));
}
