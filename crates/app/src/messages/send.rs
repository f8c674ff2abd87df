//! Sending a message: validated, authorized, stored once (idempotent on `client_msg_id`).

use super::resolve_mentions;
use crate::ChatContext;
use crate::channels::{ChatError, load};
use crate::ports::{Appended, NewMessage, PortError};
use tandem_domain::{
    Actor, ChannelAction, ChannelEvent, ChannelId, ClientMsgId, FileId, Message, MessageBody,
    MessageId, MessageType,
};

#[derive(Debug, Clone)]
pub struct SendMessage {
    pub channel_id: ChannelId,
    pub content: String,
    pub reply_to_id: Option<MessageId>,
    pub client_msg_id: Option<ClientMsgId>,
    /// Uploads to share (`POST /channels/{id}/files`); the content is then an optional caption.
    pub attachments: Vec<FileId>,
}

/// Files one message may share.
pub const MAX_ATTACHMENTS: usize = 10;

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
    ctx: &ChatContext,
    actor: &Actor,
    cmd: SendMessage,
) -> Result<Sent, ChatError> {
    let loaded = load(ctx, actor, cmd.channel_id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Post)?;
    let policy = &ctx.policy;
    let sent = ctx
        .rate_limiter
        .increment(
            &format!("messages-sent:{}", actor.id),
            policy.message_window,
        )
        .await?;
    if sent.count > policy.max_messages_per_window {
        // A retry of a message already stored is answered with it, limit or not: the sender
        // must learn it went through.
        if let Some(key) = &cmd.client_msg_id
            && let Some(message) = ctx
                .messages
                .find_by_client_msg_id(cmd.channel_id, actor.id, key)
                .await?
        {
            return Ok(Sent {
                message,
                event: None,
            });
        }
        return Err(ChatError::RateLimited {
            retry_after: sent.resets_in,
        });
    }
    let max_chars = ctx.policy.max_message_chars;
    let body = if cmd.attachments.is_empty() {
        MessageBody::parse(&cmd.content, max_chars)
    } else {
        MessageBody::caption(&cmd.content, max_chars)
    }
    .map_err(|error| ChatError::Invalid {
        field: "content",
        error,
    })?;
    let message_type = shared_files(ctx, actor, &cmd).await?;
    let has_attachments = !cmd.attachments.is_empty();

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
            message_type,
            reply_to_id,
            client_msg_id: cmd.client_msg_id,
            mentions,
            attachments: cmd.attachments,
            created_at: ctx.clock.now(),
        })
        .await
        .map_err(|error| match error {
            // An attachment was shared or removed by a concurrent request after the check.
            PortError::NotFound if has_attachments => ChatError::invalid(
                "attachments",
                "invalid_attachment",
                "a file was shared or removed meanwhile; upload it again",
            ),
            error => error.into(),
        })?;
    Ok(match appended {
        Appended::Created { message, event } => {
            // Durable before the ack: one job row, whatever the channel's size.
            if crate::notifications::needs_notifying(ctx, &loaded.channel, &message).await {
                let job = crate::ports::Job::NotifyMessage {
                    message_id: message.id.get(),
                };
                if let Err(error) = crate::jobs::queue(&*ctx.jobs, &*ctx.clock, job).await {
                    tracing::warn!(%error, message_id = %message.id, "could not queue a message's notifications");
                }
            }
            crate::channels::announce(ctx, event.clone(), Some(message.clone()), None).await;
            super::notify::members_later(ctx, loaded.channel, message.clone());
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

/// The message's type from the files it shares: `image` when every one is a previewable image,
/// `file` otherwise, `text` without files. Each file must be the sender's own upload to this
/// channel, not shared yet.
async fn shared_files(
    ctx: &ChatContext,
    actor: &Actor,
    cmd: &SendMessage,
) -> Result<MessageType, ChatError> {
    if cmd.attachments.is_empty() {
        return Ok(MessageType::Text);
    }
    let invalid =
        |message: String| ChatError::invalid("attachments", "invalid_attachment", message);
    if cmd.attachments.len() > MAX_ATTACHMENTS {
        return Err(invalid(format!(
            "a message may share at most {MAX_ATTACHMENTS} files"
        )));
    }
    let mut images = 0;
    for (index, id) in cmd.attachments.iter().enumerate() {
        if cmd.attachments[..index].contains(id) {
            return Err(invalid(format!("file {id} is listed twice")));
        }
        let file = ctx.files.find(*id).await?.filter(|f| {
            f.organization_id == actor.organization_id
                && f.uploader_id == actor.id
                && f.channel_id == cmd.channel_id
                && f.message_id.is_none()
        });
        let Some(file) = file else {
            return Err(invalid(format!(
                "file {id} is not an upload of yours to this channel waiting to be shared"
            )));
        };
        if file.attachment().is_image() {
            images += 1;
        }
    }
    Ok(if images == cmd.attachments.len() {
        MessageType::Image
    } else {
        MessageType::File
    })
}
