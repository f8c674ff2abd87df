//! Rows of the channel and message tables to domain types, and the few values written back.

use super::stored;
use crate::entities::{channel, channel_event, channel_member, message, message_report};
use tandem_app::ports::PortError;
use tandem_domain::{
    Attachment, Channel, ChannelDescription, ChannelEvent, ChannelId, ChannelKind, ChannelName,
    ChannelRole, ClientMsgId, Emoji, InvalidInput, Membership, Mention, Message, MessageId,
    MessageReport, MessageType, NotifyLevel, OrganizationId, Reaction, ReportId, ReportReason,
    ReportStatus, UserId,
};

pub(crate) fn channel_from_row(row: channel::Model) -> Result<Channel, PortError> {
    Ok(Channel {
        id: ChannelId::new(row.id),
        organization_id: OrganizationId::new(row.organization_id),
        name: ChannelName::from_trusted(row.name),
        description: row
            .description
            .map(|text| stored("channels.description", ChannelDescription::parse(&text)))
            .transpose()?,
        kind: stored("channels.kind", row.kind.parse::<ChannelKind>())?,
        created_by: UserId::new(row.created_by),
        created_at: row.created_at,
        is_archived: row.is_archived,
        read_only: row.read_only,
        last_seq: row.last_seq,
    })
}

pub(crate) fn membership_from_row(row: channel_member::Model) -> Result<Membership, PortError> {
    Ok(Membership {
        channel_id: ChannelId::new(row.channel_id),
        user_id: UserId::new(row.user_id),
        joined_at: row.joined_at,
        last_read_seq: row.last_read_seq,
        notify_level: row
            .notify_level
            .as_deref()
            .and_then(NotifyLevel::parse)
            .unwrap_or_default(),
        muted: row.muted,
        role: stored("channel_members.role", row.role.parse::<ChannelRole>())?,
        posting_muted_until: row.posting_muted_until,
    })
}

pub(crate) fn event_from_row(row: channel_event::Model) -> Result<ChannelEvent, PortError> {
    Ok(ChannelEvent {
        channel_id: ChannelId::new(row.channel_id),
        seq: row.seq,
        kind: stored("channel_events.kind", row.kind.parse())?,
        actor_id: UserId::new(row.actor_id),
        message_id: row.message_id.map(MessageId::new),
        user_id: row.user_id.map(UserId::new),
        emoji: row.emoji.map(Emoji::from_trusted),
        created_at: row.created_at,
    })
}

pub(crate) fn report_from_row(row: message_report::Model) -> Result<MessageReport, PortError> {
    Ok(MessageReport {
        id: ReportId::new(row.id),
        message_id: MessageId::new(row.message_id),
        reported_by: UserId::new(row.reported_by),
        reason: stored("message_reports.reason", ReportReason::parse(&row.reason))?,
        status: stored("message_reports.status", row.status.parse::<ReportStatus>())?,
        reviewed_by: row.reviewed_by.map(UserId::new),
        created_at: row.created_at,
    })
}

pub(crate) const MENTION_USER: &str = "user";
pub(crate) const MENTION_CHANNEL: &str = "channel";
pub(crate) const MENTION_HERE: &str = "here";

/// A mention as `message_mentions` stores it: `kind` and, for users, `user_id`.
pub(crate) fn mention_columns(mention: Mention) -> (&'static str, Option<i64>) {
    match mention {
        Mention::User(id) => (MENTION_USER, Some(id.get())),
        Mention::Channel => (MENTION_CHANNEL, None),
        Mention::Here => (MENTION_HERE, None),
    }
}

pub(crate) fn mention_from_columns(kind: &str, user_id: Option<i64>) -> Result<Mention, PortError> {
    match (kind, user_id) {
        (MENTION_USER, Some(id)) => Ok(Mention::User(UserId::new(id))),
        (MENTION_CHANNEL, _) => Ok(Mention::Channel),
        (MENTION_HERE, _) => Ok(Mention::Here),
        _ => stored(
            "message_mentions.kind",
            Err(InvalidInput::new(
                "invalid_mention",
                format!("unknown mention kind {kind:?} (user id {user_id:?})"),
            )),
        ),
    }
}

/// A message row with what readers see of it. Deleted messages are tombstones: whatever the
/// row still holds, they show no words, mentions or reactions.
pub(crate) fn message_from_row(
    row: message::Model,
    mentions: Vec<Mention>,
    reactions: Vec<Reaction>,
    attachments: Vec<Attachment>,
) -> Result<Message, PortError> {
    let (content, mentions, reactions, attachments) = if row.is_deleted {
        (String::new(), Vec::new(), Vec::new(), Vec::new())
    } else {
        (row.content, mentions, reactions, attachments)
    };
    Ok(Message {
        id: MessageId::new(row.id),
        channel_id: ChannelId::new(row.channel_id),
        user_id: UserId::new(row.user_id),
        content,
        message_type: stored(
            "messages.message_type",
            row.message_type.parse::<MessageType>(),
        )?,
        reply_to_id: row.reply_to_id.map(MessageId::new),
        created_at: row.created_at,
        edited_at: row.edited_at,
        is_deleted: row.is_deleted,
        seq: row.seq,
        client_msg_id: row
            .client_msg_id
            .map(|id| stored("messages.client_msg_id", ClientMsgId::parse(&id)))
            .transpose()?,
        mentions,
        reactions,
        reply_count: row.reply_count,
        last_reply_at: row.last_reply_at,
        pinned_at: row.pinned_at,
        attachments,
    })
}
