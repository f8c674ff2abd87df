//! Joining, leaving, adding and removing members, and listing them.

use super::create::check_members;
use super::{ChatError, announce_membership, load};
use crate::ChatContext;
use crate::ports::{MembershipChange, MembershipChanged};
use tandem_domain::{
    Actor, ChannelAction, ChannelDenied, ChannelId, ChannelKind, Membership, MessageBody, User,
    UserId,
};

/// Joins a public channel. Joining twice is not an error (`None`: nothing changed).
///
/// # Errors
/// `NotFound` (invisible or private), `Forbidden` (archived, direct).
pub async fn join_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<Option<MembershipChanged>, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    if loaded.membership.is_some() {
        return Ok(None);
    }
    loaded.access(ctx, actor).check(ChannelAction::Join)?;
    let changed = ctx
        .channels
        .add_member(change(ctx, id, actor.id, actor.id, "joined the channel"))
        .await?;
    announce_membership(ctx, actor, changed.clone()).await;
    Ok(changed)
}

/// Leaves a channel. Leaving one is not in is not an error (`None`).
///
/// # Errors
/// `NotFound`, `Forbidden` for direct conversations.
pub async fn leave_channel(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<Option<MembershipChanged>, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    if loaded.channel.kind == ChannelKind::Direct {
        return Err(ChannelDenied::DirectIsFixed.into());
    }
    if loaded.membership.is_none() {
        return Ok(None);
    }
    let changed = ctx
        .channels
        .remove_member(change(ctx, id, actor.id, actor.id, "left the channel"))
        .await?;
    announce_membership(ctx, actor, changed.clone()).await;
    Ok(changed)
}

/// Adds someone of the organization. Members may add people to public and private channels
/// (as in most chat tools); archived channels and direct conversations are closed.
///
/// # Errors
/// `NotFound` (channel, or a user outside the organization), `Forbidden`.
pub async fn add_member(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
) -> Result<Option<MembershipChanged>, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    if loaded.channel.kind == ChannelKind::Direct {
        return Err(ChannelDenied::DirectIsFixed.into());
    }
    loaded.access(ctx, actor).check(ChannelAction::AddMembers)?;
    let added = check_members(ctx, actor, &[user_id]).await?;
    let text = added.first().map_or_else(
        || "added someone to the channel".to_owned(),
        |u| format!("added @{} to the channel", u.username),
    );
    let changed = ctx
        .channels
        .add_member(change(ctx, id, user_id, actor.id, &text))
        .await?;
    announce_membership(ctx, actor, changed.clone()).await;
    if changed.is_some() {
        let invitation = crate::ports::Notification::ChannelInvite {
            channel: loaded.channel.clone(),
            by: actor.id,
        };
        ctx.announcer.notify(&invitation, &[user_id]).await;
        let stored = crate::ports::Job::NotifyInvite {
            channel_id: id.get(),
            user_id: user_id.get(),
            by: actor.id.get(),
        };
        if let Err(error) = crate::jobs::queue(&*ctx.jobs, &*ctx.clock, stored).await {
            tracing::warn!(%error, channel_id = %id, "could not queue the invitation's notification");
        }
    }
    Ok(changed)
}

/// Removes someone. Channel managers only; to remove oneself, leave.
///
/// # Errors
/// `NotFound`, `Forbidden`.
pub async fn remove_member(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
) -> Result<Option<MembershipChanged>, ChatError> {
    if user_id == actor.id {
        return leave_channel(ctx, actor, id).await;
    }
    let loaded = load(ctx, actor, id).await?;
    loaded
        .access(ctx, actor)
        .check(ChannelAction::RemoveMembers)?;
    let removed = ctx
        .users
        .find_many(actor.organization_id, &[user_id])
        .await?;
    let text = removed.first().map_or_else(
        || "removed someone from the channel".to_owned(),
        |u| format!("removed @{} from the channel", u.username),
    );
    let changed = ctx
        .channels
        .remove_member(change(ctx, id, user_id, actor.id, &text))
        .await?;
    announce_membership(ctx, actor, changed.clone()).await;
    Ok(changed)
}

/// Members and who they are, by user id, a page at a time.
///
/// # Errors
/// `NotFound` for channels the actor cannot read.
pub async fn list_members(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    after: Option<UserId>,
    limit: Option<u64>,
) -> Result<Vec<(Membership, User)>, ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    let memberships = ctx
        .channels
        .members(id, after, limit.unwrap_or(100).clamp(1, 200))
        .await?;
    let ids: Vec<UserId> = memberships.iter().map(|m| m.user_id).collect();
    let users = ctx.users.find_many(actor.organization_id, &ids).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            users
                .iter()
                .find(|u| u.id == m.user_id)
                .cloned()
                .map(|u| (m, u))
        })
        .collect())
}

fn change(
    ctx: &ChatContext,
    channel_id: ChannelId,
    user_id: UserId,
    actor_id: UserId,
    what: &str,
) -> MembershipChange {
    MembershipChange {
        channel_id,
        user_id,
        actor_id,
        at: ctx.clock.now(),
        announcement: Some(MessageBody::system(what.to_owned())),
    }
}
