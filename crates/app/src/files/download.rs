//! Fetching a file: only for people who may read the channel it was shared in (or its
//! uploader, before it is shared); anyone else, in any organization, gets `NotFound`.

use super::{FileError, blob_failure};
use crate::FilesContext;
use crate::channels::{ChatError, load};
use crate::ports::{BlobKey, BlobRead, ByteRange, DownloadHeaders, StoredFile};
use tandem_domain::{Actor, ChannelAction, Disposition, FileId, FileName};

/// Which of a file's blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileVariant {
    /// The bytes as uploaded.
    Original,
    /// The image job's small preview.
    Thumbnail,
    /// The image job's web-sized version, without the original's metadata.
    Preview,
}

pub enum Download {
    /// Stream these bytes.
    Bytes { file: StoredFile, read: BlobRead },
    /// The client holds this version already (a file never changes): nothing was read.
    Unchanged { file: StoredFile },
    /// Send the client to this short-lived URL of the blob store.
    Redirect { file: StoredFile, url: String },
}

/// `client_has_it`: the client sent a validator matching this file and variant; once the
/// actor is authorized, the answer is [`Download::Unchanged`] without touching the store.
///
/// # Errors
/// `Chat(NotFound)` for a file the actor may not see, a removed one, or a thumbnail that does
/// not exist (yet); `RangeNotSatisfiable`; `Chat(Port)` when a store fails.
pub async fn open_file(
    ctx: &FilesContext,
    actor: &Actor,
    id: FileId,
    variant: FileVariant,
    range: Option<ByteRange>,
    client_has_it: bool,
) -> Result<Download, FileError> {
    let not_found = || FileError::Chat(ChatError::NotFound("file"));
    let file = ctx
        .files
        .find(id)
        .await?
        .filter(|f| f.organization_id == actor.organization_id)
        .ok_or_else(not_found)?;
    match file.message_id {
        None if file.uploader_id != actor.id => return Err(not_found()),
        None => {}
        Some(_) => {
            let loaded = load(&ctx.chat, actor, file.channel_id)
                .await
                .map_err(|_| not_found())?;
            loaded
                .access(&ctx.chat, actor)
                .check(ChannelAction::Read)
                .map_err(|_| not_found())?;
        }
    }
    let key = blob_of(&file, variant).cloned().ok_or_else(not_found)?;
    if client_has_it {
        return Ok(Download::Unchanged { file });
    }
    if let Some(expires_in) = ctx.policy.presigned_downloads {
        let headers = DownloadHeaders {
            content_type: served_type(&file, variant).to_owned(),
            content_disposition: content_disposition(&file, variant),
        };
        if let Some(url) = ctx
            .blobs
            .presigned_get(&key, expires_in, &headers)
            .await
            .map_err(blob_failure)?
        {
            return Ok(Download::Redirect { file, url });
        }
    }
    let read = ctx.blobs.get(&key, range).await.map_err(blob_failure)?;
    Ok(Download::Bytes { file, read })
}

/// The type of what `variant` serves: the sniffed one for the original; for the image job's
/// versions, the one it recorded in their keys (`.thumb.png`, `.web.jpg`).
pub fn served_type(file: &StoredFile, variant: FileVariant) -> &str {
    match (variant, blob_of(file, variant)) {
        (FileVariant::Original, _) => &file.media_type,
        (_, Some(key)) if key.as_str().ends_with(".png") => "image/png",
        (_, Some(_)) => "image/jpeg",
        (_, None) => "application/octet-stream",
    }
}

/// The blob `variant` serves, if the file has it (the image job makes the thumbnail and the
/// web version).
fn blob_of(file: &StoredFile, variant: FileVariant) -> Option<&BlobKey> {
    match variant {
        FileVariant::Original => Some(&file.blob_key),
        FileVariant::Thumbnail => file.thumb_key.as_ref(),
        FileVariant::Preview => file.web_key.as_ref(),
    }
}

/// `inline` only for what the policy lets browsers show (and thumbnails, which the server
/// made); `attachment` for everything else, so HTML or SVG never runs in Tandem's origin.
pub fn content_disposition(file: &StoredFile, variant: FileVariant) -> String {
    let disposition = if file.inline || variant != FileVariant::Original {
        Disposition::Inline
    } else {
        Disposition::Attachment
    };
    // Stored names were cleaned at upload; cleaning again changes nothing.
    match FileName::sanitize(&file.filename) {
        Ok(name) => disposition.header_value(&name),
        Err(_) => "attachment".to_owned(),
    }
}
