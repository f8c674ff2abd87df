//! The live dashboard's figures for one organization: who is online, how much is written,
//! and how this node's real-time delivery is doing.

use super::AdminError;
use crate::AdminContext;
use crate::ports::StatsSnapshot;
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;
use tandem_domain::{Actor, OrganizationId};

/// The window `messages_per_minute` and `active_channels` count over.
pub const ACTIVITY_WINDOW: Duration = Duration::from_secs(60);

/// One reading of the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardMetrics {
    pub at: DateTime<Utc>,
    pub organization_id: OrganizationId,
    /// Members with a live connection, on any node.
    pub active_users: u64,
    /// Messages written in the organization over the last [`ACTIVITY_WINDOW`].
    pub messages_per_minute: u64,
    /// Channels that got at least one of those messages.
    pub active_channels: u64,
    /// This node's connections, delivery latency and load.
    pub node: StatsSnapshot,
}

/// Reads the dashboard of the actor's organization. Cheap enough to call every few seconds:
/// one presence read, one indexed count over the last minute, and in-memory statistics.
///
/// # Errors
/// `Forbidden` unless the actor is an admin; `Port` when presence or the database fails.
pub async fn dashboard_metrics(
    ctx: &AdminContext,
    actor: &Actor,
) -> Result<DashboardMetrics, AdminError> {
    if !actor.is_admin() {
        return Err(AdminError::Forbidden("view the dashboard"));
    }
    let organization_id = actor.organization_id;
    let at = ctx.clock.now();
    let since = at - TimeDelta::from_std(ACTIVITY_WINDOW).unwrap_or(TimeDelta::MAX);
    let (online, activity) = futures_util::future::join(
        ctx.presence.online_users(organization_id),
        ctx.messages.activity_since(organization_id, since),
    )
    .await;
    let (online, activity) = (online?, activity?);
    Ok(DashboardMetrics {
        at,
        organization_id,
        active_users: online.len() as u64,
        messages_per_minute: activity.messages,
        active_channels: activity.active_channels,
        node: ctx.stats.snapshot(organization_id),
    })
}
