//! Appending, editing and deleting messages, each in one transaction with its event.

use crate::channel_log::{self, Draft};
use crate::entities::{message, message_mention, message_reaction};
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::mapping::mention_columns;
use crate::messages::load_messages;
use crate::transaction::begin_write;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    TryInsertResult,
};
use tandem_app::ports::{Appended, NewMessage, PortError};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, ChannelId, Mention, Message, MessageBody, MessageId,
    MessageType, UserId,
};

/// One message with what `viewer` sees of it; `Unexpected` when it is not there, for callers
/// that just wrote it.
pub(crate) async fn load_one<C: ConnectionTrait>(
    db: &C,
    id: i64,
    viewer: UserId,
) -> Result<Message, PortError> {
    load_messages(db, &[id], viewer.get())
        .await?
        .pop()
        .ok_or_else(|| PortError::unexpected(format!("message {id} vanished while in use")))
}

/// Inserts the row at `seq`; `None` when the author already used the `client_msg_id` in
/// this channel (the unique index decides, so this holds however the writers interleave).
async fn insert_row<C: ConnectionTrait>(
    db: &C,
    new: &NewMessage,
    seq: i64,
) -> Result<Option<i64>, PortError> {
    let row = message::ActiveModel {
        id: NotSet,
        channel_id: Set(new.channel_id.get()),
        user_id: Set(new.user_id.get()),
        content: Set(new.content.as_str().to_owned()),
        message_type: Set(new.message_type.as_str().to_owned()),
        reply_to_id: Set(new.reply_to_id.map(MessageId::get)),
        created_at: Set(new.created_at),
        edited_at: Set(None),
        is_deleted: Set(false),
        seq: Set(seq),
        client_msg_id: Set(new.client_msg_id.as_ref().map(|id| id.as_str().to_owned())),
        reply_count: Set(0),
        last_reply_at: Set(None),
        pinned_at: Set(None),
        pinned_by: Set(None),
    };
    let outcome = message::Entity::insert(row)
        .on_conflict_do_nothing_on([
            message::Column::ChannelId,
            message::Column::UserId,
            message::Column::ClientMsgId,
        ])
        .exec(db)
        .await
        .map_err(port_error)?;
    match outcome {
        TryInsertResult::Inserted(result) => Ok(Some(result.last_insert_id)),
        TryInsertResult::Conflicted => Ok(None),
        TryInsertResult::Empty => Err(PortError::unexpected("inserting a message wrote nothing")),
    }
}

/// Stores the mentions of a message, with its channel and seq for the unread counts.
async fn insert_mentions<C: ConnectionTrait>(
    db: &C,
    message_id: i64,
    channel_id: i64,
    seq: i64,
    mentions: &[Mention],
) -> Result<(), PortError> {
    let mut mentions = mentions.to_vec();
    mentions.sort_unstable();
    mentions.dedup();
    if mentions.is_empty() {
        return Ok(());
    }
    let rows = mentions.into_iter().map(|mention| {
        let (kind, user_id) = mention_columns(mention);
        message_mention::ActiveModel {
            id: NotSet,
            message_id: Set(message_id),
            channel_id: Set(channel_id),
            seq: Set(seq),
            kind: Set(kind.to_owned()),
            user_id: Set(user_id),
        }
    });
    message_mention::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map_err(port_error)?;
    Ok(())
}

/// The message the author already stored under this `client_msg_id`, if any.
async fn find_by_client_msg_id<C: ConnectionTrait>(
    db: &C,
    new: &NewMessage,
) -> Result<Option<i64>, PortError> {
    let Some(key) = &new.client_msg_id else {
        return Ok(None);
    };
    id_by_client_msg_id(db, new.channel_id, new.user_id, key).await
}

/// The id of the message `author` stored in `channel_id` under `key`, if any.
pub(crate) async fn id_by_client_msg_id<C: ConnectionTrait>(
    db: &C,
    channel_id: tandem_domain::ChannelId,
    author: tandem_domain::UserId,
    key: &tandem_domain::ClientMsgId,
) -> Result<Option<i64>, PortError> {
    message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::ChannelId.eq(channel_id.get()))
        .filter(message::Column::UserId.eq(author.get()))
        .filter(message::Column::ClientMsgId.eq(key.as_str()))
        .into_tuple::<i64>()
        .one(db)
        .await
        .map_err(port_error)
}

