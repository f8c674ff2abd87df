//! The `message_mentions` table: who a message mentions, with the message's channel and seq so
//! unread mentions are counted from an index alone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_mentions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: i64,
    pub channel_id: i64,
    pub seq: i64,
    /// `user`, `channel` or `here`.
    pub kind: String,
    /// Set for `user` mentions only.
    pub user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
