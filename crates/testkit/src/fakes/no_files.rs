//! The blob store and image processor, for use-case tests that never reach them: any call is
//! a test failure with a clear message. File sharing is tested black-box on both databases and
//! both blob stores (`tests/api/files.rs`).

use async_trait::async_trait;
use bytes::Bytes;
use tandem_app::ports::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, DownloadHeaders, ImageError,
    ImageLimits, ImageProcessor, ProcessedImage,
};

pub struct NoFiles;

const NOT_FAKED: &str = "the file ports are not faked in these tests";

fn no_blobs<T>() -> Result<T, BlobError> {
    Err(BlobError::Unexpected(NOT_FAKED.into()))
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
