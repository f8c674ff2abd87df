//! The `FileRepository` on sea-orm: upload records, their attachment to messages (done by the
//! message append, in its transaction), the image job's results and removal.

use crate::channel_log::{self, Draft};
use crate::entities::file;
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::messages::write::load_one;
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;
use tandem_app::ports::{
    BlobKey, FileRepository, ImageOutcome, ImageState, NewFile, PortError, StoredFile,
};
use tandem_domain::{
    Attachment, ChannelEvent, ChannelEventKind, ChannelId, FileId, Message, MessageId,
    OrganizationId, UserId,
};

pub(crate) struct SeaFileRepository {
    pub(crate) db: Guarded,
}

/// Ids per statement, well under both backends' limits on bound parameters.
const CHUNK: usize = 500;

#[async_trait]
impl FileRepository for SeaFileRepository {
    async fn create(&self, new: NewFile) -> Result<StoredFile, PortError> {
        let row = file::ActiveModel {
            organization_id: Set(new.organization_id.get()),
            channel_id: Set(new.channel_id.get()),
            uploader_id: Set(new.uploader_id.get()),
            message_id: Set(None),
            position: Set(0),
            blob_key: Set(new.blob_key.as_str().to_owned()),
            filename: Set(new.filename.as_str().to_owned()),
            media_type: Set(new.media_type),
            size: Set(i64::try_from(new.size).map_err(PortError::unexpected)?),
            inline: Set(new.inline),
            image_state: Set(new.image_state.as_str().to_owned()),
            width: Set(None),
            height: Set(None),
            thumb_key: Set(None),
            web_key: Set(None),
            created_at: Set(new.created_at),
            deleted_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(port_error)?;
        stored_file(row)
    }

    async fn find(&self, id: FileId) -> Result<Option<StoredFile>, PortError> {
        file::Entity::find_by_id(id.get())
            .filter(file::Column::DeletedAt.is_null())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(stored_file)
            .transpose()
    }

    async fn bytes_used(&self, uploader_id: UserId) -> Result<u64, PortError> {
        #[derive(FromQueryResult)]
        struct Total {
            total: Option<i64>,
        }
        let total = file::Entity::find()
            .select_only()
            // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back for one decoder on both.
            .column_as(Expr::cust("CAST(SUM(size) AS BIGINT)"), "total")
            .filter(file::Column::UploaderId.eq(uploader_id.get()))
            .filter(file::Column::DeletedAt.is_null())
            .into_model::<Total>()
            .one(&self.db)
            .await
            .map_err(port_error)?;
        Ok(total
            .and_then(|t| t.total)
            .and_then(|t| u64::try_from(t).ok())
            .unwrap_or(0))
    }

    async fn record_image(
        &self,
        id: FileId,
        outcome: ImageOutcome,
        viewer: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<(Message, ChannelEvent)>, PortError> {
        let txn = begin_write(&self.db).await?;
        let row = file::Entity::find_by_id(id.get())
            .filter(file::Column::DeletedAt.is_null())
            .one(&txn)
            .await
            .map_err(port_error)?
            .ok_or(PortError::NotFound)?;
        // Lock the channel first when there is an event to log, as every writer does.
        let seq = match row.message_id {
            Some(message_id) => Some(
                channel_log::reserve_for_message(&txn, message_id, 1)
                    .await?
                    .first,
            ),
            None => None,
        };
        let mut update = file::Entity::update_many().filter(file::Column::Id.eq(row.id));
        update = match &outcome {
            ImageOutcome::Done {
                width,
                height,
                thumb_key,
                web_key,
            } => update
                .col_expr(
                    file::Column::ImageState,
                    Expr::value(ImageState::Done.as_str()),
                )
                .col_expr(file::Column::Width, Expr::value(i64::from(*width)))
                .col_expr(file::Column::Height, Expr::value(i64::from(*height)))
                .col_expr(file::Column::ThumbKey, Expr::value(thumb_key.as_str()))
                .col_expr(file::Column::WebKey, Expr::value(web_key.as_str())),
            ImageOutcome::Plain => update
                .col_expr(
                    file::Column::ImageState,
                    Expr::value(ImageState::Plain.as_str()),
                )
                .col_expr(file::Column::Inline, Expr::value(false)),
        };
        update.exec(&txn).await.map_err(port_error)?;
        let changed = match (row.message_id, seq) {
            (Some(message_id), Some(seq)) => {
                let message = load_one(&txn, message_id, viewer).await?;
                let event = channel_log::record_one(
                    &txn,
                    message.channel_id.get(),
                    seq,
                    at,
                    Draft::message(ChannelEventKind::MessageEdited, viewer, message_id),
                )
                .await?;
                Some((message, event))
            }
            _ => None,
        };
        txn.commit().await.map_err(port_error)?;
        Ok(changed)
    }

    async fn remove_for_message(
        &self,
        message_id: MessageId,
    ) -> Result<Vec<StoredFile>, PortError> {
        let rows = file::Entity::find()
            .filter(file::Column::MessageId.eq(message_id.get()))
            .filter(file::Column::DeletedAt.is_null())
            .order_by_asc(file::Column::Position)
            .all(&self.db)
            .await
            .map_err(port_error)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        file::Entity::update_many()
            .col_expr(file::Column::DeletedAt, Expr::value(Utc::now()))
            .filter(file::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        rows.into_iter().map(stored_file).collect()
    }

    async fn unattached_before(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<StoredFile>, PortError> {
        file::Entity::find()
            .filter(file::Column::MessageId.is_null())
            .filter(file::Column::CreatedAt.lt(before))
            .order_by_asc(file::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(stored_file)
            .collect()
    }

    async fn forget(&self, ids: &[FileId]) -> Result<(), PortError> {
        for chunk in ids.chunks(CHUNK) {
            file::Entity::delete_many()
                .filter(file::Column::Id.is_in(chunk.iter().map(|id| id.get())))
                .exec(&self.db)
                .await
                .map_err(port_error)?;
        }
        Ok(())
    }
}

/// Attaches the uploads to a new message, in order, inside the append's transaction. Every
/// file must be the author's, in the message's channel, live and not attached yet.
pub(crate) async fn attach<C: ConnectionTrait>(
    db: &C,
    files: &[FileId],
    message_id: i64,
    channel_id: ChannelId,
    author: UserId,
) -> Result<(), PortError> {
    for (position, id) in files.iter().enumerate() {
        let done = file::Entity::update_many()
            .col_expr(file::Column::MessageId, Expr::value(message_id))
            .col_expr(
                file::Column::Position,
                Expr::value(i32::try_from(position).map_err(PortError::unexpected)?),
            )
            .filter(file::Column::Id.eq(id.get()))
            .filter(file::Column::MessageId.is_null())
            .filter(file::Column::DeletedAt.is_null())
            .filter(file::Column::UploaderId.eq(author.get()))
            .filter(file::Column::ChannelId.eq(channel_id.get()))
            .exec(db)
            .await
            .map_err(port_error)?;
        if done.rows_affected != 1 {
            return Err(PortError::NotFound);
        }
    }
    Ok(())
}

/// The live attachments of these messages, in upload order.
pub(crate) async fn load_attachments<C: ConnectionTrait>(
    db: &C,
    message_ids: &[i64],
) -> Result<HashMap<i64, Vec<Attachment>>, PortError> {
    let mut by_message: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for chunk in message_ids.chunks(CHUNK) {
        let rows = file::Entity::find()
            .filter(file::Column::MessageId.is_in(chunk.iter().copied()))
            .filter(file::Column::DeletedAt.is_null())
            .order_by_asc(file::Column::MessageId)
            .order_by_asc(file::Column::Position)
            .all(db)
            .await
            .map_err(port_error)?;
        for row in rows {
            if let Some(message_id) = row.message_id {
                let attachment = stored_file(row)?.attachment();
                by_message.entry(message_id).or_default().push(attachment);
            }
        }
    }
    Ok(by_message)
}

fn stored_file(row: file::Model) -> Result<StoredFile, PortError> {
    let dimension = |value: Option<i32>| value.and_then(|v| u32::try_from(v).ok());
    Ok(StoredFile {
        id: FileId::new(row.id),
        organization_id: OrganizationId::new(row.organization_id),
        channel_id: ChannelId::new(row.channel_id),
        uploader_id: UserId::new(row.uploader_id),
        message_id: row.message_id.map(MessageId::new),
        blob_key: BlobKey::from_stored(row.blob_key),
        filename: row.filename,
        media_type: row.media_type,
        size: u64::try_from(row.size).map_err(PortError::unexpected)?,
        inline: row.inline,
        image_state: ImageState::parse(&row.image_state).ok_or_else(|| {
            PortError::unexpected(format!("files.image_state holds {:?}", row.image_state))
        })?,
        width: dimension(row.width),
        height: dimension(row.height),
        thumb_key: row.thumb_key.map(BlobKey::from_stored),
        web_key: row.web_key.map(BlobKey::from_stored),
        created_at: row.created_at,
    })
}
