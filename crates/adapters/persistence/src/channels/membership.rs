//! Joining, leaving and read markers.

use crate::channel_log::{self, Draft};
use crate::entities::{channel, channel_member};
use crate::error::{is_foreign_key_violation, port_error};
use crate::guarded::Guarded;
use crate::mapping::membership_from_row;
use crate::messages::write::{announce, announcement};
use crate::transaction::begin_write;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use tandem_app::ports::{MemberChanges, MembershipChange, MembershipChanged, PortError};
use tandem_domain::{ChannelEvent, ChannelEventKind, ChannelId, ChannelRole, Membership, UserId};

pub(super) async fn find_membership<C: ConnectionTrait>(
    db: &C,
    channel_id: ChannelId,
    user_id: UserId,
) -> Result<Option<channel_member::Model>, PortError> {
    channel_member::Entity::find_by_id((channel_id.get(), user_id.get()))
        .one(db)
        .await
        .map_err(port_error)
}

/// `MemberJoined`, then the announcement. A new member starts with everything before their
/// join marked read: joining a busy channel does not bury them in old unread messages.
pub(super) async fn add_member(
    db: &Guarded,
    change: MembershipChange,
) -> Result<Option<MembershipChanged>, PortError> {
    let count = 1 + i64::from(change.announcement.is_some());
    let txn = begin_write(db).await?;
    let first = channel_log::reserve(&txn, change.channel_id.get(), count)
        .await?
        .first;
    if find_membership(&txn, change.channel_id, change.user_id)
        .await?
        .is_some()
    {
        txn.rollback().await.map_err(port_error)?;
        return Ok(None);
    }
    channel_member::ActiveModel {
        channel_id: Set(change.channel_id.get()),
        user_id: Set(change.user_id.get()),
        joined_at: Set(change.at),
        last_read_seq: Set(first),
        notify_level: Set(None),
        muted: Set(false),
        role: Set(ChannelRole::Member.as_str().to_owned()),
        posting_muted_until: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|err| {
        if is_foreign_key_violation(&err) {
            PortError::NotFound
        } else {
            port_error(err)
        }
    })?;
    let joined = Draft::member(
        ChannelEventKind::MemberJoined,
        change.actor_id,
        change.user_id,
    );
    let mut events = vec![
        channel_log::record_one(&txn, change.channel_id.get(), first, change.at, joined).await?,
    ];
    let mut announced = None;
    if let Some(body) = change.announcement {
        let new = announcement(change.channel_id, change.actor_id, body, change.at);
        let (message, event) = announce(&txn, &new, first + 1).await?;
        events.push(event);
        announced = Some(message);
    }
    txn.commit().await.map_err(port_error)?;
    Ok(Some(MembershipChanged {
        events,
        announcement: announced,
    }))
}

/// The announcement (written while the user is still a member), then `MemberLeft`.
pub(super) async fn remove_member(
    db: &Guarded,
    change: MembershipChange,
) -> Result<Option<MembershipChanged>, PortError> {
    let count = 1 + i64::from(change.announcement.is_some());
    let txn = begin_write(db).await?;
    let first = channel_log::reserve(&txn, change.channel_id.get(), count)
        .await?
        .first;
    if find_membership(&txn, change.channel_id, change.user_id)
        .await?
        .is_none()
    {
        txn.rollback().await.map_err(port_error)?;
        return Ok(None);
    }
    let mut events = Vec::new();
    let mut announced = None;
    let mut seq = first;
    if let Some(body) = change.announcement {
        let new = announcement(change.channel_id, change.actor_id, body, change.at);
        let (message, event) = announce(&txn, &new, seq).await?;
        events.push(event);
        announced = Some(message);
        seq += 1;
    }
    channel_member::Entity::delete_by_id((change.channel_id.get(), change.user_id.get()))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    let left = Draft::member(
        ChannelEventKind::MemberLeft,
        change.actor_id,
        change.user_id,
    );
    events
        .push(channel_log::record_one(&txn, change.channel_id.get(), seq, change.at, left).await?);
    txn.commit().await.map_err(port_error)?;
    Ok(Some(MembershipChanged {
        events,
        announcement: announced,
    }))
}

/// Clamps to the channel's last seq, then moves the marker only forward: the conditional
/// `UPDATE` keeps it monotonic however the calls interleave, without a transaction.
pub(super) async fn mark_read(
    db: &Guarded,
    channel_id: ChannelId,
    user_id: UserId,
    seq: i64,
) -> Result<Membership, PortError> {
    let last_seq: i64 = channel::Entity::find_by_id(channel_id.get())
        .select_only()
        .column(channel::Column::LastSeq)
        .into_tuple()
        .one(db)
        .await
        .map_err(port_error)?
        .ok_or(PortError::NotFound)?;
    let target = seq.min(last_seq);
    channel_member::Entity::update_many()
        .col_expr(channel_member::Column::LastReadSeq, Expr::value(target))
        .filter(channel_member::Column::ChannelId.eq(channel_id.get()))
        .filter(channel_member::Column::UserId.eq(user_id.get()))
        .filter(channel_member::Column::LastReadSeq.lt(target))
        .exec(db)
        .await
        .map_err(port_error)?;
    find_membership(db, channel_id, user_id)
        .await?
        .map(membership_from_row)
        .ok_or(PortError::NotFound)?
}

/// Applies the changes and records `MemberUpdated`, in one transaction.
pub(super) async fn update_member(
    db: &Guarded,
    channel_id: ChannelId,
    user_id: UserId,
    changes: &MemberChanges,
    actor_id: UserId,
    at: DateTime<Utc>,
) -> Result<(Membership, ChannelEvent), PortError> {
    let txn = begin_write(db).await?;
    let first = channel_log::reserve(&txn, channel_id.get(), 1).await?.first;
    let Some(row) = find_membership(&txn, channel_id, user_id).await? else {
        txn.rollback().await.map_err(port_error)?;
        return Err(PortError::NotFound);
    };
    let mut row: channel_member::ActiveModel = row.into();
    if let Some(role) = changes.role {
        row.role = Set(role.as_str().to_owned());
    }
    if let Some(until) = changes.posting_muted_until {
        row.posting_muted_until = Set(until);
    }
    let updated = row.update(&txn).await.map_err(port_error)?;
    let draft = Draft::member(ChannelEventKind::MemberUpdated, actor_id, user_id);
    let event = channel_log::record_one(&txn, channel_id.get(), first, at, draft).await?;
    txn.commit().await.map_err(port_error)?;
    Ok((membership_from_row(updated)?, event))
}
