//! Reading: a channel's history, a thread, the pinned messages.

use super::load_message;
use crate::ChatContext;
use crate::channels::{ChatError, load};
use crate::ports::HistoryQuery;
use tandem_domain::{Actor, ChannelAction, ChannelId, Message, MessageId};

#[derive(Debug, Clone, Copy, Default)]
pub struct History {
    pub before_seq: Option<i64>,
    pub after_seq: Option<i64>,
    pub limit: Option<u64>,
}

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

/// A page of top-level messages: newest first (from the end, or before `before_seq`), or
/// oldest first after `after_seq`.
///
/// # Errors
/// `NotFound` for channels the actor cannot read; `Invalid` when both cursors are given.
pub async fn message_history(
    ctx: &ChatContext,
    actor: &Actor,
    channel_id: ChannelId,
    page: History,
) -> Result<Vec<Message>, ChatError> {
    if page.before_seq.is_some() && page.after_seq.is_some() {
        return Err(ChatError::invalid(
            "before_seq",
            "conflicting_cursors",
            "give before_seq or after_seq, not both",
        ));
    }
    let loaded = load(ctx, actor, channel_id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    Ok(ctx
        .messages
        .history(HistoryQuery {
            channel_id,
            before_seq: page.before_seq,
            after_seq: page.after_seq,
            limit: page.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
            viewer: actor.id,
        })
        .await?)
}

/// One message the actor may read (deleted ones as tombstones).
///
/// # Errors
/// `NotFound` for messages the actor cannot read.
pub async fn get_message(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
) -> Result<Message, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    Ok(message)
}

/// A thread: its root and the replies after `after_seq`, oldest first. Naming a reply opens
/// its thread.
///
/// # Errors
/// `NotFound` for messages the actor cannot read.
pub async fn thread(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    after_seq: Option<i64>,
    limit: Option<u64>,
) -> Result<(Message, Vec<Message>), ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    let root = match message.reply_to_id {
        Some(root_id) => ctx
            .messages
            .find(root_id, actor.id)
            .await?
            .ok_or(ChatError::NotFound("message"))?,
        None => message,
    };
    let replies = ctx
        .messages
        .replies(
            root.id,
            after_seq,
            limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE),
            actor.id,
        )
        .await?;
    Ok((root, replies))
}

/// # Errors
/// `NotFound` for channels the actor cannot read.
pub async fn pinned_messages(
    ctx: &ChatContext,
    actor: &Actor,
    channel_id: ChannelId,
) -> Result<Vec<Message>, ChatError> {
    let loaded = load(ctx, actor, channel_id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    Ok(ctx.messages.pinned(channel_id, actor.id).await?)
}
