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
        } => messages::edit_message(&ctx.chat, actor, MessageId::new(message_id), &content)
            .await
            .map(|m| acked(&m)),
        ClientFrame::DeleteMessage { message_id, .. } => {
            messages::delete_message(&ctx.chat, actor, MessageId::new(message_id))
                .await
                .map(|m| acked(&m))
        }
        ClientFrame::AddReaction {
            message_id, emoji, ..
        } => react(ctx, actor, message_id, &emoji, true).await,
        ClientFrame::RemoveReaction {
            message_id, emoji, ..
        } => react(ctx, actor, message_id, &emoji, false).await,
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

async fn react(
    ctx: &AppContext,
    actor: &Actor,
    message_id: i64,
    emoji: &str,
    on: bool,
) -> Result<Outcome, ChatError> {
    let emoji = Emoji::parse(emoji).map_err(|error| ChatError::Invalid {
        field: "emoji",
        error,
    })?;
    messages::set_reaction(&ctx.chat, actor, MessageId::new(message_id), &emoji, on)
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
