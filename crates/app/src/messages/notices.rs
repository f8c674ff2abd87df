//! Who hears about a new message on their personal channel: the people it mentions, the other
//! people of a direct conversation, and every other member (their unread count changed).

use crate::AppContext;
use crate::ports::Notice;
use tandem_domain::{Channel, ChannelKind, Mention, Message, UserId};

/// The most members told about one message; beyond it, clients learn unread counts from
/// `GET /channels`.
const MAX_RECIPIENTS: u64 = 5_000;

/// After a message is stored and announced in its channel. Best effort, like all announcements.
pub(crate) async fn after_message(ctx: &AppContext, channel: &Channel, message: &Message) {
    let members: Vec<UserId> = match ctx.channels.members(channel.id, None, MAX_RECIPIENTS).await {
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
            .filter_map(|m| {
                if let Mention::User(id) = m {
                    Some(*id)
                } else {
                    None
                }
            })
            .filter(|id| members.contains(id))
            .collect()
    };
    if !mentioned.is_empty() {
        ctx.notifier
            .users_notified(
                Notice::Mention {
                    message: message.clone(),
                },
                &mentioned,
            )
            .await;
    }
    if channel.kind == ChannelKind::Direct {
        ctx.notifier
            .users_notified(
                Notice::DirectMessage {
                    message: message.clone(),
                },
                &members,
            )
            .await;
    }
    let unread = Notice::UnreadChanged {
        channel_id: channel.id,
        seq: message.seq,
        message_id: message.id.get(),
        author_id: message.user_id,
    };
    ctx.notifier.users_notified(unread, &members).await;
}
