//! Editing and deleting messages.

use super::{is_author, load_message, resolve_mentions};
use crate::ChatContext;
use crate::channels::ChatError;
use tandem_domain::{Actor, ChannelAction, Message, MessageBody, MessageId, MessageType};

/// Only the author edits, in a channel they may still post in.
///
/// # Errors
/// `NotFound`, `Forbidden`, `Invalid` (content).
pub async fn edit_message(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    content: &str,
) -> Result<Message, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    if message.is_deleted {
        return Err(ChatError::NotFound("message"));
    }
    if !is_author(actor, &message) || message.message_type == MessageType::System {
        return Err(ChatError::Forbidden(
            "only the author can edit a message".to_owned(),
        ));
    }
    loaded.access(ctx, actor).check(ChannelAction::Post)?;
    let body = MessageBody::parse(content, ctx.policy.max_message_chars).map_err(|error| {
        ChatError::Invalid {
            field: "content",
            error,
        }
    })?;
    let mentions = resolve_mentions(ctx, actor, &loaded, &body).await?;
    let (edited, event) = ctx
        .messages
        .edit(id, body, mentions, actor.id, ctx.clock.now())
        .await?;
    crate::channels::announce(ctx, event, Some(edited.clone()), None).await;
    Ok(edited)
}

/// The author (while they may post), the channel's managers, and the organization's
/// moderators and admins delete. The tombstone keeps its place in the history.
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub async fn delete_message(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
) -> Result<Message, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    if message.is_deleted {
        return Err(ChatError::NotFound("message"));
    }
    let access = loaded.access(ctx, actor);
    let allowed = access.check(ChannelAction::DeleteOthersMessages).is_ok()
        || (is_author(actor, &message) && access.check(ChannelAction::Post).is_ok());
    if !allowed {
        return Err(ChatError::Forbidden(
            "only the author, the channel's managers and moderators can delete this message"
                .to_owned(),
        ));
    }
    let (deleted, event) = ctx.messages.delete(id, actor.id, ctx.clock.now()).await?;
    crate::channels::announce(ctx, event, Some(deleted.clone()), None).await;
    if !message.attachments.is_empty()
        && let Err(error) = crate::files::after_message_deleted(ctx, id).await
    {
        // The message is deleted; its files are swept with the unshared uploads' records
        // when this failed before they were marked.
        tracing::warn!(message_id = %id, %error, "removing a deleted message's files failed");
    }
    if !is_author(actor, &message) {
        tracing::info!(message_id = %id, by = %actor.id, author = %message.user_id, "message deleted by a moderator");
    }
    Ok(deleted)
}
