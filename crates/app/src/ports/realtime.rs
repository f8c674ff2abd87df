//! Real-time ports: the event bus that carries serialized events to every node's live
//! connections, presence (who is online), derived from those connections, the encoder that
//! writes frames in the wire format, and this node's live statistics.
//!
//! Neither is a source of truth. Channel events are stored first (each with the channel's next
//! `seq`) and published after commit; a subscriber that misses payloads is told so
//! ([`Delivery::Lagged`]) and catches up from the database by `seq`. So the bus may lose
//! payloads when it must (a slow reader, a broker outage), but never silently.

mod frames;
mod stats;

pub use frames::{ChannelChange, FrameEncoder, Notification};
pub use stats::{
    ConnectionKind, LatencyPercentiles, NoStats, OpenConnection, ProcessLoad, RealtimeStats,
    StatsSnapshot,
};

use super::PortError;
use async_trait::async_trait;
use futures_util::Stream;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tandem_domain::{ChannelId, OrganizationId, UserId};

/// What a payload is about, and so who receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Everything that happens in one channel (its `seq`-numbered events, typing).
    Channel(ChannelId),
    /// What concerns one user wherever they are connected (notifications, mentions).
    User(UserId),
    /// What concerns a whole organization (presence, the admin dashboard).
    Organization(OrganizationId),
    /// One user's sessions ending (logout, password change, deactivation): every live
    /// connection of theirs listens, and those whose token ended close.
    Sessions(UserId),
}

/// `channel:42`, `user:7`, `organization:3`: stable, so adapters may use it in broker keys.
impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(id) => write!(f, "channel:{id}"),
            Self::User(id) => write!(f, "user:{id}"),
            Self::Organization(id) => write!(f, "organization:{id}"),
            Self::Sessions(id) => write!(f, "sessions:{id}"),
        }
    }
}

/// One item of a [`Subscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A payload exactly as published: the same bytes (often the same allocation) reach every
    /// subscriber, so an event is serialized once however many sockets receive it.
    Payload(Arc<[u8]>),
    /// Payloads published on this topic were lost between the previous delivery and the next
    /// one. The subscription goes on with later payloads; the subscriber must catch up from the
    /// durable store (the gateway resumes from the database after the last `seq` it sent, and
    /// skips any later delivery whose `seq` it already sent).
    ///
    /// `missed` says how many when the bus knows: `Some(n)` when the subscriber fell more than
    /// its buffer behind, `None` when the bus itself lost its broker for a while and cannot
    /// tell.
    Lagged { missed: Option<u64> },
}

/// The payloads of one topic, from the moment [`EventBus::subscribe`] returned, for as long as
/// this value lives. Dropping it unsubscribes.
///
/// Read it with [`Subscription::recv`] (or as a [`Stream`]). Buffers are bounded: a
/// subscriber that does not keep up is skipped ahead and told so with [`Delivery::Lagged`],
/// rather than slowing publishers or growing memory.
pub struct Subscription {
    deliveries: Pin<Box<dyn Stream<Item = Delivery> + Send>>,
}

impl Subscription {
    /// For adapters: wraps their stream of deliveries. Whatever unsubscribes must live inside
    /// `deliveries` (dropped with it), and the stream must be cancel-safe: a `poll_next` that
    /// returned `Pending` must lose nothing when no further poll comes.
    pub fn new(deliveries: impl Stream<Item = Delivery> + Send + 'static) -> Self {
        Self {
            deliveries: Box::pin(deliveries),
        }
    }

    /// The next delivery, or `None` once the bus has shut down (the caller then closes its
    /// connection; clients reconnect and resume).
    ///
    /// Cancel-safe: dropping the future (say, when another branch of a `select!` wins) loses
    /// nothing.
    pub async fn recv(&mut self) -> Option<Delivery> {
        std::future::poll_fn(|cx| self.deliveries.as_mut().poll_next(cx)).await
    }
}

impl Stream for Subscription {
    type Item = Delivery;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        self.deliveries.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

/// Publish/subscribe by [`Topic`] across every node that shares the bus.
///
/// The contract (checked by `contract::bus`):
/// - a payload published on a topic reaches every current subscriber of that topic, on any
///   node, exactly once, and nobody else;
/// - payloads from one publisher arrive in the order it published them (no order is promised
///   between publishers);
/// - a subscriber that does not read loses the oldest payloads and receives
///   [`Delivery::Lagged`]; publishers never wait for subscribers and memory stays bounded;
/// - when the bus loses its broker, it reconnects by itself, and its subscribers receive
///   [`Delivery::Lagged`] for the gap.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Sends `payload` to the current subscribers of `topic`. Having none is fine.
    ///
    /// # Errors
    /// `Unavailable` when the broker cannot take the payload within a few seconds. The payload
    /// is then lost for live subscribers; they catch up from the database when told they
    /// lagged, or when they reconnect.
    async fn publish(&self, topic: &Topic, payload: Arc<[u8]>) -> Result<(), PortError>;

    /// Starts receiving `topic`. Every payload published after this returns is delivered
    /// (or accounted for by a [`Delivery::Lagged`]).
    ///
    /// # Errors
    /// `Unavailable` when the broker cannot confirm the subscription within a few seconds.
    async fn subscribe(&self, topic: &Topic) -> Result<Subscription, PortError>;
}

/// Who is online, derived from live connections (sockets, event streams) on every node.
///
/// A user is online while at least one of their connections lives; several tabs or devices
/// count once. A connection lives for `ttl` after its last [`connect`](Self::connect) or
/// [`heartbeat`](Self::heartbeat), so the connections of a node that crashed vanish by
/// themselves. Connection ids are chosen by the caller and must be unique per user (a random
/// id per socket).
#[async_trait]
pub trait PresenceStore: Send + Sync {
    /// Records a live connection of `user_id`, a member of `organization_id`, for `ttl`.
    /// Connecting again with the same id just renews it. Returns whether the user came online
    /// with it (they had no live connection before), so the caller can announce that.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn connect(
        &self,
        user_id: UserId,
        organization_id: OrganizationId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError>;

    /// Keeps a live connection alive for another `ttl`. Returns `false`, changing nothing,
    /// when the connection is unknown or has already expired: the caller must
    /// [`connect`](Self::connect) again (and the user may have been seen offline meanwhile).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn heartbeat(
        &self,
        user_id: UserId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError>;

    /// Forgets a connection. Returns whether the user went offline with it: `true` only when
    /// this removed their last live connection (an unknown or already expired connection
    /// returns `false`, since the user was not online through it).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn disconnect(&self, user_id: UserId, connection_id: &str) -> Result<bool, PortError>;

    /// Whether `user_id` has a live connection on any node.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn is_online(&self, user_id: UserId) -> Result<bool, PortError>;

    /// The members of `organization_id` with a live connection, each once, in ascending id
    /// order.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn online_users(&self, organization_id: OrganizationId)
    -> Result<Vec<UserId>, PortError>;
}
