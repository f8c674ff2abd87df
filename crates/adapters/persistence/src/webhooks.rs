//! Webhooks over `incoming_webhooks`, `outgoing_webhooks` and `webhook_deliveries`, in plain
//! SQL written once for both backends.

use crate::error::{missing_row_is_not_found, port_error};
use crate::guarded::Guarded;
use crate::sql::statement;
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use tandem_app::ports::{
    Attempt, IncomingWebhookRepository, NewDelivery, NewIncomingWebhook, NewOutgoingWebhook,
    NewSlashCommand, OutgoingWebhookRepository, PendingDelivery, PortError, SlashCommandRepository,
    Subscribers,
};
use tandem_domain::{
    ChannelEventKind, ChannelId, CommandTrigger, Delivery, DeliveryId, DeliveryStatus, EndpointUrl,
    HookName, IncomingWebhook, IncomingWebhookId, OrganizationId, OutgoingWebhook,
    OutgoingWebhookId, SlashCommand, SlashCommandId, UserId,
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

    async fn bot_ids(&self, organization_id: OrganizationId) -> Result<Vec<UserId>, PortError> {
        #[derive(FromQueryResult)]
        struct BotRow {
            bot_id: i64,
        }
        // Read when someone is deactivated, not on a hot path: the organization's hooks are
        // few (each has a bot, and an organization has at most 100).
        Ok(BotRow::find_by_statement(statement(
            &self.db,
            "SELECT bot_id FROM incoming_webhooks WHERE organization_id = ?",
            vec![organization_id.get().into()],
        ))
        .all(&self.db)
        .await
        .map_err(port_error)?
        .into_iter()
        .map(|row| UserId::new(row.bot_id))
        .collect())
    }
}

/// Outgoing webhooks over `outgoing_webhooks` and `webhook_deliveries`.
pub(crate) struct SeaOutgoingRepository {
    pub(crate) db: Guarded,
}

const HOOK_COLUMNS: &str = "h.id, h.organization_id, h.name, h.url, h.events, h.channel_ids, \
     h.trigger_words, h.is_active, h.consecutive_failures, h.disabled_reason, h.created_by, \
     h.created_at";
const DELIVERY_COLUMNS: &str = "d.id, d.hook_id, d.event, d.status, d.attempts, \
     d.response_code, d.latency_ms, d.error, d.created_at, d.last_attempt_at";

#[derive(Debug, FromQueryResult)]
struct OutgoingRow {
    id: i64,
    organization_id: i64,
    name: String,
    url: String,
    events: String,
    channel_ids: String,
    trigger_words: String,
    is_active: bool,
    consecutive_failures: i32,
    disabled_reason: Option<String>,
    created_by: i64,
    created_at: DateTime<Utc>,
}

