//! The web app served from `http.web_dir`: files with their cache headers, `index.html` for
//! client-side routes, and server paths that keep their JSON 404s.

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;
use tandem_tests::{Backend, TestApp, assert_error, on_every_backend, spawn_app_with};

on_every_backend!(server_paths_never_fall_back_to_the_web_app);

const INDEX: &str = "<!doctype html><title>Tandem</title><div id=root></div>";
const SCRIPT: &str = "console.log('app')";

/// A built web app in a fresh directory, beside a file that must never be served.
fn web_dir() -> PathBuf {
    let root = std::env::temp_dir().join(format!("tandem-web-{}", uuid::Uuid::new_v4().simple()));
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("assets/index-3f2a9c.js"), SCRIPT).unwrap();
    std::fs::write(dist.join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(root.join("secret.txt"), "do not serve").unwrap();
    dist
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_owned()
}

async fn server_paths_never_fall_back_to_the_web_app(app: TestApp) {
    for path in [
        "/api/v1/nope",
        "/api",
        "/healthz/x",
        "/readyz/x",
        "/metrics/x",
    ] {
        assert_error(
            app.get(path, None).await,
            StatusCode::NOT_FOUND,
            "route_not_found",
        )
        .await;
    }
    let post = app
        .request(Method::POST, "/c/12", None)
        .send()
        .await
        .unwrap();
    assert_error(post, StatusCode::NOT_FOUND, "route_not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_app_is_served_with_cache_headers_and_an_index_fallback() {
    let dist = web_dir();
    let app = spawn_app_with(Backend::Sqlite, json!({ "http": { "web_dir": dist } })).await;

    for path in ["/", "/c/12", "/login", "/c/12/thread"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert!(header(&response, "content-type").starts_with("text/html"));
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }

    let script = app.get("/assets/index-3f2a9c.js", None).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        header(&script, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&script, "content-type").starts_with("text/javascript"));
    assert_eq!(script.text().await.unwrap(), SCRIPT);

    let icon = app.get("/favicon.svg", None).await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(header(&icon, "cache-control"), "no-cache");
    assert_eq!(header(&icon, "content-type"), "image/svg+xml");

    for missing in ["/assets/gone-123.js", "/robots.txt"] {
        assert_eq!(
            app.get(missing, None).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    for escape in [
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/.%2e/secret.txt",
    ] {
        let response = app.get(escape, None).await;
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("do not serve"),
            "{escape} served a file outside the directory"
        );
    }
    assert_error(
        app.get("/api/v1/nope", None).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    std::fs::remove_dir_all(dist.parent().unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_app_the_page_says_how_to_build_it() {
    let empty = std::env::temp_dir().join(format!("tandem-web-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(Backend::Sqlite, json!({ "http": { "web_dir": empty } })).await;
    let response = app.get("/c/3", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), "no-cache");
    assert!(response.text().await.unwrap().contains("make web"));
}
