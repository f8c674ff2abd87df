//! Personal access tokens: a person's named, scoped, lasting credentials. Only the SHA-256
//! digest of each secret is kept; revoking one deletes its row.

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
enum AccessTokens {
    Table,
    Id,
    OrganizationId,
    UserId,
    Name,
    /// Space-separated: `read write channels admin`.
    Scopes,
    TokenHash,
    CreatedAt,
    /// Null: until revoked.
    ExpiresAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessTokens::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AccessTokens::Id))
                    .col(big_integer(AccessTokens::OrganizationId))
                    .col(big_integer(AccessTokens::UserId))
                    .col(text(AccessTokens::Name))
                    .col(text(AccessTokens::Scopes))
                    .col(text(AccessTokens::TokenHash))
                    .col(timestamp_with_time_zone(AccessTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(AccessTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccessTokens::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_tokens_organization")
                            .from(AccessTokens::Table, AccessTokens::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_tokens_user")
                            .from(AccessTokens::Table, AccessTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_access_tokens_token_hash")
                    .table(AccessTokens::Table)
                    .col(AccessTokens::TokenHash)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_access_tokens_user", AccessTokens::UserId),
            (
                "idx_access_tokens_organization",
                AccessTokens::OrganizationId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AccessTokens::Table)
                        .col(column)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AccessTokens::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
