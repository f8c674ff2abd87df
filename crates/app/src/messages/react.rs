//! Reactions and pins: small changes members make (in read-only channels, pins are for the
//! channel's moderators).

use super::load_message;
use crate::ChatContext;
use crate::channels::ChatError;
use tandem_domain::{Actor, ChannelAction, Emoji, Message, MessageId};

/// Adds (`on`) or removes the caller's `emoji` on a message; doing it twice changes nothing.
/// Returns the message as the caller now sees it.
///
/// # Errors
/// `NotFound`, `Forbidden` (not a member, archived).
pub async fn set_reaction(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    emoji: &Emoji,
    on: bool,
) -> Result<Message, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    if message.is_deleted {
        return Err(ChatError::NotFound("message"));
    }
    loaded.access(ctx, actor).check(ChannelAction::React)?;
    let now = ctx.clock.now();
    let event = if on {
        ctx.messages.add_reaction(id, actor.id, emoji, now).await?
    } else {
        ctx.messages
            .remove_reaction(id, actor.id, emoji, now)
            .await?
    };
    current_and_announced(ctx, actor, id, event).await
}

/// Pins or unpins a message; members may do both (moderators, in read-only channels).
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub async fn set_pinned(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    pinned: bool,
) -> Result<Message, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    if message.is_deleted {
        return Err(ChatError::NotFound("message"));
    }
    loaded.access(ctx, actor).check(ChannelAction::Pin)?;
    let event = ctx
        .messages
        .set_pinned(id, pinned, actor.id, ctx.clock.now())
        .await?;
    current_and_announced(ctx, actor, id, event).await
}

/// The message as the actor now sees it, announced with `event` when something changed.
async fn current_and_announced(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    event: Option<tandem_domain::ChannelEvent>,
) -> Result<Message, ChatError> {
    let message = ctx
        .messages
        .find(id, actor.id)
        .await?
        .ok_or(ChatError::NotFound("message"))?;
    if let Some(event) = event {
        crate::channels::announce(ctx, event, Some(message.clone()), None).await;
    }
    Ok(message)
}
