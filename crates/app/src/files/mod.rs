//! File sharing: uploads streamed into the blob store after their type is read from their
//! first bytes, downloads for those who may read the channel, the image job, and removal of
//! blobs whose message was deleted or which were never shared.

mod download;
mod jobs;
mod lifecycle;
mod upload;

pub use download::{Download, FileVariant, content_disposition, open_file, served_type};
pub use jobs::FileJobs;
pub use lifecycle::{after_message_deleted, sweep_unattached};
pub use upload::{Upload, upload_file};

use crate::channels::ChatError;
use crate::ports::{BlobError, PortError};

/// What can go wrong sharing or fetching a file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Channel, file or message rules, shared with messages (not found, forbidden, invalid,
    /// rate limited).
    #[error(transparent)]
    Chat(#[from] ChatError),
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("this upload would pass your storage quota of {quota} bytes ({used} in use)")]
    QuotaExceeded { quota: u64, used: u64 },
    #[error("{0}")]
    TypeRefused(String),
    #[error("the requested range is outside the file's {total_size} bytes")]
    RangeNotSatisfiable { total_size: u64 },
    /// The upload's body broke off (the client went away, or the multipart body is malformed).
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
}

impl From<PortError> for FileError {
    fn from(error: PortError) -> Self {
        Self::Chat(ChatError::Port(error))
    }
}

/// Blob store failures other than the ones a use case handles itself.
fn blob_failure(error: BlobError) -> FileError {
    match error {
        BlobError::NotFound => FileError::Chat(ChatError::NotFound("file")),
        BlobError::RangeNotSatisfiable { total_size } => {
            FileError::RangeNotSatisfiable { total_size }
        }
        BlobError::Body(source) => FileError::Interrupted(source.to_string()),
        BlobError::Unavailable(source) => {
            FileError::Chat(ChatError::Port(PortError::Unavailable {
                what: "the file store",
                source,
            }))
        }
        BlobError::Unexpected(source) => {
            FileError::Chat(ChatError::Port(PortError::Unexpected(source)))
        }
    }
}
