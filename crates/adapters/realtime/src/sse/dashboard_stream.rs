//! The producer of the admin dashboard stream, and the JSON of its events.
//!
//! Every `interval` it authenticates the caller again (so a revoked token, a deactivated
//! account or a demoted admin stops receiving at the next tick) and sends a `metrics` event;
//! every `heartbeat` a `heartbeat` event. A tick whose reading fails (the database or Redis
//! briefly away) is skipped, not fatal: the next one tries again. Figures about connections, latency and load are
//! the serving node's; active users and messages are the whole organization's.

use super::stream::{Chunk, End, Sink};
use crate::EventStreamSettings;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use tandem_api_types::frames;
use tandem_app::AppContext;
use tandem_app::admin::{self, AdminError, DashboardMetrics};
use tandem_app::auth::{self, AuthError};
use tandem_app::ports::{LatencyPercentiles, OpenConnection, ProcessLoad};
use utoipa::ToSchema;

/// The `data` of a `metrics` event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardMetricsEvent {
    pub at: DateTime<Utc>,
    pub organization_id: i64,
    /// Members of the organization with a live connection (WebSocket), on any node.
    pub active_users: u64,
    /// Messages written in the organization over the last minute (replies included, system
    /// announcements not), on any node.
    pub messages_per_minute: u64,
    /// Channels that got at least one of those messages.
    pub active_channels: u64,
    /// WebSockets of the organization's members open on the node serving this stream.
    pub open_connections: u64,
    /// Event streams of the organization's members (activity and dashboards, this one
    /// included) open on the node serving this stream.
    pub open_event_streams: u64,
    /// Time from a change being stored to its event being handed to a WebSocket or event
    /// stream, on this node over about the last minute (every organization); `null` when
    /// nothing was delivered in that time.
    pub delivery_latency_ms: Option<LatencyResponse>,
    pub server: ServerLoadResponse,
}

/// Delivery latency percentiles, in milliseconds (each exact to within 12%).
#[derive(Debug, Serialize, ToSchema)]
pub struct LatencyResponse {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// Deliveries measured.
    pub samples: u64,
}

/// The serving process's load; `null` where the platform does not say (read from `/proc` on
/// Linux).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerLoadResponse {
    /// CPU used since the previous reading, in percent of one core (200 is two busy cores).
    pub cpu_percent: Option<f64>,
    /// Resident memory.
    pub memory_bytes: Option<u64>,
    /// The machine's one-minute load average.
    pub load_average: Option<f64>,
    /// Cores available to the process.
    pub cores: Option<u64>,
}

/// The `data` of a `heartbeat` event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatEvent {
    pub at: DateTime<Utc>,
}

impl From<DashboardMetrics> for DashboardMetricsEvent {
    fn from(m: DashboardMetrics) -> Self {
        let latency = m.node.latency.map(
            |LatencyPercentiles {
                 p50_ms,
                 p95_ms,
                 p99_ms,
                 samples,
             }| LatencyResponse {
                p50: p50_ms,
                p95: p95_ms,
                p99: p99_ms,
                samples,
            },
        );
        let ProcessLoad {
            cpu_percent,
            memory_bytes,
            load_average,
            cores,
        } = m.node.process;
        Self {
            at: m.at,
            organization_id: m.organization_id.get(),
            active_users: m.active_users,
            messages_per_minute: m.messages_per_minute,
            active_channels: m.active_channels,
            open_connections: m.node.open_websockets,
            open_event_streams: m.node.open_event_streams,
            delivery_latency_ms: latency,
            server: ServerLoadResponse {
                cpu_percent,
                memory_bytes,
                load_average,
                cores,
            },
        }
    }
}

/// A dashboard in progress.
pub(super) struct DashboardStream {
    pub ctx: Arc<AppContext>,
    pub settings: EventStreamSettings,
    pub drain: crate::Drain,
    /// Its place among the caller's open connections, given back when the stream ends.
    pub _held: crate::limits::Held,
    /// Kept to authenticate again at every tick; never logged.
    pub token: String,
    /// This stream, counted from before the first reading, so that reading shows it.
    pub counted: OpenConnection,
    /// The first reading, taken before the response started (it decided 200 or 403).
    pub first: DashboardMetrics,
}

impl DashboardStream {
    pub(super) async fn run(self, sink: Sink) {
        let end = match self.stream(&sink).await {
            Ok(never) => match never {},
            Err(end) => end,
        };
        tracing::debug!(?end, "dashboard stream ended");
        sink.farewell(end);
        drop(self.counted);
    }

    async fn stream(&self, sink: &Sink) -> Result<std::convert::Infallible, End> {
        use actix_web::rt::time::{Instant, interval_at};
        sink.send(Chunk::retry(self.settings.retry)).await?;
        send_metrics(sink, self.first.clone()).await?;
        let (every, beat) = (
            self.settings.dashboard_interval,
            self.settings.dashboard_heartbeat,
        );
        let mut metrics = interval_at(Instant::now() + every, every);
        let mut heartbeat = interval_at(Instant::now() + beat, beat);
        // A late tick (a slow database) is not made up for with a burst.
        metrics.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut draining = self.drain.watch();
        loop {
            tokio::select! {
                () = sink.closed() => return Err(End::Gone),
                () = draining.started() => return Err(End::ShuttingDown),
                _ = metrics.tick() => {
                    if let Some(reading) = self.read().await? {
                        send_metrics(sink, reading).await?;
                    }
                }
                _ = heartbeat.tick() => {
                    let data = frames::to_json(&HeartbeatEvent { at: Utc::now() });
                    sink.send(Chunk::event("heartbeat", None, &data)).await?;
                }
            }
        }
    }

    /// A fresh reading; `None` when a dependency failed this time.
    async fn read(&self) -> Result<Option<DashboardMetrics>, End> {
        let caller = match auth::authenticate(&self.ctx.auth, &self.token).await {
            Ok(caller) => caller,
            Err(AuthError::Port(error)) => {
                tracing::warn!(%error, "the dashboard could not authenticate again");
                return Ok(None);
            }
            Err(_) => return Err(End::Unauthorized),
        };
        match admin::dashboard_metrics(&self.ctx.admin, &caller.actor()).await {
            Ok(reading) => Ok(Some(reading)),
            Err(AdminError::Forbidden(_)) => Err(End::Forbidden),
            Err(AdminError::Port(error)) => {
                tracing::warn!(%error, "the dashboard could not be read");
                Ok(None)
            }
        }
    }
}

async fn send_metrics(sink: &Sink, metrics: DashboardMetrics) -> Result<(), End> {
    let data = frames::to_json(&DashboardMetricsEvent::from(metrics));
    sink.send(Chunk::event("metrics", None, &data)).await
}
