//! Outgoing webhooks: an organization's admins subscribe another system's endpoint to channel
//! events. Every stored channel change is offered to the organization's active hooks; each
//! that wants it gets a delivery (the same event frame the WebSocket sends, wrapped with the
//! hook and event names), stored and sent by the job queue: signed with the hook's secret,
//! tried again with backoff after a failure, logged with its status, latency and answer, and
//! the hook is turned off after too many failures in a row. Addresses that may not be reached
//! (private, loopback, link-local…) are refused before anything is sent.

use super::signature::sign;
use crate::IntegrationsContext;
use crate::auth::Authenticated;
use crate::auth::session::random_secret;
use crate::jobs::JobOutcome;
use crate::ports::{
    Attempt, Clock, Job, JobQueue, NewDelivery, NewOutgoingWebhook, OutboundError, OutboundRequest,
    OutgoingWebhookRepository, PortError, Subscribers,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, ChannelId, ChannelKind, Delivery, DeliveryId, DeliveryStatus,
    EndpointUrl, HookName, OutgoingWebhook, OutgoingWebhookId, Role,
};

/// What every signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// At most this many outgoing webhooks per organization.
pub const MAX_PER_ORGANIZATION: usize = 50;
/// How long a node keeps an organization's hooks before reading them again: a hook made,
/// changed or deleted on another node takes effect here within this.
const SUBSCRIBERS_TTL: Duration = Duration::from_secs(5);

