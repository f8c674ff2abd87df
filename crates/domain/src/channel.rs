//! Channels and membership: who may see, read, post in and manage a channel.

use crate::permissions::Actor;
use crate::{ChannelId, Role};
use crate::{InvalidInput, OrganizationId, UserId};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// A conversation place. Direct channels have a fixed set of members and no managers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: ChannelId,
    pub organization_id: OrganizationId,
    pub name: ChannelName,
    pub description: Option<ChannelDescription>,
    pub kind: ChannelKind,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub is_archived: bool,
    /// The sequence number of the channel's latest event (0 before the first).
    pub last_seq: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// Any member of the organization can see, read and join it.
    Public,
    /// Invisible to non-members; people are added by its managers.
    Private,
    /// A conversation between a fixed set of people.
    Direct,
}

impl ChannelKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Direct => "direct",
        }
    }
}

impl FromStr for ChannelKind {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            "direct" => Ok(Self::Direct),
            _ => Err(InvalidInput::new(
                "invalid_channel_type",
                "must be one of public, private, direct",
            )),
        }
    }
}

/// A channel's handle, `general` or `équipe-4`: 1–80 lower-case letters (any script), digits,
/// `-`, `_` and `.`, unique within the organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelName(String);

impl ChannelName {
    pub const MAX_LEN: usize = 80;
    /// What the names of direct conversations start with.
    const DIRECT_PREFIX: &'static str = "dm-";

    /// Trims and lowercases, then checks length and alphabet. Names starting with `dm-` are
    /// the direct conversations' ([`Self::direct`]): a channel named like one could be taken
    /// for it, or tell by a conflict whether two people have one.
    ///
    /// # Errors
    /// `invalid_channel_name` saying what is wrong; `reserved_channel_name` for `dm-…`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim().to_lowercase();
        let len = value.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(InvalidInput::new(
                "invalid_channel_name",
                format!("must be 1 to {} characters long", Self::MAX_LEN),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(InvalidInput::new(
                "invalid_channel_name",
                "may contain only letters, digits, '-', '_' and '.' (no spaces)",
            ));
        }
        if crate::text::mixes_scripts(&value) {
            return Err(InvalidInput::new(
                "invalid_channel_name",
                "may not mix alphabets (Latin with Cyrillic or Greek letters that look alike, say)",
            ));
        }
        if value.starts_with(Self::DIRECT_PREFIX) {
            return Err(InvalidInput::new(
                "reserved_channel_name",
                "names starting with dm- are kept for direct conversations",
            ));
        }
        Ok(Self(value))
    }