/// Counts a new reply on its root, which must be in the same channel (`NotFound` otherwise).
async fn count_reply(
    txn: &DatabaseTransaction,
    root: MessageId,
    channel_id: ChannelId,
    at: DateTime<Utc>,
) -> Result<(), PortError> {
    let last_reply_at = Expr::col(message::Column::LastReplyAt);
    let result = message::Entity::update_many()
        .col_expr(
            message::Column::ReplyCount,
            Expr::col(message::Column::ReplyCount).add(1),
        )
        .col_expr(
            message::Column::LastReplyAt,
            // Never backwards, even when the clocks of two nodes disagree.
            Expr::case(
                last_reply_at
                    .clone()
                    .is_null()
                    .or(last_reply_at.clone().lt(at)),
                at,
            )
            .finally(last_reply_at)
            .into(),
        )
        .filter(message::Column::Id.eq(root.get()))
        .filter(message::Column::ChannelId.eq(channel_id.get()))
        .exec(txn)
        .await
        .map_err(port_error)?;
    if result.rows_affected == 0 {
        return Err(PortError::NotFound);
    }
    Ok(())
}

/// Stores a message at `seq` with its mentions and thread count, inside the caller's
/// transaction; `None` when its `client_msg_id` was already used. No event: callers record it.
pub(crate) async fn store(
    txn: &DatabaseTransaction,
    new: &NewMessage,
    seq: i64,
) -> Result<Option<i64>, PortError> {
    if let Some(root) = new.reply_to_id {
        count_reply(txn, root, new.channel_id, new.created_at).await?;
    }
    let Some(id) = insert_row(txn, new, seq).await? else {
        return Ok(None);
    };
    insert_mentions(txn, id, new.channel_id.get(), seq, &new.mentions).await?;
    Ok(Some(id))
}

/// A system message announcing a change, authored by whoever made it.
pub(crate) fn announcement(
    channel_id: ChannelId,
    actor_id: UserId,
    body: MessageBody,
    at: DateTime<Utc>,
) -> NewMessage {
    NewMessage {
        channel_id,
        user_id: actor_id,
        content: body,
        message_type: MessageType::System,
        reply_to_id: None,
        client_msg_id: None,
        mentions: Vec::new(),
        attachments: Vec::new(),
        created_at: at,
    }
}

/// Stores an announcement at `seq` with its `MessageCreated` event.
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    new: &NewMessage,
    seq: i64,
) -> Result<(Message, ChannelEvent), PortError> {
    let id = store(txn, new, seq)
        .await?
        .ok_or_else(|| PortError::unexpected("an announcement has no client_msg_id to collide"))?;
    let event = channel_log::record_one(
        txn,
        new.channel_id.get(),
        seq,
        new.created_at,
        Draft::message(ChannelEventKind::MessageCreated, new.user_id, id),
    )
    .await?;
    Ok((load_one(txn, id, new.user_id).await?, event))
}

pub(super) async fn append(db: &Guarded, new: NewMessage) -> Result<Appended, PortError> {
    let txn = begin_write(db).await?;
    // Reserving first takes the channel's lock, so a concurrent append with the same key has
    // either committed (and is found below) or waits for us.
    let seq = channel_log::reserve(&txn, new.channel_id.get(), 1)
        .await?
        .first;
    if let Some(id) = find_by_client_msg_id(&txn, &new).await? {
        let existing = load_one(&txn, id, new.user_id).await?;
        // Rolling back returns the reserved seq: an idempotent retry writes nothing.
        txn.rollback().await.map_err(port_error)?;
        return Ok(Appended::Existing(existing));
    }
    let Some(id) = store(&txn, &new, seq).await? else {
        // The unique index fired after all: the other writer is committed by now.
        txn.rollback().await.map_err(port_error)?;
        let id = find_by_client_msg_id(db, &new).await?.ok_or_else(|| {
            PortError::unexpected("client_msg_id collided with a message that is not there")
        })?;
        return Ok(Appended::Existing(load_one(db, id, new.user_id).await?));
    };
    crate::files::attach(&txn, &new.attachments, id, new.channel_id, new.user_id).await?;
    let event = channel_log::record_one(
        &txn,
        new.channel_id.get(),
        seq,
        new.created_at,
        Draft::message(ChannelEventKind::MessageCreated, new.user_id, id),
    )
    .await?;
    let message = load_one(&txn, id, new.user_id).await?;
    txn.commit().await.map_err(port_error)?;
    Ok(Appended::Created { message, event })
}

