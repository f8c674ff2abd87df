//! Incoming webhooks, stored by the digest of their secret.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    ChannelId, HookName, IncomingWebhook, IncomingWebhookId, OrganizationId, UserId,
};

#[derive(Debug, Clone)]
pub struct NewIncomingWebhook {
    pub organization_id: OrganizationId,
    pub channel_id: ChannelId,
    pub bot_id: UserId,
    pub name: HookName,
    /// The SHA-256 digest of the secret (URL-safe base64).
    pub token_hash: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait IncomingWebhookRepository: Send + Sync {
    /// # Errors
    /// `NotFound` when the channel, bot or maker no longer exists; `Unavailable`.
    async fn create(&self, new: NewIncomingWebhook) -> Result<IncomingWebhook, PortError>;

    /// The hook whose secret has this digest.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<IncomingWebhook>, PortError>;

    /// A channel's hooks, oldest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_for_channel(
        &self,
        channel_id: ChannelId,
    ) -> Result<Vec<IncomingWebhook>, PortError>;

    /// Deletes the hook `id` of the channel; returns it, or `None` when there is none.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete(
        &self,
        channel_id: ChannelId,
        id: IncomingWebhookId,
    ) -> Result<Option<IncomingWebhook>, PortError>;

    /// Records a use of the hook.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn touch(&self, id: IncomingWebhookId, at: DateTime<Utc>) -> Result<(), PortError>;
}
