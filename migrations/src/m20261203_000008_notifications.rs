//! Notifications: the stored notification centre, each person's preferences, each member's
//! preferences for a channel, and the outbox of emails.
//!
//! - `notifications`: one row per thing a person is told about. Read through
//!   `(user_id, id)` (the centre, newest first) and `(user_id, read_at)` (the unread count);
//!   one notification of a kind per person and message at most
//!   (`uq_notifications_user_kind_message`, so a job that runs twice writes nothing the second
//!   time). `email_state` is `pending` while an
//!   email may still be due, from `email_due_at` (its arrival plus the
//!   person's delay when it arrived); the email sweep reads `(email_state, email_due_at)`, so it
//!   never touches what is not due.
//! - `notification_settings`: one row per person who changed a default.
//! - `channel_members.notify_level` (`NULL` = the default for the channel's kind) and
//!   `channel_members.muted`.
//! - `mails`: every email, rendered, with what became of it (`queued`, `sent`, `failed` and
//!   why), sent by a job.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    OrganizationId,
    Kind,
    HighPriority,
    ChannelId,
    MessageId,
    Seq,
    ThreadRootId,
    SenderId,
    Excerpt,
    Quiet,
    EmailState,
    EmailDueAt,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    UserId,
    EmailEnabled,
    EmailDelayMinutes,
    EmailDigest,
    DesktopEnabled,
    DndStart,
    DndEnd,
    TimeZone,
    Language,
    LastEmailAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChannelMembers {
    Table,
    NotifyLevel,
    Muted,
}

#[derive(DeriveIden)]
enum Mails {
    Table,
    Id,
    UserId,
    Recipient,
    RecipientName,
    Kind,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Notifications::Id))
                    .col(big_integer(Notifications::UserId))
                    .col(big_integer(Notifications::OrganizationId))
                    .col(text(Notifications::Kind))
                    .col(boolean(Notifications::HighPriority).default(false))
                    .col(big_integer_null(Notifications::ChannelId))
                    .col(big_integer_null(Notifications::MessageId))
                    .col(big_integer_null(Notifications::Seq))
                    .col(big_integer_null(Notifications::ThreadRootId))
                    .col(big_integer_null(Notifications::SenderId))
                    .col(text_null(Notifications::Excerpt))
                    .col(boolean(Notifications::Quiet).default(false))
                    // `none`, `pending`, `queued` (in an email), `skipped`.
                    .col(text(Notifications::EmailState).default("none"))
                    .col(timestamp_with_time_zone_null(Notifications::EmailDueAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, Vec<Notifications>, bool); 4] = [
            (
                "idx_notifications_user_id",
                vec![Notifications::UserId, Notifications::Id],
                false,
            ),
            (
                "idx_notifications_user_read_at",
                vec![Notifications::UserId, Notifications::ReadAt],
                false,
            ),
            (
                "idx_notifications_email_due",
                vec![Notifications::EmailState, Notifications::EmailDueAt],
                false,
            ),
            (
                "uq_notifications_user_kind_message",
                vec![
                    Notifications::UserId,
                    Notifications::Kind,
                    Notifications::MessageId,
                ],
                true,
            ),
        ];
        for (name, columns, unique) in indexes {
            let mut index = Index::create();
            index.name(name).table(Notifications::Table).if_not_exists();
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(NotificationSettings::Table)
                    .if_not_exists()
                    .col(big_integer(NotificationSettings::UserId).primary_key())
                    .col(boolean(NotificationSettings::EmailEnabled))
                    .col(integer(NotificationSettings::EmailDelayMinutes))
                    .col(text(NotificationSettings::EmailDigest))
                    .col(boolean(NotificationSettings::DesktopEnabled))
                    .col(text_null(NotificationSettings::DndStart))
                    .col(text_null(NotificationSettings::DndEnd))
                    .col(text(NotificationSettings::TimeZone))
                    .col(text(NotificationSettings::Language))
                    .col(timestamp_with_time_zone_null(
                        NotificationSettings::LastEmailAt,
                    ))
                    .col(timestamp_with_time_zone(NotificationSettings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for column in [
            ColumnDef::new(ChannelMembers::NotifyLevel)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(ChannelMembers::Muted)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChannelMembers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Mails::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Mails::Id))
                    .col(big_integer_null(Mails::UserId))
                    .col(text(Mails::Recipient))
                    .col(text_null(Mails::RecipientName))
                    .col(text(Mails::Kind))
                    .col(text(Mails::Subject))
                    .col(text(Mails::BodyText))
                    .col(text(Mails::BodyHtml))
                    // `queued`, `sent` or `failed`.
                    .col(text(Mails::Status).default("queued"))
                    .col(integer(Mails::Attempts).default(0))
                    .col(text_null(Mails::LastError))
                    .col(timestamp_with_time_zone(Mails::CreatedAt))
                    .col(timestamp_with_time_zone_null(Mails::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mails_created_at")
                    .table(Mails::Table)
                    .col(Mails::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ChannelMembers::NotifyLevel, ChannelMembers::Muted] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChannelMembers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            Mails::Table.into_iden(),
            NotificationSettings::Table.into_iden(),
            Notifications::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
