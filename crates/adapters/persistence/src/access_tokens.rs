//! Personal access tokens over the `access_tokens` table, in plain SQL written once for both
//! backends.

use crate::error::{missing_row_is_not_found, port_error};
use crate::guarded::Guarded;
use crate::sql::statement;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tandem_app::ports::{AccessTokenRepository, NewAccessToken, PortError};
use tandem_domain::{AccessToken, AccessTokenId, OrganizationId, TokenName, TokenScope, UserId};

pub(crate) struct SeaAccessTokenRepository {
    pub(crate) db: Guarded,
}

const COLUMNS: &str =
    "id, organization_id, user_id, name, scopes, created_at, expires_at, last_used_at";

#[derive(Debug, FromQueryResult)]
struct TokenRow {
    id: i64,
    organization_id: i64,
    user_id: i64,
    name: String,
    scopes: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for AccessToken {
    fn from(row: TokenRow) -> Self {
        Self {
            id: AccessTokenId::new(row.id),
            organization_id: OrganizationId::new(row.organization_id),
            user_id: UserId::new(row.user_id),
            name: TokenName::from_trusted(row.name),
            // Written by this adapter from parsed scopes; an unknown word would be a newer
            // version's, and grants nothing here.
            scopes: row
                .scopes
                .split_whitespace()
                .filter_map(|scope| TokenScope::parse(scope).ok())
                .collect(),
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }
    }
}

impl SeaAccessTokenRepository {
    async fn tokens(&self, sql: &str, values: Vec<Value>) -> Result<Vec<AccessToken>, PortError> {
        Ok(
            TokenRow::find_by_statement(statement(&self.db, sql, values))
                .all(&self.db)
                .await
                .map_err(port_error)?
                .into_iter()
                .map(AccessToken::from)
                .collect(),
        )
    }
}

#[async_trait]
impl AccessTokenRepository for SeaAccessTokenRepository {
    async fn create(&self, new: NewAccessToken) -> Result<AccessToken, PortError> {
        let scopes: Vec<&str> = new.scopes.iter().map(|scope| scope.as_str()).collect();
        let sql = format!(
            "INSERT INTO access_tokens \
             (organization_id, user_id, name, scopes, token_hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        );
        let values = [
            new.organization_id.get().into(),
            new.user_id.get().into(),
            new.name.as_str().into(),
            scopes.join(" ").into(),
            new.token_hash.into(),
            new.created_at.into(),
            new.expires_at.into(),
        ];
        let row = TokenRow::find_by_statement(statement(&self.db, &sql, values))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
        Ok(row.into())
    }

    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<AccessToken>, PortError> {
        let sql = format!("SELECT {COLUMNS} FROM access_tokens WHERE token_hash = ?");
        Ok(self.tokens(&sql, vec![token_hash.into()]).await?.pop())
    }

    async fn list_for_user(&self, user_id: UserId) -> Result<Vec<AccessToken>, PortError> {
        let sql = format!("SELECT {COLUMNS} FROM access_tokens WHERE user_id = ? ORDER BY id DESC");
        self.tokens(&sql, vec![user_id.get().into()]).await
    }

    async fn list_for_organization(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<AccessToken>, PortError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM access_tokens WHERE organization_id = ? ORDER BY id DESC"
        );
        self.tokens(&sql, vec![organization_id.get().into()]).await
    }

    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: AccessTokenId,
        owner: Option<UserId>,
    ) -> Result<Option<AccessToken>, PortError> {
        let mut values: Vec<Value> = vec![id.get().into(), organization_id.get().into()];
        let of_owner = match owner {
            Some(owner) => {
                values.push(owner.get().into());
                " AND user_id = ?"
            }
            None => "",
        };
        let sql = format!(
            "DELETE FROM access_tokens WHERE id = ? AND organization_id = ?{of_owner} \
             RETURNING {COLUMNS}"
        );
        Ok(self.tokens(&sql, values).await?.pop())
    }

    async fn touch(&self, id: AccessTokenId, at: DateTime<Utc>) -> Result<(), PortError> {
        self.db
            .execute_raw(statement(
                &self.db,
                "UPDATE access_tokens SET last_used_at = ? WHERE id = ?",
                vec![at.into(), id.get().into()],
            ))
            .await
            .map_err(port_error)?;
        Ok(())
    }
}
