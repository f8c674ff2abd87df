//! The channel list of one user, with unread counts, in one statement.

use crate::entities::channel;
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::mapping::{MENTION_CHANNEL, MENTION_HERE, channel_from_row, stored};
use crate::sql::statement;
use chrono::{DateTime, Utc};
use sea_orm::{FromQueryResult, Value};
use tandem_app::ports::ChannelSummary;
use tandem_app::ports::PortError;
use tandem_domain::{ChannelKind, ChannelRole, NotifyLevel, OrganizationId, UserId};

#[derive(Debug, FromQueryResult)]
struct SummaryRow {
    id: i64,
    organization_id: i64,
    name: String,
    description: Option<String>,
    kind: String,
    created_by: i64,
    created_at: DateTime<Utc>,
    is_archived: bool,
    read_only: bool,
    last_seq: i64,
    /// Set when the user is a member.
    member_id: Option<i64>,
    notify_level: Option<String>,
    muted: Option<bool>,
    role: Option<String>,
    posting_muted_until: Option<DateTime<Utc>>,
    member_count: i64,
    unread_count: i64,
    unread_mentions: i64,
}

/// The organization's channels are walked in name order on `uq_channels_org_name`; the
/// membership is a primary-key probe; member counts walk `channel_members`' key; unread
/// messages are a range of `uq_messages_channel_seq` after the read marker; unread mentions
/// are two ranges, of `idx_message_mentions_user` and `idx_message_mentions_channel_kind`
/// (each side of the `OR` names all the columns of its index), joined to their messages for
/// the author. Counting is only done for channels the user is in.
pub(crate) const LIST_FOR_USER: &str = "
SELECT c.id, c.organization_id, c.name, c.description, c.kind, c.created_by, c.created_at,
       c.is_archived, c.read_only, c.last_seq,
       m.user_id AS member_id, m.notify_level, m.muted, m.role, m.posting_muted_until,
       (SELECT COUNT(*) FROM channel_members a WHERE a.channel_id = c.id) AS member_count,
       CASE WHEN m.user_id IS NULL THEN 0 ELSE (
         SELECT COUNT(*) FROM messages x
         WHERE x.channel_id = c.id AND x.seq > m.last_read_seq
           AND x.user_id <> ? AND NOT x.is_deleted
       ) END AS unread_count,
       CASE WHEN m.user_id IS NULL THEN 0 ELSE (
         SELECT COUNT(DISTINCT mm.message_id)
         FROM message_mentions mm JOIN messages x ON x.id = mm.message_id
         WHERE ((mm.user_id = ? AND mm.channel_id = c.id AND mm.seq > m.last_read_seq)
                OR (mm.channel_id = c.id AND mm.kind IN (?, ?) AND mm.seq > m.last_read_seq))
           AND x.user_id <> ? AND NOT x.is_deleted
       ) END AS unread_mentions
FROM channels c
LEFT JOIN channel_members m ON m.channel_id = c.id AND m.user_id = ?
WHERE c.organization_id = ? AND (c.kind = ? OR m.user_id IS NOT NULL)
ORDER BY c.name";

pub(super) async fn list_for_user(
    db: &Guarded,
    organization_id: OrganizationId,
    user_id: UserId,
) -> Result<Vec<ChannelSummary>, PortError> {
    let user: Value = user_id.get().into();
    let values = [
        user.clone(),
        user.clone(),
        MENTION_CHANNEL.into(),
        MENTION_HERE.into(),
        user.clone(),
        user,
        organization_id.get().into(),
        ChannelKind::Public.as_str().into(),
    ];
    let rows = SummaryRow::find_by_statement(statement(db, LIST_FOR_USER, values))
        .all(db)
        .await
        .map_err(port_error)?;
    rows.into_iter()
        .map(|row| {
            let channel = channel_from_row(channel::Model {
                id: row.id,
                organization_id: row.organization_id,
                name: row.name,
                description: row.description,
                kind: row.kind,
                created_by: row.created_by,
                created_at: row.created_at,
                is_archived: row.is_archived,
                read_only: row.read_only,
                last_seq: row.last_seq,
            })?;
            Ok(ChannelSummary {
                channel,
                is_member: row.member_id.is_some(),
                member_count: row.member_count,
                unread_count: row.unread_count,
                unread_mentions: row.unread_mentions,
                notify_level: row
                    .notify_level
                    .as_deref()
                    .and_then(NotifyLevel::parse)
                    .unwrap_or_default(),
                muted: row.muted.unwrap_or(false),
                role: row
                    .role
                    .map(|r| stored("channel_members.role", r.parse::<ChannelRole>()))
                    .transpose()?,
                posting_muted_until: row.posting_muted_until,
            })
        })
        .collect()
}
