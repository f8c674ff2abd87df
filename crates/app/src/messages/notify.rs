//! Who hears about a new message on their personal topic: the people it mentions, the other
//! people of a direct conversation, and every other member (their unread count changed).
//!
//! The one place that decides when: after the message is stored and announced in its
//! channel, on a task of its own, so the sender's answer (the socket's `ack`, the REST
//! response) never waits for a publish per member. Best effort, like every announcement.

use crate::ChatContext;
use crate::ports::Notification;
use tandem_domain::{Channel, ChannelKind, Mention, Message, UserId};

/// The most members told about one message; beyond it, clients learn unread counts from
/// `GET /channels`.
const MAX_RECIPIENTS: u64 = 5_000;

/// Notifies the members about `message` once the caller has moved on.
pub(crate) fn members_later(ctx: &ChatContext, channel: Channel, message: Message) {
    let (channels, announcer) = (ctx.channels.clone(), ctx.announcer.clone());
    tokio::spawn(async move {
        let members: Vec<UserId> = match channels.members(channel.id, None, MAX_RECIPIENTS).await {
            Ok(members) => members
                .into_iter()
                .map(|m| m.user_id)
                .filter(|id| *id != message.user_id)
                .collect(),
            Err(error) => {
                tracing::warn!(%error, channel_id = %channel.id, "could not list members to notify");
                return;
            }
        };
        let everyone = message
            .mentions
            .iter()
            .any(|m| matches!(m, Mention::Channel | Mention::Here));
        let mentioned: Vec<UserId> = if everyone {
            members.clone()
        } else {
            message
                .mentions
                .iter()
                .filter_map(|m| match m {
                    Mention::User(id) => Some(*id),
                    _ => None,
                })
                .filter(|id| members.contains(id))
                .collect()
        };
        let unread = Notification::UnreadChanged {
            channel_id: channel.id,
            seq: message.seq,
            message_id: message.id.get(),
            author_id: message.user_id,
        };
        if !mentioned.is_empty() {
            let mention = Notification::Mention {
                message: message.clone(),
            };
            announcer.notify(&mention, &mentioned).await;
        }
        if channel.kind == ChannelKind::Direct {
            let direct = Notification::DirectMessage { message };
            announcer.notify(&direct, &members).await;
        }
        announcer.notify(&unread, &members).await;
    });
}
