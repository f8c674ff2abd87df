//! Channels, their members, messages with their mentions and reactions, the per-channel event
//! log and message reports.
//!
//! Every hot read has an index that matches it: history by `(channel_id, seq)`, threads by
//! `(reply_to_id, seq)`, the event log by its primary key `(channel_id, seq)`, a user's
//! channels by `channel_members(user_id)`, unread mentions by `message_mentions(user_id,
//! channel_id, seq)` and `(channel_id, kind, seq)`.

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
enum Channels {
    Table,
    Id,
    OrganizationId,
    Name,
    Description,
    Kind,
    CreatedBy,
    CreatedAt,
    IsArchived,
    LastSeq,
}

#[derive(DeriveIden)]
enum ChannelMembers {
    Table,
    ChannelId,
    UserId,
    JoinedAt,
    LastReadSeq,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ChannelId,
    UserId,
    Content,
    MessageType,
    ReplyToId,
    CreatedAt,
    EditedAt,
    IsDeleted,
    Seq,
    ClientMsgId,
    ReplyCount,
    LastReplyAt,
    PinnedAt,
    PinnedBy,
}

#[derive(DeriveIden)]
enum MessageMentions {
    Table,
    Id,
    MessageId,
    ChannelId,
    Seq,
    Kind,
    UserId,
}

#[derive(DeriveIden)]
enum MessageReactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ChannelEvents {
    Table,
    ChannelId,
    Seq,
    Kind,
    ActorId,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MessageReports {
    Table,
    Id,
    MessageId,
    ReportedBy,
    Reason,
    Status,
    ReviewedBy,
    CreatedAt,
}

/// Partial indexes: sea-query cannot express `WHERE` on an index, and both backends accept
/// this spelling.
const PARTIAL_INDEXES: &[&str] = &[
    // One open report per user and message; resolved and dismissed ones may pile up.
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_message_reports_pending \
     ON message_reports (message_id, reported_by) WHERE status = 'pending'",
    // The pinned list of a channel, without indexing every unpinned message.
    "CREATE INDEX IF NOT EXISTS idx_messages_pinned \
     ON messages (channel_id, pinned_at) WHERE pinned_at IS NOT NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            channels(),
            channel_members(),
            messages(),
            message_mentions(),
            message_reactions(),
            channel_events(),
            message_reports(),
        ] {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        let db = manager.get_connection();
        for sql in PARTIAL_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MessageReports::Table.into_iden(),
            ChannelEvents::Table.into_iden(),
            MessageReactions::Table.into_iden(),
            MessageMentions::Table.into_iden(),
            Messages::Table.into_iden(),
            ChannelMembers::Table.into_iden(),
            Channels::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }

