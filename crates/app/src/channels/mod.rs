//! Channels and membership: creating, listing, changing, joining, leaving, read markers.

mod create;
mod manage;
mod membership;
mod read;
mod roles;

pub use create::{CreateChannel, Created, MAX_DIRECT_MEMBERS, create_channel};
pub use manage::{delete_channel, get_channel, list_channels, managed_channel, update_channel};
pub use membership::{add_member, join_channel, leave_channel, list_members, remove_member};
pub use read::mark_read;
pub use roles::{MAX_CHANNEL_MUTE, mute_member, set_member_role, unmute_member};

use crate::ChatContext;
use crate::ports::{PortError, UniqueField};
use tandem_domain::{
    Actor, Channel, ChannelAccess, ChannelDenied, ChannelId, InvalidInput, Membership,
};

/// What can go wrong in the channel and message use cases.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Unknown, in another organization, or invisible to the caller: indistinguishable on purpose.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{field}: {error}")]
    Invalid {
        field: &'static str,
        error: InvalidInput,
    },
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    #[error("you are sending messages too fast; try again in {} seconds", retry_after.as_secs().max(1))]
    RateLimited { retry_after: std::time::Duration },
    #[error(transparent)]
    Port(PortError),
}

impl ChatError {
    pub(crate) fn invalid(
        field: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            field,
            error: InvalidInput::new(code, message),
        }
    }
}

impl From<PortError> for ChatError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => Self::Conflict(field),
            PortError::NotFound => Self::NotFound("resource"),
            other => Self::Port(other),
        }
    }
}

impl From<ChannelDenied> for ChatError {
    fn from(denied: ChannelDenied) -> Self {
        match denied {
            ChannelDenied::Invisible => Self::NotFound("channel"),
            other => Self::Forbidden(other.to_string()),
        }
    }
}

/// A channel the caller can see, with their membership in it, for a rule check.
pub(crate) struct VisibleChannel {
    pub channel: Channel,
    pub membership: Option<Membership>,
}

impl VisibleChannel {
    pub fn access<'a>(&'a self, ctx: &ChatContext, actor: &'a Actor) -> ChannelAccess<'a> {
        ChannelAccess {
            actor,
            channel: &self.channel,
            membership: self.membership.as_ref(),
            sanction: None,
            now: ctx.clock.now(),
        }
    }
}

/// Loads a channel the actor can see, or `NotFound`.
pub(crate) async fn load(
    ctx: &ChatContext,
    actor: &Actor,
    id: ChannelId,
) -> Result<VisibleChannel, ChatError> {
    let channel = ctx
        .channels
        .find_by_id(id)
        .await?
        .ok_or(ChatError::NotFound("channel"))?;
    let membership = ctx.channels.membership(id, actor.id).await?;
    let loaded = VisibleChannel {
        channel,
        membership,
    };
    loaded.access(ctx, actor).can_see()?;
    Ok(loaded)
}

/// Announces a stored change to live clients (after commit; see [`crate::realtime::Announcer`]).
pub(crate) async fn announce(
    ctx: &ChatContext,
    event: tandem_domain::ChannelEvent,
    message: Option<tandem_domain::Message>,
    channel: Option<Channel>,
) {
    ctx.announcer
        .channel_changed(crate::ports::ChannelChange {
            event,
            message,
            channel,
            user: None,
        })
        .await;
}

/// Announces a membership change: its member event (with the member) and its announcement.
pub(crate) async fn announce_membership(
    ctx: &ChatContext,
    actor: &Actor,
    changed: Option<crate::ports::MembershipChanged>,
) {
    let Some(changed) = changed else { return };
    for event in changed.events {
        let change = match event.kind {
            tandem_domain::ChannelEventKind::MessageCreated => crate::ports::ChannelChange {
                event,
                message: changed.announcement.clone(),
                channel: None,
                user: None,
            },
            _ => {
                let user = match event.user_id {
                    Some(id) => ctx
                        .users
                        .find_many(actor.organization_id, &[id])
                        .await
                        .ok()
                        .and_then(|mut u| u.pop()),
                    None => None,
                };
                crate::ports::ChannelChange {
                    event,
                    message: None,
                    channel: None,
                    user,
                }
            }
        };
        ctx.announcer.channel_changed(change).await;
    }
}
