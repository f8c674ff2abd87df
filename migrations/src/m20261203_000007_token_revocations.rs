//! Revoked access tokens, kept in the database so that neither a node's restart nor a Redis
//! restart forgets a logout, a password change or a deactivation. Each node mirrors the rows
//! in memory (reading the newest ones every second); Redis, when there is one, spreads a
//! revocation to every node at once.
//!
//! A row revokes one token (`token_id`) or every token of a user issued at or before
//! `cutoff`. Rows are only appended, and deleted once `expires_at` has passed: by then the
//! tokens they name have expired anyway.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TokenRevocations {
    Table,
    Id,
    TokenId,
    UserId,
    Cutoff,
    ExpiresAt,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TokenRevocations::Table)
                    .if_not_exists()
                    .col(big_pk_auto(TokenRevocations::Id))
                    .col(text_null(TokenRevocations::TokenId))
                    .col(big_integer_null(TokenRevocations::UserId))
                    .col(timestamp_with_time_zone_null(TokenRevocations::Cutoff))
                    .col(timestamp_with_time_zone(TokenRevocations::ExpiresAt))
                    .col(timestamp_with_time_zone(TokenRevocations::RecordedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_token_revocations_recorded_at",
                TokenRevocations::RecordedAt,
            ),
            (
                "idx_token_revocations_expires_at",
                TokenRevocations::ExpiresAt,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(TokenRevocations::Table)
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
                    .table(TokenRevocations::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
