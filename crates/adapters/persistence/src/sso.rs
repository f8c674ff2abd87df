//! Single sign-on over the `sso_providers`, `sso_identities` and `sso_attempts` tables, in plain
//! SQL written once for both backends.

use crate::error::{missing_row_is_not_found, port_error};
use crate::guarded::Guarded;
use crate::sql::statement;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tandem_app::ports::{NewSsoProvider, PortError, SsoAttempt, SsoRepository};
use tandem_domain::{
    ClientId, EmailDomain, IssuerUrl, OrganizationId, ProviderLabel, SsoProvider, SsoProviderId,
    UserId,
};

pub(crate) struct SeaSsoRepository {
    pub(crate) db: Guarded,
}

const PROVIDER_COLUMNS: &str =
    "id, organization_id, label, issuer, client_id, client_secret, allowed_domains, created_at";

#[derive(Debug, FromQueryResult)]
struct ProviderRow {
    id: i64,
    organization_id: i64,
    label: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    allowed_domains: String,
    created_at: DateTime<Utc>,
}

impl ProviderRow {
    fn into_provider(self) -> (SsoProvider, String) {
        let provider = SsoProvider {
            id: SsoProviderId::new(self.id),
            organization_id: OrganizationId::new(self.organization_id),
            label: ProviderLabel::from_trusted(self.label),
            issuer: IssuerUrl::from_trusted(self.issuer),
            client_id: ClientId::from_trusted(self.client_id),
            allowed_domains: self
                .allowed_domains
                .split_whitespace()
                .map(|d| EmailDomain::from_trusted(d.to_owned()))
                .collect(),
            created_at: self.created_at,
        };
        (provider, self.client_secret)
    }
}

#[derive(Debug, FromQueryResult)]
struct AttemptRow {
    state_hash: String,
    provider_id: i64,
    nonce: String,
    code_verifier: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, FromQueryResult)]
struct UserIdRow {
    user_id: i64,
}

impl SeaSsoRepository {
    async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, PortError> {
        Ok(self
            .db
            .execute_raw(statement(&self.db, sql, values))
            .await
            .map_err(missing_row_is_not_found)?
            .rows_affected())
    }

    async fn providers_where(
        &self,
        condition: &str,
        values: Vec<Value>,
    ) -> Result<Vec<(SsoProvider, String)>, PortError> {
        let sql =
            format!("SELECT {PROVIDER_COLUMNS} FROM sso_providers WHERE {condition} ORDER BY id");
        Ok(
            ProviderRow::find_by_statement(statement(&self.db, &sql, values))
                .all(&self.db)
                .await
                .map_err(port_error)?
                .into_iter()
                .map(ProviderRow::into_provider)
                .collect(),
        )
    }
}

#[async_trait]
impl SsoRepository for SeaSsoRepository {
    async fn providers(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<SsoProvider>, PortError> {
        Ok(self
            .providers_where("organization_id = ?", vec![organization_id.get().into()])
            .await?
            .into_iter()
            .map(|(provider, _)| provider)
            .collect())
    }

    async fn provider(
        &self,
        id: SsoProviderId,
    ) -> Result<Option<(SsoProvider, String)>, PortError> {
        Ok(self
            .providers_where("id = ?", vec![id.get().into()])
            .await?
            .pop())
    }

    async fn create_provider(&self, new: NewSsoProvider) -> Result<SsoProvider, PortError> {
        let domains: Vec<&str> = new
            .allowed_domains
            .iter()
            .map(EmailDomain::as_str)
            .collect();
        let sql = format!(
            "INSERT INTO sso_providers \
             (organization_id, label, issuer, client_id, client_secret, allowed_domains, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {PROVIDER_COLUMNS}"
        );
        let values = [
            new.organization_id.get().into(),
            new.label.as_str().into(),
            new.issuer.as_str().into(),
            new.client_id.as_str().into(),
            new.client_secret.into(),
            domains.join(" ").into(),
            new.created_at.into(),
        ];
        let row = ProviderRow::find_by_statement(statement(&self.db, &sql, values))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
        Ok(row.into_provider().0)
    }

    async fn delete_provider(
        &self,
        organization_id: OrganizationId,
        id: SsoProviderId,
    ) -> Result<bool, PortError> {
        let deleted = self
            .execute(
                "DELETE FROM sso_providers WHERE id = ? AND organization_id = ?",
                vec![id.get().into(), organization_id.get().into()],
            )
            .await?;
        Ok(deleted > 0)
    }

    async fn start_attempt(&self, attempt: SsoAttempt) -> Result<(), PortError> {
        // Expired attempts nobody came back for go as new ones arrive.
        self.execute(
            "DELETE FROM sso_attempts WHERE expires_at <= ?",
            vec![attempt.created_at.into()],
        )
        .await?;
        self.execute(
            "INSERT INTO sso_attempts \
             (state_hash, provider_id, nonce, code_verifier, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                attempt.state_hash.into(),
                attempt.provider_id.get().into(),
                attempt.nonce.into(),
                attempt.code_verifier.into(),
                attempt.created_at.into(),
                attempt.expires_at.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn take_attempt(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SsoAttempt>, PortError> {
        // One DELETE decides between concurrent returns with the same state.
        let sql = "DELETE FROM sso_attempts WHERE state_hash = ? \
                   RETURNING state_hash, provider_id, nonce, code_verifier, created_at, expires_at";
        let row = AttemptRow::find_by_statement(statement(&self.db, sql, [state_hash.into()]))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        Ok(row
            .filter(|row| row.expires_at > now)
            .map(|row| SsoAttempt {
                provider_id: SsoProviderId::new(row.provider_id),
                state_hash: row.state_hash,
                nonce: row.nonce,
                code_verifier: row.code_verifier,
                created_at: row.created_at,
                expires_at: row.expires_at,
            }))
    }

    async fn identity(
        &self,
        provider_id: SsoProviderId,
        subject: &str,
    ) -> Result<Option<UserId>, PortError> {
        let sql = "SELECT user_id FROM sso_identities WHERE provider_id = ? AND subject = ?";
        let values = [provider_id.get().into(), subject.into()];
        Ok(
            UserIdRow::find_by_statement(statement(&self.db, sql, values))
                .one(&self.db)
                .await
                .map_err(port_error)?
                .map(|row| UserId::new(row.user_id)),
        )
    }

    async fn link_identity(
        &self,
        provider_id: SsoProviderId,
        subject: &str,
        user_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.execute(
            "INSERT INTO sso_identities (provider_id, subject, user_id, created_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (provider_id, subject) DO NOTHING",
            vec![
                provider_id.get().into(),
                subject.into(),
                user_id.get().into(),
                at.into(),
            ],
        )
        .await?;
        Ok(())
    }
}