    /// SQLite runs DDL in transactions too; without one a failure would leave half a schema.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn cascade(
    name: &str,
    from: (DynIden, DynIden),
    to: (DynIden, DynIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn restrict(
    name: &str,
    from: (DynIden, DynIden),
    to: (DynIden, DynIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn col(table: impl IntoIden, column: impl IntoIden) -> (DynIden, DynIden) {
    (table.into_iden(), column.into_iden())
}

fn channels() -> TableCreateStatement {
    Table::create()
        .table(Channels::Table)
        .if_not_exists()
        .col(big_pk_auto(Channels::Id))
        .col(big_integer(Channels::OrganizationId))
        .col(text(Channels::Name))
        .col(text_null(Channels::Description))
        .col(text(Channels::Kind))
        .col(big_integer(Channels::CreatedBy))
        .col(timestamp_with_time_zone(Channels::CreatedAt))
        .col(boolean(Channels::IsArchived).default(false))
        // The seq of the channel's latest event; writers bump it with UPDATE ... RETURNING.
        .col(big_integer(Channels::LastSeq).default(0))
        .foreign_key(&mut cascade(
            "fk_channels_organization_id",
            col(Channels::Table, Channels::OrganizationId),
            col(Organizations::Table, Organizations::Id),
        ))
        .foreign_key(&mut restrict(
            "fk_channels_created_by",
            col(Channels::Table, Channels::CreatedBy),
            col(Users::Table, Users::Id),
        ))
        .to_owned()
}

fn channel_members() -> TableCreateStatement {
    Table::create()
        .table(ChannelMembers::Table)
        .if_not_exists()
        .col(big_integer(ChannelMembers::ChannelId))
        .col(big_integer(ChannelMembers::UserId))
        .col(timestamp_with_time_zone(ChannelMembers::JoinedAt))
        .col(big_integer(ChannelMembers::LastReadSeq).default(0))
        .primary_key(
            Index::create()
                .col(ChannelMembers::ChannelId)
                .col(ChannelMembers::UserId),
        )
        .foreign_key(&mut cascade(
            "fk_channel_members_channel_id",
            col(ChannelMembers::Table, ChannelMembers::ChannelId),
            col(Channels::Table, Channels::Id),
        ))
        .foreign_key(&mut cascade(
            "fk_channel_members_user_id",
            col(ChannelMembers::Table, ChannelMembers::UserId),
            col(Users::Table, Users::Id),
        ))
        .to_owned()
}

fn messages() -> TableCreateStatement {
    Table::create()
        .table(Messages::Table)
        .if_not_exists()
        .col(big_pk_auto(Messages::Id))
        .col(big_integer(Messages::ChannelId))
        .col(big_integer(Messages::UserId))
        .col(text(Messages::Content))
        .col(text(Messages::MessageType))
        .col(big_integer_null(Messages::ReplyToId))
        .col(timestamp_with_time_zone(Messages::CreatedAt))
        .col(timestamp_with_time_zone_null(Messages::EditedAt))
        .col(boolean(Messages::IsDeleted).default(false))
        .col(big_integer(Messages::Seq))
        .col(text_null(Messages::ClientMsgId))
        .col(big_integer(Messages::ReplyCount).default(0))
        .col(timestamp_with_time_zone_null(Messages::LastReplyAt))
        .col(timestamp_with_time_zone_null(Messages::PinnedAt))
        .col(big_integer_null(Messages::PinnedBy))
        .foreign_key(&mut cascade(
            "fk_messages_channel_id",
            col(Messages::Table, Messages::ChannelId),
            col(Channels::Table, Channels::Id),
        ))
        .foreign_key(&mut restrict(
            "fk_messages_user_id",
            col(Messages::Table, Messages::UserId),
            col(Users::Table, Users::Id),
        ))
        // Roots are only ever soft-deleted; the cascade matters when a channel goes.
        .foreign_key(&mut cascade(
            "fk_messages_reply_to_id",
            col(Messages::Table, Messages::ReplyToId),
            col(Messages::Table, Messages::Id),
        ))
        .to_owned()
}

/// `id` is a surrogate key: `user_id` is null for `@channel` and `@here`, so the natural key
/// cannot be a primary key.
fn message_mentions() -> TableCreateStatement {
    Table::create()
        .table(MessageMentions::Table)
        .if_not_exists()
        .col(big_pk_auto(MessageMentions::Id))
        .col(big_integer(MessageMentions::MessageId))
        .col(big_integer(MessageMentions::ChannelId))
        .col(big_integer(MessageMentions::Seq))
        .col(text(MessageMentions::Kind))
        .col(big_integer_null(MessageMentions::UserId))
        .foreign_key(&mut cascade(
            "fk_message_mentions_message_id",
            col(MessageMentions::Table, MessageMentions::MessageId),
            col(Messages::Table, Messages::Id),
        ))
        .to_owned()
}

fn message_reactions() -> TableCreateStatement {
    Table::create()
        .table(MessageReactions::Table)
        .if_not_exists()
        .col(big_integer(MessageReactions::MessageId))
        .col(big_integer(MessageReactions::UserId))
        .col(text(MessageReactions::Emoji))
        .col(timestamp_with_time_zone(MessageReactions::CreatedAt))
        .primary_key(
            Index::create()
                .col(MessageReactions::MessageId)
                .col(MessageReactions::UserId)
                .col(MessageReactions::Emoji),
        )
        .foreign_key(&mut cascade(
            "fk_message_reactions_message_id",
            col(MessageReactions::Table, MessageReactions::MessageId),
            col(Messages::Table, Messages::Id),
        ))
        .foreign_key(&mut cascade(
            "fk_message_reactions_user_id",
            col(MessageReactions::Table, MessageReactions::UserId),
            col(Users::Table, Users::Id),
        ))
        .to_owned()
}

/// The log refers to messages and users by plain ids: it records what happened, and a later
/// change must not rewrite or block it.
fn channel_events() -> TableCreateStatement {
    Table::create()
        .table(ChannelEvents::Table)
        .if_not_exists()
        .col(big_integer(ChannelEvents::ChannelId))
        .col(big_integer(ChannelEvents::Seq))
        .col(text(ChannelEvents::Kind))
        .col(big_integer(ChannelEvents::ActorId))
        .col(big_integer_null(ChannelEvents::MessageId))
        .col(big_integer_null(ChannelEvents::UserId))
        .col(text_null(ChannelEvents::Emoji))
        .col(timestamp_with_time_zone(ChannelEvents::CreatedAt))
        .primary_key(
            Index::create()
                .col(ChannelEvents::ChannelId)
                .col(ChannelEvents::Seq),
        )
        .foreign_key(&mut cascade(
            "fk_channel_events_channel_id",
            col(ChannelEvents::Table, ChannelEvents::ChannelId),
            col(Channels::Table, Channels::Id),
        ))
        .to_owned()
}

fn message_reports() -> TableCreateStatement {
    Table::create()
        .table(MessageReports::Table)
        .if_not_exists()
        .col(big_pk_auto(MessageReports::Id))
        .col(big_integer(MessageReports::MessageId))
        .col(big_integer(MessageReports::ReportedBy))
        .col(text(MessageReports::Reason))
        .col(text(MessageReports::Status).default("pending"))
        .col(big_integer_null(MessageReports::ReviewedBy))
        .col(timestamp_with_time_zone(MessageReports::CreatedAt))
        .foreign_key(&mut cascade(
            "fk_message_reports_message_id",
            col(MessageReports::Table, MessageReports::MessageId),
            col(Messages::Table, Messages::Id),
        ))
        .foreign_key(&mut restrict(
            "fk_message_reports_reported_by",
            col(MessageReports::Table, MessageReports::ReportedBy),
            col(Users::Table, Users::Id),
        ))
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table).if_not_exists();
    for column in columns {
        statement.col(column);
    }
    statement.to_owned()
}

fn unique(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    index(name, table, columns).unique().to_owned()
}

/// Unique rules are named indexes so PostgreSQL names them in its errors (`uq_channels_org_name`)
/// as SQLite names the columns (`channels.organization_id, channels.name`).
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique(
            "uq_channels_org_name",
            Channels::Table,
            vec![
                Channels::OrganizationId.into_iden(),
                Channels::Name.into_iden(),
            ],
        ),
        index(
            "idx_channel_members_user",
            ChannelMembers::Table,
            vec![ChannelMembers::UserId.into_iden()],
        ),
        // History pages and unread counts; also what makes a seq unique within its channel.
        unique(
            "uq_messages_channel_seq",
            Messages::Table,
            vec![Messages::ChannelId.into_iden(), Messages::Seq.into_iden()],
        ),
        // The idempotency key. Rows without one (NULL) never collide, on either backend.
        unique(
            "uq_messages_client_msg_id",
            Messages::Table,
            vec![
                Messages::ChannelId.into_iden(),
                Messages::UserId.into_iden(),
                Messages::ClientMsgId.into_iden(),
            ],
        ),
        index(
            "idx_messages_thread",
            Messages::Table,
            vec![Messages::ReplyToId.into_iden(), Messages::Seq.into_iden()],
        ),
        index(
            "idx_messages_channel_author",
            Messages::Table,
            vec![
                Messages::ChannelId.into_iden(),
                Messages::UserId.into_iden(),
            ],
        ),
        index(
            "idx_message_mentions_message",
            MessageMentions::Table,
            vec![MessageMentions::MessageId.into_iden()],
        ),
        index(
            "idx_message_mentions_user",
            MessageMentions::Table,
            vec![
                MessageMentions::UserId.into_iden(),
                MessageMentions::ChannelId.into_iden(),
                MessageMentions::Seq.into_iden(),
            ],
        ),
        index(
            "idx_message_mentions_channel_kind",
            MessageMentions::Table,
            vec![
                MessageMentions::ChannelId.into_iden(),
                MessageMentions::Kind.into_iden(),
                MessageMentions::Seq.into_iden(),
            ],
        ),
        index(
            "idx_message_reactions_user",
            MessageReactions::Table,
            vec![MessageReactions::UserId.into_iden()],
        ),
        index(
            "idx_message_reports_message",
            MessageReports::Table,
            vec![MessageReports::MessageId.into_iden()],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_keys_and_unique_rules_render_for_both_backends() {
        let sqlite = channel_members().to_string(SqliteQueryBuilder);
        assert!(
            sqlite.contains(r#"PRIMARY KEY ("channel_id", "user_id")"#),
            "{sqlite}"
        );
        let postgres = unique(
            "uq_messages_client_msg_id",
            Messages::Table,
            vec![
                Messages::ChannelId.into_iden(),
                Messages::UserId.into_iden(),
                Messages::ClientMsgId.into_iden(),
            ],
        )
        .to_string(PostgresQueryBuilder);
        assert!(
            postgres.contains(r#"UNIQUE INDEX IF NOT EXISTS "uq_messages_client_msg_id""#),
            "{postgres}"
        );
        // NULL client ids must stay distinct: no NULLS NOT DISTINCT.
        assert!(!postgres.contains("NULLS NOT DISTINCT"), "{postgres}");
    }
}
