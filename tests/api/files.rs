//! File sharing on the local store: round trips with byte equality, several files per message,
//! who may download, limits, type sniffing, names, ranges and validators, bad requests, and
//! removal of blobs after a message is deleted. Images and S3 are in `files_images.rs` and
//! `files_s3.rs`.

use reqwest::StatusCode;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RANGE,
};
use serde_json::json;
use tandem_tests::files::{png, stored_files, wait_for_stored};
use tandem_tests::{TestApp, on_every_backend, status_and_json};

on_every_backend!(
    shared_files_come_back_byte_for_byte_to_everyone_in_the_channel,
    only_people_who_can_read_the_channel_can_download,
    types_are_read_from_the_content_and_names_are_cleaned,
    ranges_and_validators_work_on_downloads,
    the_size_limit_stops_an_upload_and_keeps_nothing,
    quota_and_upload_rate_are_enforced,
    malformed_uploads_get_clear_errors,
    deleting_the_message_removes_its_files,
);

fn text_file(len: usize) -> Vec<u8> {
    "Tandem file sharing, line by line.\n"
        .bytes()
        .cycle()
        .take(len)
        .collect()
}

async fn shared_files_come_back_byte_for_byte_to_everyone_in_the_channel(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    let notes = text_file(300_000);
    let picture = png(64, 48);
    let response = app
        .upload(
            &ana.access_token,
            general,
            &[("notes.txt", notes.clone()), ("pic.png", picture.clone())],
            &[
                ("caption", "the plan and a picture"),
                ("client_msg_id", "up-1"),
            ],
        )
        .await;
    let (status, message) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(
        message["message_type"], "file",
        "not every file is an image"
    );
    assert_eq!(message["content"], "the plan and a picture");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(
        (
            attachments[0]["filename"].as_str(),
            attachments[0]["mime_type"].as_str(),
            attachments[0]["file_size"].as_u64(),
            attachments[0]["inline"].as_bool(),
        ),
        (
            Some("notes.txt"),
            Some("text/plain"),
            Some(300_000),
            Some(false)
        )
    );
    assert_eq!(
        (
            attachments[1]["mime_type"].as_str(),
            attachments[1]["inline"].as_bool()
        ),
        (Some("image/png"), Some(true))
    );
    // Bob, another member, downloads both: the same bytes, the sniffed types.
    for (attachment, original) in attachments.iter().zip([&notes, &picture]) {
        let url = attachment["file_url"].as_str().unwrap();
        let response = app.get(url, Some(&bob.access_token)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{url}"
        );
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            attachment["mime_type"].as_str().unwrap()
        );
        assert!(
            response.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        assert_eq!(&response.bytes().await.unwrap()[..], &original[..]);
    }
    // The token may come as a query parameter (`<img src>`).
    let url = format!(
        "{}?token={}",
        attachments[1]["file_url"].as_str().unwrap(),
        bob.access_token
    );
    assert_eq!(app.get(&url, None).await.status(), StatusCode::OK);
    // History shows the attachments too.
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{general}/messages"),
            &bob.access_token,
        )
        .await;
    assert_eq!(
        history["messages"][0]["attachments"][1]["id"],
        attachments[1]["id"]
    );
    // One message of type image when every file is a previewable image.
    let images = app
        .share(
            &ana.access_token,
            general,
            &[("a.png", png(8, 8)), ("b.png", png(9, 9))],
        )
        .await;
    assert_eq!(images["message_type"], "image");
}

