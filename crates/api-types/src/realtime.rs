//! The real-time protocol, version 1: JSON text frames `{"type": "...", ...}` on the
//! WebSockets, and the encoder that writes what the real-time core publishes in it.
//!
//! Separate from domain events on purpose: this is a public contract clients are written
//! against. Every frame about a stored channel change carries that change's `seq`.

use crate::{ChannelFrame, ChannelResponse, MessageResponse, NotificationResponse};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tandem_app::ports::{ChannelChange, FrameEncoder, Notification};
use tandem_domain::User;
use utoipa::ToSchema;

/// What a client may send.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Post a message (answered by `ack`, then the `chat_message` everyone gets).
    ChatMessage {
        content: String,
        /// Idempotency key: resending with the same key returns the stored message.
        client_msg_id: Option<String>,
        reply_to_id: Option<i64>,
        /// Echoed in the `ack` or `error` answering this frame.
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
    /// Started or stopped typing. Repeat `start` every few seconds while typing.
    Typing { state: TypingState },
    EditMessage {
        message_id: i64,
        content: String,
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
    DeleteMessage {
        message_id: i64,
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
    AddReaction {
        message_id: i64,
        emoji: String,
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
    RemoveReaction {
        message_id: i64,
        emoji: String,
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
    /// Answered by `pong`.
    Ping,
    /// Send the stored events after `after_seq` that this socket has not sent yet, in order,
    /// while live events go on; nothing is sent twice. Events this socket already sent are not
    /// sent again: a client that lost some reconnects with `?after_seq=`.
    Resume { after_seq: i64 },
}

impl ClientFrame {
    pub fn reference(&self) -> Option<&str> {
        match self {
            Self::ChatMessage { reference, .. }
            | Self::EditMessage { reference, .. }
            | Self::DeleteMessage { reference, .. }
            | Self::AddReaction { reference, .. }
            | Self::RemoveReaction { reference, .. } => reference.as_deref(),
            Self::Typing { .. } | Self::Ping | Self::Resume { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypingState {
    Start,
    Stop,
}

/// A member of the conversation, as frames name them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Who {
    pub user_id: i64,
    pub username: String,
}

/// What the server sends.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame of a connection: the channel's latest `seq` (after any requested resume)
    /// and who is here: the members online now (at most 100, by user id), and you.
    Ready {
        channel_id: i64,
        seq: i64,
        user_id: i64,
        present: Vec<Who>,
    },
    /// First frame of the notifications socket.
    NotificationsReady {
        user_id: i64,
    },
    /// A message mentions you (by name, `@channel` or `@here`).
    Mention {
        message: MessageResponse,
    },
    /// A new message in one of your direct conversations.
    DirectMessage {
        message: MessageResponse,
    },
    /// You were added to a channel.
    ChannelInvite {
        channel: ChannelResponse,
        by_user_id: i64,
    },
    /// A notification was stored for you (the notification centre's live feed).
    Notification {
        notification: NotificationResponse,
    },
    /// Some of your notifications were read, on this device or another: `ids` when they
    /// were named, `up_to` when every one up to that id was; then what is left unread.
    NotificationsRead {
        #[schema(required = true)]
        ids: Option<Vec<i64>>,
        #[schema(required = true)]
        up_to: Option<i64>,
        unread: u64,
        high_priority: u64,
    },
    /// A channel you are in has a new message: refresh its unread count.
    UnreadChanged {
        channel_id: i64,
        seq: i64,
        message_id: i64,
        author_id: i64,
    },
    /// Someone opened the channel (a connection, not a membership change).
    UserJoined {
        user: Who,
    },
    /// Someone's last connection to the channel closed.
    UserLeft {
        user: Who,
    },
    /// Typing started or stopped; `start` expires after `expires_in_ms` without a refresh.
    UserTyping {
        user: Who,
        typing: bool,
        expires_in_ms: u64,
    },
    /// Someone of the organization came online or went offline.
    Presence {
        user_id: i64,
        status: String,
    },
    /// The frame with `ref` (or the message with `client_msg_id`) was done and stored.
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<i64>,
    },
    /// A frame could not be done. Codes are the REST API's (`validation_failed`, `forbidden`,
    /// `not_found`, `rate_limited`, ...) plus `malformed_frame` and `unknown_frame_type`.
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        code: String,
        message: String,
        /// With `rate_limited`: seconds until the next message will be accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after_secs: Option<u64>,
    },
    Pong,
    /// A stored change of the channel (`chat_message`, `message_edited`, ... `channel_updated`),
    /// each with its `seq`: the shapes of [`ChannelFrame`], shared with the SSE streams.
    #[serde(untagged)]
    Channel(ChannelFrame),
}

impl ServerFrame {
    /// The channel sequence number this frame carries, for frames about stored changes.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Self::Channel(frame) => Some(frame.seq()),
            _ => None,
        }
    }

    pub fn error(reference: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        Self::Error {
            reference: reference.map(str::to_owned),
            code: code.to_owned(),
            message: message.into(),
            retry_after_secs: None,
        }
    }

    pub fn to_json(&self) -> String {
        crate::frames::to_json(self)
    }
}

impl Who {
    pub fn of(user: &User) -> Self {
        Self {
            user_id: user.id.get(),
            username: user.username.as_str().to_owned(),
        }
    }
}

/// The real-time core's frames as this protocol's JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonFrames;

impl FrameEncoder for JsonFrames {
    fn channel_change(&self, change: ChannelChange) -> Option<String> {
        let ChannelChange {
            event,
            message,
            channel,
            user,
        } = change;
        ChannelFrame::new(event, message, channel, user).map(|frame| frame.to_json())
    }

    fn notification(&self, notification: &Notification) -> String {
        let frame = match notification.clone() {
            Notification::Mention { message } => ServerFrame::Mention {
                message: MessageResponse::from(message),
            },
            Notification::DirectMessage { message } => ServerFrame::DirectMessage {
                message: MessageResponse::from(message),
            },
            Notification::ChannelInvite { channel, by } => ServerFrame::ChannelInvite {
                channel: ChannelResponse::new(channel, None),
                by_user_id: by.get(),
            },
            Notification::Stored(notification) => ServerFrame::Notification {
                notification: notification.into(),
            },
            Notification::Read { ids, up_to, counts } => ServerFrame::NotificationsRead {
                ids,
                up_to,
                unread: counts.unread,
                high_priority: counts.high_priority,
            },
            Notification::UnreadChanged {
                channel_id,
                seq,
                message_id,
                author_id,
            } => ServerFrame::UnreadChanged {
                channel_id: channel_id.get(),
                seq,
                message_id,
                author_id: author_id.get(),
            },
        };
        frame.to_json()
    }

    fn presence(&self, user: &User, online: bool) -> String {
        ServerFrame::Presence {
            user_id: user.id.get(),
            status: if online { "online" } else { "offline" }.to_owned(),
        }
        .to_json()
    }

    fn typing(&self, user: &User, typing: bool, expires_in: Duration) -> String {
        ServerFrame::UserTyping {
            user: Who::of(user),
            typing,
            expires_in_ms: u64::try_from(expires_in.as_millis()).unwrap_or(u64::MAX),
        }
        .to_json()
    }

    fn connection(&self, user: &User, opened: bool) -> String {
        let user = Who::of(user);
        if opened {
            ServerFrame::UserJoined { user }
        } else {
            ServerFrame::UserLeft { user }
        }
        .to_json()
    }
}

/// The frames of this protocol as a JSON-schema document (OpenAPI components), committed as
/// `openapi/realtime.json` and printed by `tandem openapi --realtime`. Server-Sent Events carry
/// the same channel frames as `data`.
pub fn schema_document() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;

    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "Tandem real-time protocol",
            description = "JSON text frames `{\"type\": ...}` on `/api/v1/ws/chat/{channel_id}` and \
                `/api/v1/ws/notifications/{user_id}`. `ClientFrame` is what a client sends, `ServerFrame` \
                what it receives. Every frame about a stored channel change carries that change's `seq`."
        ),
        components(schemas(ClientFrame, ServerFrame, TypingState, Who))
    )]
    struct Realtime;

    let mut document = Realtime::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    channel_frames_as_sent(&mut document);
    document
}

