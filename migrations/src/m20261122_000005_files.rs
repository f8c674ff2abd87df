//! Shared files: one row per uploaded file, attached to a message once it is shared.
//!
//! The bytes live in the blob store under `blob_key` (and the image job's `thumb_key` and
//! `web_key`); the row is how the server finds, authorizes and eventually removes them. There
//! are deliberately no foreign keys to channels or messages: a cascade would drop rows whose
//! blobs still exist, while the removal job and the orphan sweep need the rows to find them.
//! Reads: a message's files by `(message_id, position)`; never-attached uploads past their
//! grace period by `(message_id, created_at)` with `message_id IS NULL`; a person's storage
//! use by `(uploader_id)`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    OrganizationId,
    ChannelId,
    UploaderId,
    MessageId,
    Position,
    BlobKey,
    Filename,
    MediaType,
    Size,
    Inline,
    ImageState,
    Width,
    Height,
    ThumbKey,
    WebKey,
    CreatedAt,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Files::Id))
                    .col(big_integer(Files::OrganizationId))
                    .col(big_integer(Files::ChannelId))
                    .col(big_integer(Files::UploaderId))
                    .col(big_integer_null(Files::MessageId))
                    .col(integer(Files::Position).default(0))
                    .col(text(Files::BlobKey))
                    .col(text(Files::Filename))
                    .col(text(Files::MediaType))
                    .col(big_integer(Files::Size))
                    .col(boolean(Files::Inline))
                    // none (not an image), pending, done, plain (unreadable: stays a file).
                    .col(text(Files::ImageState))
                    .col(integer_null(Files::Width))
                    .col(integer_null(Files::Height))
                    .col(text_null(Files::ThumbKey))
                    .col(text_null(Files::WebKey))
                    .col(timestamp_with_time_zone(Files::CreatedAt))
                    .col(timestamp_with_time_zone_null(Files::DeletedAt))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_files_message",
                vec![Files::MessageId, Files::CreatedAt],
            ),
            ("idx_files_uploader", vec![Files::UploaderId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Files::Table).if_not_exists();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Files::Table).if_exists().to_owned())
            .await
    }
}
