//! Reactions, pins and reports: small marks people put on a message.

use crate::channel_log::{self, Draft};
use crate::entities::{message, message_reaction, message_report};
use crate::error::{is_foreign_key_violation, port_error};
use crate::guarded::Guarded;
use crate::mapping::report_from_row;
use crate::messages::write::live_row;
use crate::transaction::begin_write;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, TryInsertResult};
use tandem_app::ports::{NewReport, PortError};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, Emoji, MessageId, MessageReport, ReportStatus, UserId,
};

fn reaction_draft(kind: ChannelEventKind, id: i64, user_id: UserId, emoji: &Emoji) -> Draft {
    Draft {
        emoji: Some(emoji.clone()),
        user_id: Some(user_id),
        ..Draft::message(kind, user_id, id)
    }
}

pub(super) async fn add_reaction(
    db: &Guarded,
    id: MessageId,
    user_id: UserId,
    emoji: &Emoji,
    at: DateTime<Utc>,
) -> Result<Option<ChannelEvent>, PortError> {
    let txn = begin_write(db).await?;
    let seq = channel_log::reserve_for_message(&txn, id.get(), 1)
        .await?
        .first;
    let row = live_row(&txn, id).await?;
    let reaction = message_reaction::ActiveModel {
        message_id: Set(row.id),
        user_id: Set(user_id.get()),
        emoji: Set(emoji.as_str().to_owned()),
        created_at: Set(at),
    };
    let inserted = message_reaction::Entity::insert(reaction)
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await
        .map_err(port_error)?;
    if !matches!(inserted, TryInsertResult::Inserted(1..)) {
        // Already there: rolling back returns the seq.
        txn.rollback().await.map_err(port_error)?;
        return Ok(None);
    }
    let draft = reaction_draft(ChannelEventKind::ReactionAdded, row.id, user_id, emoji);
    let event = channel_log::record_one(&txn, row.channel_id, seq, at, draft).await?;
    txn.commit().await.map_err(port_error)?;
    Ok(Some(event))
}

pub(super) async fn remove_reaction(
    db: &Guarded,
    id: MessageId,
    user_id: UserId,
    emoji: &Emoji,
    at: DateTime<Utc>,
) -> Result<Option<ChannelEvent>, PortError> {
    let txn = begin_write(db).await?;
    let reserved = channel_log::reserve_for_message(&txn, id.get(), 1).await?;
    let removed = message_reaction::Entity::delete_many()
        .filter(message_reaction::Column::MessageId.eq(id.get()))
        .filter(message_reaction::Column::UserId.eq(user_id.get()))
        .filter(message_reaction::Column::Emoji.eq(emoji.as_str()))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    if removed.rows_affected == 0 {
        txn.rollback().await.map_err(port_error)?;
        return Ok(None);
    }
    let draft = reaction_draft(ChannelEventKind::ReactionRemoved, id.get(), user_id, emoji);
    let event =
        channel_log::record_one(&txn, reserved.channel.id, reserved.first, at, draft).await?;
    txn.commit().await.map_err(port_error)?;
    Ok(Some(event))
}

pub(super) async fn set_pinned(
    db: &Guarded,
    id: MessageId,
    pinned: bool,
    actor_id: UserId,
    at: DateTime<Utc>,
) -> Result<Option<ChannelEvent>, PortError> {
    let txn = begin_write(db).await?;
    let seq = channel_log::reserve_for_message(&txn, id.get(), 1)
        .await?
        .first;
    let row = live_row(&txn, id).await?;
    if row.pinned_at.is_some() == pinned {
        txn.rollback().await.map_err(port_error)?;
        return Ok(None);
    }
    let (pinned_at, pinned_by, kind) = if pinned {
        (
            Some(at),
            Some(actor_id.get()),
            ChannelEventKind::MessagePinned,
        )
    } else {
        (None, None, ChannelEventKind::MessageUnpinned)
    };
    message::Entity::update_many()
        .col_expr(message::Column::PinnedAt, Expr::value(pinned_at))
        .col_expr(message::Column::PinnedBy, Expr::value(pinned_by))
        .filter(message::Column::Id.eq(row.id))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    let draft = Draft::message(kind, actor_id, row.id);
    let event = channel_log::record_one(&txn, row.channel_id, seq, at, draft).await?;
    txn.commit().await.map_err(port_error)?;
    Ok(Some(event))
}

/// Files a pending report; the partial unique index `uq_message_reports_pending` turns a
/// second open report by the same user into `Conflict(OpenReport)`.
pub(super) async fn report(db: &Guarded, report: NewReport) -> Result<MessageReport, PortError> {
    let row = message_report::ActiveModel {
        id: NotSet,
        message_id: Set(report.message_id.get()),
        reported_by: Set(report.reported_by.get()),
        reason: Set(report.reason.as_str().to_owned()),
        status: Set(ReportStatus::Pending.as_str().to_owned()),
        reviewed_by: Set(None),
        created_at: Set(report.created_at),
    };
    let stored = row.insert(db).await.map_err(|err| {
        if is_foreign_key_violation(&err) {
            PortError::NotFound
        } else {
            port_error(err)
        }
    })?;
    report_from_row(stored)
}
