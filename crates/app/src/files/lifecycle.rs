//! Removing what is no longer shared: the blobs of a deleted message (through a job, so a
//! store that is down only delays it) and uploads never shared within the grace period.

use crate::FilesContext;
use crate::ports::{Job, PortError};
use tandem_domain::MessageId;

/// Uploads examined per sweep.
const SWEEP_BATCH: u64 = 200;

/// After a message is deleted: its files stop downloading at once, and a job removes their
/// blobs.
///
/// # Errors
/// `PortError` when the records or the queue fail; the message stays deleted either way.
pub async fn after_message_deleted(
    ctx: &crate::ChatContext,
    message_id: MessageId,
) -> Result<(), PortError> {
    let files = ctx.files.remove_for_message(message_id).await?;
    if files.is_empty() {
        return Ok(());
    }
    let keys = files
        .iter()
        .flat_map(|f| f.blob_keys())
        .map(|key| key.as_str().to_owned())
        .collect();
    crate::jobs::queue(&*ctx.jobs, &*ctx.clock, Job::DeleteBlobs { keys }).await?;
    let ids: Vec<_> = files.iter().map(|f| f.id).collect();
    ctx.files.forget(&ids).await
}

/// Removes uploads never shared in a message within the grace period, blobs first (a blob
/// without a record would never be found again). Returns how many went. Safe to run on
/// several nodes at once: removing twice is not an error.
///
/// # Errors
/// `PortError` when the records fail; a blob that cannot be removed now is tried next time.
pub async fn sweep_unattached(ctx: &FilesContext) -> Result<usize, PortError> {
    let grace =
        chrono::TimeDelta::from_std(ctx.policy.orphan_grace).unwrap_or(chrono::TimeDelta::MAX);
    let before = ctx
        .clock
        .now()
        .checked_sub_signed(grace)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let files = ctx.files.unattached_before(before, SWEEP_BATCH).await?;
    let mut removed = Vec::with_capacity(files.len());
    for file in files {
        let mut gone = true;
        for key in file.blob_keys() {
            if let Err(error) = ctx.blobs.delete(&key).await {
                tracing::warn!(file_id = %file.id, %error, "an unshared upload's blob stays for now");
                gone = false;
            }
        }
        if gone {
            removed.push(file.id);
        }
    }
    ctx.files.forget(&removed).await?;
    Ok(removed.len())
}
