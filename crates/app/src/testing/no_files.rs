//! The file-sharing ports, for use-case tests that never reach them: any call is a test
//! failure with a clear message. File sharing is tested black-box on both databases and both
//! blob stores (`tests/api/files.rs`).

use crate::ports::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, DownloadHeaders,
    FileRepository, ImageError, ImageLimits, ImageOutcome, ImageProcessor, NewFile, PortError,
    ProcessedImage, StoredFile,
};
use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tandem_domain::{ChannelEvent, FileId, Message, MessageId, UserId};

pub(crate) struct NoFiles;

const NOT_FAKED: &str = "the file ports are not faked in these tests";

fn not_faked<T>() -> Result<T, PortError> {
    Err(PortError::unexpected(NOT_FAKED))
}

fn no_blobs<T>() -> Result<T, BlobError> {
    Err(BlobError::Unexpected(NOT_FAKED.into()))
}

#[async_trait]
impl FileRepository for NoFiles {
    async fn create(&self, _: NewFile) -> Result<StoredFile, PortError> {
        not_faked()
    }
    async fn find(&self, _: FileId) -> Result<Option<StoredFile>, PortError> {
        not_faked()
    }
    async fn bytes_used(&self, _: UserId) -> Result<u64, PortError> {
        not_faked()
    }
    async fn record_image(
        &self,
        _: FileId,
        _: ImageOutcome,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Result<Option<(Message, ChannelEvent)>, PortError> {
        not_faked()
    }
    async fn remove_for_message(&self, _: MessageId) -> Result<Vec<StoredFile>, PortError> {
        not_faked()
    }
    async fn unattached_before(
        &self,
        _: DateTime<Utc>,
        _: u64,
    ) -> Result<Vec<StoredFile>, PortError> {
        not_faked()
    }
    async fn forget(&self, _: &[FileId]) -> Result<(), PortError> {
        not_faked()
    }
}

#[async_trait]
impl BlobStore for NoFiles {
    async fn put(&self, _: &BlobKey, _: ByteStream) -> Result<u64, BlobError> {
        no_blobs()
    }
    async fn get(&self, _: &BlobKey, _: Option<ByteRange>) -> Result<BlobRead, BlobError> {
        no_blobs()
    }
    async fn delete(&self, _: &BlobKey) -> Result<(), BlobError> {
        no_blobs()
    }
    async fn presigned_get(
        &self,
        _: &BlobKey,
        _: std::time::Duration,
        _: &DownloadHeaders,
    ) -> Result<Option<String>, BlobError> {
        no_blobs()
    }
}

#[async_trait]
impl ImageProcessor for NoFiles {
    async fn process(&self, _: Bytes, _: ImageLimits) -> Result<ProcessedImage, ImageError> {
        Err(ImageError::Unsupported)
    }
}
