//! The `organizations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub subscription_plan: String,
    pub self_signup: bool,
    /// `optional`, `admins` or `everyone`.
    pub two_factor_policy: String,
    pub sso_only: bool,
    pub access_tokens_enabled: bool,
    pub created_at: DateTimeUtc,
    pub is_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
