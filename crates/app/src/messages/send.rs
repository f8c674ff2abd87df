//! Sending a message: validated, authorized, stored once (idempotent on `client_msg_id`).

use super::resolve_mentions;
use crate::AppContext;
use crate::channels::{ChatError, load};
use crate::ports::{Appended, NewMessage};
use tandem_domain::{
    Actor, ChannelEvent, ChannelId, ClientMsgId, Message, MessageBody, MessageId, MessageType,
};

#[derive(Debug, Clone)]
pub struct SendMessage {
    pub channel_id: ChannelId,
    pub content: String,
    pub reply_to_id: Option<MessageId>,
    pub client_msg_id: Option<ClientMsgId>,
}

/// The stored message, and whether this call created it (`event` is then its log entry) or
/// found it from an earlier call with the same `client_msg_id`.
#[derive(Debug, Clone)]
pub struct Sent {
    pub message: Message,
    pub event: Option<ChannelEvent>,
}

/// # Errors
/// `NotFound` (channel), `Forbidden` (not a member, archived, muted), `Invalid` (content,
/// `reply_to_id`).
pub async fn send_message(
    ctx: &AppContext,
    actor: &Actor,
    cmd: SendMessage,
) -> Result<Sent, ChatError> {
    let loaded = load(ctx, actor, cmd.channel_id).await?;
    loaded.access(ctx, actor).can_post()?;
    let policy = &ctx.chat_policy;
    let sent = ctx
        .rate_limiter
        .increment(
            &format!("messages-sent:{}", actor.id),
            policy.message_window,
        )
        .await?;
    if sent.count > policy.max_messages_per_window {
        return Err(ChatError::RateLimited {
            retry_after: sent.resets_in,
        });
    }
    let body =
        MessageBody::parse(&cmd.content, ctx.chat_policy.max_message_chars).map_err(|error| {
            ChatError::Invalid {
                field: "content",
                error,
            }
        })?;

    let reply_to_id = match cmd.reply_to_id {
        None => None,
        Some(id) => {
            let parent = ctx.messages.find(id, actor.id).await?;
            let parent = parent
                .filter(|p| p.channel_id == cmd.channel_id && !p.is_deleted)
                .ok_or_else(|| {
                    ChatError::invalid(
                        "reply_to_id",
                        "invalid_reply_to",
                        "must name a message of this channel that still exists",
                    )
                })?;
            // A reply to a reply joins the same thread.
            Some(parent.reply_to_id.unwrap_or(parent.id))
        }
    };
    let mentions = resolve_mentions(ctx, actor, &loaded, &body).await?;
    let appended = ctx
        .messages
        .append(NewMessage {
            channel_id: cmd.channel_id,
            user_id: actor.id,
            content: body,
            message_type: MessageType::Text,
            reply_to_id,
            client_msg_id: cmd.client_msg_id,
            mentions,
            created_at: ctx.clock.now(),
        })
        .await?;
    Ok(match appended {
        Appended::Created { message, event } => {
            crate::channels::announce(ctx, event.clone(), Some(message.clone()), None).await;
            super::notices::after_message(ctx, &loaded.channel, &message).await;
            Sent {
                message,
                event: Some(event),
            }
        }
        Appended::Existing(message) => Sent {
            message,
            event: None,
        },
    })
}
