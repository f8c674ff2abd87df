//! `SessionRepository` over sea-orm: refresh tokens, their rotation and reuse detection.

use crate::entities::refresh_token::{self, Column};
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tandem_app::ports::{NewRefreshToken, PortError, RotateOutcome, SessionRepository};
use tandem_domain::UserId;

pub(crate) struct SeaSessionRepository {
    pub(crate) db: Guarded,
}

fn new_token_row(token: NewRefreshToken) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        id: NotSet,
        user_id: Set(token.user_id.get()),
        family: Set(token.family),
        token_hash: Set(token.token_hash),
        created_at: Set(token.created_at),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
}

async fn find_by_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<refresh_token::Model>, PortError> {
    refresh_token::Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await
        .map_err(port_error)
}

/// Marks every not yet revoked token of `family` revoked; returns how many there were.
async fn revoke_family(
    db: &impl ConnectionTrait,
    family: &str,
    now: DateTime<Utc>,
) -> Result<u64, PortError> {
    let result = refresh_token::Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::Family.eq(family))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map_err(port_error)?;
    Ok(result.rows_affected)
}

#[async_trait]
impl SessionRepository for SeaSessionRepository {
    async fn create(&self, token: NewRefreshToken) -> Result<(), PortError> {
        new_token_row(token)
            .insert(&self.db)
            .await
            .map_err(port_error)?;
        Ok(())
    }

    async fn rotate(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        now: DateTime<Utc>,
        successor_expires_at: DateTime<Utc>,
    ) -> Result<RotateOutcome, PortError> {
        // Returning early drops `txn`, which rolls back: an `Invalid` outcome changes nothing.
        let txn = begin_write(&self.db).await?;
        let Some(token) = find_by_hash(&txn, presented_hash).await? else {
            return Ok(RotateOutcome::Invalid);
        };
        let user_id = UserId::new(token.user_id);
        if token.revoked_at.is_some() {
            return Ok(RotateOutcome::Invalid);
        }
        // A spent token is checked before expiry: a copy replayed late still means the family
        // leaked, and its live successor must die with it.
        if token.used_at.is_none() && token.expires_at <= now {
            return Ok(RotateOutcome::Invalid);
        }
        // The conditional UPDATE is the arbiter between concurrent presentations: PostgreSQL
        // re-checks the WHERE clause after waiting for the first writer's row lock, so exactly
        // one caller spends the token and the others see zero rows.
        let spent = if token.used_at.is_none() {
            refresh_token::Entity::update_many()
                .col_expr(Column::UsedAt, Expr::value(now))
                .filter(Column::Id.eq(token.id))
                .filter(Column::UsedAt.is_null())
                .filter(Column::RevokedAt.is_null())
                .exec(&txn)
                .await
                .map_err(port_error)?
                .rows_affected
        } else {
            0
        };
        if spent == 0 {
            revoke_family(&txn, &token.family, now).await?;
            txn.commit().await.map_err(port_error)?;
            return Ok(RotateOutcome::Reused { user_id });
        }
        let successor = NewRefreshToken {
            user_id,
            family: token.family,
            token_hash: successor_hash.to_owned(),
            created_at: now,
            expires_at: successor_expires_at,
        };
        new_token_row(successor)
            .insert(&txn)
            .await
            .map_err(port_error)?;
        txn.commit().await.map_err(port_error)?;
        Ok(RotateOutcome::Rotated { user_id })
    }

    async fn revoke_family_of(
        &self,
        token_hash: &str,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        match find_by_hash(&self.db, token_hash).await? {
            Some(token) if token.user_id == user_id.get() => {
                Ok(revoke_family(&self.db, &token.family, now).await? > 0)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_all_for_user(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, PortError> {
        let result = refresh_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now))
            .filter(Column::UserId.eq(user_id.get()))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        Ok(result.rows_affected)
    }
}
