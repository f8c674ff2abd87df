//! The file jobs: making an image's thumbnail and web version (and so dropping its metadata),
//! and removing blobs. An image that cannot be read stays a plain file: no retry, no crash.

use crate::FilesContext;
use crate::jobs::{JobHandler, JobOutcome};
use crate::ports::{
    BlobError, BlobKey, EncodedImage, ImageError, ImageOutcome, ImageState, Job, PortError,
};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, stream};
use tandem_domain::FileId;

/// Runs [`Job`]s for the server's workers.
#[derive(Clone)]
pub struct FileJobs {
    ctx: std::sync::Arc<FilesContext>,
}

impl FileJobs {
    pub fn new(ctx: std::sync::Arc<FilesContext>) -> Self {
        Self { ctx }
    }
}

#[async_trait]
impl JobHandler for FileJobs {
    async fn run(&self, job: &Job) -> JobOutcome {
        let ctx = &self.ctx;
        match job {
            Job::ProcessImage { file_id } => process_image(ctx, FileId::new(*file_id)).await,
            Job::DeleteBlobs { keys } => delete_blobs(ctx, keys).await,
            other => JobOutcome::GiveUp(format!("not a file job: {}", other.kind())),
        }
    }
}

async fn process_image(ctx: &FilesContext, id: FileId) -> JobOutcome {
    let file = match ctx.files.find(id).await {
        Ok(Some(file)) if file.image_state == ImageState::Pending => file,
        // Removed meanwhile, or done by an earlier run whose completion was not recorded.
        Ok(_) => return JobOutcome::Done,
        Err(error) => return JobOutcome::Retry(error.to_string()),
    };
    let original = match read_all(ctx, &file.blob_key).await {
        Ok(bytes) => bytes,
        Err(BlobError::NotFound) => return JobOutcome::GiveUp("the original is gone".to_owned()),
        Err(error) => return JobOutcome::Retry(error.to_string()),
    };
    let outcome = match ctx.images.process(original, ctx.policy.image).await {
        Ok(processed) => {
            let thumb_key = derived(&file.blob_key, "thumb", &processed.thumbnail);
            let web_key = derived(&file.blob_key, "web", &processed.web);
            for (key, image) in [(&thumb_key, processed.thumbnail), (&web_key, processed.web)] {
                let body = stream::once(async move { Ok(image.bytes) }).boxed();
                if let Err(error) = ctx.blobs.put(key, body).await {
                    return JobOutcome::Retry(error.to_string());
                }
            }
            ImageOutcome::Done {
                width: processed.width,
                height: processed.height,
                thumb_key,
                web_key,
            }
        }
        Err(error @ (ImageError::Unsupported | ImageError::Corrupt(_) | ImageError::TooLarge)) => {
            tracing::info!(file_id = %id, %error, "an uploaded image stays a plain file");
            ImageOutcome::Plain
        }
    };
    let recorded = ctx
        .files
        .record_image(id, outcome, file.uploader_id, ctx.clock.now())
        .await;
    match recorded {
        Ok(Some((message, event))) => {
            // The message's attachment changed: clients replace it as after an edit.
            crate::channels::announce(&ctx.chat, event, Some(message), None).await;
            JobOutcome::Done
        }
        Ok(None) | Err(PortError::NotFound) => JobOutcome::Done,
        Err(error) => JobOutcome::Retry(error.to_string()),
    }
}

/// `<key>.thumb.png`, `<key>.web.jpg`: the extension records the type the processor chose.
fn derived(key: &BlobKey, what: &str, image: &EncodedImage) -> BlobKey {
    let extension = if image.media_type == "image/png" {
        "png"
    } else {
        "jpg"
    };
    key.derived(&format!("{what}.{extension}"))
}

async fn read_all(ctx: &FilesContext, key: &BlobKey) -> Result<Bytes, BlobError> {
    let read = ctx.blobs.get(key, None).await?;
    let mut bytes = BytesMut::with_capacity(usize::try_from(read.total_size).unwrap_or(0));
    let mut body = read.body;
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(bytes.freeze())
}

async fn delete_blobs(ctx: &FilesContext, keys: &[String]) -> JobOutcome {
    for key in keys {
        if let Err(error) = ctx.blobs.delete(&BlobKey::from_stored(key.clone())).await {
            return JobOutcome::Retry(format!("{key}: {error}"));
        }
    }
    JobOutcome::Done
}
