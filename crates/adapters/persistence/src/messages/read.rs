//! Reading messages and the event log: history pages, threads, pins, missed events.

use crate::entities::{channel_event, message};
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::mapping::event_from_row;
use crate::messages::load_messages;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use tandem_app::ports::{HistoryQuery, PortError};
use tandem_domain::{ChannelEvent, ChannelId, Message, MessageId, UserId};

/// Runs a query for message ids and loads those messages in that order.
async fn load_selected(
    db: &Guarded,
    select: Select<message::Entity>,
    viewer: UserId,
) -> Result<Vec<Message>, PortError> {
    let ids: Vec<i64> = select
        .select_only()
        .column(message::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(port_error)?;
    load_messages(db, &ids, viewer.get()).await
}

/// Walks `uq_messages_channel_seq` from either end, skipping replies. With `after_seq` the page
/// is oldest first (and also bounded by `before_seq` when both are given); otherwise newest
/// first, before `before_seq` or from the end.
pub(crate) fn history_select(query: &HistoryQuery) -> Select<message::Entity> {
    let mut select = message::Entity::find()
        .filter(message::Column::ChannelId.eq(query.channel_id.get()))
        .filter(message::Column::ReplyToId.is_null())
        .limit(query.limit);
    if let Some(before) = query.before_seq {
        select = select.filter(message::Column::Seq.lt(before));
    }
    match query.after_seq {
        Some(after) => select
            .filter(message::Column::Seq.gt(after))
            .order_by_asc(message::Column::Seq),
        None => select.order_by_desc(message::Column::Seq),
    }
}

pub(super) async fn history(db: &Guarded, query: HistoryQuery) -> Result<Vec<Message>, PortError> {
    load_selected(db, history_select(&query), query.viewer).await
}

/// Walks `idx_messages_thread`.
pub(crate) fn replies_select(
    root: MessageId,
    after_seq: Option<i64>,
    limit: u64,
) -> Select<message::Entity> {
    message::Entity::find()
        .filter(message::Column::ReplyToId.eq(root.get()))
        .filter(message::Column::Seq.gt(after_seq.unwrap_or(i64::MIN)))
        .order_by_asc(message::Column::Seq)
        .limit(limit)
}

pub(super) async fn replies(
    db: &Guarded,
    root: MessageId,
    after_seq: Option<i64>,
    limit: u64,
    viewer: UserId,
) -> Result<Vec<Message>, PortError> {
    load_selected(db, replies_select(root, after_seq, limit), viewer).await
}

/// Walks the partial index `idx_messages_pinned`.
pub(crate) fn pinned_select(channel_id: ChannelId) -> Select<message::Entity> {
    message::Entity::find()
        .filter(message::Column::ChannelId.eq(channel_id.get()))
        .filter(message::Column::PinnedAt.is_not_null())
        .order_by_desc(message::Column::PinnedAt)
        .order_by_desc(message::Column::Seq)
}

pub(super) async fn pinned(
    db: &Guarded,
    channel_id: ChannelId,
    viewer: UserId,
) -> Result<Vec<Message>, PortError> {
    load_selected(db, pinned_select(channel_id), viewer).await
}

/// Walks the log's primary key `(channel_id, seq)`.
pub(crate) fn events_select(
    channel_id: ChannelId,
    after_seq: i64,
    limit: u64,
) -> Select<channel_event::Entity> {
    channel_event::Entity::find()
        .filter(channel_event::Column::ChannelId.eq(channel_id.get()))
        .filter(channel_event::Column::Seq.gt(after_seq))
        .order_by_asc(channel_event::Column::Seq)
        .limit(limit)
}

pub(super) async fn events_after(
    db: &Guarded,
    channel_id: ChannelId,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<ChannelEvent>, PortError> {
    events_select(channel_id, after_seq, limit)
        .all(db)
        .await
        .map_err(port_error)?
        .into_iter()
        .map(event_from_row)
        .collect()
}
