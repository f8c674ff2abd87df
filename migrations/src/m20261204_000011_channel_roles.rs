//! Channel roles and announcement channels: each member's role in the channel (`member`,
//! `moderator`, `admin`), the time until which a channel moderator keeps them from posting, and
//! whether only the channel's admins post (`read_only`). Every existing channel's creator, when
//! still a member, becomes its admin (direct conversations have no admins).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Channels {
    Table,
    ReadOnly,
}

#[derive(DeriveIden)]
enum ChannelMembers {
    Table,
    Role,
    PostingMutedUntil,
}

const CREATORS_ARE_ADMINS: &str = "UPDATE channel_members SET role = 'admin' \
     WHERE EXISTS (SELECT 1 FROM channels c WHERE c.id = channel_members.channel_id \
                   AND c.created_by = channel_members.user_id AND c.kind <> 'direct')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .add_column(boolean(Channels::ReadOnly).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChannelMembers::Table)
                    .add_column(text(ChannelMembers::Role).default("member"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChannelMembers::Table)
                    .add_column(timestamp_with_time_zone_null(
                        ChannelMembers::PostingMutedUntil,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(CREATORS_ARE_ADMINS)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ChannelMembers::PostingMutedUntil.into_iden(),
            ChannelMembers::Role.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChannelMembers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Channels::Table)
                    .drop_column(Channels::ReadOnly)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