/// Tunables of deliveries, from settings.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Tries per delivery, the first included.
    pub max_attempts: u32,
    /// Failed deliveries in a row that turn a hook off.
    pub disable_after_failures: u32,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            disable_after_failures: 10,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutgoingError {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("no such webhook")]
    NotFound,
    /// The address may not be reached from here.
    #[error("{0}")]
    AddressNotAllowed(String),
    /// The organization has a slash command of this name.
    #[error("{0}")]
    TriggerTaken(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    #[error(transparent)]
    Port(#[from] PortError),
}

/// A subscription to make.
#[derive(Debug, Clone)]
pub struct CreateOutgoing {
    pub name: HookName,
    pub url: EndpointUrl,
    pub events: Vec<ChannelEventKind>,
    pub channel_ids: Vec<ChannelId>,
    pub trigger_words: Vec<String>,
}

/// A new hook and its signing secret, which exists only in this answer.
#[derive(Debug)]
pub struct CreatedOutgoing {
    pub hook: OutgoingWebhook,
    pub secret: String,
}

/// Offers stored channel changes to the outgoing webhooks that want them. Held by the
/// [`Announcer`](crate::realtime::Announcer), which sees every change.
pub struct EventSubscriptions {
    hooks: Arc<dyn OutgoingWebhookRepository>,
    jobs: Arc<dyn JobQueue>,
    clock: Arc<dyn Clock>,
    /// Per channel: when it was read, and the organization's active hooks.
    cache: Mutex<HashMap<ChannelId, Cached>>,
}

/// When a channel's subscribers were read, and what was read (`None`: no such channel).
type Cached = (Instant, Option<Arc<Subscribers>>);

impl EventSubscriptions {
    pub fn new(
        hooks: Arc<dyn OutgoingWebhookRepository>,
        jobs: Arc<dyn JobQueue>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            hooks,
            jobs,
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets what this node read: its next offers read the hooks again.
    pub fn forget(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }

    async fn subscribers(
        &self,
        channel_id: ChannelId,
    ) -> Result<Option<Arc<Subscribers>>, PortError> {
        if let Ok(cache) = self.cache.lock()
            && let Some((read, subscribers)) = cache.get(&channel_id)
            && read.elapsed() < SUBSCRIBERS_TTL
        {
            return Ok(subscribers.clone());
        }
        let read = self.hooks.subscribers(channel_id).await?.map(Arc::new);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(channel_id, (Instant::now(), read.clone()));
        }
        Ok(read)
    }

    /// Stores and queues a delivery of the change (`frame`, as the WebSocket sends it) for
    /// each hook that wants it. Best effort, as announcing is: a failure is logged.
    pub(crate) async fn offer(&self, event: &ChannelEvent, text: Option<&str>, frame: &str) {
        if let Err(error) = self.deliveries(event, text, frame).await {
            tracing::warn!(channel_id = %event.channel_id, seq = event.seq, %error, "could not queue outgoing webhook deliveries");
        }
    }

    async fn deliveries(
        &self,
        event: &ChannelEvent,
        text: Option<&str>,
        frame: &str,
    ) -> Result<(), PortError> {
        let Some(subscribers) = self.subscribers(event.channel_id).await? else {
            return Ok(());
        };
        let now = self.clock.now();
        let new: Vec<NewDelivery> = subscribers
            .hooks
            .iter()
            .filter(|hook| hook.wants(event.kind, event.channel_id, subscribers.private, text))
            .map(|hook| NewDelivery {
                hook_id: hook.id,
                event: event.kind,
                body: format!(
                    r#"{{"hook_id":{},"event":"{}","channel_id":{},"data":{frame}}}"#,
                    hook.id,
                    event.kind.as_str(),
                    event.channel_id
                ),
                created_at: now,
            })
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        for id in self.hooks.add_deliveries(new).await? {
            crate::jobs::queue(
                &*self.jobs,
                &*self.clock,
                Job::DeliverWebhook {
                    delivery_id: id.get(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// Subscribes an endpoint (admins, signed in). The address is checked now (it must be one
/// that may be reached) and again on every delivery.
///
/// # Errors
/// `Forbidden`, `NotFound` (a channel not in the organization), `Invalid` (no event, a direct
/// conversation, [`MAX_PER_ORGANIZATION`] already), `AddressNotAllowed`, `Port`.
pub async fn create_outgoing(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    request: CreateOutgoing,
) -> Result<CreatedOutgoing, OutgoingError> {
    admin(caller)?;
    let organization_id = caller.user.organization_id;
    let mut events = request.events;
    events.sort_by_key(|kind| kind.as_str());
    events.dedup();
    if events.is_empty() {
        return Err(invalid("events", "required", "choose at least one event"));
    }
    let mut channel_ids = request.channel_ids;
    channel_ids.sort_unstable();
    channel_ids.dedup();
    for id in &channel_ids {
        let channel = ctx
            .chat
            .channels
            .find_by_id(*id)
            .await?
            .filter(|c| c.organization_id == organization_id)
            .ok_or(OutgoingError::NotFound)?;
        if channel.kind == ChannelKind::Direct {
            return Err(invalid(
                "channel_ids",
                "invalid_channel",
                format!("channel {id} is a direct conversation, which webhooks do not hear"),
            ));
        }
    }
    if ctx.outgoing.list(organization_id).await?.len() >= MAX_PER_ORGANIZATION {
        return Err(invalid(
            "name",
            "too_many_webhooks",
            format!("your organization has {MAX_PER_ORGANIZATION} outgoing webhooks already"),
        ));
    }
    check_address(ctx, &request.url).await?;
    let secret = format!("{SECRET_PREFIX}{}", random_secret());
    let hook = ctx
        .outgoing
        .create(NewOutgoingWebhook {
            organization_id,
            name: request.name,
            url: request.url,
            secret_sealed: ctx.auth.secrets.seal(&secret),
            events,
            channel_ids,
            trigger_words: request.trigger_words,
            created_by: caller.user.id,
            created_at: ctx.clock.now(),
        })
        .await?;
    ctx.subscriptions.forget();
    tracing::info!(user_id = %caller.user.id, hook_id = %hook.id, "outgoing webhook created");
    Ok(CreatedOutgoing { hook, secret })
}

/// The organization's outgoing webhooks, oldest first (admins).
///
/// # Errors
/// `Forbidden`, `Port`.
pub async fn list_outgoing(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
) -> Result<Vec<OutgoingWebhook>, OutgoingError> {
    admin(caller)?;
    Ok(ctx.outgoing.list(caller.user.organization_id).await?)
}

/// Deletes a hook and its delivery log (admins); deliveries still queued are dropped.
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn delete_outgoing(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    id: OutgoingWebhookId,
) -> Result<(), OutgoingError> {
    admin(caller)?;
    ctx.outgoing
        .delete(caller.user.organization_id, id)
        .await?
        .ok_or(OutgoingError::NotFound)?;
    ctx.subscriptions.forget();
    tracing::info!(user_id = %caller.user.id, hook_id = %id, "outgoing webhook deleted");
    Ok(())
}

/// Turns a hook on again (its failures in a row back to 0) or off (admins).
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn set_outgoing_active(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    id: OutgoingWebhookId,
    active: bool,
) -> Result<OutgoingWebhook, OutgoingError> {
    admin(caller)?;
    let reason = (!active).then(|| format!("turned off by @{}", caller.user.username.as_str()));
    let hook = ctx
        .outgoing
        .set_active(caller.user.organization_id, id, active, reason)
        .await?
        .ok_or(OutgoingError::NotFound)?;
    ctx.subscriptions.forget();
    tracing::info!(user_id = %caller.user.id, hook_id = %id, active, "outgoing webhook switched");
    Ok(hook)
}

/// A hook's latest deliveries, newest first (admins).
///
/// # Errors
/// `Forbidden`, `NotFound`, `Port`.
pub async fn outgoing_deliveries(
    ctx: &IntegrationsContext,
    caller: &Authenticated,
    id: OutgoingWebhookId,
    limit: u64,
) -> Result<Vec<Delivery>, OutgoingError> {
    admin(caller)?;
    let organization_id = caller.user.organization_id;
    if !ctx
        .outgoing
        .list(organization_id)
        .await?
        .iter()
        .any(|hook| hook.id == id)
    {
        return Err(OutgoingError::NotFound);
    }
    Ok(ctx
        .outgoing
        .deliveries(organization_id, id, limit.clamp(1, 100))
        .await?)
}

/// The `deliver_webhook` job: one try at a delivery.
pub async fn deliver(ctx: &IntegrationsContext, id: DeliveryId) -> JobOutcome {
    match try_delivery(ctx, id).await {
        Ok(outcome) => outcome,
        Err(error) => JobOutcome::Retry(error.to_string()),
    }
}

async fn try_delivery(ctx: &IntegrationsContext, id: DeliveryId) -> Result<JobOutcome, PortError> {
    let Some(pending) = ctx.outgoing.pending(id).await? else {
        return Ok(JobOutcome::Done);
    };
    if pending.delivery.status != DeliveryStatus::Pending {
        return Ok(JobOutcome::Done);
    }
    let hook = &pending.hook;
    let now = ctx.clock.now();
    if !hook.is_active {
        let attempt = failed(
            now,
            DeliveryStatus::Failed,
            None,
            "the webhook is turned off",
        );
        ctx.outgoing.record(id, attempt).await?;
        return Ok(JobOutcome::Done);
    }
    let Some(secret) = ctx.auth.secrets.open(&pending.secret_sealed) else {
        let attempt = failed(
            now,
            DeliveryStatus::Failed,
            None,
            "its signing secret cannot be read",
        );
        ctx.outgoing.record(id, attempt).await?;
        return Ok(JobOutcome::GiveUp(
            "the signing secret cannot be read".to_owned(),
        ));
    };
    let timestamp = now.timestamp();
    let request = OutboundRequest {
        url: hook.url.as_str().to_owned(),
        headers: vec![
            ("content-type", "application/json".to_owned()),
            ("user-agent", "Tandem-Webhooks/1".to_owned()),
            ("x-tandem-event", pending.delivery.event.as_str().to_owned()),
            ("x-tandem-delivery", id.to_string()),
            ("x-tandem-timestamp", timestamp.to_string()),
            (
                "x-tandem-signature",
                sign(&secret, timestamp, &pending.body),
            ),
        ],
        body: pending.body.clone(),
    };
    let answer = ctx.outbound.post(request).await;
    let tries = pending.delivery.attempts + 1;
    let out_of_tries = tries >= ctx.delivery.max_attempts;
    let (attempt, permanent, why) = match answer {
        Ok(reply) if (200..300).contains(&reply.status) => {
            let attempt = Attempt {
                at: ctx.clock.now(),
                status: DeliveryStatus::Succeeded,
                response_code: Some(reply.status),
                latency_ms: i64::try_from(reply.latency.as_millis()).ok(),
                error: None,
            };
            ctx.outgoing.record(id, attempt).await?;
            return Ok(JobOutcome::Done);
        }
        Ok(reply) => {
            let why = format!("the endpoint answered {}", reply.status);
            let status = if out_of_tries {
                DeliveryStatus::Failed
            } else {
                DeliveryStatus::Pending
            };
            let mut attempt = failed(ctx.clock.now(), status, Some(reply.status), &why);
            attempt.latency_ms = i64::try_from(reply.latency.as_millis()).ok();
            (attempt, out_of_tries, why)
        }
        Err(OutboundError::Refused(why)) => (
            failed(ctx.clock.now(), DeliveryStatus::Failed, None, &why),
            true,
            why,
        ),
        Err(OutboundError::Failed(why)) => {
            let status = if out_of_tries {
                DeliveryStatus::Failed
            } else {
                DeliveryStatus::Pending
            };
            (
                failed(ctx.clock.now(), status, None, &why),
                out_of_tries,
                why,
            )
        }
    };
    let failures = ctx.outgoing.record(id, attempt).await?;
    if failures >= ctx.delivery.disable_after_failures {
        let reason = format!("turned off after {failures} failed deliveries in a row ({why})");
        ctx.outgoing
            .set_active(hook.organization_id, hook.id, false, Some(reason))
            .await?;
        ctx.subscriptions.forget();
        tracing::warn!(hook_id = %hook.id, failures, "outgoing webhook turned off after failing");
        // A delivery left pending is closed on its next run, which finds the hook off.
        return Ok(if permanent {
            JobOutcome::GiveUp(why)
        } else {
            JobOutcome::Retry(why)
        });
    }
    Ok(if permanent {
        JobOutcome::GiveUp(why)
    } else {
        JobOutcome::Retry(why)
    })
}

/// Refuses an address that may not be reached; one whose name does not resolve now is taken
/// (deliveries to it fail, and say so in the log, until it does).
pub(super) async fn check_address(
    ctx: &IntegrationsContext,
    url: &EndpointUrl,
) -> Result<(), OutgoingError> {
    match ctx.outbound.check(url.as_str()).await {
        Ok(()) => Ok(()),
        Err(OutboundError::Refused(why)) => Err(OutgoingError::AddressNotAllowed(why)),
        Err(OutboundError::Failed(why)) => {
            tracing::info!(%why, "a webhook address does not resolve yet");
            Ok(())
        }
    }
}

fn failed(
    at: chrono::DateTime<chrono::Utc>,
    status: DeliveryStatus,
    response_code: Option<u16>,
    why: &str,
) -> Attempt {
    Attempt {
        at,
        status,
        response_code,
        latency_ms: None,
        error: Some(why.chars().take(500).collect()),
    }
}

fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> OutgoingError {
    OutgoingError::Invalid {
        field,
        code,
        message: message.into(),
    }
}

/// Outgoing webhooks are managed by admins, signed in (no token makes credentials).
fn admin(caller: &Authenticated) -> Result<(), OutgoingError> {
    if caller.scopes.is_some() {
        return Err(OutgoingError::Forbidden(
            "webhooks are managed when signed in, not with a token",
        ));
    }
    if caller.user.role != Role::Admin {
        return Err(OutgoingError::Forbidden(
            "only admins can manage outgoing webhooks",
        ));
    }
    Ok(())
}