impl From<OutgoingRow> for OutgoingWebhook {
    fn from(row: OutgoingRow) -> Self {
        Self {
            id: OutgoingWebhookId::new(row.id),
            organization_id: OrganizationId::new(row.organization_id),
            name: HookName::from_trusted(row.name),
            url: EndpointUrl::from_trusted(row.url),
            // Written by this adapter; a word it does not know is a newer version's.
            events: row
                .events
                .split_whitespace()
                .filter_map(|kind| kind.parse::<ChannelEventKind>().ok())
                .collect(),
            channel_ids: row
                .channel_ids
                .split_whitespace()
                .filter_map(|id| id.parse().ok().map(ChannelId::new))
                .collect(),
            trigger_words: row
                .trigger_words
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            is_active: row.is_active,
            consecutive_failures: u32::try_from(row.consecutive_failures).unwrap_or_default(),
            disabled_reason: row.disabled_reason,
            created_by: UserId::new(row.created_by),
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct DeliveryRow {
    id: i64,
    hook_id: i64,
    event: String,
    status: String,
    attempts: i32,
    response_code: Option<i32>,
    latency_ms: Option<i64>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = PortError;

    fn try_from(row: DeliveryRow) -> Result<Self, PortError> {
        Ok(Self {
            id: DeliveryId::new(row.id),
            hook_id: OutgoingWebhookId::new(row.hook_id),
            event: row
                .event
                .parse()
                .map_err(|_| PortError::unexpected("webhook_deliveries.event is unknown"))?,
            status: DeliveryStatus::parse(&row.status)
                .ok_or_else(|| PortError::unexpected("webhook_deliveries.status is unknown"))?,
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
            response_code: row.response_code.and_then(|code| u16::try_from(code).ok()),
            latency_ms: row.latency_ms,
            error: row.error,
            created_at: row.created_at,
            last_attempt_at: row.last_attempt_at,
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct SubscriberChannel {
    organization_id: i64,
    kind: String,
}

#[derive(Debug, FromQueryResult)]
struct Failures {
    consecutive_failures: i32,
}

fn words<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl SeaOutgoingRepository {
    async fn hooks(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<OutgoingWebhook>, PortError> {
        Ok(
            OutgoingRow::find_by_statement(statement(&self.db, sql, values))
                .all(&self.db)
                .await
                .map_err(port_error)?
                .into_iter()
                .map(OutgoingWebhook::from)
                .collect(),
        )
    }

    async fn one_hook(
        &self,
        organization_id: OrganizationId,
        id: OutgoingWebhookId,
    ) -> Result<Option<OutgoingWebhook>, PortError> {
        let sql = format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks h WHERE h.id = ? AND h.organization_id = ?"
        );
        Ok(self
            .hooks(&sql, vec![id.get().into(), organization_id.get().into()])
            .await?
            .pop())
    }
}

#[async_trait]
impl OutgoingWebhookRepository for SeaOutgoingRepository {
    async fn create(&self, new: NewOutgoingWebhook) -> Result<OutgoingWebhook, PortError> {
        let events: Vec<&str> = new.events.iter().map(|kind| kind.as_str()).collect();
        let sql = "INSERT INTO outgoing_webhooks (organization_id, name, url, secret_sealed, \
                   events, channel_ids, trigger_words, is_active, consecutive_failures, \
                   created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id";
        let values = vec![
            new.organization_id.get().into(),
            new.name.as_str().into(),
            new.url.as_str().into(),
            new.secret_sealed.into(),
            events.join(" ").into(),
            words(&new.channel_ids).into(),
            new.trigger_words.join(" ").into(),
            true.into(),
            new.created_by.get().into(),
            new.created_at.into(),
        ];
        let row = IdRow::find_by_statement(statement(&self.db, sql, values))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
        self.one_hook(new.organization_id, OutgoingWebhookId::new(row.id))
            .await?
            .ok_or_else(|| PortError::unexpected("a webhook just stored is missing"))
    }

    async fn list(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<OutgoingWebhook>, PortError> {
        let sql = format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks h WHERE h.organization_id = ? ORDER BY h.id"
        );
        self.hooks(&sql, vec![organization_id.get().into()]).await
    }

    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: OutgoingWebhookId,
    ) -> Result<Option<OutgoingWebhook>, PortError> {
        let Some(hook) = self.one_hook(organization_id, id).await? else {
            return Ok(None);
        };
        let txn = begin_write(&self.db).await?;
        for sql in [
            "DELETE FROM webhook_deliveries WHERE hook_id = ?",
            "DELETE FROM outgoing_webhooks WHERE id = ?",
        ] {
            txn.execute_raw(statement(&self.db, sql, vec![id.get().into()]))
                .await
                .map_err(port_error)?;
        }
        txn.commit().await.map_err(port_error)?;
        Ok(Some(hook))
    }

    async fn set_active(
        &self,
        organization_id: OrganizationId,
        id: OutgoingWebhookId,
        active: bool,
        reason: Option<String>,
    ) -> Result<Option<OutgoingWebhook>, PortError> {
        let sql = if active {
            "UPDATE outgoing_webhooks SET is_active = ?, disabled_reason = ?, \
             consecutive_failures = 0 WHERE id = ? AND organization_id = ?"
        } else {
            "UPDATE outgoing_webhooks SET is_active = ?, disabled_reason = ? \
             WHERE id = ? AND organization_id = ?"
        };
        self.db
            .execute_raw(statement(
                &self.db,
                sql,
                vec![
                    active.into(),
                    reason.into(),
                    id.get().into(),
                    organization_id.get().into(),
                ],
            ))
            .await
            .map_err(port_error)?;
        self.one_hook(organization_id, id).await
    }

    async fn subscribers(&self, channel_id: ChannelId) -> Result<Option<Subscribers>, PortError> {
        let Some(channel) = SubscriberChannel::find_by_statement(statement(
            &self.db,
            "SELECT organization_id, kind FROM channels WHERE id = ?",
            vec![channel_id.get().into()],
        ))
        .one(&self.db)
        .await
        .map_err(port_error)?
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {HOOK_COLUMNS} FROM outgoing_webhooks h \
             WHERE h.organization_id = ? AND h.is_active ORDER BY h.id"
        );
        let hooks = self
            .hooks(&sql, vec![channel.organization_id.into()])
            .await?;
        Ok(Some(Subscribers {
            private: channel.kind != "public",
            hooks,
        }))
    }

    async fn add_deliveries(&self, new: Vec<NewDelivery>) -> Result<Vec<DeliveryId>, PortError> {
        let mut ids = Vec::with_capacity(new.len());
        for delivery in new {
            let row = IdRow::find_by_statement(statement(
                &self.db,
                "INSERT INTO webhook_deliveries (hook_id, event, body, status, attempts, \
                 created_at) VALUES (?, ?, ?, ?, 0, ?) RETURNING id",
                vec![
                    delivery.hook_id.get().into(),
                    delivery.event.as_str().into(),
                    delivery.body.into(),
                    DeliveryStatus::Pending.as_str().into(),
                    delivery.created_at.into(),
                ],
            ))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
            ids.push(DeliveryId::new(row.id));
        }
        Ok(ids)
    }

    async fn pending(&self, id: DeliveryId) -> Result<Option<PendingDelivery>, PortError> {
        let sql =
            format!("SELECT {DELIVERY_COLUMNS}, d.body FROM webhook_deliveries d WHERE d.id = ?");
        let Some(found) = self
            .db
            .query_one_raw(statement(&self.db, &sql, vec![id.get().into()]))
            .await
            .map_err(port_error)?
        else {
            return Ok(None);
        };
        let delivery =
            Delivery::try_from(DeliveryRow::from_query_result(&found, "").map_err(port_error)?)?;
        let body: String = found.try_get("", "body").map_err(port_error)?;
        let sql = format!(
            "SELECT {HOOK_COLUMNS}, h.secret_sealed FROM outgoing_webhooks h WHERE h.id = ?"
        );
        let Some(found) = self
            .db
            .query_one_raw(statement(
                &self.db,
                &sql,
                vec![delivery.hook_id.get().into()],
            ))
            .await
            .map_err(port_error)?
        else {
            return Ok(None);
        };
        Ok(Some(PendingDelivery {
            delivery,
            hook: OutgoingRow::from_query_result(&found, "")
                .map_err(port_error)?
                .into(),
            secret_sealed: found.try_get("", "secret_sealed").map_err(port_error)?,
            body,
        }))
    }

    async fn record(&self, id: DeliveryId, attempt: Attempt) -> Result<u32, PortError> {
        let txn = begin_write(&self.db).await?;
        txn.execute_raw(statement(
            &self.db,
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, \
             response_code = ?, latency_ms = ?, error = ?, last_attempt_at = ? WHERE id = ?",
            vec![
                attempt.status.as_str().into(),
                attempt.response_code.map(i32::from).into(),
                attempt.latency_ms.into(),
                attempt.error.into(),
                attempt.at.into(),
                id.get().into(),
            ],
        ))
        .await
        .map_err(port_error)?;
        let failures = if attempt.status == DeliveryStatus::Succeeded {
            "0"
        } else {
            "consecutive_failures + 1"
        };
        let row = Failures::find_by_statement(statement(
            &self.db,
            &format!(
                "UPDATE outgoing_webhooks SET consecutive_failures = {failures} \
                 WHERE id = (SELECT hook_id FROM webhook_deliveries WHERE id = ?) \
                 RETURNING consecutive_failures"
            ),
            vec![id.get().into()],
        ))
        .one(&txn)
        .await
        .map_err(port_error)?;
        txn.commit().await.map_err(port_error)?;
        Ok(row
            .and_then(|row| u32::try_from(row.consecutive_failures).ok())
            .unwrap_or_default())
    }

    async fn deliveries(
        &self,
        organization_id: OrganizationId,
        hook_id: OutgoingWebhookId,
        limit: u64,
    ) -> Result<Vec<Delivery>, PortError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN outgoing_webhooks h ON h.id = d.hook_id \
             WHERE d.hook_id = ? AND h.organization_id = ? ORDER BY d.id DESC LIMIT ?"
        );
        DeliveryRow::find_by_statement(statement(
            &self.db,
            &sql,
            vec![
                hook_id.get().into(),
                organization_id.get().into(),
                i64::try_from(limit).unwrap_or(100).into(),
            ],
        ))
        .all(&self.db)
        .await
        .map_err(port_error)?
        .into_iter()
        .map(Delivery::try_from)
        .collect()
    }
}

#[derive(Debug, FromQueryResult)]
struct IdRow {
    id: i64,
}

/// Custom slash commands over `slash_commands`.
pub(crate) struct SeaSlashCommandRepository {
    pub(crate) db: Guarded,
}

const COMMAND_COLUMNS: &str =
    "id, organization_id, trigger, url, secret_sealed, description, created_by, created_at";

#[derive(Debug, FromQueryResult)]
struct CommandRow {
    id: i64,
    organization_id: i64,
    trigger: String,
    url: String,
    secret_sealed: String,
    description: String,
    created_by: i64,
    created_at: DateTime<Utc>,
}

impl CommandRow {
    fn into_parts(self) -> (SlashCommand, String) {
        (
            SlashCommand {
                id: SlashCommandId::new(self.id),
                organization_id: OrganizationId::new(self.organization_id),
                trigger: CommandTrigger::from_trusted(self.trigger),
                url: EndpointUrl::from_trusted(self.url),
                description: self.description,
                created_by: UserId::new(self.created_by),
                created_at: self.created_at,
            },
            self.secret_sealed,
        )
    }
}

impl SeaSlashCommandRepository {
    async fn commands(&self, sql: &str, values: Vec<Value>) -> Result<Vec<CommandRow>, PortError> {
        CommandRow::find_by_statement(statement(&self.db, sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)
    }
}

#[async_trait]
impl SlashCommandRepository for SeaSlashCommandRepository {
    async fn create(&self, new: NewSlashCommand) -> Result<SlashCommand, PortError> {
        let sql = format!(
            "INSERT INTO slash_commands (organization_id, trigger, url, secret_sealed, \
             description, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             RETURNING {COMMAND_COLUMNS}"
        );
        let values = vec![
            new.organization_id.get().into(),
            new.trigger.as_str().into(),
            new.url.as_str().into(),
            new.secret_sealed.into(),
            new.description.into(),
            new.created_by.get().into(),
            new.created_at.into(),
        ];
        let row = CommandRow::find_by_statement(statement(&self.db, &sql, values))
            .one(&self.db)
            .await
            .map_err(missing_row_is_not_found)?
            .ok_or_else(|| PortError::unexpected("INSERT … RETURNING returned no row"))?;
        Ok(row.into_parts().0)
    }

    async fn list(&self, organization_id: OrganizationId) -> Result<Vec<SlashCommand>, PortError> {
        let sql = format!(
            "SELECT {COMMAND_COLUMNS} FROM slash_commands WHERE organization_id = ? ORDER BY trigger"
        );
        Ok(self
            .commands(&sql, vec![organization_id.get().into()])
            .await?
            .into_iter()
            .map(|row| row.into_parts().0)
            .collect())
    }

    async fn find(
        &self,
        organization_id: OrganizationId,
        trigger: &str,
    ) -> Result<Option<(SlashCommand, String)>, PortError> {
        let sql = format!(
            "SELECT {COMMAND_COLUMNS} FROM slash_commands WHERE organization_id = ? AND trigger = ?"
        );
        Ok(self
            .commands(&sql, vec![organization_id.get().into(), trigger.into()])
            .await?
            .pop()
            .map(CommandRow::into_parts))
    }

    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: SlashCommandId,
    ) -> Result<Option<SlashCommand>, PortError> {
        let sql = format!(
            "DELETE FROM slash_commands WHERE id = ? AND organization_id = ? \
             RETURNING {COMMAND_COLUMNS}"
        );
        Ok(self
            .commands(&sql, vec![id.get().into(), organization_id.get().into()])
            .await?
            .pop()
            .map(|row| row.into_parts().0))
    }
}
