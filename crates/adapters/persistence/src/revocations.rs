//! `RevocationStore` over SQL: revoked access tokens, appended and read back by every node.

use crate::error::port_error;
use crate::guarded::Guarded;
use crate::sql::statement;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use tandem_app::ports::{PortError, Revocation, RevocationStore};
use tandem_domain::UserId;

pub(crate) struct SeaRevocationStore {
    pub(crate) db: Guarded,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    token_id: Option<String>,
    user_id: Option<i64>,
    cutoff: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

impl Row {
    fn revocation(self) -> Option<Revocation> {
        match (self.token_id, self.user_id, self.cutoff) {
            (Some(token_id), _, _) => Some(Revocation::Token {
                token_id,
                expires_at: self.expires_at,
            }),
            (None, Some(user_id), Some(cutoff)) => Some(Revocation::User {
                user_id: UserId::new(user_id),
                cutoff,
                keep_until: self.expires_at,
            }),
            _ => None,
        }
    }
}

#[async_trait]
impl RevocationStore for SeaRevocationStore {
    async fn record(&self, revocation: &Revocation, now: DateTime<Utc>) -> Result<(), PortError> {
        let (token_id, user_id, cutoff, expires_at) = match revocation {
            Revocation::Token {
                token_id,
                expires_at,
            } => (Some(token_id.clone()), None, None, *expires_at),
            Revocation::User {
                user_id,
                cutoff,
                keep_until,
            } => (None, Some(user_id.get()), Some(*cutoff), *keep_until),
        };
        let insert = statement(
            &self.db,
            "INSERT INTO token_revocations (token_id, user_id, cutoff, expires_at, recorded_at) \
             VALUES (?, ?, ?, ?, ?)",
            [
                token_id.into(),
                user_id.into(),
                cutoff.into(),
                expires_at.into(),
                now.into(),
            ],
        );
        self.db.execute_raw(insert).await.map_err(port_error)?;
        Ok(())
    }

    async fn recorded_since(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Revocation>, PortError> {
        let select = statement(
            &self.db,
            "SELECT token_id, user_id, cutoff, expires_at FROM token_revocations \
             WHERE recorded_at >= ? AND expires_at > ? ORDER BY id",
            [since.into(), now.into()],
        );
        let rows = Row::find_by_statement(select)
            .all(&self.db)
            .await
            .map_err(port_error)?;
        Ok(rows.into_iter().filter_map(Row::revocation).collect())
    }

    async fn prune(&self, now: DateTime<Utc>) -> Result<u64, PortError> {
        let delete = statement(
            &self.db,
            "DELETE FROM token_revocations WHERE expires_at <= ?",
            [now.into()],
        );
        let done = self.db.execute_raw(delete).await.map_err(port_error)?;
        Ok(done.rows_affected())
    }
}
