//! [`BlobStore`] over any `object_store` backend: streamed uploads in bounded memory, ranged
//! reads, presigned URLs where the backend signs them.

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::signer::{Method, SignedUrlOptions, Signer};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, DownloadHeaders,
};

/// Size of each multipart part; S3 wants at least 5 MiB for all but the last. Bodies smaller
/// than this go up in one request.
const PART_SIZE: usize = 5 * 1024 * 1024;
/// Parts in flight at once per upload, so one upload holds at most about
/// `(MAX_PARTS_IN_FLIGHT + 1) × PART_SIZE` bytes in memory.
const MAX_PARTS_IN_FLIGHT: usize = 2;
/// How long an abort waits for the parts in flight; then they are cut short.
const DRAIN_BEFORE_ABORT: Duration = Duration::from_secs(30);

/// A [`BlobStore`] on an `object_store` backend.
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    signer: Option<Arc<dyn Signer>>,
}

impl ObjectBlobStore {
    /// `signer` is the same backend when it can presign URLs (S3), `None` otherwise.
    pub fn new(store: Arc<dyn ObjectStore>, signer: Option<Arc<dyn Signer>>) -> Self {
        Self { store, signer }
    }

    /// Streams the rest of `body` as a multipart upload, after `first`, the part already
    /// buffered. On any failure the upload is aborted.
    async fn put_multipart(
        &self,
        path: &Path,
        first: Vec<Bytes>,
        mut body: ByteStream,
        mut written: u64,
    ) -> Result<u64, BlobError> {
        let upload = self.store.put_multipart(path).await.map_err(map_error)?;
        let mut writer = AbortOnDrop(Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)));
        for chunk in first {
            writer.get()?.put(chunk);
        }
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    writer.abort().await;
                    return Err(error);
                }
            };
            written += chunk.len() as u64;
            let capacity = writer.get()?.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await;
            if let Err(error) = capacity {
                writer.abort().await;
                return Err(map_error(error));
            }
            writer.get()?.put(chunk);
        }
        // `finish` aborts the upload itself when it fails.
        let finished = writer.0.take().ok_or_else(gone)?.finish().await;
        finished.map_err(map_error)?;
        Ok(written)
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, key: &BlobKey, mut body: ByteStream) -> Result<u64, BlobError> {
        let path = path(key)?;
        let (mut first, mut buffered) = (Vec::new(), 0usize);
        while let Some(chunk) = body.next().await {
            // Nothing has reached the store yet: the body's error goes back as it is.
            let chunk = chunk?;
            buffered += chunk.len();
            first.push(chunk);
            if buffered >= PART_SIZE {
                return self
                    .put_multipart(&path, first, body, buffered as u64)
                    .await;
            }
        }
        let payload: PutPayload = first.into_iter().collect();
        self.store.put(&path, payload).await.map_err(map_error)?;
        Ok(buffered as u64)
    }

    async fn get(&self, key: &BlobKey, range: Option<ByteRange>) -> Result<BlobRead, BlobError> {
        let path = path(key)?;
        let options = GetOptions {
            range: range.map(get_range),
            ..GetOptions::default()
        };
        let result = match self.store.get_opts(&path, options).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound),
            Err(error) => {
                // Backends word an unsatisfiable range differently (or not at all); the size
                // tells for sure.
                if let Some(range) = range {
                    let meta = self.store.head(&path).await.map_err(map_error)?;
                    range.resolve(meta.size)?;
                }
                return Err(map_error(error));
            }
        };
        let total_size = result.meta.size;
        if let Some(range) = range {
            range.resolve(total_size)?;
        }
        let (start, end) = (result.range.start, result.range.end);
        Ok(BlobRead {
            total_size,
            start,
            end_inclusive: end.saturating_sub(1).max(start),
            body: result.into_stream().map_err(map_error).boxed(),
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(map_error(error)),
        }
    }

    async fn presigned_get(
        &self,
        key: &BlobKey,
        expires_in: Duration,
        headers: &DownloadHeaders,
    ) -> Result<Option<String>, BlobError> {
        let Some(signer) = &self.signer else {
            return Ok(None);
        };
        // S3's response overrides: signed into the URL, honoured by S3 and most compatibles.
        let options = SignedUrlOptions::new().with_query([
            ("response-content-type", headers.content_type.as_str()),
            (
                "response-content-disposition",
                headers.content_disposition.as_str(),
            ),
        ]);
        let url = signer
            .signed_url_opts(Method::GET, &path(key)?, expires_in, &options)
            .await
            .map_err(|error| BlobError::Unexpected(error.into()))?;
        Ok(Some(url.into()))
    }
}

/// Aborts a multipart upload that is dropped unfinished: when the body fails, and also when
/// the caller stops awaiting `put` (the client went away), which would otherwise leave parts
/// behind in the bucket or a staging file on disk.
struct AbortOnDrop(Option<WriteMultipart>);

impl AbortOnDrop {
    fn get(&mut self) -> Result<&mut WriteMultipart, BlobError> {
        self.0.as_mut().ok_or_else(gone)
    }

    async fn abort(&mut self) {
        if let Some(writer) = self.0.take() {
            abort(writer).await;
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(abort(writer));
        }
    }
}

/// Lets the parts in flight finish (for a while) before aborting, rather than cutting their
/// requests short: a request cut mid-body can leave the server a temporary file, while the
/// abort removes every finished part.
async fn abort(mut writer: WriteMultipart) {
    let _ = tokio::time::timeout(DRAIN_BEFORE_ABORT, writer.wait_for_capacity(0)).await;
    if let Err(error) = writer.abort().await {
        tracing::warn!(error = %error, "aborting an unfinished multipart upload failed");
    }
}

fn gone() -> BlobError {
    BlobError::Unexpected("the multipart upload was already finished".into())
}

fn path(key: &BlobKey) -> Result<Path, BlobError> {
    Path::parse(key.as_str()).map_err(|error| BlobError::Unexpected(error.into()))
}

fn get_range(range: ByteRange) -> GetRange {
    match range.end_inclusive {
        Some(end) if end < u64::MAX => GetRange::Bounded(range.start..end + 1),
        _ => GetRange::Offset(range.start),
    }
}

/// `object_store` reports a backend it cannot reach (network, HTTP 5xx after retries, disk
/// errors) as `Generic`; everything else it reports is a misuse or a bug.
fn map_error(error: object_store::Error) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        object_store::Error::Generic { .. } => BlobError::Unavailable(error.into()),
        other => BlobError::Unexpected(other.into()),
    }
}