    /// The name of a direct channel: its members' ids, which makes it unique per member set.
    pub fn direct(members: &[UserId]) -> Self {
        let mut ids: Vec<i64> = members.iter().map(|m| m.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        Self(format!(
            "{}{}",
            Self::DIRECT_PREFIX,
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join("-")
        ))
    }

    /// Rebuilds a stored name; the persistence adapter uses this for values it wrote itself.
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a channel is for. Stored verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDescription(String);

impl ChannelDescription {
    pub const MAX_LEN: usize = 250;

    /// # Errors
    /// `invalid_channel_description` when longer than 250 characters or holding control
    /// characters other than line breaks.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        if value.chars().count() > Self::MAX_LEN
            || value.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(InvalidInput::new(
                "invalid_channel_description",
                format!(
                    "must be at most {} characters without control characters",
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's place in a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    pub joined_at: DateTime<Utc>,
    /// The last sequence number the member has read up to.
    pub last_read_seq: i64,
    /// How much of the channel they hear about.
    pub notify_level: crate::NotifyLevel,
    /// No unread badge except for mentions.
    pub muted: bool,
}

/// A sanction that keeps a user from posting or from the organization. Moderation adds these;
/// the rules below already honour them.
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
    #[error("join the channel to post in it")]
    NotMember,
    #[error("the channel is archived and read-only")]
    Archived,
    #[error("only the channel's creator and organization admins can do this")]
    NotManager,
    #[error("you are muted and cannot post right now")]
    Muted,
    #[error("direct conversations have a fixed set of members")]
    DirectIsFixed,
}

impl ChannelAccess<'_> {
    fn is_member(&self) -> bool {
        self.membership.is_some()
    }

    fn sanction_active(&self) -> Option<Sanction> {
        self.sanction.filter(|s| match s {
            Sanction::Muted { until } | Sanction::Banned { until } => {
                until.is_none_or(|u| u > self.now)
            }
        })
    }

    /// Whether the channel exists for the actor at all.
    ///
    /// # Errors
    /// [`ChannelDenied::Invisible`] for other organizations, private and direct channels the
    /// actor is not in, and banned actors.
    pub fn can_see(&self) -> Result<(), ChannelDenied> {
        let visible = self.channel.organization_id == self.actor.organization_id
            && (self.channel.kind == ChannelKind::Public || self.is_member())
            && !matches!(self.sanction_active(), Some(Sanction::Banned { .. }));
        if visible {
            Ok(())
        } else {
            Err(ChannelDenied::Invisible)
        }
    }

    /// Reading history and searching: anyone who can see the channel (public channels are
    /// readable by the whole organization without joining).
    ///
    /// # Errors
    /// As [`Self::can_see`].
    pub fn can_read(&self) -> Result<(), ChannelDenied> {
        self.can_see()
    }

    /// Posting, reacting, editing one's messages.
    ///
    /// # Errors
    /// `Invisible`, `NotMember`, `Archived` or `Muted`.
    pub fn can_post(&self) -> Result<(), ChannelDenied> {
        self.can_see()?;
        if !self.is_member() {
            return Err(ChannelDenied::NotMember);
        }
        if self.channel.is_archived {
            return Err(ChannelDenied::Archived);
        }
        if matches!(self.sanction_active(), Some(Sanction::Muted { .. })) {
            return Err(ChannelDenied::Muted);
        }
        Ok(())
    }

    /// Joining by oneself: public, not archived channels only.
    ///
    /// # Errors
    /// `Invisible` for channels one cannot see or join, `Archived`, `DirectIsFixed`.
    pub fn can_join(&self) -> Result<(), ChannelDenied> {
        self.can_see()?;
        match self.channel.kind {
            ChannelKind::Direct => Err(ChannelDenied::DirectIsFixed),
            ChannelKind::Private if !self.is_member() => Err(ChannelDenied::Invisible),
            _ if self.channel.is_archived => Err(ChannelDenied::Archived),
            _ => Ok(()),
        }
    }

    /// Renaming, describing, archiving, adding and removing members.
    ///
    /// # Errors
    /// `Invisible`, `DirectIsFixed` or `NotManager`.
    pub fn can_manage(&self) -> Result<(), ChannelDenied> {
        self.can_see()?;
        if self.channel.kind == ChannelKind::Direct {
            return Err(ChannelDenied::DirectIsFixed);
        }
        if self.channel.created_by == self.actor.id || self.actor.role == Role::Admin {
            Ok(())
        } else {
            Err(ChannelDenied::NotManager)
        }
    }

    /// Deleting someone else's message: channel managers, and moderators and admins of the
    /// organization anywhere they can see.
    pub fn can_moderate_messages(&self) -> bool {
        self.can_see().is_ok()
            && (matches!(self.actor.role, Role::Admin | Role::Moderator)
                || (self.channel.kind != ChannelKind::Direct
                    && self.channel.created_by == self.actor.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(kind: ChannelKind, created_by: i64) -> Channel {
        Channel {
            id: ChannelId::new(1),
            organization_id: OrganizationId::new(1),
            name: ChannelName::parse("general").unwrap(),
            description: None,
            kind,
            created_by: UserId::new(created_by),
            created_at: Utc::now(),
            is_archived: false,
            last_seq: 0,
        }
    }

    fn actor(id: i64, role: Role) -> Actor {
        Actor {
            id: UserId::new(id),
            organization_id: OrganizationId::new(1),
            role,
        }
    }

    fn member(id: i64) -> Membership {
        Membership {
            channel_id: ChannelId::new(1),
            user_id: UserId::new(id),
            joined_at: Utc::now(),
            last_read_seq: 0,
            notify_level: crate::NotifyLevel::Default,
            muted: false,
        }
    }

    fn access<'a>(
        actor: &'a Actor,
        channel: &'a Channel,
        membership: Option<&'a Membership>,
    ) -> ChannelAccess<'a> {
        ChannelAccess {
            actor,
            channel,
            membership,
            sanction: None,
            now: Utc::now(),
        }
    }

    #[test]
    fn channel_names_are_lowercased_slugs_in_any_script() {
        assert_eq!(ChannelName::parse(" General ").unwrap().as_str(), "general");
        assert_eq!(ChannelName::parse("équipe-4").unwrap().as_str(), "équipe-4");
        assert_eq!(ChannelName::parse("開発").unwrap().as_str(), "開発");
        for bad in ["", "two words", "a/b", "<script>", &"x".repeat(81)] {
            assert!(ChannelName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ChannelName::direct(&[UserId::new(9), UserId::new(2), UserId::new(9)]).as_str(),
            "dm-2-9"
        );
        let reserved = ChannelName::parse("DM-2-9").unwrap_err();
        assert_eq!(reserved.code, "reserved_channel_name");
        assert!(
            ChannelName::parse("dm2").is_ok(),
            "only the dm- prefix is kept"
        );
    }

    #[test]
    fn public_channels_are_readable_by_the_organization_but_postable_by_members() {
        let c = channel(ChannelKind::Public, 1);
        let outsider = actor(2, Role::Member);
        assert!(access(&outsider, &c, None).can_read().is_ok());
        assert_eq!(
            access(&outsider, &c, None).can_post(),
            Err(ChannelDenied::NotMember)
        );
        assert!(access(&outsider, &c, None).can_join().is_ok());
        let m = member(2);
        assert!(access(&outsider, &c, Some(&m)).can_post().is_ok());
        let stranger = Actor {
            organization_id: OrganizationId::new(2),
            ..outsider
        };
        assert_eq!(
            access(&stranger, &c, None).can_read(),
            Err(ChannelDenied::Invisible)
        );
    }

    #[test]
    fn private_and_direct_channels_are_invisible_to_non_members() {
        for kind in [ChannelKind::Private, ChannelKind::Direct] {
            let c = channel(kind, 1);
            let admin = actor(3, Role::Admin);
            assert_eq!(
                access(&admin, &c, None).can_read(),
                Err(ChannelDenied::Invisible),
                "{kind:?}"
            );
            assert_eq!(
                access(&admin, &c, None).can_join(),
                Err(ChannelDenied::Invisible),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn archived_channels_are_read_only() {
        let mut c = channel(ChannelKind::Public, 1);
        c.is_archived = true;
        let a = actor(2, Role::Member);
        let m = member(2);
        assert!(access(&a, &c, Some(&m)).can_read().is_ok());
        assert_eq!(
            access(&a, &c, Some(&m)).can_post(),
            Err(ChannelDenied::Archived)
        );
        assert_eq!(
            access(&a, &c, None).can_join(),
            Err(ChannelDenied::Archived)
        );
    }

    #[test]
    fn creators_and_admins_manage_and_moderators_delete_anywhere_they_see() {
        let c = channel(ChannelKind::Public, 1);
        assert!(
            access(&actor(1, Role::Member), &c, None)
                .can_manage()
                .is_ok()
        );
        assert!(
            access(&actor(2, Role::Admin), &c, None)
                .can_manage()
                .is_ok()
        );
        assert_eq!(
            access(&actor(3, Role::Moderator), &c, None).can_manage(),
            Err(ChannelDenied::NotManager)
        );
        assert!(access(&actor(3, Role::Moderator), &c, None).can_moderate_messages());
        assert!(!access(&actor(4, Role::Member), &c, None).can_moderate_messages());
        let dm = channel(ChannelKind::Direct, 1);
        let m = member(1);
        assert_eq!(
            access(&actor(1, Role::Member), &dm, Some(&m)).can_manage(),
            Err(ChannelDenied::DirectIsFixed)
        );
    }

    #[test]
    fn sanctions_apply_until_they_expire() {
        let c = channel(ChannelKind::Public, 1);
        let a = actor(2, Role::Member);
        let m = member(2);
        let now = Utc::now();
        let muted = ChannelAccess {
            sanction: Some(Sanction::Muted {
                until: Some(now + chrono::Duration::minutes(5)),
            }),
            ..access(&a, &c, Some(&m))
        };
        assert_eq!(muted.can_post(), Err(ChannelDenied::Muted));
        assert!(muted.can_read().is_ok());
        let expired = ChannelAccess {
            sanction: Some(Sanction::Muted {
                until: Some(now - chrono::Duration::minutes(5)),
            }),
            ..access(&a, &c, Some(&m))
        };
        assert!(expired.can_post().is_ok());
        let banned = ChannelAccess {
            sanction: Some(Sanction::Banned { until: None }),
            ..access(&a, &c, Some(&m))
        };
        assert_eq!(banned.can_read(), Err(ChannelDenied::Invisible));
    }
}
