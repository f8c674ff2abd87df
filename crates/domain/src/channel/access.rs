//! Who may do what in a channel: one table of rules, [`RULES`], read by one function,
//! [`ChannelAccess::check`]. The table is also `docs/permissions.md` (a test keeps the two equal).
//!
//! Three things decide: the channel (its kind, archived, read-only), the person's *standing* in
//! it — the higher of their channel role and what their organization role gives in every channel
//! they can see — and whether they are muted (by the organization or by the channel's moderators).

use super::{Channel, ChannelKind, Membership};
use crate::permissions::Actor;
use crate::{InvalidInput, Role};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;
use std::str::FromStr;

/// A member's role in one channel. Whoever creates a channel is its first admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelRole {
    Member,
    /// Deletes others' messages and mutes members in the channel.
    Moderator,
    /// Also changes the channel's settings, its members and their roles, and posts in
    /// read-only channels.
    Admin,
}

impl ChannelRole {
    pub const ALL: [Self; 3] = [Self::Member, Self::Moderator, Self::Admin];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }
}

impl FromStr for ChannelRole {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "member" => Ok(Self::Member),
            "moderator" => Ok(Self::Moderator),
            "admin" => Ok(Self::Admin),
            _ => Err(InvalidInput::new(
                "invalid_channel_role",
                "must be one of admin, moderator, member",
            )),
        }
    }
}

/// How much say someone has in one channel, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    /// Not a member (of a public channel: they may read it).
    Reader,
    Member,
    Moderator,
    Admin,
}

impl Standing {
    pub const ALL: [Self; 4] = [Self::Reader, Self::Member, Self::Moderator, Self::Admin];

    /// The higher of the channel role and the organization role: organization admins are admins
    /// of every channel they can see, organization moderators its moderators.
    pub fn of(organization_role: Role, channel_role: Option<ChannelRole>) -> Self {
        let from_channel = match channel_role {
            None => Self::Reader,
            Some(ChannelRole::Member) => Self::Member,
            Some(ChannelRole::Moderator) => Self::Moderator,
            Some(ChannelRole::Admin) => Self::Admin,
        };
        let from_organization = match organization_role {
            Role::Admin => Self::Admin,
            Role::Moderator => Self::Moderator,
            Role::Member => Self::Reader,
        };
        from_channel.max(from_organization)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::Member => "member",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }
}

/// Everything one can do in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelAction {
    /// Read the history, search it, list the members.
    Read,
    /// Become a member by oneself.
    Join,
    /// Send messages and replies, edit one's own.
    Post,
    React,
    Pin,
    AddMembers,
    RemoveMembers,
    /// Rename, describe, archive, make read-only, delete.
    Manage,
    /// Make members channel admins or moderators, or plain members again.
    AssignRoles,
    DeleteOthersMessages,
    /// Keep a member from posting and reacting in the channel for a while.
    MuteMembers,
}

impl ChannelAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Join => "join",
            Self::Post => "post",
            Self::React => "react",
            Self::Pin => "pin",
            Self::AddMembers => "add_members",
            Self::RemoveMembers => "remove_members",
            Self::Manage => "manage",
            Self::AssignRoles => "assign_roles",
            Self::DeleteOthersMessages => "delete_others_messages",
            Self::MuteMembers => "mute_members",
        }
    }

    pub const ALL: [Self; 11] = [
        Self::Read,
        Self::Join,
        Self::Post,
        Self::React,
        Self::Pin,
        Self::AddMembers,
        Self::RemoveMembers,
        Self::Manage,
        Self::AssignRoles,
        Self::DeleteOthersMessages,
        Self::MuteMembers,
    ];

    /// The action's rule ([`RULES`] lists them in declaration order).
    pub const fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }
}

/// Who must be in the channel, whatever their standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Anyone,
    Members,
    /// Members, and admins who are not (an organization admin adding someone to a public
    /// channel they never joined).
    MembersOrAdmins,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub action: ChannelAction,
    /// The least standing that may.
    pub least: Standing,
    /// The least standing that may in a read-only (announcement) channel.
    pub least_when_read_only: Standing,
    pub presence: Presence,
    /// Allowed while the channel is archived.
    pub while_archived: bool,
    /// Allowed while the actor is muted (by the organization or in this channel).
    pub while_muted: bool,
    /// Allowed in direct conversations, which have a fixed set of equal members.
    pub in_direct: bool,
}

