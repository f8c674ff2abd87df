//! The `channel_members` table: one row per member of a channel, with the read marker and
//! the member's notification preferences for the channel, their role and any mute.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub joined_at: DateTimeUtc,
    pub last_read_seq: i64,
    /// `NULL` for the default of the channel's kind, or `all`, `mentions`, `nothing`.
    pub notify_level: Option<String>,
    pub muted: bool,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    /// A channel moderator keeps the member from posting until then.
    pub posting_muted_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
