//! The `files` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub channel_id: i64,
    pub uploader_id: i64,
    pub message_id: Option<i64>,
    pub position: i32,
    pub blob_key: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub inline: bool,
    pub image_state: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub thumb_key: Option<String>,
    pub web_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
