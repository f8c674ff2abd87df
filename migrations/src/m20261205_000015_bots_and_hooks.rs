//! Bot accounts and incoming webhooks. A bot is a user row marked `is_bot`, owned by the
//! person answerable for it (`bot_owner_id`: plain, not a foreign key, as SQLite cannot add one
//! to an existing table; people are deactivated, not deleted). An incoming webhook posts into
//! one channel as its own bot; only the SHA-256 digest of its secret is kept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    IsBot,
    BotOwnerId,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IncomingWebhooks {
    Table,
    Id,
    OrganizationId,
    ChannelId,
    /// The bot the hook posts as.
    BotId,
    Name,
    TokenHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            boolean(Users::IsBot).default(false).to_owned(),
            big_integer_null(Users::BotOwnerId).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(IncomingWebhooks::Table)
                    .if_not_exists()
                    .col(big_pk_auto(IncomingWebhooks::Id))
                    .col(big_integer(IncomingWebhooks::OrganizationId))
                    .col(big_integer(IncomingWebhooks::ChannelId))
                    .col(big_integer(IncomingWebhooks::BotId))
                    .col(text(IncomingWebhooks::Name))
                    .col(text(IncomingWebhooks::TokenHash))
                    .col(big_integer(IncomingWebhooks::CreatedBy))
                    .col(timestamp_with_time_zone(IncomingWebhooks::CreatedAt))
                    .col(timestamp_with_time_zone_null(IncomingWebhooks::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incoming_webhooks_organization")
                            .from(IncomingWebhooks::Table, IncomingWebhooks::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incoming_webhooks_channel")
                            .from(IncomingWebhooks::Table, IncomingWebhooks::ChannelId)
                            .to(Channels::Table, Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incoming_webhooks_bot")
                            .from(IncomingWebhooks::Table, IncomingWebhooks::BotId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_incoming_webhooks_created_by")
                            .from(IncomingWebhooks::Table, IncomingWebhooks::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_incoming_webhooks_token_hash")
                    .table(IncomingWebhooks::Table)
                    .col(IncomingWebhooks::TokenHash)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incoming_webhooks_channel")
                    .table(IncomingWebhooks::Table)
                    .col(IncomingWebhooks::ChannelId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(IncomingWebhooks::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        for column in [Users::BotOwnerId, Users::IsBot] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