async fn only_people_who_can_read_the_channel_can_download(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let secret = app.channel(&ana.access_token, "secret", "private").await;
    let message = app
        .share(&ana.access_token, secret, &[("plan.txt", text_file(100))])
        .await;
    let url = message["attachments"][0]["file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&url, Some(&ana.access_token)).await.status(),
        StatusCode::OK
    );
    // Bob is in the organization but not in the private channel.
    let (status, body) = status_and_json(app.get(&url, Some(&bob.access_token)).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // Nor can he upload there.
    let response = app
        .upload(&bob.access_token, secret, &[("x.txt", text_file(10))], &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Someone of another organization gets the same 404, for the file and its thumbnail.
    let (eve, _) = app.organization("evil.example", "Evil").await;
    for path in [
        url.clone(),
        format!("{url}/thumbnail"),
        format!("{url}/preview"),
    ] {
        let response = app.get(&path, Some(&eve.access_token)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.get("/api/v1/files/99999999", Some(&ana.access_token))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // No token, a forged token.
    assert_eq!(app.get(&url, None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&format!("{url}?token=forged.token.here"), None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn types_are_read_from_the_content_and_names_are_cleaned(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    // A PNG named .exe is a PNG.
    let message = app
        .share(&ana.access_token, general, &[("setup.exe", png(10, 10))])
        .await;
    assert_eq!(message["attachments"][0]["mime_type"], "image/png");
    // An executable named .png is refused, whatever it is called.
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend_from_slice(&[0; 64]);
    let (status, body) = status_and_json(
        app.upload(&ana.access_token, general, &[("cat.png", elf)], &[])
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("file_type_refused")
        ),
        "{body}"
    );
    // HTML is accepted but only ever downloaded, in a sandbox.
    let html = b"<!DOCTYPE html><script>alert(1)</script>".to_vec();
    let message = app
        .share(&ana.access_token, general, &[("page.txt", html)])
        .await;
    let attachment = &message["attachments"][0];
    assert_eq!(
        (
            attachment["mime_type"].as_str(),
            attachment["inline"].as_bool()
        ),
        (Some("text/html"), Some(false))
    );
    let response = app
        .get(
            attachment["file_url"].as_str().unwrap(),
            Some(&ana.access_token),
        )
        .await;
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    // Names: no directories, no control or direction characters.
    let cases = [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\report.txt", "report.txt"),
        ("in\u{202e}voice.txt", "invoice.txt"),
    ];
    for (raw, clean) in cases {
        let message = app
            .share(&ana.access_token, general, &[(raw, text_file(20))])
            .await;
        assert_eq!(message["attachments"][0]["filename"], clean, "{raw:?}");
    }
    // An empty file is refused.
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("empty.txt", Vec::new())],
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["code"], "empty_file");
}

async fn ranges_and_validators_work_on_downloads(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let content = text_file(10_000);
    let message = app
        .share(&ana.access_token, general, &[("long.txt", content.clone())])
        .await;
    let url = message["attachments"][0]["file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let ranged = |range: &'static str| {
        app.request(reqwest::Method::GET, &url, Some(&ana.access_token))
            .header(RANGE, range)
            .send()
    };
    let response = ranged("bytes=100-199").await.unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()[CONTENT_RANGE], "bytes 100-199/10000");
    assert_eq!(&response.bytes().await.unwrap()[..], &content[100..200]);
    let response = ranged("bytes=9990-").await.unwrap();
    assert_eq!(&response.bytes().await.unwrap()[..], &content[9990..]);
    let response = ranged("bytes=20000-").await.unwrap();
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(response.headers()[CONTENT_RANGE], "bytes */10000");
    // Validators: the ETag answers 304 without a body.
    let first = app.get(&url, Some(&ana.access_token)).await;
    let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
    let again = app
        .request(reqwest::Method::GET, &url, Some(&ana.access_token))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());
}

async fn the_size_limit_stops_an_upload_and_keeps_nothing(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "files": { "max_file_bytes": 1_000_000 } }),
    )
    .await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("big.txt", text_file(3_000_000))],
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
    assert!(
        stored_files(&app.data_dir().join("files")).is_empty(),
        "a partial object was kept"
    );
    // Just under the limit is fine.
    app.share(
        &ana.access_token,
        general,
        &[("fits.txt", text_file(999_000))],
    )
    .await;
    assert_eq!(stored_files(&app.data_dir().join("files")).len(), 1);
}

async fn quota_and_upload_rate_are_enforced(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "files": { "user_quota_bytes": 5_000, "uploads_per_window": 3 } }),
    )
    .await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.share(&ana.access_token, general, &[("a.txt", text_file(3_000))])
        .await;
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("b.txt", text_file(3_000))],
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("storage_quota_exceeded")
        ),
        "{body}"
    );
    app.share(&ana.access_token, general, &[("c.txt", text_file(1_000))])
        .await;
    let response = app
        .upload(&ana.access_token, general, &[("d.txt", text_file(10))], &[])
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

async fn malformed_uploads_get_clear_errors(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let path = format!("/api/v1/channels/{general}/files");
    // Not multipart.
    let (status, body) = status_and_json(
        app.post_json(&path, Some(&ana.access_token), &json!({ "file": "x" }))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    // No file part.
    let (status, body) = status_and_json(
        app.upload(&ana.access_token, general, &[], &[("caption", "nothing")])
            .await,
    )
    .await;
    assert_eq!(
        (status, body["details"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_file"))
    );
    // Too many files.
    let many: Vec<(&str, Vec<u8>)> = (0..11).map(|_| ("f.txt", text_file(10))).collect();
    let (status, body) =
        status_and_json(app.upload(&ana.access_token, general, &many, &[]).await).await;
    assert_eq!(
        (status, body["details"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_files"))
    );
    // A body cut off in the middle of a part.
    let cut = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhalf a fi";
    let response = app
        .request(reqwest::Method::POST, &path, Some(&ana.access_token))
        .header(CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .body(cut)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_multipart")),
        "{body}"
    );
    // An unknown text field.
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("a.txt", text_file(5))],
            &[("color", "red")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["details"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"))
    );
    // Injection strings are just text, and the server still serves.
    let injection = "x'); DROP TABLE files;--";
    let (status, body) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[(injection, text_file(5))],
            &[("caption", injection)],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["content"].as_str(),
            body["attachments"][0]["filename"].as_str()
        ),
        (Some(injection), Some(injection))
    );
    app.share(&ana.access_token, general, &[("ok.txt", text_file(5))])
        .await;
}

async fn deleting_the_message_removes_its_files(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let message = app
        .share(
            &ana.access_token,
            general,
            &[("a.txt", text_file(50)), ("b.txt", text_file(60))],
        )
        .await;
    let store = app.data_dir().join("files");
    assert_eq!(stored_files(&store).len(), 2);
    let id = message["id"].as_i64().unwrap();
    let url = message["attachments"][0]["file_url"]
        .as_str()
        .unwrap()
        .to_owned();
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
    // Gone at once for downloads, and from the store once the job ran.
    assert_eq!(
        app.get(&url, Some(&ana.access_token)).await.status(),
        StatusCode::NOT_FOUND
    );
    wait_for_stored(&store, 0).await;
}
