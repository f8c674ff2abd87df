//! Client frames that change something: each runs the same use case as its REST endpoint
//! (same validation, permissions, idempotency and rate limit).

use crate::protocol::ClientFrame;
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
        /// A new message's personal notices, to deliver after the ack.
        notices: Option<Box<messages::PendingNotices>>,
    },
    Error {
        code: &'static str,
        message: String,
        /// For `rate_limited`: when the next message will be accepted.
        retry_after_secs: Option<u64>,
    },
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
            messages::send_message(ctx, actor, command)
                .await
                .map(|sent| acked(&sent.message, sent.notices.map(Box::new)))
        }
        ClientFrame::EditMessage {
            message_id,
            content,
            ..
        } => messages::edit_message(ctx, actor, MessageId::new(message_id), &content)
            .await
            .map(|m| acked(&m, None)),
        ClientFrame::DeleteMessage { message_id, .. } => {
            messages::delete_message(ctx, actor, MessageId::new(message_id))
                .await
                .map(|m| acked(&m, None))
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
                notices: None,
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
    messages::set_reaction(ctx, actor, MessageId::new(message_id), &emoji, on)
        .await
        .map(|m| acked(&m, None))
}

fn acked(message: &Message, notices: Option<Box<messages::PendingNotices>>) -> Outcome {
    Outcome::Ack {
        client_msg_id: message
            .client_msg_id
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        id: Some(message.id.get()),
        seq: Some(message.seq),
        notices,
    }
}

/// The REST API's codes, so a client handles errors the same way on both.
fn error_outcome(error: ChatError) -> Outcome {
    let message = error.to_string();
    let code = match error {
        ChatError::NotFound(_) => "not_found",
        ChatError::Forbidden(_) => "forbidden",
        ChatError::Invalid { .. } => "validation_failed",
        ChatError::Conflict(_) => "conflict",
        ChatError::RateLimited { .. } => "rate_limited",
        ChatError::Port(ref port) => {
            tracing::error!(error = %port, "a real-time command failed");
            return Outcome::Error {
                code: "service_unavailable",
                message: "a service Tandem depends on failed; please retry".to_owned(),
                retry_after_secs: None,
            };
        }
    };
    let retry_after_secs = match error {
        ChatError::RateLimited { retry_after } => Some(retry_after.as_secs().max(1)),
        _ => None,
    };
    Outcome::Error {
        code,
        message,
        retry_after_secs,
    }
}
