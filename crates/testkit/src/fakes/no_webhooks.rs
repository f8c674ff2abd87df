//! Incoming webhooks that nobody has made, for use-case tests of other areas: no hook is
//! ever found, and making one is a test failure with a clear message. Hooks are tested
//! black-box on both databases (`tests/api/webhooks.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    Attempt, IncomingWebhookRepository, NewDelivery, NewIncomingWebhook, NewOutgoingWebhook,
    NewSlashCommand, OutboundError, OutboundHttp, OutboundReply, OutboundRequest,
    OutgoingWebhookRepository, PendingDelivery, PortError, SlashCommandRepository, Subscribers,
};
use tandem_domain::{
    ChannelId, Delivery, DeliveryId, IncomingWebhook, IncomingWebhookId, OrganizationId,
    OutgoingWebhook, OutgoingWebhookId, SlashCommand, SlashCommandId, UserId,
};

pub struct NoWebhooks;

#[async_trait]
impl IncomingWebhookRepository for NoWebhooks {
    async fn create(&self, _: NewIncomingWebhook) -> Result<IncomingWebhook, PortError> {
        Err(PortError::unexpected(
            "incoming webhooks are not faked in these tests",
        ))
    }

    async fn find_by_hash(&self, _: &str) -> Result<Option<IncomingWebhook>, PortError> {
        Ok(None)
    }

    async fn list_for_channel(&self, _: ChannelId) -> Result<Vec<IncomingWebhook>, PortError> {
        Ok(Vec::new())
    }

    async fn delete(
        &self,
        _: ChannelId,
        _: IncomingWebhookId,
    ) -> Result<Option<IncomingWebhook>, PortError> {
        Ok(None)
    }

    async fn touch(&self, _: IncomingWebhookId, _: DateTime<Utc>) -> Result<(), PortError> {
        Ok(())
    }

    async fn bot_ids(&self, _: OrganizationId) -> Result<Vec<UserId>, PortError> {
        Ok(Vec::new())
    }
}

/// Outgoing webhooks that nobody has made: no channel has subscribers, and anything else is a
/// test failure with a clear message. Tested black-box in `tests/api/outgoing_webhooks.rs`.
pub struct NoOutgoingWebhooks;

fn not_faked<T>() -> Result<T, PortError> {
    Err(PortError::unexpected(
        "outgoing webhooks are not faked in these tests",
    ))
}

#[async_trait]
impl OutgoingWebhookRepository for NoOutgoingWebhooks {
    async fn create(&self, _: NewOutgoingWebhook) -> Result<OutgoingWebhook, PortError> {
        not_faked()
    }

    async fn list(&self, _: OrganizationId) -> Result<Vec<OutgoingWebhook>, PortError> {
        Ok(Vec::new())
    }

    async fn delete(
        &self,
        _: OrganizationId,
        _: OutgoingWebhookId,
    ) -> Result<Option<OutgoingWebhook>, PortError> {
        Ok(None)
    }

    async fn set_active(
        &self,
        _: OrganizationId,
        _: OutgoingWebhookId,
        _: bool,
        _: Option<String>,
    ) -> Result<Option<OutgoingWebhook>, PortError> {
        Ok(None)
    }

    async fn subscribers(&self, _: ChannelId) -> Result<Option<Subscribers>, PortError> {
        Ok(None)
    }

    async fn add_deliveries(&self, _: Vec<NewDelivery>) -> Result<Vec<DeliveryId>, PortError> {
        not_faked()
    }

    async fn pending(&self, _: DeliveryId) -> Result<Option<PendingDelivery>, PortError> {
        Ok(None)
    }

    async fn record(&self, _: DeliveryId, _: Attempt) -> Result<u32, PortError> {
        not_faked()
    }

    async fn deliveries(
        &self,
        _: OrganizationId,
        _: OutgoingWebhookId,
        _: u64,
    ) -> Result<Vec<Delivery>, PortError> {
        Ok(Vec::new())
    }
}

/// An HTTP client that reaches nothing: use-case tests never send traffic anywhere.
pub struct NoOutbound;

#[async_trait]
impl OutboundHttp for NoOutbound {
    async fn check(&self, _: &str) -> Result<(), OutboundError> {
        Err(OutboundError::Refused(
            "no outbound requests in these tests".to_owned(),
        ))
    }

    async fn post(&self, _: OutboundRequest) -> Result<OutboundReply, OutboundError> {
        Err(OutboundError::Refused(
            "no outbound requests in these tests".to_owned(),
        ))
    }
}

/// Slash commands that nobody has made. Tested black-box in `tests/api/slash_commands.rs`.
pub struct NoSlashCommands;

#[async_trait]
impl SlashCommandRepository for NoSlashCommands {
    async fn create(&self, _: NewSlashCommand) -> Result<SlashCommand, PortError> {
        not_faked()
    }

    async fn list(&self, _: OrganizationId) -> Result<Vec<SlashCommand>, PortError> {
        Ok(Vec::new())
    }

    async fn find(
        &self,
        _: OrganizationId,
        _: &str,
    ) -> Result<Option<(SlashCommand, String)>, PortError> {
        Ok(None)
    }

    async fn delete(
        &self,
        _: OrganizationId,
        _: SlashCommandId,
    ) -> Result<Option<SlashCommand>, PortError> {
        Ok(None)
    }
}
