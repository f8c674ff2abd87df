//! Incoming webhooks over the `incoming_webhooks` table, in plain SQL written once for both
//! backends.

use crate::error::{is_foreign_key_violation, port_error};
use crate::guarded::Guarded;
use crate::sql::statement;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use tandem_app::ports::{IncomingWebhookRepository, NewIncomingWebhook, PortError};
use tandem_domain::{
    ChannelId, HookName, IncomingWebhook, IncomingWebhookId, OrganizationId, UserId,
};

pub(crate) struct SeaWebhookRepository {
    pub(crate) db: Guarded,
}

const COLUMNS: &str =
    "id, organization_id, channel_id, bot_id, name, created_by, created_at, last_used_at";

#[derive(Debug, FromQueryResult)]
struct HookRow {
    id: i64,
    organization_id: i64,
    channel_id: i64,
    bot_id: i64,
    name: String,
    created_by: i64,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<HookRow> for IncomingWebhook {
    fn from(row: HookRow) -> Self {
        Self {
            id: IncomingWebhookId::new(row.id),
            organization_id: OrganizationId::new(row.organization_id),
            channel_id: ChannelId::new(row.channel_id),
            bot_id: UserId::new(row.bot_id),
            name: HookName::from_trusted(row.name),
            created_by: UserId::new(row.created_by),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

fn missing_row_is_not_found(err: DbErr) -> PortError {
    if is_foreign_key_violation(&err) {
        PortError::NotFound
    } else {
        port_error(err)
    }
}

impl SeaWebhookRepository {
    async fn hooks(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<IncomingWebhook>, PortError> {
        Ok(HookRow::find_by_statement(statement(&self.db, sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(IncomingWebhook::from)
            .collect())
    }
}

#[async_trait]
impl IncomingWebhookRepository for SeaWebhookRepository {
    async fn create(&self, new: NewIncomingWebhook) -> Result<IncomingWebhook, PortError> {
        let sql = format!(
            "INSERT INTO incoming_webhooks \
             (organization_id, channel_id, bot_id, name, token_hash, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        );
        let values = [
            new.organization_id.get().into(),
            new.channel_id.get().into(),
            new.bot_id.get().into(),
            new.name.as_str().into(),
            new.token_hash.into(),
            new.created_by.get().into(),
            new.created_at.into(),
        ];
        let row = HookRow::find_by_statement(statement(&self.db, &sql, values))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
        Ok(row.into())
    }

    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<IncomingWebhook>, PortError> {
        let sql = format!("SELECT {COLUMNS} FROM incoming_webhooks WHERE token_hash = ?");
        Ok(self.hooks(&sql, vec![token_hash.into()]).await?.pop())
    }

    async fn list_for_channel(
        &self,
        channel_id: ChannelId,
    ) -> Result<Vec<IncomingWebhook>, PortError> {
        let sql =
            format!("SELECT {COLUMNS} FROM incoming_webhooks WHERE channel_id = ? ORDER BY id");
        self.hooks(&sql, vec![channel_id.get().into()]).await
    }

    async fn delete(
        &self,
        channel_id: ChannelId,
        id: IncomingWebhookId,
    ) -> Result<Option<IncomingWebhook>, PortError> {
        let sql = format!(
            "DELETE FROM incoming_webhooks WHERE id = ? AND channel_id = ? RETURNING {COLUMNS}"
        );
        Ok(self
            .hooks(&sql, vec![id.get().into(), channel_id.get().into()])
            .await?
            .pop())
    }

    async fn touch(&self, id: IncomingWebhookId, at: DateTime<Utc>) -> Result<(), PortError> {
        self.db
            .execute_raw(statement(
                &self.db,
                "UPDATE incoming_webhooks SET last_used_at = ? WHERE id = ?",
                vec![at.into(), id.get().into()],
            ))
            .await
            .map_err(port_error)?;
        Ok(())
    }
}
