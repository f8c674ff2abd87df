//! Creating channels, and finding or creating direct conversations.

use super::ChatError;
use crate::ChatContext;
use crate::ports::{NewChannel, PortError};
use tandem_domain::{Actor, Channel, ChannelDescription, ChannelKind, ChannelName, User, UserId};

#[derive(Debug, Clone)]
pub struct CreateChannel {
    /// Required for public and private channels; ignored for direct ones.
    pub name: Option<ChannelName>,
    pub description: Option<ChannelDescription>,
    pub kind: ChannelKind,
    /// Other people to start with: required for direct conversations (1–7 others), optional
    /// for private channels, ignored for public ones (people join those themselves).
    pub member_ids: Vec<UserId>,
    /// An announcement channel, where only its admins post (ignored for direct ones).
    pub read_only: bool,
}

/// A new channel, or the direct conversation these people already have.
#[derive(Debug, Clone)]
pub enum Created {
    New(Channel),
    Existing(Channel),
}

/// The most people in one direct conversation, the creator included.
pub const MAX_DIRECT_MEMBERS: usize = 8;

/// # Errors
/// `Invalid` for a missing name or bad member list, `NotFound("user")` for members outside the
/// organization, `Conflict(ChannelName)` for a taken name.
pub async fn create_channel(
    ctx: &ChatContext,
    actor: &Actor,
    cmd: CreateChannel,
) -> Result<Created, ChatError> {
    let mut members: Vec<UserId> = cmd.member_ids.clone();
    members.push(actor.id);
    members.sort_unstable();
    members.dedup();
    let now = ctx.clock.now();

    let (name, members) = match cmd.kind {
        ChannelKind::Direct => {
            if members.len() < 2 {
                return Err(ChatError::invalid(
                    "member_ids",
                    "required",
                    "name at least one other person for a direct conversation",
                ));
            }
            if members.len() > MAX_DIRECT_MEMBERS {
                return Err(ChatError::invalid(
                    "member_ids",
                    "too_many_members",
                    format!(
                        "a direct conversation has at most {MAX_DIRECT_MEMBERS} people; create a private channel instead"
                    ),
                ));
            }
            let name = ChannelName::direct(&members);
            if let Some(existing) = ctx
                .channels
                .find_by_name(actor.organization_id, &name)
                .await?
                .filter(|c| c.kind == ChannelKind::Direct)
            {
                return Ok(Created::Existing(existing));
            }
            (name, members)
        }
        ChannelKind::Public | ChannelKind::Private => {
            let name = cmd
                .name
                .clone()
                .ok_or_else(|| ChatError::invalid("name", "required", "a channel needs a name"))?;
            let members = if cmd.kind == ChannelKind::Private {
                members
            } else {
                vec![actor.id]
            };
            (name, members)
        }
    };
    check_members(ctx, actor, &members).await?;

    let created = ctx
        .channels
        .create(NewChannel {
            organization_id: actor.organization_id,
            name: name.clone(),
            description: cmd.description,
            kind: cmd.kind,
            created_by: actor.id,
            created_at: now,
            // The creator runs the channel; direct conversations have equal members.
            admins: if cmd.kind == ChannelKind::Direct {
                Vec::new()
            } else {
                vec![actor.id]
            },
            read_only: cmd.read_only && cmd.kind != ChannelKind::Direct,
            members,
        })
        .await;
    match created {
        Ok(channel) => Ok(Created::New(channel)),
        // Two people opening the same conversation at once: the second finds the first's.
        Err(PortError::Conflict(_)) if cmd.kind == ChannelKind::Direct => ctx
            .channels
            .find_by_name(actor.organization_id, &name)
            .await?
            .filter(|c| c.kind == ChannelKind::Direct)
            .map(Created::Existing)
            .ok_or(ChatError::NotFound("channel")),
        Err(error) => Err(error.into()),
    }
}

/// Every member must be an active user of the actor's organization; returns them.
pub(crate) async fn check_members(
    ctx: &ChatContext,
    actor: &Actor,
    members: &[UserId],
) -> Result<Vec<User>, ChatError> {
    let found = ctx.users.find_many(actor.organization_id, members).await?;
    let all_active = members
        .iter()
        .all(|id| found.iter().any(|u| u.id == *id && u.is_active));
    if all_active {
        Ok(found)
    } else {
        Err(ChatError::NotFound("user"))
    }
}
