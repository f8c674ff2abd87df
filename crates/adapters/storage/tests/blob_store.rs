//! The memory and local-directory blob stores against the blob store contract, and the
//! storage settings. The S3 store runs the same contract against a real S3-compatible server
//! in `tests/storage.rs` of tandem-tests.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use bytes::Bytes;
use futures_util::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tandem_app::ports::{BlobKey, DownloadHeaders};
use tandem_storage::{StorageConfig, StorageError, open};
use tandem_testkit::contract::blob_store;

/// A fresh directory under the system's temporary one, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("tandem-storage-{:032x}", rand::random::<u128>()));
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn headers() -> DownloadHeaders {
    DownloadHeaders {
        content_type: "text/plain".to_owned(),
        content_disposition: "attachment; filename=\"a.txt\"".to_owned(),
    }
}

fn config(toml_like: serde_json::Value) -> StorageConfig {
    serde_json::from_value(toml_like).unwrap()
}

#[tokio::test]
async fn the_memory_store_meets_the_blob_store_contract() {
    let store = open(&StorageConfig::Memory, &TempDir::new().0)
        .await
        .unwrap();
    blob_store::run_all(store.as_ref()).await;
}

#[tokio::test]
async fn the_local_store_meets_the_blob_store_contract() {
    let data = TempDir::new();
    let store = open(&StorageConfig::default(), &data.0).await.unwrap();
    blob_store::run_all(store.as_ref()).await;
    assert!(
        data.0.join("files/contract").is_dir(),
        "blobs live under data_dir/files"
    );
}

#[tokio::test]
async fn the_local_store_leaves_no_staging_files_after_a_failed_upload() {
    let data = TempDir::new();
    let store = open(&StorageConfig::default(), &data.0).await.unwrap();
    blob_store::a_body_that_fails_midway_leaves_nothing_and_returns_its_error(store.as_ref()).await;
    // The abort runs before put returns; nothing of the 11 MiB may remain.
    let leftovers = files_under(&data.0);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `put` must stream: while the body is still being produced, most of what it yielded is
/// already on disk (at most the parts in flight and the one being filled are in memory).
#[tokio::test]
async fn a_large_upload_reaches_the_disk_while_the_body_is_still_being_read() {
    const MIB: usize = 1024 * 1024;
    let data = TempDir::new();
    let store = open(&StorageConfig::default(), &data.0).await.unwrap();
    let dir = data.0.clone();
    let total = 48;
    let body = futures_util::stream::iter(0..total)
        .then(move |sent| {
            let dir = dir.clone();
            async move {
                if sent >= 24 {
                    let on_disk = bytes_under(&dir);
                    // 3 parts of 5 MiB in memory at most, and 1 MiB of slack for timing.
                    assert!(
                        on_disk + 16 * MIB as u64 >= (sent * MIB) as u64,
                        "{on_disk} bytes on disk after {sent} MiB sent: the body is being collected"
                    );
                }
                Ok(Bytes::from(vec![sent as u8; MIB]))
            }
        })
        .boxed();
    let key = BlobKey::generate("files");
    assert_eq!(store.put(&key, body).await.unwrap(), (total * MIB) as u64);
    assert_eq!(bytes_under(&data.0), (total * MIB) as u64);
}

#[tokio::test]
async fn the_local_store_uses_the_configured_directory_and_creates_it() {
    let data = TempDir::new();
    let dir = data.0.join("elsewhere/nested");
    let store = open(
        &StorageConfig::Local {
            dir: Some(dir.clone()),
        },
        &data.0,
    )
    .await
    .unwrap();
    let key = BlobKey::generate("files");
    let body = futures_util::stream::iter([Ok(Bytes::from_static(b"hi"))]).boxed();
    store.put(&key, body).await.unwrap();
    assert_eq!(std::fs::read(dir.join(key.as_str())).unwrap(), b"hi");
    assert_eq!(
        store
            .presigned_get(&key, Duration::from_secs(60), &headers())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_local_directory_that_cannot_be_created_is_a_clear_startup_error() {
    let data = TempDir::new();
    std::fs::create_dir_all(&data.0).unwrap();
    let file = data.0.join("a-file");
    std::fs::write(&file, b"").unwrap();
    let error = open(
        &StorageConfig::Local {
            dir: Some(file.join("files")),
        },
        &data.0,
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(error, StorageError::Directory { .. }), "{error:?}");
    assert!(error.to_string().contains("a-file"), "{error}");
}

#[test]
fn settings_name_their_backend_and_refuse_unknown_fields() {
    assert!(matches!(
        config(serde_json::json!({ "backend": "local" })),
        StorageConfig::Local { dir: None }
    ));
    assert!(matches!(
        config(serde_json::json!({ "backend": "memory" })),
        StorageConfig::Memory
    ));
    let s3 = config(serde_json::json!({
        "backend": "s3",
        "bucket": "files",
        "access_key_id": "AKIA",
        "secret_access_key": "very-secret",
    }));
    let StorageConfig::S3 {
        region,
        allow_http,
        virtual_hosted,
        endpoint,
        ..
    } = &s3
    else {
        panic!("{s3:?}");
    };
    assert_eq!(
        (region.as_str(), *allow_http, *virtual_hosted),
        ("us-east-1", false, false)
    );
    assert_eq!(endpoint, &None);
    assert!(
        !format!("{s3:?}").contains("very-secret"),
        "Debug must not show the secret"
    );

    for bad in [
        serde_json::json!({ "backend": "local", "bucket": "x" }),
        serde_json::json!({ "backend": "ftp" }),
        serde_json::json!({ "backend": "s3", "bucket": "x" }),
        serde_json::json!({ "dir": "/tmp" }),
    ] {
        assert!(
            serde_json::from_value::<StorageConfig>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
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

fn bytes_under(dir: &std::path::Path) -> u64 {
    files_under(dir)
        .iter()
        .map(|file| std::fs::metadata(file).map_or(0, |m| m.len()))
        .sum()
}
