//! The image job: thumbnails and web versions without metadata, announced to the channel; a
//! corrupt image stays a plain file; a queued job survives a restart; uploads never shared are
//! swept.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use tandem_tests::files::{contains, jpeg_with_gps, png, stored_files, wait_for_stored};
use tandem_tests::{TestApp, on_every_backend, status_and_json};

on_every_backend!(
    images_get_a_thumbnail_and_a_web_version_without_their_metadata,
    a_corrupt_image_stays_a_plain_file,
    an_image_job_queued_before_a_restart_runs_after_it,
    uploads_never_shared_are_swept_after_the_grace_period,
);

fn processed(message: &Value) -> bool {
    message["attachments"][0]["thumbnail_url"].is_string()
}

async fn images_get_a_thumbnail_and_a_web_version_without_their_metadata(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    app.join(&bob.access_token, general).await;
    let mut watcher = app.socket(&bob.access_token, general, "").await;
    watcher.expect("ready").await;
    let photo = jpeg_with_gps(2400, 1600);
    assert!(contains(&photo, b"Exif"), "the fixture carries EXIF");
    let message = app
        .share(
            &ana.access_token,
            general,
            &[("holiday.jpg", photo.clone())],
        )
        .await;
    assert_eq!(message["message_type"], "image");
    let id = message["id"].as_i64().unwrap();
    // The job's result reaches the channel as an edit of the message.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let edited = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = watcher
            .next_within(left)
            .await
            .expect("the image job announces its result");
        if frame["type"] == "message_edited" && frame["message"]["id"] == id {
            break frame;
        }
    };
    let attachment = &edited["message"]["attachments"][0];
    assert_eq!(
        (attachment["width"].as_u64(), attachment["height"].as_u64()),
        (Some(2400), Some(1600))
    );
    assert!(
        edited["message"]["edited_at"].is_null(),
        "the words were not edited"
    );
    let message = app.message_until(&bob.access_token, id, processed).await;
    let attachment = &message["attachments"][0];
    // Thumbnail and web version: smaller, JPEG, no EXIF; the original is untouched.
    for (key, longest) in [("thumbnail_url", 360), ("preview_url", 2048)] {
        let response = app
            .get(attachment[key].as_str().unwrap(), Some(&bob.access_token))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{key}");
        assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
        let bytes = response.bytes().await.unwrap();
        assert!(!contains(&bytes, b"Exif"), "{key} kept the EXIF block");
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(decoded.width().max(decoded.height()), longest, "{key}");
    }
    let original = app
        .get(
            attachment["file_url"].as_str().unwrap(),
            Some(&bob.access_token),
        )
        .await;
    assert_eq!(&original.bytes().await.unwrap()[..], &photo[..]);
    // A transparent PNG keeps its transparency: its thumbnail is a PNG.
    let message = app
        .share(&ana.access_token, general, &[("logo.png", png(500, 400))])
        .await;
    let message = app
        .message_until(
            &ana.access_token,
            message["id"].as_i64().unwrap(),
            processed,
        )
        .await;
    let response = app
        .get(
            message["attachments"][0]["thumbnail_url"].as_str().unwrap(),
            Some(&ana.access_token),
        )
        .await;
    assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
}

async fn a_corrupt_image_stays_a_plain_file(app: TestApp) {
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let mut broken = jpeg_with_gps(400, 300);
    broken.truncate(600);
    let message = app
        .share(
            &ana.access_token,
            general,
            &[("broken.jpg", broken.clone())],
        )
        .await;
    let id = message["id"].as_i64().unwrap();
    let message = app
        .message_until(&ana.access_token, id, |m| {
            m["attachments"][0]["inline"] == false
        })
        .await;
    let attachment = &message["attachments"][0];
    assert!(attachment["thumbnail_url"].is_null() && attachment["width"].is_null());
    let response = app
        .get(
            attachment["file_url"].as_str().unwrap(),
            Some(&ana.access_token),
        )
        .await;
    assert_eq!(
        &response.bytes().await.unwrap()[..],
        &broken[..],
        "still downloadable as it was"
    );
    // The server carries on.
    app.share(&ana.access_token, general, &[("fine.png", png(20, 20))])
        .await;
}

async fn an_image_job_queued_before_a_restart_runs_after_it(app: TestApp) {
    // A node that runs no workers queues the job; the next one runs it.
    let app = tandem_tests::spawn_app_with(app.backend, json!({ "jobs": { "workers": 0 } })).await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    let message = app
        .share(&ana.access_token, general, &[("later.png", png(800, 600))])
        .await;
    let id = message["id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let pending = app
        .get_ok(&format!("/api/v1/messages/{id}"), &ana.access_token)
        .await;
    assert!(
        pending["attachments"][0]["thumbnail_url"].is_null(),
        "no worker ran it"
    );
    let app = app.restarted(json!({ "jobs": { "workers": 1 } })).await;
    let ana = app.login_ok(&ana.email).await;
    let message = app.message_until(&ana.access_token, id, processed).await;
    assert_eq!(message["attachments"][0]["width"], 800);
}

async fn uploads_never_shared_are_swept_after_the_grace_period(app: TestApp) {
    let app = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "files": { "orphan_grace_secs": 1, "orphan_sweep_secs": 1 } }),
    )
    .await;
    let (ana, _) = app.organization("acme.io", "Acme").await;
    let general = app.channel(&ana.access_token, "general", "public").await;
    // The first file is stored, then the second is refused: the first is never shared.
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend_from_slice(&[0; 64]);
    let (status, _) = status_and_json(
        app.upload(
            &ana.access_token,
            general,
            &[("kept.txt", b"hello".to_vec()), ("x.bin", elf)],
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    wait_for_stored(&app.data_dir().join("files"), 0).await;
    // Shared files stay.
    app.share(
        &ana.access_token,
        general,
        &[("shared.txt", b"hello".to_vec())],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(stored_files(&app.data_dir().join("files")).len(), 1);
}
