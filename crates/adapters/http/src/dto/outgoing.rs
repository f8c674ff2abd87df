//! Bodies of outgoing webhooks and their delivery log.

use super::auth::field;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::integrations::{CreateOutgoing, CreatedOutgoing};
use tandem_domain::{
    ChannelEventKind, ChannelId, Delivery, EndpointUrl, HookName, OutgoingWebhook, trigger_word,
};
use utoipa::ToSchema;

/// A channel event a webhook can receive (as the WebSocket names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKindDto {
    MessageCreated,
    MessageEdited,
    MessageDeleted,
    ReactionAdded,
    ReactionRemoved,
    MessagePinned,
    MessageUnpinned,
    MemberJoined,
    MemberLeft,
    ChannelUpdated,
    MemberUpdated,
}

impl From<EventKindDto> for ChannelEventKind {
    fn from(kind: EventKindDto) -> Self {
        match kind {
            EventKindDto::MessageCreated => Self::MessageCreated,
            EventKindDto::MessageEdited => Self::MessageEdited,
            EventKindDto::MessageDeleted => Self::MessageDeleted,
            EventKindDto::ReactionAdded => Self::ReactionAdded,
            EventKindDto::ReactionRemoved => Self::ReactionRemoved,
            EventKindDto::MessagePinned => Self::MessagePinned,
            EventKindDto::MessageUnpinned => Self::MessageUnpinned,
            EventKindDto::MemberJoined => Self::MemberJoined,
            EventKindDto::MemberLeft => Self::MemberLeft,
            EventKindDto::ChannelUpdated => Self::ChannelUpdated,
            EventKindDto::MemberUpdated => Self::MemberUpdated,
        }
    }
}

impl From<ChannelEventKind> for EventKindDto {
    fn from(kind: ChannelEventKind) -> Self {
        match kind {
            ChannelEventKind::MessageCreated => Self::MessageCreated,
            ChannelEventKind::MessageEdited => Self::MessageEdited,
            ChannelEventKind::MessageDeleted => Self::MessageDeleted,
            ChannelEventKind::ReactionAdded => Self::ReactionAdded,
            ChannelEventKind::ReactionRemoved => Self::ReactionRemoved,
            ChannelEventKind::MessagePinned => Self::MessagePinned,
            ChannelEventKind::MessageUnpinned => Self::MessageUnpinned,
            ChannelEventKind::MemberJoined => Self::MemberJoined,
            ChannelEventKind::MemberLeft => Self::MemberLeft,
            ChannelEventKind::ChannelUpdated => Self::ChannelUpdated,
            ChannelEventKind::MemberUpdated => Self::MemberUpdated,
        }
    }
}

/// An endpoint to subscribe.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOutgoingRequest {
    /// What it is for: 1–80 characters, no control characters.
    #[schema(
        example = "CI notifier",
        max_length = 80,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// Where deliveries go: `https://` (or `http://`), at a public address unless the operator
    /// allowed the host (`integrations.allowed_hosts`).
    #[schema(example = "https://ci.example.com/tandem-events", max_length = 2048)]
    pub url: String,
    /// At least one.
    #[schema(min_items = 1)]
    pub events: Vec<EventKindDto>,
    /// Only these channels (private ones only when named); every public channel when left out.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub channel_ids: Vec<i64>,
    /// Only new messages whose first word is one of these (case-insensitive), e.g. `!deploy`;
    /// other events are not affected.
    #[serde(default)]
    #[schema(max_items = 20, example = json!(["!deploy"]))]
    pub trigger_words: Vec<String>,
}

impl CreateOutgoingRequest {
    /// # Errors
    /// `validation_failed` for a name, address or trigger word that does not parse, or too
    /// many channels or trigger words.
    pub fn into_command(self) -> Result<CreateOutgoing, ApiError> {
        if self.channel_ids.len() > 100 {
            return Err(ApiError::field(
                "channel_ids",
                "too_many",
                "at most 100 channels",
            ));
        }
        if self.trigger_words.len() > 20 {
            return Err(ApiError::field(
                "trigger_words",
                "too_many",
                "at most 20 trigger words",
            ));
        }
        Ok(CreateOutgoing {
            name: field("name", HookName::parse(&self.name))?,
            url: field("url", EndpointUrl::parse(&self.url))?,
            events: self.events.into_iter().map(Into::into).collect(),
            channel_ids: self.channel_ids.into_iter().map(ChannelId::new).collect(),
            trigger_words: self
                .trigger_words
                .iter()
                .map(|word| field("trigger_words", trigger_word(word)))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Turning a webhook on again (after it was turned off, by an admin or by failing) or off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOutgoingRequest {
    pub is_active: bool,
}

/// A webhook as admins see it: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutgoingWebhookResponse {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<EventKindDto>,
    /// Empty: every public channel.
    pub channel_ids: Vec<i64>,
    pub trigger_words: Vec<String>,
    pub is_active: bool,
    /// Failed deliveries since the last one that succeeded.
    pub consecutive_failures: u32,
    /// Why it is off, when it is.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl From<OutgoingWebhook> for OutgoingWebhookResponse {
    fn from(hook: OutgoingWebhook) -> Self {
        Self {
            id: hook.id.get(),
            name: hook.name.as_str().to_owned(),
            url: hook.url.as_str().to_owned(),
            events: hook.events.into_iter().map(Into::into).collect(),
            channel_ids: hook.channel_ids.into_iter().map(ChannelId::get).collect(),
            trigger_words: hook.trigger_words,
            is_active: hook.is_active,
            consecutive_failures: hook.consecutive_failures,
            disabled_reason: hook.disabled_reason,
            created_by: hook.created_by.get(),
            created_at: hook.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutgoingWebhookList {
    /// Oldest first.
    pub webhooks: Vec<OutgoingWebhookResponse>,
}

/// A new webhook with its signing secret: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOutgoingResponse {
    pub webhook: OutgoingWebhookResponse,
    /// Checks `X-Tandem-Signature`: `v1=` and the hex HMAC-SHA256, with this secret, of
    /// `"{X-Tandem-Timestamp}.{body}"`.
    #[schema(example = "whsec_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h")]
    pub secret: String,
}

impl From<CreatedOutgoing> for CreatedOutgoingResponse {
    fn from(created: CreatedOutgoing) -> Self {
        Self {
            webhook: created.hook.into(),
            secret: created.secret,
        }
    }
}

/// One delivery, with what its last try got.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: i64,
    pub event: EventKindDto,
    /// `pending` (queued, or waiting for another try), `succeeded` or `failed`.
    #[schema(example = "succeeded")]
    pub status: String,
    pub attempts: u32,
    /// The endpoint's HTTP status, when it answered.
    #[schema(required = true)]
    pub response_code: Option<u16>,
    /// How long the last try took, in milliseconds.
    #[schema(required = true)]
    pub latency_ms: Option<i64>,
    /// Why the last try failed, when it did.
    #[schema(required = true)]
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(delivery: Delivery) -> Self {
        Self {
            id: delivery.id.get(),
            event: delivery.event.into(),
            status: delivery.status.as_str().to_owned(),
            attempts: delivery.attempts,
            response_code: delivery.response_code,
            latency_ms: delivery.latency_ms,
            error: delivery.error,
            created_at: delivery.created_at,
            last_attempt_at: delivery.last_attempt_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryResponse>,
}

/// How many deliveries to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// 1–100; 50 when left out.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}
