//! An index for recent activity per channel: the admin dashboard counts each organization's
//! messages of the last minute as a range of `(channel_id, created_at)` per channel, whatever
//! the size of the history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    ChannelId,
    CreatedAt,
}

const INDEX: &str = "idx_messages_channel_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Messages::Table)
                    .col(Messages::ChannelId)
                    .col(Messages::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Messages::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
