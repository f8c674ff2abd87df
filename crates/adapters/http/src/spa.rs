//! The web app: the built single-page app (`web/dist`, setting `http.web_dir`) served from a
//! directory at run time. Files under `assets/` carry a content hash in their names and are
//! cached for a year; everything else, `index.html` first, is revalidated on every use. Paths
//! that are not files get `index.html`, whose router handles client-side routes; API paths
//! never do, and keep their JSON 404.

use crate::error::{ApiError, ErrorCode};
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Path, PathBuf};

/// Where the built web app is, from the settings.
#[derive(Debug, Clone)]
pub struct WebDir(pub PathBuf);

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Shown when the directory has no `index.html`: the server runs, the app is not built.
const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#8882;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>Tandem is running</h1>
<p>The web app is not built. Build it with <code>make web</code> (Node 20 and npm), or point the
<code>http.web_dir</code> setting (<code>TANDEM_HTTP__WEB_DIR</code>) at a built copy.</p>
<p>The API is ready: <a href="/api/docs/">API documentation</a> · <a href="/healthz">health</a>.</p>
</body></html>
"#;

/// Paths that belong to the server, never to the web app.
fn is_server_path(path: &str) -> bool {
    ["/api", "/healthz", "/readyz", "/metrics"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// The file a path names inside the directory, when every segment is a plain name
/// (no `..`, no hidden files, no encoded characters).
fn file_in(dir: &Path, path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for segment in path.trim_start_matches('/').split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !plain {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

async fn read(file: PathBuf) -> Option<Vec<u8>> {
    web::block(move || {
        std::fs::metadata(&file)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|_| std::fs::read(&file).ok())
    })
    .await
    .ok()
    .flatten()
}

/// The default service: web app files, the app's entry page for client-side routes, and the
/// JSON 404 for everything else.
pub async fn serve(req: HttpRequest, dir: web::Data<WebDir>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let readable = req.method() == Method::GET || req.method() == Method::HEAD;
    if !readable || is_server_path(path) {
        return Err(ApiError::new(
            ErrorCode::RouteNotFound,
            format!(
                "no endpoint {} {path}; the API is described at /api/docs",
                req.method()
            ),
        ));
    }
    if path != "/" {
        if let Some(file) = file_in(&dir.0, path)
            && let Some(body) = read(file.clone()).await
        {
            let cache = if path.starts_with("/assets/") {
                IMMUTABLE
            } else {
                NO_CACHE
            };
            return Ok(HttpResponse::Ok()
                .content_type(content_type(&file))
                .insert_header((header::CACHE_CONTROL, cache))
                .body(body));
        }
        // A missing file (a name with an extension, or under assets/) is a 404, not the app:
        // answering HTML for a script would fail in confusing ways.
        let last = path.rsplit('/').next().unwrap_or("");
        if path.starts_with("/assets/") || last.contains('.') {
            return Ok(HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, NO_CACHE))
                .body("not found"));
        }
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, NO_CACHE));
    Ok(match read(dir.0.join("index.html")).await {
        Some(index) => response.body(index),
        // Its one inline style is all it needs; the security middleware keeps a handler's policy.
        None => response
            .insert_header((header::CONTENT_SECURITY_POLICY, NOT_BUILT_POLICY))
            .body(NOT_BUILT),
    })
}

const NOT_BUILT_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_map_to_files() {
        let dir = Path::new("/srv/web");
        assert_eq!(
            file_in(dir, "/assets/app-1a2b.js"),
            Some(dir.join("assets/app-1a2b.js"))
        );
        assert_eq!(file_in(dir, "/../etc/passwd"), None);
        assert_eq!(file_in(dir, "/assets/%2e%2e/x"), None);
        assert_eq!(file_in(dir, "/.env"), None);
        assert_eq!(file_in(dir, "/a//b"), None);
    }

    #[test]
    fn server_paths_are_never_the_app() {
        for path in [
            "/api",
            "/api/v1/nope",
            "/healthz",
            "/readyz",
            "/metrics",
            "/metrics/x",
        ] {
            assert!(is_server_path(path), "{path}");
        }
        for path in ["/", "/c/12", "/apiary", "/metricsboard", "/login"] {
            assert!(!is_server_path(path), "{path}");
        }
    }
}
