//! Listing, reading, changing and deleting channels.

use super::{ChatError, announce, load};
use crate::ChatContext;
use crate::ports::{ChannelChanges, ChannelSummary};
use tandem_domain::{Actor, Channel, ChannelAction, ChannelId, Membership, MessageBody};

/// The channels the actor can see: the organization's public ones and every channel they are
/// in, with unread counts.
///
/// # Errors
/// `Port` when storage fails.
pub async fn list_channels(
    ctx: &ChatContext,
    actor: &Actor,
) -> Result<Vec<ChannelSummary>, ChatError> {
    Ok(ctx
        .channels
        .list_for_user(actor.organization_id, actor.id)
        .await?)
}

/// # Errors
/// `NotFound` for channels the actor cannot see.
pub async fn get_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<(Channel, Option<Membership>), ChatError> {
    let loaded = load(ctx, actor, id).await?;
    Ok((loaded.channel, loaded.membership))
}

/// The channel, when the actor manages it (its admins, and the organization's).
///
/// # Errors
/// `NotFound` for channels the actor cannot see; `Forbidden` for those they do not manage.
pub async fn managed_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<Channel, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Manage)?;
    Ok(loaded.channel)
}

/// Renames, describes, archives or unarchives, makes read-only or not. Renames, archiving and
/// read-only changes are announced in the channel.
///
/// # Errors
/// `NotFound`, `Forbidden` (not a manager, direct conversation), `Conflict(ChannelName)`.
pub async fn update_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    changes: ChannelChanges,
) -> Result<Channel, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Manage)?;
    let channel = &loaded.channel;
    let renamed = changes.name.as_ref().filter(|n| **n != channel.name);
    let archiving = changes.is_archived.filter(|a| *a != channel.is_archived);
    let read_only = changes.read_only.filter(|r| *r != channel.read_only);
    if changes.is_empty()
        || (renamed.is_none()
            && archiving.is_none()
            && read_only.is_none()
            && changes.description.is_none())
    {
        return Ok(loaded.channel);
    }
    let announcement = match (renamed, archiving, read_only) {
        (Some(name), _, _) => Some(format!(
            "renamed the channel from #{} to #{name}",
            channel.name
        )),
        (None, Some(true), _) => Some("archived the channel".to_owned()),
        (None, Some(false), _) => Some("unarchived the channel".to_owned()),
        (None, None, Some(true)) => {
            Some("made this an announcement channel: only its admins post".to_owned())
        }
        (None, None, Some(false)) => Some("opened the channel to everyone's posts".to_owned()),
        (None, None, None) => None,
    };
    let (updated, changed) = ctx
        .channels
        .update(
            id,
            &changes,
            actor.id,
            ctx.clock.now(),
            announcement.map(MessageBody::system),
        )
        .await?;
    for event in changed.events {
        let is_message = event.kind == tandem_domain::ChannelEventKind::MessageCreated;
        let (message, channel) = if is_message {
            (changed.announcement.clone(), None)
        } else {
            (None, Some(updated.clone()))
        };
        announce(ctx, event, message, channel).await;
    }
    Ok(updated)
}

/// Deletes a channel with all its messages. Managers only; direct conversations cannot be deleted.
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub async fn delete_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<(), ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Manage)?;
    ctx.channels.delete(id).await?;
    tracing::info!(channel_id = %id, by = %actor.id, "channel deleted");
    Ok(())
}
