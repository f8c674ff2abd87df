//! Webhooks: incoming ones, stored by the digest of their secret; outgoing ones with their
//! delivery log; custom slash commands; and the HTTP client that reaches other systems.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    ChannelEventKind, ChannelId, CommandTrigger, Delivery, DeliveryId, DeliveryStatus, EndpointUrl,
    HookName, IncomingWebhook, IncomingWebhookId, OrganizationId, OutgoingWebhook,
    OutgoingWebhookId, SlashCommand, SlashCommandId, UserId,
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

    /// The bots the organization's hooks post as, in no order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn bot_ids(&self, organization_id: OrganizationId) -> Result<Vec<UserId>, PortError>;
}

/// An outgoing webhook to store.
#[derive(Debug, Clone)]
pub struct NewOutgoingWebhook {
    pub organization_id: OrganizationId,
    pub name: HookName,
    pub url: EndpointUrl,
    /// The signing secret, sealed by the [`SecretBox`](super::SecretBox).
    pub secret_sealed: String,
    pub events: Vec<ChannelEventKind>,
    pub channel_ids: Vec<ChannelId>,
    pub trigger_words: Vec<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// An event to deliver to one hook: the exact bytes every try sends.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub hook_id: OutgoingWebhookId,
    pub event: ChannelEventKind,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A delivery with what a try needs: its hook, the sealed secret and the body.
#[derive(Debug, Clone)]
pub struct PendingDelivery {
    pub delivery: Delivery,
    pub hook: OutgoingWebhook,
    pub secret_sealed: String,
    pub body: String,
}

/// What one try got.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    /// `Succeeded`, `Pending` (another try comes) or `Failed` (no more).
    pub status: DeliveryStatus,
    pub response_code: Option<u16>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
}

/// The active outgoing webhooks of a channel's organization, and whether the channel is
/// private (only hooks naming it get its events then).
#[derive(Debug, Clone, Default)]
pub struct Subscribers {
    pub private: bool,
    pub hooks: Vec<OutgoingWebhook>,
}

#[async_trait]
pub trait OutgoingWebhookRepository: Send + Sync {
    /// # Errors
    /// `NotFound` when the organization or maker no longer exists; `Unavailable`.
    async fn create(&self, new: NewOutgoingWebhook) -> Result<OutgoingWebhook, PortError>;

    /// The organization's hooks, oldest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<OutgoingWebhook>, PortError>;

    /// Deletes the hook (and its delivery log); returns it, or `None` when there is none.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: OutgoingWebhookId,
    ) -> Result<Option<OutgoingWebhook>, PortError>;

    /// Turns a hook on (its failure count back to 0) or off with a reason; `None` when there
    /// is no such hook.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn set_active(
        &self,
        organization_id: OrganizationId,
        id: OutgoingWebhookId,
        active: bool,
        reason: Option<String>,
    ) -> Result<Option<OutgoingWebhook>, PortError>;

    /// The active hooks of the organization `channel_id` belongs to; `None` for no such
    /// channel.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn subscribers(&self, channel_id: ChannelId) -> Result<Option<Subscribers>, PortError>;

    /// Stores deliveries to make; their ids, in order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn add_deliveries(&self, new: Vec<NewDelivery>) -> Result<Vec<DeliveryId>, PortError>;

    /// A delivery with its hook; `None` once the hook was deleted.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn pending(&self, id: DeliveryId) -> Result<Option<PendingDelivery>, PortError>;

    /// Records a try on the delivery (one more attempt) and on its hook: a success sets its
    /// failures in a row to 0, a failure adds one. Returns the hook's failures in a row.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn record(&self, id: DeliveryId, attempt: Attempt) -> Result<u32, PortError>;

    /// A hook's latest deliveries, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn deliveries(
        &self,
        organization_id: OrganizationId,
        hook_id: OutgoingWebhookId,
        limit: u64,
    ) -> Result<Vec<Delivery>, PortError>;
}

/// A slash command to store.
#[derive(Debug, Clone)]
pub struct NewSlashCommand {
    pub organization_id: OrganizationId,
    pub trigger: CommandTrigger,
    pub url: EndpointUrl,
    pub secret_sealed: String,
    pub description: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait SlashCommandRepository: Send + Sync {
    /// # Errors
    /// `NotFound` when the organization or maker no longer exists; `Unavailable`; an error
    /// when the organization has a command of this name already (a unique index holds).
    async fn create(&self, new: NewSlashCommand) -> Result<SlashCommand, PortError>;

    /// The organization's commands, by name.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list(&self, organization_id: OrganizationId) -> Result<Vec<SlashCommand>, PortError>;

    /// The command of this name, with its sealed secret.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find(
        &self,
        organization_id: OrganizationId,
        trigger: &str,
    ) -> Result<Option<(SlashCommand, String)>, PortError>;

    /// Deletes the command; returns it, or `None` when there is none.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: SlashCommandId,
    ) -> Result<Option<SlashCommand>, PortError>;
}

/// A request to another system's endpoint.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What the endpoint answered (its body is read up to a cap, then dropped).
#[derive(Debug, Clone)]
pub struct OutboundReply {
    pub status: u16,
    pub latency: std::time::Duration,
    /// The answer's first bytes, up to the cap.
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum OutboundError {
    /// The address may not be reached (a private, loopback, link-local or otherwise reserved
    /// one, and no allowed host); nothing was sent, and nothing would be on a retry.
    #[error("{0}")]
    Refused(String),
    /// Could not connect, timed out, or the answer broke off: worth another try.
    #[error("{0}")]
    Failed(String),
}

/// Sends requests to other systems' endpoints: only to addresses that may be reached (checked
/// on the addresses the name resolves to, before connecting, and connecting to those), with a
/// timeout, no redirects, and a cap on the answer read.
#[async_trait]
pub trait OutboundHttp: Send + Sync {
    /// Whether `url` may be reached now, without sending anything.
    ///
    /// # Errors
    /// `Refused`, or `Failed` when the name does not resolve.
    async fn check(&self, url: &str) -> Result<(), OutboundError>;

    /// POSTs the request.
    ///
    /// # Errors
    /// `Refused` (nothing sent), `Failed`.
    async fn post(&self, request: OutboundRequest) -> Result<OutboundReply, OutboundError>;
}