const fn rule(
    action: ChannelAction,
    least: Standing,
    least_when_read_only: Standing,
    presence: Presence,
    [while_archived, while_muted, in_direct]: [bool; 3],
) -> Rule {
    Rule {
        action,
        least,
        least_when_read_only,
        presence,
        while_archived,
        while_muted,
        in_direct,
    }
}

/// The rules, one per action, in the order [`ChannelAction`] declares them. Nobody outside the organization, banned, or (for private channels
/// and direct conversations) not a member sees the channel at all: every action answers "not
/// found" for them before this table is read.
pub const RULES: [Rule; 11] = {
    use ChannelAction as A;
    use Presence::{Anyone, Members, MembersOrAdmins};
    use Standing::{Admin, Member, Moderator, Reader};
    // [while archived, while muted, in direct conversations]
    [
        rule(A::Read, Reader, Reader, Anyone, [true, true, true]),
        rule(A::Join, Reader, Reader, Anyone, [false, true, false]),
        rule(A::Post, Member, Admin, Members, [false, false, true]),
        rule(A::React, Member, Member, Members, [false, false, true]),
        rule(A::Pin, Member, Moderator, Members, [false, false, true]),
        rule(
            A::AddMembers,
            Member,
            Member,
            MembersOrAdmins,
            [false, false, false],
        ),
        rule(A::RemoveMembers, Admin, Admin, Anyone, [true, true, false]),
        rule(A::Manage, Admin, Admin, Anyone, [true, true, false]),
        rule(A::AssignRoles, Admin, Admin, Anyone, [true, true, false]),
        rule(
            A::DeleteOthersMessages,
            Moderator,
            Moderator,
            Anyone,
            [true, true, true],
        ),
        rule(
            A::MuteMembers,
            Moderator,
            Moderator,
            Anyone,
            [false, true, false],
        ),
    ]
};

/// A sanction of the organization's moderators that keeps a user from posting or from the
/// organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanction {
    /// May read, may not post or react.
    Muted { until: Option<DateTime<Utc>> },
    /// May neither read nor post.
    Banned { until: Option<DateTime<Utc>> },
}

/// Everything the channel rules need to know about one actor and one channel.
#[derive(Debug, Clone)]
pub struct ChannelAccess<'a> {
    pub actor: &'a Actor,
    pub channel: &'a Channel,
    pub membership: Option<&'a Membership>,
    pub sanction: Option<Sanction>,
    pub now: DateTime<Utc>,
}

/// Why a channel rule said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChannelDenied {
    /// The channel is invisible to the actor: callers answer "not found".
    #[error("no such channel")]
    Invisible,
    #[error("join the channel to do this")]
    NotMember,
    #[error("the channel is archived and read-only")]
    Archived,
    #[error("only the channel's admins and organization admins can do this")]
    NotManager,
    #[error("only the channel's moderators and admins can do this")]
    NotModerator,
    #[error("this is an announcement channel: only its admins post here")]
    ReadOnly,
    #[error("you are muted and cannot post right now")]
    Muted,
    #[error("a moderator muted you in this channel for now")]
    MutedHere,
    #[error("direct conversations have a fixed set of members")]
    DirectIsFixed,
    #[error("you can only do this to people with less say in the channel than you")]
    Outranked,
}

