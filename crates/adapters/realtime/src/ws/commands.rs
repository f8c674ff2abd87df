//! Client frames that change something: each runs the same use case as its REST endpoint
//! (same validation, permissions, idempotency and rate limit).

use tandem_api_types::errors::ApiError;
use tandem_api_types::realtime::ClientFrame;
use tandem_app::AppContext;
use tandem_app::channels::ChatError;
use tandem_app::messages::{self, SendMessage};
use tandem_domain::{Actor, ChannelId, ClientMsgId, Emoji, Message, MessageId};

/// Every `type` a client may send, to tell an unknown type from a malformed frame.
pub const KNOWN_TYPES: &[&str] = &[
    "chat_message",
    "typing",
    "edit_message",
    "delete_message",
    "add_reaction",
    "remove_reaction",
    "ping",
    "resume",
];

pub enum Outcome {
    Ack {
        client_msg_id: Option<String>,
        id: Option<i64>,
        seq: Option<i64>,
    },
    Error {
        code: &'static str,
        message: String,
        /// For `rate_limited`: when the next message will be accepted.
        retry_after_secs: Option<u64>,
    },
}

/// Reads a client frame; for an unreadable one, the code and message of the `error` frame that
/// says why.
pub fn parse(text: &str) -> Result<ClientFrame, (&'static str, String)> {
    serde_json::from_str(text).map_err(|error| {
        let known_type = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned));
        match known_type {
            Some(t) if !KNOWN_TYPES.contains(&t.as_str()) => {
                ("unknown_frame_type", format!("unknown frame type {t:?}"))
            }
            _ => ("malformed_frame", format!("not a valid frame: {error}")),
        }
    })
}

/// Runs one command frame for `actor` in the session's channel. Frames that change nothing
/// stored (typing, ping, resume) are handled by the session and never get here.
pub async fn run(
    ctx: &AppContext,
    actor: &Actor,
    channel_id: ChannelId,
    frame: ClientFrame,
) -> Outcome {
    let result = match frame {
        ClientFrame::ChatMessage {
            content,
            client_msg_id,
            reply_to_id,
            ..
        } => {
            let client_msg_id = match client_msg_id.as_deref().map(ClientMsgId::parse).transpose() {
                Ok(id) => id,
                Err(error) => {
                    return Outcome::Error {
                        code: "validation_failed",
                        message: format!("client_msg_id: {error}"),
                        retry_after_secs: None,
                    };
                }
            };
            let command = SendMessage {
                channel_id,
                content,
                reply_to_id: reply_to_id.map(MessageId::new),
                client_msg_id,
                attachments: Vec::new(),
            };
            messages::send_message(&ctx.chat, actor, command)
                .await
                .map(|sent| acked(&sent.message))
        }
        ClientFrame::EditMessage {
            message_id,
            content,
            ..
        } => {
            async {
                let id = in_this_channel(ctx, actor, channel_id, message_id).await?;
                let edited = messages::edit_message(&ctx.chat, actor, id, &content).await?;
                Ok(acked(&edited))
            }
            .await
        }
        ClientFrame::DeleteMessage { message_id, .. } => {
            async {
                let id = in_this_channel(ctx, actor, channel_id, message_id).await?;
                let deleted = messages::delete_message(&ctx.chat, actor, id).await?;
                Ok(acked(&deleted))
            }
            .await
        }
        ClientFrame::AddReaction {
            message_id, emoji, ..
        } => react(ctx, actor, channel_id, message_id, &emoji, true).await,
        ClientFrame::RemoveReaction {
            message_id, emoji, ..
        } => react(ctx, actor, channel_id, message_id, &emoji, false).await,
        ClientFrame::Typing { .. } | ClientFrame::Ping | ClientFrame::Resume { .. } => {
            Ok(Outcome::Ack {
                client_msg_id: None,
                id: None,
                seq: None,
            })
        }
    };
    result.unwrap_or_else(error_outcome)
}

/// A channel's socket acts on that channel's messages only: another channel's message is
/// `not_found` here, as it would be to someone who cannot see it (the REST endpoints, which
/// name no channel, act on any message the caller may change).
async fn in_this_channel(
    ctx: &AppContext,
    actor: &Actor,
    channel_id: ChannelId,
    message_id: i64,
) -> Result<MessageId, ChatError> {
    let id = MessageId::new(message_id);
    let message = messages::get_message(&ctx.chat, actor, id).await?;
    if message.channel_id == channel_id {
        Ok(id)
    } else {
        Err(ChatError::NotFound("message"))
    }
}

async fn react(
    ctx: &AppContext,
    actor: &Actor,
    channel_id: ChannelId,
    message_id: i64,
    emoji: &str,
    on: bool,
) -> Result<Outcome, ChatError> {
    let emoji = Emoji::parse(emoji).map_err(|error| ChatError::Invalid {
        field: "emoji",
        error,
    })?;
    let id = in_this_channel(ctx, actor, channel_id, message_id).await?;
    messages::set_reaction(&ctx.chat, actor, id, &emoji, on)
        .await
        .map(|m| acked(&m))
}

fn acked(message: &Message) -> Outcome {
    Outcome::Ack {
        client_msg_id: message
            .client_msg_id
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        id: Some(message.id.get()),
        seq: Some(message.seq),
    }
}

/// The REST API's codes and messages (one table), so a client handles errors the same way on
/// both.
/// Failures of a dependency are logged by the mapping, and their message says nothing internal.
fn error_outcome(error: ChatError) -> Outcome {
    let error = ApiError::from(error);
    Outcome::Error {
        code: error.code.as_str(),
        message: error.message,
        retry_after_secs: error.retry_after_secs,
    }
}