/// `ServerFrame::Channel` is untagged: on the wire a channel change is the `ChannelFrame`
/// itself, without the `type: "channel"` tag the derived schema gives that variant. The
/// variant is described as what is sent, in every document that holds the schema.
pub fn channel_frames_as_sent(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr, Schema};
    let Some(RefOr::T(Schema::OneOf(one_of))) = document
        .components
        .as_mut()
        .and_then(|components| components.schemas.get_mut("ServerFrame"))
    else {
        return;
    };
    for variant in &mut one_of.items {
        let untagged_channel = matches!(variant, RefOr::T(Schema::AllOf(all_of))
            if all_of.items.iter().any(|item| matches!(item,
                RefOr::Ref(reference) if reference.ref_location.ends_with("/ChannelFrame"))));
        if untagged_channel {
            let mut reference = Ref::from_schema_name("ChannelFrame");
            reference.description = "A stored change of the channel (`chat_message`, \
                `message_edited`, ... `channel_updated`), each with its `seq`: the shapes of \
                `ChannelFrame`, shared with the event streams."
                .to_owned();
            *variant = RefOr::Ref(reference);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_frames_read_the_same_on_the_socket_as_in_the_shared_shape() {
        let frame = ChannelFrame::ChannelUpdated {
            seq: 9,
            channel: None,
        };
        let shared = frame.to_json();
        assert_eq!(
            shared,
            r#"{"type":"channel_updated","seq":9,"channel":null}"#
        );
        let on_socket = ServerFrame::Channel(frame);
        assert_eq!(on_socket.to_json(), shared);
        assert_eq!(on_socket.seq(), Some(9));
    }

    #[test]
    fn client_frames_parse_by_type_and_refuse_unknown_fields() {
        let frame: ClientFrame = serde_json::from_str(
            r#"{"type":"chat_message","content":"hi","client_msg_id":"a1","ref":"r1"}"#,
        )
        .unwrap();
        assert_eq!(frame.reference(), Some("r1"));
        assert!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"typing","state":"start"}"#).is_ok()
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"explode"}"#).is_err());
        assert!(
            serde_json::from_str::<ClientFrame>(
                r#"{"type":"chat_message","content":"x","contnet":"typo"}"#
            )
            .is_err()
        );
    }
}
