//! Identity and access: proven email addresses, single-use account links (email verification,
//! email change, password reset), invitations, and the sessions people can see and end.
//!
//! Accounts that existed before this migration count as verified: they were created under the
//! earlier rules, and locking every one of them out of their organization would help nobody.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

/// One row per emailed link: `purpose` is `verify_email`, `change_email` or
/// `reset_password`; `email` is the address the link was sent to (the new one, for a change).
/// Only a digest of the link's secret is kept.
#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    Purpose,
    UserId,
    Email,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrganizationId,
    Email,
    Role,
    /// A JSON array of channel ids to join on acceptance.
    ChannelIds,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

/// A login: one refresh-token family, with what the person sees of it. A session is live while
/// its family holds a refresh token that is neither spent, revoked nor expired.
#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    Family,
    UserAgent,
    Address,
    CreatedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(Users::EmailVerifiedAt, Expr::col(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager.create_table(account_tokens()).await?;
        manager.create_table(invitations()).await?;
        manager.create_table(sessions()).await?;
        for index in [
            unique(
                "uq_account_tokens_token_hash",
                AccountTokens::Table,
                AccountTokens::TokenHash,
            ),
            plain(
                "idx_account_tokens_user_id",
                AccountTokens::Table,
                AccountTokens::UserId,
            ),
            unique(
                "uq_invitations_token_hash",
                Invitations::Table,
                Invitations::TokenHash,
            ),
            Index::create()
                .name("idx_invitations_organization_email")
                .table(Invitations::Table)
                .col(Invitations::OrganizationId)
                .col(Invitations::Email)
                .if_not_exists()
                .to_owned(),
            unique("uq_sessions_family", Sessions::Table, Sessions::Family),
            plain("idx_sessions_user_id", Sessions::Table, Sessions::UserId),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sessions::Table.into_iden(),
            Invitations::Table.into_iden(),
            AccountTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::EmailVerifiedAt)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn unique<T: IntoIden, C: IntoIden>(name: &str, table: T, column: C) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .col(column)
        .unique()
        .if_not_exists()
        .to_owned()
}

fn plain<T: IntoIden, C: IntoIden>(name: &str, table: T, column: C) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .col(column)
        .if_not_exists()
        .to_owned()
}

fn user_fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Users::Table, Users::Id)
        .on_delete(on_delete)
        .to_owned()
}

fn account_tokens() -> TableCreateStatement {
    Table::create()
        .table(AccountTokens::Table)
        .if_not_exists()
        .col(big_pk_auto(AccountTokens::Id))
        .col(text(AccountTokens::Purpose))
        .col(big_integer(AccountTokens::UserId))
        .col(text(AccountTokens::Email))
        .col(text(AccountTokens::TokenHash))
        .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
        .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
        .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
        .foreign_key(&mut user_fk(
            "fk_account_tokens_user_id",
            (AccountTokens::Table, AccountTokens::UserId),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

fn invitations() -> TableCreateStatement {
    Table::create()
        .table(Invitations::Table)
        .if_not_exists()
        .col(big_pk_auto(Invitations::Id))
        .col(big_integer(Invitations::OrganizationId))
        .col(text(Invitations::Email))
        .col(text(Invitations::Role))
        .col(text(Invitations::ChannelIds))
        .col(text(Invitations::TokenHash))
        .col(big_integer_null(Invitations::InvitedBy))
        .col(timestamp_with_time_zone(Invitations::CreatedAt))
        .col(timestamp_with_time_zone(Invitations::ExpiresAt))
        .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
        .col(big_integer_null(Invitations::AcceptedBy))
        .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
        .foreign_key(
            ForeignKey::create()
                .name("fk_invitations_organization_id")
                .from(Invitations::Table, Invitations::OrganizationId)
                .to(Organizations::Table, Organizations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(&mut user_fk(
            "fk_invitations_invited_by",
            (Invitations::Table, Invitations::InvitedBy),
            ForeignKeyAction::SetNull,
        ))
        .foreign_key(&mut user_fk(
            "fk_invitations_accepted_by",
            (Invitations::Table, Invitations::AcceptedBy),
            ForeignKeyAction::SetNull,
        ))
        .to_owned()
}

fn sessions() -> TableCreateStatement {
    Table::create()
        .table(Sessions::Table)
        .if_not_exists()
        .col(big_pk_auto(Sessions::Id))
        .col(big_integer(Sessions::UserId))
        .col(text(Sessions::Family))
        .col(text_null(Sessions::UserAgent))
        .col(text_null(Sessions::Address))
        .col(timestamp_with_time_zone(Sessions::CreatedAt))
        .col(timestamp_with_time_zone(Sessions::LastUsedAt))
        .foreign_key(&mut user_fk(
            "fk_sessions_user_id",
            (Sessions::Table, Sessions::UserId),
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}
