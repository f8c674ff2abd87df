//! Channel roles and mutes: channel admins name admins and moderators, moderators keep a member
//! from posting for a while. The rules are the domain's ([`tandem_domain::ChannelAction`]).

use super::{ChatError, VisibleChannel, load};
use crate::ChatContext;
use crate::ports::MemberChanges;
use chrono::Duration;
use tandem_domain::{
    Actor, ChannelAction, ChannelId, ChannelRole, Membership, Standing, User, UserId,
};

/// The longest mute a channel moderator can give: longer ones are the organization's
/// moderators' to decide.
pub const MAX_CHANNEL_MUTE: Duration = Duration::days(30);

/// Makes a member a channel admin, a moderator or a plain member again. Giving the role someone
/// already has changes nothing and announces nothing.
///
/// # Errors
/// `NotFound` (channel, or the user is not a member), `Forbidden` (not a channel admin, direct
/// conversation).
pub async fn set_member_role(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
    role: ChannelRole,
) -> Result<(Membership, User), ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded
        .access(ctx, actor)
        .check(ChannelAction::AssignRoles)?;
    let (membership, user) = target(ctx, actor, id, user_id).await?;
    if membership.role == role {
        return Ok((membership, user));
    }
    let changes = MemberChanges {
        role: Some(role),
        ..MemberChanges::default()
    };
    let updated = apply(ctx, &loaded, actor, &user, &changes).await?;
    tracing::info!(channel_id = %id, user_id = %user_id, role = role.as_str(), by = %actor.id, "channel role changed");
    Ok((updated, user))
}

/// Keeps a member from posting, reacting and pinning in the channel for `duration` (a minute to
/// [`MAX_CHANNEL_MUTE`]); muting again replaces the end. Only people with less say in the
/// channel than the actor can be muted.
///
/// # Errors
/// `Invalid` duration, `NotFound`, `Forbidden` (not a moderator, outranked, oneself).
pub async fn mute_member(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
    duration: Duration,
) -> Result<(Membership, User), ChatError> {
    if duration < Duration::minutes(1) || duration > MAX_CHANNEL_MUTE {
        return Err(ChatError::invalid(
            "minutes",
            "out_of_range",
            format!(
                "a channel mute lasts from 1 minute to {} days",
                MAX_CHANNEL_MUTE.num_days()
            ),
        ));
    }
    let loaded = load(ctx, actor, id).await?;
    let (membership, user) = target(ctx, actor, id, user_id).await?;
    if user_id == actor.id {
        return Err(ChatError::Forbidden("you cannot mute yourself".to_owned()));
    }
    let standing = Standing::of(user.role, Some(membership.role));
    loaded
        .access(ctx, actor)
        .check_over(ChannelAction::MuteMembers, standing)?;
    let changes = MemberChanges {
        posting_muted_until: Some(Some(ctx.clock.now() + duration)),
        ..MemberChanges::default()
    };
    let updated = apply(ctx, &loaded, actor, &user, &changes).await?;
    tracing::info!(channel_id = %id, user_id = %user_id, minutes = duration.num_minutes(), by = %actor.id, "member muted in channel");
    Ok((updated, user))
}

/// Lifts a member's mute in the channel (nothing to lift changes nothing).
///
/// # Errors
/// `NotFound`, `Forbidden` (not a moderator).
pub async fn unmute_member(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
) -> Result<(Membership, User), ChatError> {
    let loaded = load(ctx, actor, id).await?;
    loaded
        .access(ctx, actor)
        .check(ChannelAction::MuteMembers)?;
    let (membership, user) = target(ctx, actor, id, user_id).await?;
    if membership.posting_muted_until.is_none() {
        return Ok((membership, user));
    }
    let changes = MemberChanges {
        posting_muted_until: Some(None),
        ..MemberChanges::default()
    };
    let updated = apply(ctx, &loaded, actor, &user, &changes).await?;
    Ok((updated, user))
}

/// The member being changed, and who they are.
async fn target(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
    user_id: UserId,
) -> Result<(Membership, User), ChatError> {
    let membership = ctx
        .channels
        .membership(id, user_id)
        .await?
        .ok_or(ChatError::NotFound("member"))?;
    let user = ctx
        .users
        .find_many(actor.organization_id, &[user_id])
        .await?
        .pop()
        .ok_or(ChatError::NotFound("member"))?;
    Ok((membership, user))
}

/// Stores the change and announces it to the channel's listeners.
async fn apply(
    ctx: &ChatContext,
    loaded: &VisibleChannel,
    actor: &Actor,
    user: &User,
    changes: &MemberChanges,
) -> Result<Membership, ChatError> {
    let (updated, event) = ctx
        .channels
        .update_member(
            loaded.channel.id,
            user.id,
            changes,
            actor.id,
            ctx.clock.now(),
        )
        .await?;
    ctx.announcer
        .channel_changed(crate::ports::ChannelChange {
            event,
            message: None,
            channel: None,
            user: Some(user.clone()),
        })
        .await;
    Ok(updated)
}
