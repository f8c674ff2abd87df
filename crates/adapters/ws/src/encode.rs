//! Turning stored channel changes into frames, the same way for live delivery and catch-up.

use crate::protocol::ServerFrame;
use tandem_app::ports::ChannelChange;
use tandem_domain::ChannelEventKind;
use tandem_wire::{ChannelResponse, MessageResponse, UserResponse};

/// The frame announcing `change`; `None` when the change lacks what its frame needs (a
/// message event whose message is gone), which only a broken caller produces.
pub fn frame_for(change: ChannelChange) -> Option<ServerFrame> {
    let ChannelChange {
        event,
        message,
        channel,
        user,
    } = change;
    let seq = event.seq;
    let message_id = event.message_id.map(|m| m.get());
    let message = message.map(MessageResponse::from);
    let frame = match event.kind {
        ChannelEventKind::MessageCreated => ServerFrame::ChatMessage {
            seq,
            message: message?,
        },
        ChannelEventKind::MessageEdited => ServerFrame::MessageEdited {
            seq,
            message: message?,
        },
        ChannelEventKind::MessageDeleted => ServerFrame::MessageDeleted {
            seq,
            message_id: message_id?,
            message: message?,
        },
        ChannelEventKind::ReactionAdded => ServerFrame::ReactionAdded {
            seq,
            message_id: message_id?,
            user_id: event.user_id?.get(),
            emoji: event.emoji?.as_str().to_owned(),
            message: message?,
        },
        ChannelEventKind::ReactionRemoved => ServerFrame::ReactionRemoved {
            seq,
            message_id: message_id?,
            user_id: event.user_id?.get(),
            emoji: event.emoji?.as_str().to_owned(),
            message: message?,
        },
        ChannelEventKind::MessagePinned => ServerFrame::MessagePinned {
            seq,
            message: message?,
        },
        ChannelEventKind::MessageUnpinned => ServerFrame::MessageUnpinned {
            seq,
            message: message?,
        },
        ChannelEventKind::MemberJoined => ServerFrame::MemberJoined {
            seq,
            user: user.map(UserResponse::from),
        },
        ChannelEventKind::MemberLeft => ServerFrame::MemberLeft {
            seq,
            user: user.map(UserResponse::from),
        },
        ChannelEventKind::ChannelUpdated => ServerFrame::ChannelUpdated {
            seq,
            channel: channel.map(|c| ChannelResponse::new(c, None)),
        },
    };
    Some(frame)
}
