//! Real-time frames about stored channel changes. Shared by the WebSocket protocol and the
//! Server-Sent Events streams (as each event's `data`), so a change reads the same whichever
//! way it arrives: `{"type":"chat_message","seq":5,"message":{...}}`.

use crate::{ChannelResponse, MessageResponse, UserResponse};
use serde::Serialize;
use tandem_domain::{Channel, ChannelEvent, ChannelEventKind, Message, User};
use utoipa::ToSchema;

/// A stored change of a channel, as clients receive it. Every frame carries the change's
/// `seq`: a client that saw seq `N` resumes after `N` (WebSocket `after_seq`, SSE
/// `Last-Event-ID`) and never misses or repeats a change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelFrame {
    /// A new message (`seq` is the message's).
    ChatMessage {
        seq: i64,
        message: MessageResponse,
    },
    MessageEdited {
        seq: i64,
        message: MessageResponse,
    },
    MessageDeleted {
        seq: i64,
        message_id: i64,
        message: MessageResponse,
    },
    ReactionAdded {
        seq: i64,
        message_id: i64,
        user_id: i64,
        emoji: String,
        message: MessageResponse,
    },
    ReactionRemoved {
        seq: i64,
        message_id: i64,
        user_id: i64,
        emoji: String,
        message: MessageResponse,
    },
    MessagePinned {
        seq: i64,
        message: MessageResponse,
    },
    MessageUnpinned {
        seq: i64,
        message: MessageResponse,
    },
    /// Someone became a member of the channel.
    MemberJoined {
        seq: i64,
        user: Option<UserResponse>,
    },
    /// Someone stopped being a member.
    MemberLeft {
        seq: i64,
        user: Option<UserResponse>,
    },
    ChannelUpdated {
        seq: i64,
        channel: Option<ChannelResponse>,
    },
    /// A member's role in the channel or their mute there changed: read the member again
    /// (`GET /channels/{id}/members`; their own, `GET /channels/{id}`).
    MemberUpdated {
        seq: i64,
        user: Option<UserResponse>,
    },
}

impl ChannelFrame {
    /// The frame announcing `event`, with what it needs: the message of message and reaction
    /// events, the user of member events, the channel of `channel_updated`. `None` when the
    /// event lacks what its frame needs (a message event whose message is gone), which only a
    /// broken caller produces.
    pub fn new(
        event: ChannelEvent,
        message: Option<Message>,
        channel: Option<Channel>,
        user: Option<User>,
    ) -> Option<Self> {
        let seq = event.seq;
        let message_id = event.message_id.map(|m| m.get());
        let message = message.map(MessageResponse::from);
        let frame = match event.kind {
            ChannelEventKind::MessageCreated => Self::ChatMessage {
                seq,
                message: message?,
            },
            ChannelEventKind::MessageEdited => Self::MessageEdited {
                seq,
                message: message?,
            },
            ChannelEventKind::MessageDeleted => Self::MessageDeleted {
                seq,
                message_id: message_id?,
                message: message?,
            },
            ChannelEventKind::ReactionAdded => Self::ReactionAdded {
                seq,
                message_id: message_id?,
                user_id: event.user_id?.get(),
                emoji: event.emoji?.as_str().to_owned(),
                message: message?,
            },
            ChannelEventKind::ReactionRemoved => Self::ReactionRemoved {
                seq,
                message_id: message_id?,
                user_id: event.user_id?.get(),
                emoji: event.emoji?.as_str().to_owned(),
                message: message?,
            },
            ChannelEventKind::MessagePinned => Self::MessagePinned {
                seq,
                message: message?,
            },
            ChannelEventKind::MessageUnpinned => Self::MessageUnpinned {
                seq,
                message: message?,
            },
            ChannelEventKind::MemberJoined => Self::MemberJoined {
                seq,
                user: user.map(UserResponse::from),
            },
            ChannelEventKind::MemberLeft => Self::MemberLeft {
                seq,
                user: user.map(UserResponse::from),
            },
            ChannelEventKind::ChannelUpdated => Self::ChannelUpdated {
                seq,
                channel: channel.map(|c| ChannelResponse::new(c, None)),
            },
            ChannelEventKind::MemberUpdated => Self::MemberUpdated {
                seq,
                user: user.map(UserResponse::from),
            },
        };
        Some(frame)
    }

    pub fn seq(&self) -> i64 {
        match self {
            Self::ChatMessage { seq, .. }
            | Self::MessageEdited { seq, .. }
            | Self::MessageDeleted { seq, .. }
            | Self::ReactionAdded { seq, .. }
            | Self::ReactionRemoved { seq, .. }
            | Self::MessagePinned { seq, .. }
            | Self::MessageUnpinned { seq, .. }
            | Self::MemberJoined { seq, .. }
            | Self::MemberLeft { seq, .. }
            | Self::ChannelUpdated { seq, .. }
            | Self::MemberUpdated { seq, .. } => *seq,
        }
    }