impl ChannelAccess<'_> {
    /// The actor's standing in the channel.
    pub fn standing(&self) -> Standing {
        Standing::of(self.actor.role, self.membership.map(|m| m.role))
    }

    fn sanction_active(&self) -> Option<Sanction> {
        self.sanction.filter(|s| match s {
            Sanction::Muted { until } | Sanction::Banned { until } => {
                until.is_none_or(|u| u > self.now)
            }
        })
    }

    fn muted(&self) -> Option<ChannelDenied> {
        if matches!(self.sanction_active(), Some(Sanction::Muted { .. })) {
            return Some(ChannelDenied::Muted);
        }
        self.membership
            .and_then(|m| m.posting_muted_until)
            .filter(|until| *until > self.now)
            .map(|_| ChannelDenied::MutedHere)
    }

    /// Whether the channel exists for the actor at all.
    ///
    /// # Errors
    /// [`ChannelDenied::Invisible`] for other organizations, private and direct channels the
    /// actor is not in, and banned actors.
    pub fn can_see(&self) -> Result<(), ChannelDenied> {
        let visible = self.channel.organization_id == self.actor.organization_id
            && (self.channel.kind == ChannelKind::Public || self.membership.is_some())
            && !matches!(self.sanction_active(), Some(Sanction::Banned { .. }));
        if visible {
            Ok(())
        } else {
            Err(ChannelDenied::Invisible)
        }
    }

    /// Whether the actor may do `action`, by its rule in [`RULES`].
    ///
    /// # Errors
    /// The first rule that says no, checked in this order: visibility, direct conversations,
    /// presence, archived, muted, standing.
    pub fn check(&self, action: ChannelAction) -> Result<(), ChannelDenied> {
        let rule = action.rule();
        self.can_see()?;
        if self.channel.kind == ChannelKind::Direct && !rule.in_direct {
            return Err(ChannelDenied::DirectIsFixed);
        }
        let standing = self.standing();
        let present = match rule.presence {
            Presence::Anyone => true,
            Presence::Members => self.membership.is_some(),
            Presence::MembersOrAdmins => self.membership.is_some() || standing == Standing::Admin,
        };
        if !present {
            return Err(ChannelDenied::NotMember);
        }
        if self.channel.is_archived && !rule.while_archived {
            return Err(ChannelDenied::Archived);
        }
        if !rule.while_muted
            && let Some(muted) = self.muted()
        {
            return Err(muted);
        }
        let least = if self.channel.read_only {
            rule.least_when_read_only
        } else {
            rule.least
        };
        if standing >= least {
            Ok(())
        } else if standing >= rule.least {
            Err(ChannelDenied::ReadOnly)
        } else {
            Err(match rule.least {
                Standing::Reader | Standing::Member => ChannelDenied::NotMember,
                Standing::Moderator => ChannelDenied::NotModerator,
                Standing::Admin => ChannelDenied::NotManager,
            })
        }
    }

    /// `action` done to someone else: as [`Self::check`], and for muting, only to people of
    /// lower standing than the actor (a moderator cannot mute another moderator).
    ///
    /// # Errors
    /// As [`Self::check`]; [`ChannelDenied::Outranked`].
    pub fn check_over(&self, action: ChannelAction, target: Standing) -> Result<(), ChannelDenied> {
        self.check(action)?;
        if action == ChannelAction::MuteMembers && target >= self.standing() {
            return Err(ChannelDenied::Outranked);
        }
        Ok(())
    }
}

/// The table as Markdown, for `docs/permissions.md`.
pub fn rules_markdown() -> String {
    fn yes(b: bool) -> &'static str {
        if b { "yes" } else { "no" }
    }
    let mut out = String::from(
        "# Channel permissions\n\n\
         Generated from `RULES` in `crates/domain/src/channel/access.rs` by\n\
         `TANDEM_BLESS=1 cargo test -p tandem-domain permissions_doc`; a test fails when this\n\
         file and the code disagree.\n\n\
         A person's **standing** in a channel is the higher of their channel role and what their\n\
         organization role gives in every channel they can see: organization admins count as\n\
         channel admins, organization moderators as channel moderators. Not being a member is\n\
         standing `reader`. The creator of a channel is its first admin.\n\n\
         Nobody outside the organization, nobody banned, and (for private channels and direct\n\
         conversations) nobody who is not a member sees the channel: every action answers\n\
         `404 not_found` for them. Otherwise the rules are checked in this order: direct\n\
         conversations, presence, archived, muted, standing. Muted means muted by the\n\
         organization's moderators or, in this channel, by its moderators.\n\n\
         | action | least standing | in a read-only channel | must be a member | while archived | while muted | in direct conversations |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for r in &RULES {
        let presence = match r.presence {
            Presence::Anyone => "no",
            Presence::Members => "yes",
            Presence::MembersOrAdmins => "yes, unless admin",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.action.as_str(),
            r.least.as_str(),
            r.least_when_read_only.as_str(),
            presence,
            yes(r.while_archived),
            yes(r.while_muted),
            yes(r.in_direct),
        );
    }
    out.push_str(
        "\nMuting someone in a channel also needs a standing above theirs: a moderator cannot mute\n\
         another moderator, nor a channel admin an organization admin.\n",
    );
    out
}

#[cfg(test)]
mod tests;
