//! The S3 blob store against a real S3-compatible server (`s3s-fs`, which checks SigV4
//! signatures): the blob store contract, presigned URLs, and the startup check's errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;
use tandem_app::ports::{BlobKey, BlobStore, DownloadHeaders};
use tandem_storage::{StorageConfig, StorageError, open};
use tandem_testkit::contract::blob_store;
use tandem_tests::s3::S3Server;

async fn open_s3(settings: Value) -> Result<std::sync::Arc<dyn BlobStore>, StorageError> {
    let config: StorageConfig = serde_json::from_value(settings).unwrap();
    open(&config, &std::env::temp_dir()).await
}

fn with(mut settings: Value, overrides: Value) -> Value {
    for (key, value) in overrides.as_object().unwrap() {
        settings[key] = value.clone();
    }
    settings
}

#[tokio::test]
async fn the_s3_store_meets_the_blob_store_contract() {
    let server = S3Server::start().await;
    let store = open_s3(server.settings()).await.unwrap();
    blob_store::run_all(store.as_ref()).await;
}

#[tokio::test]
async fn an_aborted_upload_leaves_no_parts_in_the_bucket() {
    let server = S3Server::start().await;
    let store = open_s3(server.settings()).await.unwrap();
    blob_store::a_body_that_fails_midway_leaves_nothing_and_returns_its_error(store.as_ref()).await;
    let left: Vec<_> = walk(&server.data_dir());
    assert!(left.is_empty(), "{left:?}");
}

/// A name that needs percent-encoding twice over (in the header, then in the URL).
const DISPOSITION: &str =
    "attachment; filename=\"r_sum_ 1.html\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.html";

fn headers() -> DownloadHeaders {
    DownloadHeaders {
        content_type: "text/html".to_owned(),
        content_disposition: DISPOSITION.to_owned(),
    }
}

#[tokio::test]
async fn a_presigned_url_serves_the_blob_to_anyone_until_it_expires() {
    let server = S3Server::start().await;
    let store = open_s3(server.settings()).await.unwrap();
    let key = BlobKey::generate("files");
    let body = futures_util::stream::iter([Ok(Bytes::from_static(b"shared bytes"))]).boxed();
    store.put(&key, body).await.unwrap();

    let url = store
        .presigned_get(&key, Duration::from_secs(300), &headers())
        .await
        .unwrap()
        .expect("S3 presigns");
    assert!(url.starts_with(&server.endpoint), "{url}");
    assert!(
        !url.contains(&server.secret_key),
        "the URL must not carry the secret"
    );
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), "shared bytes");

    let tampered = url.replace(key.as_str(), BlobKey::generate("files").as_str());
    let response = reqwest::get(&tampered).await.unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::FORBIDDEN,
        "a URL signs one key"
    );

    let short = store
        .presigned_get(&key, Duration::from_secs(1), &headers())
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = reqwest::get(&short).await.unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::FORBIDDEN,
        "an expired URL"
    );
}

/// The response headers ride in the URL's query (`response-content-type`,
/// `response-content-disposition`), under the signature: nobody can turn an attachment into
/// an inline page by editing the link. (s3s-fs checks the signature but does not apply the
/// overrides; AWS S3 and most compatibles do.)
#[tokio::test]
async fn the_download_headers_are_signed_into_a_presigned_url() {
    let server = S3Server::start().await;
    let store = open_s3(server.settings()).await.unwrap();
    let key = BlobKey::generate("files");
    let body = futures_util::stream::iter([Ok(Bytes::from_static(b"<html>"))]).boxed();
    store.put(&key, body).await.unwrap();
    let url = store
        .presigned_get(&key, Duration::from_secs(300), &headers())
        .await
        .unwrap()
        .unwrap();

    let parsed = reqwest::Url::parse(&url).unwrap();
    let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let value = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("response-content-type"), Some("text/html"));
    assert_eq!(value("response-content-disposition"), Some(DISPOSITION));
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        reqwest::StatusCode::OK
    );

    let mut inline = parsed.clone();
    inline
        .query_pairs_mut()
        .clear()
        .extend_pairs(query.iter().map(|(name, v)| {
            let v = if name == "response-content-disposition" {
                "inline"
            } else {
                v.as_str()
            };
            (name.as_str(), v)
        }));
    let response = reqwest::get(inline.as_str()).await.unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::FORBIDDEN,
        "{inline}"
    );
}

#[tokio::test]
async fn an_unsigned_request_is_refused_so_signatures_are_really_checked() {
    let server = S3Server::start().await;
    let url = format!("{}/{}/anything", server.endpoint, server.bucket);
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn wrong_credentials_fail_at_startup_naming_endpoint_and_bucket_but_no_secret() {
    let server = S3Server::start().await;
    let settings = with(
        server.settings(),
        json!({ "secret_access_key": "not-the-secret-key" }),
    );
    let error = open_s3(settings).await.err().expect("startup fails");
    assert!(
        matches!(error, StorageError::S3Unreachable { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&server.endpoint), "{message}");
    assert!(message.contains(&server.bucket), "{message}");
    let everything = format!("{error:?} {}", error_chain(&error));
    assert!(!everything.contains("not-the-secret-key"), "{everything}");
    assert!(!everything.contains(&server.secret_key), "{everything}");
}

#[tokio::test]
async fn a_missing_bucket_fails_at_startup() {
    let server = S3Server::start().await;
    let settings = with(server.settings(), json!({ "bucket": "no-such-bucket" }));
    let error = open_s3(settings).await.err().expect("startup fails");
    assert!(
        matches!(error, StorageError::S3Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("no-such-bucket"), "{error}");
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}