    /// The `type` of the JSON (`chat_message`, ...), which is also the SSE event name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ChatMessage { .. } => "chat_message",
            Self::MessageEdited { .. } => "message_edited",
            Self::MessageDeleted { .. } => "message_deleted",
            Self::ReactionAdded { .. } => "reaction_added",
            Self::ReactionRemoved { .. } => "reaction_removed",
            Self::MessagePinned { .. } => "message_pinned",
            Self::MessageUnpinned { .. } => "message_unpinned",
            Self::MemberJoined { .. } => "member_joined",
            Self::MemberLeft { .. } => "member_left",
            Self::ChannelUpdated { .. } => "channel_updated",
            Self::MemberUpdated { .. } => "member_updated",
        }
    }

    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// Serializes a frame. These plain structs cannot fail to serialize; the fallback keeps the
/// connection speaking JSON anyway.
pub fn to_json(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_else(|_| {
        r#"{"type":"error","code":"internal_error","message":"encoding failed"}"#.to_owned()
    })
}

/// The `type` of a frame's JSON, read without parsing it: every frame is an internally tagged
/// enum, which serde writes with the tag first (`{"type":"chat_message",...`). `None` for text
/// that does not start that way.
pub fn frame_type(json: &str) -> Option<&str> {
    let rest = json.strip_prefix(r#"{"type":""#)?;
    let end = rest.find('"')?;
    Some(&rest[..end])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use tandem_domain::{
        ChannelId, Email, MessageId, MessageType, OrganizationId, Role, UserId, UserStatus,
        Username,
    };

    fn event(kind: ChannelEventKind, seq: i64) -> ChannelEvent {
        ChannelEvent {
            channel_id: ChannelId::new(3),
            seq,
            kind,
            actor_id: UserId::new(7),
            message_id: Some(MessageId::new(11)),
            user_id: Some(UserId::new(7)),
            emoji: None,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        }
    }

    fn message() -> Message {
        Message {
            id: MessageId::new(11),
            content: "hi".to_owned(),
            channel_id: ChannelId::new(3),
            user_id: UserId::new(7),
            message_type: MessageType::Text,
            reply_to_id: None,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            edited_at: None,
            is_deleted: false,
            seq: 5,
            client_msg_id: None,
            mentions: Vec::new(),
            reactions: Vec::new(),
            reply_count: 0,
            last_reply_at: None,
            pinned_at: None,
            attachments: Vec::new(),
        }
    }

    fn user() -> User {
        User {
            id: UserId::new(7),
            email: Email::parse("ana@acme.io").unwrap(),
            username: Username::parse("ana").unwrap(),
            display_name: None,
            organization_id: OrganizationId::new(1),
            role: Role::Member,
            profile_picture: None,
            status: UserStatus::Online,
            last_activity: None,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            is_active: true,
            email_verified: true,
            is_bot: false,
            bot_owner_id: None,
        }
    }

    #[test]
    fn frames_are_tagged_by_type_with_their_seq_and_name_their_kind() {
        let frame = ChannelFrame::new(
            event(ChannelEventKind::MessageCreated, 5),
            Some(message()),
            None,
            None,
        )
        .unwrap();
        let json = frame.to_json();
        assert!(json.starts_with(r#"{"type":"chat_message","seq":5,"message":{"#));
        assert_eq!((frame.seq(), frame.kind()), (5, "chat_message"));
        assert_eq!(frame_type(&json), Some("chat_message"));
        let joined = ChannelFrame::new(
            event(ChannelEventKind::MemberJoined, 6),
            None,
            None,
            Some(user()),
        )
        .unwrap();
        assert_eq!(frame_type(&joined.to_json()), Some(joined.kind()));
    }

    #[test]
    fn every_kind_names_its_json_type() {
        for kind in ChannelEventKind::ALL {
            let mut with_emoji = event(kind, 1);
            with_emoji.emoji = Some(tandem_domain::Emoji::parse("👍").unwrap());
            let frame = ChannelFrame::new(with_emoji, Some(message()), None, Some(user())).unwrap();
            assert_eq!(frame_type(&frame.to_json()), Some(frame.kind()), "{kind:?}");
        }
    }

    #[test]
    fn a_message_event_without_its_message_has_no_frame() {
        let frame = ChannelFrame::new(event(ChannelEventKind::MessageEdited, 2), None, None, None);
        assert!(frame.is_none());
    }

    #[test]
    fn text_that_is_not_a_frame_has_no_type() {
        assert_eq!(frame_type("not json"), None);
    }
}
