//! Taking an upload: authorized and counted before a byte is read, typed from its first bytes,
//! streamed into the blob store under a key of the server's making, stopped as soon as it
//! passes the size limit or the quota (nothing is left stored), then recorded unshared.

use super::{FileError, blob_failure};
use crate::FilesContext;
use crate::channels::{ChatError, load};
use crate::ports::{BlobError, BlobKey, ByteStream, ImageState, Job, NewFile, StoredFile};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, stream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tandem_domain::file::SNIFF_LEN;
use tandem_domain::{Actor, ChannelAction, ChannelId, FileKind, FileName, ImageFormat, sniff};

/// One file of an upload request.
pub struct Upload {
    pub channel_id: ChannelId,
    /// As the client named it; cleaned before it is kept.
    pub filename: String,
    pub body: ByteStream,
}

/// Stores one uploaded file, not yet shared: `send_message` with `attachments` shares it.
///
/// # Errors
/// `Chat`: `NotFound` (channel), `Forbidden` (may not post), `Invalid` (`filename`, or `file`
/// when empty), `RateLimited`; `TooLarge`, `QuotaExceeded`, `TypeRefused`, `Interrupted`.
pub async fn upload_file(
    ctx: &FilesContext,
    actor: &Actor,
    upload: Upload,
) -> Result<StoredFile, FileError> {
    let loaded = load(&ctx.chat, actor, upload.channel_id).await?;
    loaded
        .access(&ctx.chat, actor)
        .check(ChannelAction::Post)
        .map_err(ChatError::from)?;
    let policy = &ctx.policy;
    let uploads = ctx
        .rate_limiter
        .increment(
            &format!("files-uploaded:{}", actor.id),
            policy.upload_window,
        )
        .await?;
    if uploads.count > policy.uploads_per_window {
        return Err(ChatError::RateLimited {
            retry_after: uploads.resets_in,
        }
        .into());
    }
    let used = ctx.files.bytes_used(actor.id).await?;
    let room = policy.user_quota_bytes.saturating_sub(used);
    if room == 0 {
        return Err(FileError::QuotaExceeded {
            quota: policy.user_quota_bytes,
            used,
        });
    }
    let filename = FileName::sanitize(&upload.filename)
        .map_err(|error| ChatError::invalid("filename", "invalid_filename", error.to_string()))?;

    let (head, rest) = read_head(upload.body).await.map_err(blob_failure)?;
    if head.is_empty() {
        return Err(ChatError::invalid("file", "empty_file", "the file is empty").into());
    }
    let sniffed = sniff(&head);
    let disposition = policy
        .accept
        .decide(&sniffed)
        .map_err(|refusal| FileError::TypeRefused(refusal.to_string()))?;

    let limit = policy.max_file_bytes.min(room);
    let over = Arc::new(AtomicBool::new(false));
    let body = limited(
        stream::once(async { Ok(head) }).chain(rest).boxed(),
        limit,
        over.clone(),
    );
    let key = BlobKey::generate(&format!("files/{}", actor.organization_id));
    let size = match ctx.blobs.put(&key, body).await {
        Ok(size) => size,
        Err(BlobError::Body(_)) if over.load(Ordering::Relaxed) => {
            return Err(if limit < policy.max_file_bytes {
                FileError::QuotaExceeded {
                    quota: policy.user_quota_bytes,
                    used,
                }
            } else {
                FileError::TooLarge {
                    limit: policy.max_file_bytes,
                }
            });
        }
        Err(error) => return Err(blob_failure(error)),
    };
    let image_state = match sniffed.kind {
        FileKind::Image(
            ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::Webp,
        ) if size <= policy.max_image_bytes => ImageState::Pending,
        _ => ImageState::None,
    };
    let stored = ctx
        .files
        .create(NewFile {
            organization_id: actor.organization_id,
            channel_id: upload.channel_id,
            uploader_id: actor.id,
            blob_key: key.clone(),
            filename,
            media_type: sniffed.media_type.to_owned(),
            size,
            inline: disposition == tandem_domain::Disposition::Inline,
            image_state,
            created_at: ctx.clock.now(),
        })
        .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            // Unrecorded, the blob would never be found again.
            let _ = ctx.blobs.delete(&key).await;
            return Err(error.into());
        }
    };
    if image_state == ImageState::Pending {
        crate::jobs::queue(
            &*ctx.jobs,
            &*ctx.clock,
            Job::ProcessImage {
                file_id: stored.id.get(),
            },
        )
        .await?;
    }
    Ok(stored)
}

/// The first [`SNIFF_LEN`] bytes (fewer when the file is shorter) and the rest of the stream.
async fn read_head(mut body: ByteStream) -> Result<(Bytes, ByteStream), BlobError> {
    let mut head = BytesMut::new();
    while head.len() < SNIFF_LEN {
        match body.next().await {
            Some(chunk) => head.extend_from_slice(&chunk?),
            // Ended: a stream must not be polled again after it said so.
            None => return Ok((head.freeze(), stream::empty().boxed())),
        }
    }
    Ok((head.freeze(), body))
}

/// Passes the stream through until more than `limit` bytes went by, then fails it (so the
/// store keeps nothing) and raises `over`.
fn limited(body: ByteStream, limit: u64, over: Arc<AtomicBool>) -> ByteStream {
    body.scan(0_u64, move |seen, chunk| {
        let item = match chunk {
            Ok(bytes) => {
                *seen += bytes.len() as u64;
                if *seen > limit {
                    over.store(true, Ordering::Relaxed);
                    Err(BlobError::Body("the upload passed its size limit".into()))
                } else {
                    Ok(bytes)
                }
            }
            Err(error) => Err(error),
        };
        std::future::ready(Some(item))
    })
    .boxed()
}
