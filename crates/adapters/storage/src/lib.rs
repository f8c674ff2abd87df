//! Tandem's file storage: the [`BlobStore`](tandem_app::ports::BlobStore) adapters (a local
//! directory, an S3-compatible bucket, memory) over `object_store`, chosen by
//! [`StorageConfig`] and opened with [`open`]; and the
//! [`ImageProcessor`](tandem_app::ports::ImageProcessor) over the `image` crate.

mod blob;
mod config;
mod images;

pub use blob::ObjectBlobStore;
pub use config::{StorageConfig, StorageError, open};
pub use images::ImageReencoder;
