//! Live statistics of this node's real-time traffic, for the admin dashboard: open connections,
//! how long stored changes take to reach sockets, and the process's load.
//!
//! Per node by design: each process counts its own connections and deliveries, in memory, and
//! loses them on restart. Behind a load balancer, a dashboard shows the node that serves it
//! (cluster-wide figures, such as active users and messages, come from the shared stores).

use std::sync::Arc;
use std::time::Duration;
use tandem_domain::OrganizationId;

/// A kind of live connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionKind {
    /// A WebSocket.
    WebSocket,
    /// A Server-Sent Events stream (channel activity or the admin dashboard).
    EventStream,
}

/// Delivery latency over the recent window: from a change being stored to its frame being
/// handed to a socket, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyPercentiles {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Deliveries measured in the window.
    pub samples: u64,
}

/// The process's own load. `None` where the platform does not say (these are read from
/// `/proc` on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProcessLoad {
    /// CPU time used since the previous snapshot, per wall-clock time, in percent of one core
    /// (200 is two cores fully busy). `None` before there is a previous snapshot to compare to.
    pub cpu_percent: Option<f64>,
    /// Resident memory.
    pub memory_bytes: Option<u64>,
    /// The machine's one-minute load average.
    pub load_average: Option<f64>,
    /// Cores available to the process.
    pub cores: Option<u64>,
}

/// What [`RealtimeStats::snapshot`] sees at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StatsSnapshot {
    /// WebSockets of the organization's members open on this node.
    pub open_websockets: u64,
    /// Event streams of the organization's members open on this node.
    pub open_event_streams: u64,
    /// Delivery latency on this node over the recent window (every organization), `None`
    /// when nothing was delivered in it.
    pub latency: Option<LatencyPercentiles>,
    pub process: ProcessLoad,
}

/// Counts this node's live connections and measures its deliveries. Every method is cheap and
/// never fails or blocks for long: the real-time paths call it for every connection and
/// delivery.
pub trait RealtimeStats: Send + Sync {
    /// A connection of a member of `organization_id` opened. Prefer [`OpenConnection::new`],
    /// which records the close however the connection ends.
    fn connection_opened(&self, organization_id: OrganizationId, kind: ConnectionKind);

    /// A connection counted by [`connection_opened`](Self::connection_opened) closed.
    fn connection_closed(&self, organization_id: OrganizationId, kind: ConnectionKind);

    /// A live frame about a stored change reached a socket `latency` after the change.
    fn delivered(&self, latency: Duration);

    /// The counts for `organization_id`, the latency percentiles of the recent window and the
    /// process load.
    fn snapshot(&self, organization_id: OrganizationId) -> StatsSnapshot;
}

/// A counted connection: opened on creation, closed on drop, so a connection that ends by
/// error, cancellation or panic is uncounted all the same.
pub struct OpenConnection {
    stats: Arc<dyn RealtimeStats>,
    organization_id: OrganizationId,
    kind: ConnectionKind,
}

impl OpenConnection {
    pub fn new(
        stats: Arc<dyn RealtimeStats>,
        organization_id: OrganizationId,
        kind: ConnectionKind,
    ) -> Self {
        stats.connection_opened(organization_id, kind);
        Self {
            stats,
            organization_id,
            kind,
        }
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.stats
            .connection_closed(self.organization_id, self.kind);
    }
}

impl std::fmt::Debug for OpenConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenConnection")
            .field("organization_id", &self.organization_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Statistics for contexts with no live clients (command-line tools, use-case tests): counts
/// nothing, reports zeros.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoStats;

impl RealtimeStats for NoStats {
    fn connection_opened(&self, _: OrganizationId, _: ConnectionKind) {}

    fn connection_closed(&self, _: OrganizationId, _: ConnectionKind) {}

    fn delivered(&self, _: Duration) {}

    fn snapshot(&self, _: OrganizationId) -> StatsSnapshot {
        StatsSnapshot::default()
    }
}
