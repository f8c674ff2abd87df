//! File sharing on a real S3-compatible server (s3s-fs, which checks request signatures):
//! round trips through multipart uploads, the size limit leaving nothing behind, removal after
//! deletion, and presigned downloads.

use reqwest::StatusCode;
use serde_json::json;
use tandem_tests::files::{stored_files, wait_for_stored};
use tandem_tests::s3::S3Server;
use tandem_tests::{TestApp, on_every_backend, status_and_json};

on_every_backend!(
    files_round_trip_through_s3,
    on_s3_the_size_limit_keeps_nothing_and_deletion_removes_blobs,
    on_s3_downloads_can_redirect_to_presigned_urls,
);

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn on_s3(app: &TestApp, files: serde_json::Value) -> (S3Server, TestApp) {
    let s3 = S3Server::start().await;
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "storage": s3.settings(), "files": files }),
    )
    .await;
    (s3, app)
}

async fn files_round_trip_through_s3(app: TestApp) {
    let (s3, app) = on_s3(&app, json!({})).await;
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    // 12 MiB: several multipart parts on the way in.
    let big = data(12 * 1024 * 1024);
    let small = b"%PDF-1.7\n% a small pdf".to_vec();
    let message = app
        .share(
            &ana.access_token,
            general,
            &[("big.bin", big.clone()), ("doc.pdf", small.clone())],
        )
        .await;
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments[1]["mime_type"], "application/pdf");
    for (attachment, original) in attachments.iter().zip([&big, &small]) {
        let response = app
            .get(
                attachment["file_url"].as_str().unwrap(),
                Some(&bob.access_token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.bytes().await.unwrap()[..] == original[..],
            "bytes differ"
        );
    }
    let objects = stored_files(&s3.data_dir().join(&s3.bucket));
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert!(
        stored_files(&app.data_dir().join("files")).is_empty(),
        "nothing on local disk"
    );
}

async fn on_s3_the_size_limit_keeps_nothing_and_deletion_removes_blobs(app: TestApp) {
    let (s3, app) = on_s3(&app, json!({ "max_file_bytes": 6 * 1024 * 1024 })).await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("huge.bin", data(9 * 1024 * 1024))],
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large")),
        "{body}"
    );
    // No object, and no unfinished multipart upload left behind (s3s-fs keeps those, and
    // each object's metadata, beside the bucket's directory).
    wait_for_stored(&s3.data_dir(), 0).await;
    let message = app
        .share(&ana.access_token, general, &[("a.bin", data(1000))])
        .await;
    wait_for_stored(&s3.data_dir().join(&s3.bucket), 1).await;
    let id = message["id"].as_i64().unwrap();
    let response = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/messages/{id}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    wait_for_stored(&s3.data_dir().join(&s3.bucket), 0).await;
}

async fn on_s3_downloads_can_redirect_to_presigned_urls(app: TestApp) {
    let (_s3, app) = on_s3(&app, json!({ "presigned_downloads_secs": 60 })).await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let content = data(5000);
    let message = app
        .share(&ana.access_token, general, &[("r.bin", content.clone())])
        .await;
    let url = message["attachments"][0]["file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.get(&url, Some(&ana.access_token)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("X-Amz-Signature"), "{location}");
    // The store serves it to anyone holding the URL, until it expires.
    let fetched = reqwest::get(&location).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert!(fetched.bytes().await.unwrap()[..] == content[..]);
    // Authorization still comes first.
    let (eve, _) = app.organization("evil.example", "Evil").await;
    assert_eq!(
        app.get(&url, Some(&eve.access_token)).await.status(),
        StatusCode::NOT_FOUND
    );
}
