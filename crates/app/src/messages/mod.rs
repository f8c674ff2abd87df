//! Messages: sending (idempotently), history, threads, edits, deletes, reactions, pins,
//! reports, search, and the channel's change log.

pub mod events;
mod history;
mod notify;
mod react;
mod report;
mod search;
mod send;
mod write;

pub use events::{EventPage, channel_events};
pub use history::{History, get_message, message_history, pinned_messages, thread};
pub use react::{set_pinned, set_reaction};
pub use report::report_message;
pub use search::{SearchRequest, search_messages};
pub use send::{MAX_ATTACHMENTS, SendMessage, Sent, send_message};
pub use write::{delete_message, edit_message};

use crate::ChatContext;
use crate::channels::{ChatError, VisibleChannel, load};
use tandem_domain::{Actor, Mention, Message, MessageBody, MessageId};

/// Loads a message and its channel for a rule check; `NotFound` when the actor cannot see it.
pub(crate) async fn load_message(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
) -> Result<(Message, VisibleChannel), ChatError> {
    let message = ctx
        .messages
        .find(id, actor.id)
        .await?
        .ok_or(ChatError::NotFound("message"))?;
    let loaded = load(ctx, actor, message.channel_id)
        .await
        .map_err(|e| match e {
            ChatError::NotFound(_) => ChatError::NotFound("message"),
            other => other,
        })?;
    Ok((message, loaded))
}

/// The most people one message may mention by name.
const MAX_NAMED_MENTIONS: usize = 50;

/// Resolves the text's mentions against the channel's members: mentioning someone who is not
/// in the channel records nothing and grants nothing.
pub(crate) async fn resolve_mentions(
    ctx: &ChatContext,
    actor: &Actor,
    loaded: &VisibleChannel,
    body: &MessageBody,
) -> Result<Vec<Mention>, ChatError> {
    let targets = body.mentions();
    let mut mentions = Vec::new();
    if targets.channel {
        mentions.push(Mention::Channel);
    }
    if targets.here {
        mentions.push(Mention::Here);
    }
    let names: Vec<String> = targets
        .usernames
        .into_iter()
        .take(MAX_NAMED_MENTIONS)
        .collect();
    for user in ctx
        .users
        .find_by_usernames(actor.organization_id, &names)
        .await?
    {
        if ctx
            .channels
            .membership(loaded.channel.id, user.id)
            .await?
            .is_some()
        {
            mentions.push(Mention::User(user.id));
        }
    }
    mentions.sort_unstable();
    mentions.dedup();
    Ok(mentions)
}

pub(crate) fn is_author(actor: &Actor, message: &Message) -> bool {
    message.user_id == actor.id
}
