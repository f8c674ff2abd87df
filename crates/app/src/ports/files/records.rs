//! What the server remembers about each shared file: who uploaded it where, its cleaned name,
//! sniffed type and size, where its blobs are, and the message it was shared with.

use super::BlobKey;
use crate::ports::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    Attachment, ChannelEvent, ChannelId, FileId, FileName, Message, MessageId, OrganizationId,
    UserId,
};

/// Where an image stands with the image job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageState {
    /// Not an image: nothing to do.
    None,
    /// Waiting for the image job.
    Pending,
    /// Thumbnail and web version made, size known.
    Done,
    /// Unreadable or unsupported as an image: it stays a plain file attachment.
    Plain,
}

impl ImageState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Plain => "plain",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::None, Self::Pending, Self::Done, Self::Plain]
            .into_iter()
            .find(|state| state.as_str() == raw)
    }
}

#[derive(Debug, Clone)]
pub struct NewFile {
    pub organization_id: OrganizationId,
    pub channel_id: ChannelId,
    pub uploader_id: UserId,
    pub blob_key: BlobKey,
    pub filename: FileName,
    pub media_type: String,
    pub size: u64,
    pub inline: bool,
    pub image_state: ImageState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: FileId,
    pub organization_id: OrganizationId,
    pub channel_id: ChannelId,
    pub uploader_id: UserId,
    /// `None` until shared; uploads never shared are swept after a grace period.
    pub message_id: Option<MessageId>,
    pub blob_key: BlobKey,
    pub filename: String,
    pub media_type: String,
    pub size: u64,
    pub inline: bool,
    pub image_state: ImageState,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumb_key: Option<BlobKey>,
    pub web_key: Option<BlobKey>,
    pub created_at: DateTime<Utc>,
}

impl StoredFile {
    /// Every blob the file owns.
    pub fn blob_keys(&self) -> Vec<BlobKey> {
        [
            Some(self.blob_key.clone()),
            self.thumb_key.clone(),
            self.web_key.clone(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    pub fn attachment(&self) -> Attachment {
        Attachment {
            id: self.id,
            filename: self.filename.clone(),
            media_type: self.media_type.clone(),
            size: self.size,
            width: self.width,
            height: self.height,
            has_thumbnail: self.thumb_key.is_some(),
            inline: self.inline,
        }
    }
}

/// What the image job found.
#[derive(Debug, Clone)]
pub enum ImageOutcome {
    Done {
        width: u32,
        height: u32,
        thumb_key: BlobKey,
        web_key: BlobKey,
    },
    /// Not readable as an image: it stays a plain file.
    Plain,
}

#[async_trait]
pub trait FileRepository: Send + Sync {
    /// Records an upload whose blob is stored, not yet attached to any message.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn create(&self, file: NewFile) -> Result<StoredFile, PortError>;

    /// A live file (not removed with its message).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find(&self, id: FileId) -> Result<Option<StoredFile>, PortError>;

    /// Bytes of the person's live files, blobs of processed images excluded.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn bytes_used(&self, uploader_id: UserId) -> Result<u64, PortError>;

    /// Records the image job's result. When the file is attached, the message's channel gets a
    /// `MessageEdited` event (the attachment changed, not the words) in the same transaction,
    /// returned with the message as `viewer` sees it.
    ///
    /// # Errors
    /// `NotFound` for an unknown or removed file.
    async fn record_image(
        &self,
        id: FileId,
        outcome: ImageOutcome,
        viewer: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Message, ChannelEvent)>, PortError>;

    /// Marks the files of a message removed (downloads stop at once) and returns them, so
    /// their blobs can be deleted.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn remove_for_message(&self, message_id: MessageId)
    -> Result<Vec<StoredFile>, PortError>;

    /// Uploads never attached to a message and created before `before`, oldest first.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn unattached_before(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<StoredFile>, PortError>;

    /// Forgets these files for good (their blobs are gone or going).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn forget(&self, ids: &[FileId]) -> Result<(), PortError>;
}
