//! Frames as short plain text, so a use-case test reads what was announced at a glance:
//! `chat_message seq=3 message=7`, `mention message=7`, `presence user=2 online`.

use std::time::Duration;
use tandem_app::ports::{ChannelChange, FrameEncoder, Notification};
use tandem_domain::User;

#[derive(Debug, Clone, Copy, Default)]
pub struct PlainFrames;

impl FrameEncoder for PlainFrames {
    fn channel_change(&self, change: ChannelChange) -> Option<String> {
        let event = &change.event;
        let mut text = format!("{} seq={}", event.kind.as_str(), event.seq);
        if let Some(message) = &change.message {
            text.push_str(&format!(" message={}", message.id));
        }
        if let Some(user) = &change.user {
            text.push_str(&format!(" user={}", user.id));
        }
        Some(text)
    }

    fn notification(&self, notification: &Notification) -> String {
        match notification {
            Notification::Mention { message } => format!("mention message={}", message.id),
            Notification::DirectMessage { message } => {
                format!("direct_message message={}", message.id)
            }
            Notification::ChannelInvite { channel, by } => {
                format!("channel_invite channel={} by={by}", channel.id)
            }
            Notification::Stored(n) => format!("notification {} id={}", n.kind.as_str(), n.id),
            Notification::Read { ids, up_to, counts } => format!(
                "notifications_read ids={ids:?} up_to={up_to:?} unread={}",
                counts.unread
            ),
            Notification::UnreadChanged {
                channel_id, seq, ..
            } => format!("unread_changed channel={channel_id} seq={seq}"),
        }
    }

    fn presence(&self, user: &User, online: bool) -> String {
        let state = if online { "online" } else { "offline" };
        format!("presence user={} {state}", user.id)
    }

    fn typing(&self, user: &User, typing: bool, _expires_in: Duration) -> String {
        let state = if typing { "start" } else { "stop" };
        format!("typing user={} {state}", user.id)
    }

    fn connection(&self, user: &User, opened: bool) -> String {
        let state = if opened { "opened" } else { "closed" };
        format!("{state} user={}", user.id)
    }
}
