//! [`FileRepository`] on the store: upload records, their attachment to a new message (done
//! by the append, under the same lock), the image job's results, removal and forgetting.

use super::log::Draft;
use super::{FileRow, MemoryStore, MessageRow, State, next_id};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{FileRepository, ImageOutcome, ImageState, NewFile, PortError, StoredFile};
use tandem_domain::{
    Attachment, ChannelEvent, ChannelEventKind, ChannelId, FileId, Message, MessageId, UserId,
};

type Port<T> = Result<T, PortError>;

impl State {
    /// Every upload must be the author's, in the message's channel, live and not attached
    /// yet, and named once: `NotFound` otherwise, as the SQL adapters' attaching `UPDATE`
    /// finds no row to change.
    pub(super) fn check_attachable(
        &self,
        files: &[FileId],
        channel_id: ChannelId,
        author: UserId,
    ) -> Port<()> {
        for (index, id) in files.iter().enumerate() {
            let ok = self.files.get(id).is_some_and(|row| {
                !row.removed
                    && row.file.message_id.is_none()
                    && row.file.uploader_id == author
                    && row.file.channel_id == channel_id
            });
            if !ok || files.get(..index).is_some_and(|before| before.contains(id)) {
                return Err(PortError::NotFound);
            }
        }
        Ok(())
    }

    /// Attaches checked uploads to a new message, in order.
    pub(super) fn attach(&mut self, files: &[FileId], message_id: MessageId) {
        for (position, id) in files.iter().enumerate() {
            if let Some(row) = self.files.get_mut(id) {
                row.file.message_id = Some(message_id);
                row.position = position;
            }
        }
    }

    /// The live files of a message in the order they were shared. Looked up from the files,
    /// not the message: they outlive a deleted channel's messages, as their rows do in SQL.
    fn files_of(&self, message_id: MessageId) -> Vec<&FileRow> {
        let mut files: Vec<&FileRow> = self
            .files
            .values()
            .filter(|row| !row.removed && row.file.message_id == Some(message_id))
            .collect();
        files.sort_by_key(|row| row.position);
        files
    }

    pub(super) fn attachments(&self, message: &MessageRow) -> Vec<Attachment> {
        let files = self.files_of(message.id).into_iter();
        files.map(|row| row.file.attachment()).collect()
    }

    fn live_file_mut(&mut self, id: FileId) -> Port<&mut FileRow> {
        let row = self.files.get_mut(&id).filter(|row| !row.removed);
        row.ok_or(PortError::NotFound)
    }

    /// When the file is attached, the message's channel logs `MessageEdited` by `viewer`
    /// (the attachment changed, not the words), as the SQL adapters do.
    fn record_image(
        &mut self,
        id: FileId,
        outcome: ImageOutcome,
        viewer: UserId,
        at: DateTime<Utc>,
    ) -> Port<Option<(Message, ChannelEvent)>> {
        let message_id = self.live_file_mut(id)?.file.message_id;
        let channel_id = match message_id {
            Some(message_id) => Some(self.message(message_id)?.channel_id),
            None => None,
        };
        let file = &mut self.live_file_mut(id)?.file;
        match outcome {
            ImageOutcome::Done {
                width,
                height,
                thumb_key,
                web_key,
            } => {
                file.image_state = ImageState::Done;
                (file.width, file.height) = (Some(width), Some(height));
                (file.thumb_key, file.web_key) = (Some(thumb_key), Some(web_key));
            }
            ImageOutcome::Plain => {
                file.image_state = ImageState::Plain;
                file.inline = false;
            }
        }
        let (Some(message_id), Some(channel_id)) = (message_id, channel_id) else {
            return Ok(None);
        };
        let draft = Draft::message(ChannelEventKind::MessageEdited, viewer, message_id);
        let event = self.channel_mut(channel_id)?.record(at, draft);
        Ok(Some((self.view_of(message_id, viewer)?, event)))
    }
}

#[async_trait]
impl FileRepository for MemoryStore {
    async fn create(&self, new: NewFile) -> Port<StoredFile> {
        let mut state = self.lock();
        let file = StoredFile {
            id: FileId::new(next_id(&mut state.last_ids.file)),
            organization_id: new.organization_id,
            channel_id: new.channel_id,
            uploader_id: new.uploader_id,
            message_id: None,
            blob_key: new.blob_key,
            filename: new.filename.as_str().to_owned(),
            media_type: new.media_type,
            size: new.size,
            inline: new.inline,
            image_state: new.image_state,
            width: None,
            height: None,
            thumb_key: None,
            web_key: None,
            created_at: new.created_at,
        };
        let row = FileRow {
            file: file.clone(),
            position: 0,
            removed: false,
        };
        state.files.insert(file.id, row);
        Ok(file)
    }

    async fn find(&self, id: FileId) -> Port<Option<StoredFile>> {
        let state = self.lock();
        let row = state.files.get(&id).filter(|row| !row.removed);
        Ok(row.map(|row| row.file.clone()))
    }

    async fn bytes_used(&self, uploader_id: UserId) -> Port<u64> {
        let state = self.lock();
        let files = state.files.values().filter(|row| !row.removed);
        let mine = files.filter(|row| row.file.uploader_id == uploader_id);
        Ok(mine.map(|row| row.file.size).sum())
    }

    async fn record_image(
        &self,
        id: FileId,
        outcome: ImageOutcome,
        viewer: UserId,
        at: DateTime<Utc>,
    ) -> Port<Option<(Message, ChannelEvent)>> {
        self.lock().record_image(id, outcome, viewer, at)
    }

    /// Downloads stop at once; the rows stay until [`FileRepository::forget`].
    async fn remove_for_message(&self, message_id: MessageId) -> Port<Vec<StoredFile>> {
        let mut state = self.lock();
        let ids: Vec<FileId> = state
            .files_of(message_id)
            .iter()
            .map(|row| row.file.id)
            .collect();
        let mut removed = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = state.files.get_mut(&id) {
                row.removed = true;
                removed.push(row.file.clone());
            }
        }
        Ok(removed)
    }

    async fn unattached_before(&self, before: DateTime<Utc>, limit: u64) -> Port<Vec<StoredFile>> {
        let state = self.lock();
        let mut files: Vec<&StoredFile> = state
            .files
            .values()
            .map(|row| &row.file)
            .filter(|file| file.message_id.is_none() && file.created_at < before)
            .collect();
        files.sort_by_key(|file| (file.created_at, file.id));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(files.into_iter().take(limit).cloned().collect())
    }

    async fn forget(&self, ids: &[FileId]) -> Port<()> {
        let mut state = self.lock();
        for id in ids {
            state.files.remove(id);
        }
        Ok(())
    }
}
