//! How much an organization wrote recently, for the admin dashboard.

use crate::error::port_error;
use crate::guarded::Guarded;
use crate::sql::statement;
use chrono::{DateTime, Utc};
use sea_orm::{FromQueryResult, Value};
use tandem_app::ports::{Activity, PortError};
use tandem_domain::{MessageType, OrganizationId};

/// The organization's channels on `uq_channels_org_name`, then for each a range of
/// `idx_messages_channel_created` from `since`: the cost follows the channels and the recent
/// messages, never the history.
pub(crate) const ACTIVITY_SINCE: &str = "
SELECT COUNT(*) AS messages, COUNT(DISTINCT m.channel_id) AS active_channels
FROM channels c
JOIN messages m ON m.channel_id = c.id AND m.created_at >= ?
WHERE c.organization_id = ? AND m.message_type <> ?";

#[derive(Debug, FromQueryResult)]
struct ActivityRow {
    messages: i64,
    active_channels: i64,
}

pub(crate) fn activity_values(organization_id: OrganizationId, since: DateTime<Utc>) -> [Value; 3] {
    [
        since.into(),
        organization_id.get().into(),
        MessageType::System.as_str().into(),
    ]
}

pub(super) async fn activity_since(
    db: &Guarded,
    organization_id: OrganizationId,
    since: DateTime<Utc>,
) -> Result<Activity, PortError> {
    let row = ActivityRow::find_by_statement(statement(
        db,
        ACTIVITY_SINCE,
        activity_values(organization_id, since),
    ))
    .one(db)
    .await
    .map_err(port_error)?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(row.map_or_else(Activity::default, |row| Activity {
        messages: count(row.messages),
        active_channels: count(row.active_channels),
    }))
}
