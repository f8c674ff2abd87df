//! The `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub username: String,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub profile_picture: Option<String>,
    pub status: String,
    pub last_activity: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub is_active: bool,
    pub email_verified_at: Option<DateTimeUtc>,
    pub is_bot: bool,
    pub bot_owner_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
