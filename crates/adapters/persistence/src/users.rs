//! `UserRepository` over sea-orm.

use crate::entities::user;
use crate::error::{is_foreign_key_violation, port_error};
use crate::guarded::Guarded;
use crate::mapping::{
    credentials_from_row, new_organization_row, new_user_row, organization_from_row,
    profile_changes_row, user_from_row,
};
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{Set, Unchanged};
use sea_orm::sea_query::{Expr, IntoIden, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tandem_app::ports::{
    Credentials, NewOrganization, NewUser, PortError, ProfileChanges, UserQuery, UserRepository,
};
use tandem_domain::{
    Email, Organization, OrganizationId, Role, User, UserId, UserStatus, Username,
};

pub(crate) struct SeaUserRepository {
    pub(crate) db: Guarded,
}

impl SeaUserRepository {
    /// Users of one organization matching `condition`, in no particular order.
    async fn in_organization(
        &self,
        organization_id: OrganizationId,
        condition: sea_orm::Condition,
    ) -> Result<Vec<User>, PortError> {
        user::Entity::find()
            .filter(user::Column::OrganizationId.eq(organization_id.get()))
            .filter(condition)
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    async fn find_one(
        &self,
        column: user::Column,
        value: &str,
    ) -> Result<Option<user::Model>, PortError> {
        user::Entity::find()
            .filter(column.eq(value))
            .one(&self.db)
            .await
            .map_err(port_error)
    }

    /// Sets one column of one user; `NotFound` when no row has that id.
    async fn set_column(
        &self,
        id: UserId,
        column: user::Column,
        value: SimpleExpr,
    ) -> Result<(), PortError> {
        let result = user::Entity::update_many()
            .col_expr(column.into_iden(), value)
            .filter(user::Column::Id.eq(id.get()))
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        if result.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl UserRepository for SeaUserRepository {
    async fn create_with_organization(
        &self,
        org: NewOrganization,
        user: NewUser,
    ) -> Result<(Organization, User), PortError> {
        // Dropping the transaction on an early return rolls it back: no lone organization.
        let txn = begin_write(&self.db).await?;
        let org_row = new_organization_row(org)
            .insert(&txn)
            .await
            .map_err(port_error)?;
        let user_row = new_user_row(OrganizationId::new(org_row.id), user)
            .insert(&txn)
            .await
            .map_err(port_error)?;
        txn.commit().await.map_err(port_error)?;
        Ok((organization_from_row(org_row)?, user_from_row(user_row)?))
    }

    async fn create(
        &self,
        organization_id: OrganizationId,
        user: NewUser,
    ) -> Result<User, PortError> {
        let row = new_user_row(organization_id, user)
            .insert(&self.db)
            .await
            .map_err(|err| {
                if is_foreign_key_violation(&err) {
                    PortError::NotFound
                } else {
                    port_error(err)
                }
            })?;
        user_from_row(row)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, PortError> {
        user::Entity::find_by_id(id.get())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(user_from_row)
            .transpose()
    }

    async fn find_many(
        &self,
        organization_id: OrganizationId,
        ids: &[UserId],
    ) -> Result<Vec<User>, PortError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.in_organization(
            organization_id,
            sea_orm::Condition::all().add(user::Column::Id.is_in(ids.iter().map(|id| id.get()))),
        )
        .await
    }

    async fn find_by_usernames(
        &self,
        organization_id: OrganizationId,
        usernames: &[String],
    ) -> Result<Vec<User>, PortError> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let active_named = sea_orm::Condition::all()
            .add(user::Column::IsActive.eq(true))
            .add(user::Column::Username.is_in(usernames.iter().cloned()));
        self.in_organization(organization_id, active_named).await
    }

    async fn find_credentials_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<Credentials>, PortError> {
        self.find_one(user::Column::Email, email.as_str())
            .await?
            .map(credentials_from_row)
            .transpose()
    }

    async fn find_credentials_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<Credentials>, PortError> {
        self.find_one(user::Column::Username, username.as_str())
            .await?
            .map(credentials_from_row)
            .transpose()
    }

    async fn list(&self, query: &UserQuery) -> Result<Vec<User>, PortError> {
        let mut select = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(query.organization_id.get()))
            .order_by_asc(user::Column::Id)
            .limit(query.limit);
        if let Some(after) = query.after {
            select = select.filter(user::Column::Id.gt(after.get()));
        }
        if !query.include_inactive {
            select = select.filter(user::Column::IsActive.eq(true));
        }
        if query.present_only {
            select = select.filter(user::Column::Status.ne(UserStatus::Offline.as_str()));
        }
        if query.bots_only {
            select = select.filter(user::Column::IsBot.eq(true));
        }
        select
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    async fn count_active_admins(&self, organization_id: OrganizationId) -> Result<u64, PortError> {
        user::Entity::find()
            .filter(user::Column::OrganizationId.eq(organization_id.get()))
            .filter(user::Column::Role.eq(Role::Admin.as_str()))
            .filter(user::Column::IsActive.eq(true))
            .count(&self.db)
            .await
            .map_err(port_error)
    }

    async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
    ) -> Result<User, PortError> {
        if changes.is_empty() {
            return self.find_by_id(id).await?.ok_or(PortError::NotFound);
        }
        // One UPDATE ... RETURNING: the row comes back as stored, and a missing id is
        // `RecordNotUpdated`, which `port_error` turns into `NotFound`.
        let row = profile_changes_row(id, changes)
            .update(&self.db)
            .await
            .map_err(port_error)?;
        user_from_row(row)
    }

    async fn set_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: DateTime<Utc>,
    ) -> Result<User, PortError> {
        let row = user::ActiveModel {
            id: Unchanged(id.get()),
            status: Set(status.as_str().to_owned()),
            last_activity: Set(Some(at)),
            ..Default::default()
        };
        user_from_row(row.update(&self.db).await.map_err(port_error)?)
    }

    async fn touch(&self, id: UserId, at: DateTime<Utc>) -> Result<(), PortError> {
        self.set_column(id, user::Column::LastActivity, Expr::value(at))
            .await
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), PortError> {
        self.set_column(id, user::Column::PasswordHash, Expr::value(password_hash))
            .await
    }
}