/// The row of a message that is not deleted, read inside the transaction that locked its
/// channel (so no other writer can change it before commit); `NotFound` otherwise.
pub(super) async fn live_row(
    txn: &DatabaseTransaction,
    id: MessageId,
) -> Result<message::Model, PortError> {
    message::Entity::find_by_id(id.get())
        .one(txn)
        .await
        .map_err(port_error)?
        .filter(|row| !row.is_deleted)
        .ok_or(PortError::NotFound)
}

pub(super) async fn edit(
    db: &Guarded,
    id: MessageId,
    content: MessageBody,
    mentions: Vec<Mention>,
    actor_id: UserId,
    at: DateTime<Utc>,
) -> Result<(Message, ChannelEvent), PortError> {
    let txn = begin_write(db).await?;
    let seq = channel_log::reserve_for_message(&txn, id.get(), 1)
        .await?
        .first;
    let row = live_row(&txn, id).await?;
    message::Entity::update_many()
        .col_expr(message::Column::Content, Expr::value(content.as_str()))
        .col_expr(message::Column::EditedAt, Expr::value(at))
        .filter(message::Column::Id.eq(row.id))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    delete_mentions(&txn, row.id).await?;
    insert_mentions(&txn, row.id, row.channel_id, row.seq, &mentions).await?;
    let event = channel_log::record_one(
        &txn,
        row.channel_id,
        seq,
        at,
        Draft::message(ChannelEventKind::MessageEdited, actor_id, row.id),
    )
    .await?;
    let message = load_one(&txn, row.id, actor_id).await?;
    txn.commit().await.map_err(port_error)?;
    Ok((message, event))
}

async fn delete_mentions(txn: &DatabaseTransaction, message_id: i64) -> Result<(), PortError> {
    message_mention::Entity::delete_many()
        .filter(message_mention::Column::MessageId.eq(message_id))
        .exec(txn)
        .await
        .map_err(port_error)?;
    Ok(())
}

pub(super) async fn delete(
    db: &Guarded,
    id: MessageId,
    actor_id: UserId,
    at: DateTime<Utc>,
) -> Result<(Message, ChannelEvent), PortError> {
    let txn = begin_write(db).await?;
    let seq = channel_log::reserve_for_message(&txn, id.get(), 1)
        .await?
        .first;
    let row = live_row(&txn, id).await?;
    message::Entity::update_many()
        .col_expr(message::Column::IsDeleted, Expr::value(true))
        .col_expr(message::Column::Content, Expr::value(""))
        .col_expr(
            message::Column::PinnedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(message::Column::PinnedBy, Expr::value(Option::<i64>::None))
        .filter(message::Column::Id.eq(row.id))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    delete_mentions(&txn, row.id).await?;
    message_reaction::Entity::delete_many()
        .filter(message_reaction::Column::MessageId.eq(row.id))
        .exec(&txn)
        .await
        .map_err(port_error)?;
    if let Some(root) = row.reply_to_id {
        message::Entity::update_many()
            .col_expr(
                message::Column::ReplyCount,
                Expr::col(message::Column::ReplyCount).sub(1),
            )
            .filter(message::Column::Id.eq(root))
            .filter(message::Column::ReplyCount.gt(0))
            .exec(&txn)
            .await
            .map_err(port_error)?;
    }
    let event = channel_log::record_one(
        &txn,
        row.channel_id,
        seq,
        at,
        Draft::message(ChannelEventKind::MessageDeleted, actor_id, row.id),
    )
    .await?;
    let message = load_one(&txn, row.id, actor_id).await?;
    txn.commit().await.map_err(port_error)?;
    Ok((message, event))
}
