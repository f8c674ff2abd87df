//! Uploading and downloading files in tests: multipart requests, the files a store holds, and
//! small real images made on the spot (with an EXIF block carrying a GPS position).

use crate::TestApp;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

impl TestApp {
    /// `POST /channels/{channel}/files` with these `(filename, bytes)` and text fields.
    pub async fn upload(
        &self,
        token: &str,
        channel: i64,
        files: &[(&str, Vec<u8>)],
        fields: &[(&str, &str)],
    ) -> Response {
        let mut form = Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for (filename, bytes) in files {
            // The declared type is deliberately wrong: the server must read the content.
            let part = Part::bytes(bytes.clone())
                .file_name((*filename).to_owned())
                .mime_str("application/octet-stream")
                .unwrap();
            form = form.part("file", part);
        }
        self.request(
            reqwest::Method::POST,
            &format!("/api/v1/channels/{channel}/files"),
            Some(token),
        )
        .multipart(form)
        .send()
        .await
        .unwrap()
    }

    /// Uploads and expects 201; returns the message.
    pub async fn share(&self, token: &str, channel: i64, files: &[(&str, Vec<u8>)]) -> Value {
        let (status, body) =
            crate::status_and_json(self.upload(token, channel, files, &[]).await).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Polls the message until `check` holds (the image job runs in the background).
    pub async fn message_until(
        &self,
        token: &str,
        id: i64,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let message = self.get_ok(&format!("/api/v1/messages/{id}"), token).await;
            if check(&message) {
                return message;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the message never got there: {message}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Regular files under `dir`, recursively (a store's blobs).
pub fn stored_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(stored_files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Waits until `dir` holds exactly `count` files.
pub async fn wait_for_stored(dir: &Path, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let found = stored_files(dir);
        if found.len() == count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {count} stored files, found {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A `width`×`height` PNG with some transparency.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            128,
            if x < 4 { 0 } else { 255 },
        ])
    });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// A `width`×`height` JPEG whose EXIF block holds a GPS latitude reference.
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 200])
    });
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    let jpeg = bytes.into_inner();
    // TIFF, little-endian: IFD0 with one entry pointing at a GPS IFD holding GPSLatitudeRef.
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&[1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[1, 0, 1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
