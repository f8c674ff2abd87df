//! Where files are stored, as the server's settings say, and opening that store at startup.

use crate::ObjectBlobStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{BlobStore, BoxError};

/// How long the startup check waits for an S3 endpoint before giving up.
const S3_CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// The `[storage]` settings: `backend = "local" | "s3" | "memory"` and that backend's fields.
///
/// `Debug` shows no secret: the secret key prints as `[REDACTED]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case", deny_unknown_fields)]
pub enum StorageConfig {
    /// Files under a directory of this machine; `data_dir/files` unless `dir` says otherwise.
    /// Fine for one node; a cluster needs a directory every node shares, or S3.
    Local { dir: Option<PathBuf> },
    /// An S3-compatible bucket (AWS, MinIO, Garage, Ceph, R2…). Downloads may be redirected
    /// to presigned URLs.
    S3 {
        bucket: String,
        /// `https://s3.example.com`; AWS's regional endpoint when absent.
        endpoint: Option<String>,
        #[serde(default = "default_region")]
        region: String,
        access_key_id: String,
        secret_access_key: SecretString,
        /// Allow a plain `http://` endpoint (a local test server, a private network).
        #[serde(default)]
        allow_http: bool,
        /// `https://bucket.endpoint/key` rather than `https://endpoint/bucket/key`.
        #[serde(default)]
        virtual_hosted: bool,
    },
    /// In memory, lost on restart: for tests and trying things out.
    Memory,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self::Local { dir: None }
    }
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

/// Why the configured store could not be opened. Never contains a secret.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the file storage directory {}", dir.display())]
    Directory {
        dir: PathBuf,
        #[source]
        source: BoxError,
    },
    #[error("the S3 storage settings for bucket {bucket:?} are invalid")]
    S3Settings {
        bucket: String,
        #[source]
        source: BoxError,
    },
    #[error("cannot reach S3 bucket {bucket:?} at {endpoint}")]
    S3Unreachable {
        endpoint: String,
        bucket: String,
        #[source]
        source: BoxError,
    },
}

/// Opens the configured store, creating the local directory if needed. For S3, checks that
/// the bucket answers with these credentials, so a wrong endpoint, bucket or key fails at
/// startup rather than at the first upload.
///
/// # Errors
/// [`StorageError`] saying what is wrong and where (never with a secret).
pub async fn open(
    config: &StorageConfig,
    data_dir: &Path,
) -> Result<Arc<dyn BlobStore>, StorageError> {
    match config {
        StorageConfig::Local { dir } => {
            let dir = dir.clone().unwrap_or_else(|| data_dir.join("files"));
            let directory = |source: BoxError| StorageError::Directory {
                dir: dir.clone(),
                source,
            };
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| directory(e.into()))?;
            let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| directory(e.into()))?;
            Ok(Arc::new(ObjectBlobStore::new(Arc::new(store), None)))
        }
        StorageConfig::S3 {
            bucket,
            endpoint,
            region,
            access_key_id,
            secret_access_key,
            allow_http,
            virtual_hosted,
        } => {
            let mut builder = AmazonS3Builder::new()
                .with_bucket_name(bucket)
                .with_region(region)
                .with_access_key_id(access_key_id)
                .with_secret_access_key(secret_access_key.expose_secret())
                .with_allow_http(*allow_http)
                .with_virtual_hosted_style_request(*virtual_hosted);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            let s3 = Arc::new(builder.build().map_err(|e| StorageError::S3Settings {
                bucket: bucket.clone(),
                source: e.into(),
            })?);
            let unreachable = |source: BoxError| StorageError::S3Unreachable {
                endpoint: endpoint
                    .clone()
                    .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com")),
                bucket: bucket.clone(),
                source,
            };
            check_bucket(s3.as_ref()).await.map_err(unreachable)?;
            Ok(Arc::new(ObjectBlobStore::new(s3.clone(), Some(s3))))
        }
        StorageConfig::Memory => Ok(Arc::new(ObjectBlobStore::new(
            Arc::new(InMemory::new()),
            None,
        ))),
    }
}

/// Lists an unlikely prefix: that needs the bucket to exist and the credentials to be
/// accepted, and writes nothing. (A `HEAD` of some object could not tell a missing bucket
/// from a missing object.)
async fn check_bucket(s3: &dyn object_store::ObjectStore) -> Result<(), BoxError> {
    let prefix = ObjectPath::from("tandem-startup-check");
    match tokio::time::timeout(S3_CHECK_TIMEOUT, s3.list_with_delimiter(Some(&prefix))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(error.into()),
        Err(_) => Err(format!("no answer within {} seconds", S3_CHECK_TIMEOUT.as_secs()).into()),
    }
}
