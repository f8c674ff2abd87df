//! The channel event log: reserving a channel's next sequence numbers and recording the events
//! that use them, inside the transaction of the change they describe.
//!
//! Reserving is one `UPDATE channels SET last_seq = last_seq + n ... RETURNING *`. On
//! PostgreSQL that row lock is held until commit, so the writers of one channel queue there and
//! their seqs have neither gaps nor duplicates (a rolled-back writer returns its numbers); on
//! SQLite `BEGIN IMMEDIATE` already serializes writers. Every write that changes a channel
//! reserves first, so the channel row is always the first lock taken: no lock-order deadlocks.

use crate::entities::{channel, channel_event, message};
use crate::error::port_error;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable};
use tandem_app::ports::PortError;
use tandem_domain::{ChannelEvent, ChannelEventKind, ChannelId, Emoji, MessageId, UserId};

/// An event before it has its seq.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub(crate) kind: ChannelEventKind,
    pub(crate) actor_id: UserId,
    pub(crate) message_id: Option<MessageId>,
    pub(crate) user_id: Option<UserId>,
    pub(crate) emoji: Option<Emoji>,
}

impl Draft {
    pub(crate) fn message(kind: ChannelEventKind, actor_id: UserId, message_id: i64) -> Self {
        Self {
            kind,
            actor_id,
            message_id: Some(MessageId::new(message_id)),
            user_id: None,
            emoji: None,
        }
    }

    pub(crate) fn channel(kind: ChannelEventKind, actor_id: UserId) -> Self {
        Self {
            kind,
            actor_id,
            message_id: None,
            user_id: None,
            emoji: None,
        }
    }

    pub(crate) fn member(kind: ChannelEventKind, actor_id: UserId, user_id: UserId) -> Self {
        Self {
            kind,
            actor_id,
            message_id: None,
            user_id: Some(user_id),
            emoji: None,
        }
    }
}

/// The seqs a write reserved: `first ..= channel.last_seq`.
#[derive(Debug)]
pub(crate) struct Reserved {
    /// The channel row after the reservation (and after any changes made with it).
    pub(crate) channel: channel::Model,
    pub(crate) first: i64,
}

/// Reserves `count` seqs of the channel. `NotFound` when there is no such channel.
pub(crate) async fn reserve<C: ConnectionTrait>(
    db: &C,
    channel_id: i64,
    count: i64,
) -> Result<Reserved, PortError> {
    let mut update = bump(count);
    update.and_where(channel::Column::Id.eq(channel_id));
    reserve_with(db, update, count).await
}

/// Reserves `count` seqs of the channel that holds the message. `NotFound` when there is no
/// such message.
pub(crate) async fn reserve_for_message<C: ConnectionTrait>(
    db: &C,
    message_id: i64,
    count: i64,
) -> Result<Reserved, PortError> {
    let mut update = bump(count);
    update.and_where(
        Expr::col(channel::Column::Id).in_subquery(
            Query::select()
                .column(message::Column::ChannelId)
                .from(message::Entity)
                .and_where(message::Column::Id.eq(message_id))
                .to_owned(),
        ),
    );
    reserve_with(db, update, count).await
}

/// The reserving `UPDATE` without its `WHERE`, for callers that change more of the row.
pub(crate) fn bump(count: i64) -> UpdateStatement {
    Query::update()
        .table(channel::Entity)
        .value(
            channel::Column::LastSeq,
            Expr::col(channel::Column::LastSeq).add(count),
        )
        .to_owned()
}

/// Runs a [`bump`] with its `WHERE` (and maybe more `SET`s). Spelled out as `RETURNING`
/// because sea-orm only uses it on SQLite behind a feature flag; SQLite ≥ 3.35 has it.
pub(crate) async fn reserve_with<C: ConnectionTrait>(
    db: &C,
    mut update: UpdateStatement,
    count: i64,
) -> Result<Reserved, PortError> {
    update.returning(Query::returning().columns(channel::Column::iter()));
    let statement = db.get_database_backend().build(&update);
    let channel = channel::Entity::find()
        .from_raw_sql(statement)
        .one(db)
        .await
        .map_err(port_error)?
        .ok_or(PortError::NotFound)?;
    let first = channel.last_seq - count + 1;
    Ok(Reserved { channel, first })
}

/// Stores the drafts as events `first, first + 1, ...` of the channel and returns them.
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    channel_id: i64,
    first: i64,
    at: chrono::DateTime<chrono::Utc>,
    drafts: Vec<Draft>,
) -> Result<Vec<ChannelEvent>, PortError> {
    let events: Vec<ChannelEvent> = drafts
        .into_iter()
        .zip(first..)
        .map(|(draft, seq)| ChannelEvent {
            channel_id: ChannelId::new(channel_id),
            seq,
            kind: draft.kind,
            actor_id: draft.actor_id,
            message_id: draft.message_id,
            user_id: draft.user_id,
            emoji: draft.emoji,
            created_at: at,
        })
        .collect();
    if events.is_empty() {
        return Ok(events);
    }
    let rows = events.iter().map(|event| channel_event::ActiveModel {
        channel_id: Set(event.channel_id.get()),
        seq: Set(event.seq),
        kind: Set(event.kind.as_str().to_owned()),
        actor_id: Set(event.actor_id.get()),
        message_id: Set(event.message_id.map(MessageId::get)),
        user_id: Set(event.user_id.map(UserId::get)),
        emoji: Set(event.emoji.as_ref().map(|e| e.as_str().to_owned())),
        created_at: Set(event.created_at),
    });
    channel_event::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map_err(port_error)?;
    Ok(events)
}

/// Records a single event at `seq`.
pub(crate) async fn record_one<C: ConnectionTrait>(
    db: &C,
    channel_id: i64,
    seq: i64,
    at: chrono::DateTime<chrono::Utc>,
    draft: Draft,
) -> Result<ChannelEvent, PortError> {
    record(db, channel_id, seq, at, vec![draft])
        .await?
        .pop()
        .ok_or_else(|| PortError::unexpected("recording one event returned none"))
}
