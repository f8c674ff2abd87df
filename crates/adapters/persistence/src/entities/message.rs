//! The `messages` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub channel_id: i64,
    pub user_id: i64,
    pub content: String,
    pub message_type: String,
    pub reply_to_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub is_deleted: bool,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub reply_count: i64,
    pub last_reply_at: Option<DateTimeUtc>,
    pub pinned_at: Option<DateTimeUtc>,
    pub pinned_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
