//! Operational endpoints, request ids, the OpenAPI document and its docs, the web app's page.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_tests::{
    Backend, TestApp, assert_error, on_every_backend, spawn_app_with, status_and_json,
};

on_every_backend!(
    health_and_readiness_report_the_dependencies,
    metrics_count_requests_by_route_pattern,
    every_response_carries_a_request_id,
    the_served_openapi_document_matches_the_committed_one,
    the_api_docs_work_without_internet,
    the_web_app_is_served_for_non_api_paths,
);

async fn health_and_readiness_report_the_dependencies(app: TestApp) {
    let (status, body) = status_and_json(app.get("/healthz", None).await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
    let (status, body) = status_and_json(app.get("/readyz", None).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected = match app.backend {
        Backend::Sqlite => json!({ "status": "ready", "checks": { "database": "ok" } }),
        Backend::Postgres => {
            json!({ "status": "ready", "checks": { "database": "ok", "redis": "ok" } })
        }
    };
    assert_eq!(body, expected);
}

async fn metrics_count_requests_by_route_pattern(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for _ in 0..3 {
        app.get(
            &format!("/api/v1/users/{}", ana.id),
            Some(&ana.access_token),
        )
        .await;
    }
    let response = app.get("/metrics", None).await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/users/{user_id}",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        !text.contains(&format!("/api/v1/users/{}\"", ana.id)),
        "raw paths would explode the series count"
    );
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let generated = app.get("/healthz", None).await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app
        .request(reqwest::Method::GET, "/api/v1/auth/me", None)
        .header("x-request-id", "trace-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-abc.123");
    let unsafe_id = app
        .request(reqwest::Method::GET, "/healthz", None)
        .header("x-request-id", "<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(unsafe_id.headers()["x-request-id"], "<script>");
    assert_eq!(echoed.headers()["x-content-type-options"], "nosniff");
}

async fn the_served_openapi_document_matches_the_committed_one(app: TestApp) {
    let (status, served) = status_and_json(app.get("/api/v1/openapi.json", None).await).await;
    assert_eq!(status, StatusCode::OK);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("openapi/openapi.json is committed"),
    )
    .unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is stale: regenerate it with `make openapi` (cargo run -q -p tandem-server -- openapi > openapi/openapi.json)"
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/users/online",
        "/api/v1/users/{user_id}/status",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
    assert_eq!(
        served["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(
        served["components"]["schemas"]["ErrorCode"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("validation_failed"))
    );
}

async fn the_api_docs_work_without_internet(app: TestApp) {
    let redirect = app.get("/api/docs", None).await;
    assert!(redirect.status().is_redirection());
    let page = app.get("/api/docs/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every script and stylesheet is served by Tandem itself.
    for needle in [
        "src=\"http",
        "href=\"http",
        "unpkg.com",
        "cdn.jsdelivr",
        "cdnjs",
    ] {
        assert!(
            !html.contains(needle),
            "the docs page loads {needle} from the internet"
        );
    }
    let bundle = app.get("/api/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status(), StatusCode::OK);
    let config = app
        .get("/api/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(config.contains("/api/v1/openapi.json"), "{config}");
}

async fn the_web_app_is_served_for_non_api_paths(app: TestApp) {
    for path in ["/", "/channels/general", "/login"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.text().await.unwrap().contains("Tandem"));
    }
    assert_error(
        app.get("/api/unknown", None).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
}

/// Losing Redis degrades a node, never stops it: readiness says so without taking the node out
/// of rotation, and people still sign in, post, read and connect; rate limits fall back on the
/// node's own counters, and `/metrics` counts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_degrades_the_node_without_stopping_it() {
    let app = spawn_app_with(
        Backend::Sqlite,
        json!({ "redis_url": "redis://127.0.0.1:1" }),
    )
    .await;
    let (status, body) = status_and_json(app.get("/readyz", None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "status": "degraded", "checks": { "database": "ok", "redis": "unavailable" } })
    );

    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    assert_error(
        app.login("ana", "not the password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let said = app.say(&ana.access_token, general, "still here").await;
    let page = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &ana.access_token,
        )
        .await;
    assert!(page.to_string().contains("still here"), "{page}");
    let mut ws = app.socket(&ana.access_token, general, "").await;
    ws.expect("ready").await;
    ws.send(
        json!({ "type": "chat_message", "content": "live", "client_msg_id": "m1", "ref": "r1" }),
    )
    .await;
    let ack = ws.expect("ack").await;
    assert_eq!(ack["seq"], said["seq"].as_i64().unwrap() + 1);
    assert_eq!(
        ws.expect("chat_message").await["message"]["content"],
        "live"
    );

    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("dependency_unreachable{dependency=\"redis\"} 1"),
        "{metrics}"
    );
    let fallbacks = metrics
        .lines()
        .find_map(|l| l.strip_prefix("dependency_fallbacks_total{dependency=\"redis\"} "))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap();
    assert!(fallbacks > 0, "{metrics}");
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}
