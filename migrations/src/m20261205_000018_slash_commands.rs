//! An organization's own slash commands, each answered by another system's endpoint; the
//! signing secret is kept sealed. A name is the organization's once.

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
}

#[derive(DeriveIden)]
enum SlashCommands {
    Table,
    Id,
    OrganizationId,
    Trigger,
    Url,
    SecretSealed,
    Description,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SlashCommands::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SlashCommands::Id))
                    .col(big_integer(SlashCommands::OrganizationId))
                    .col(text(SlashCommands::Trigger))
                    .col(text(SlashCommands::Url))
                    .col(text(SlashCommands::SecretSealed))
                    .col(text(SlashCommands::Description))
                    .col(big_integer(SlashCommands::CreatedBy))
                    .col(timestamp_with_time_zone(SlashCommands::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_slash_commands_organization")
                            .from(SlashCommands::Table, SlashCommands::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_slash_commands_created_by")
                            .from(SlashCommands::Table, SlashCommands::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_slash_commands_trigger")
                    .table(SlashCommands::Table)
                    .col(SlashCommands::OrganizationId)
                    .col(SlashCommands::Trigger)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SlashCommands::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
