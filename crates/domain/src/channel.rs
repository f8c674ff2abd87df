//! Channels and membership. Who may do what in a channel is [`access`]'s one table of rules.

mod access;

pub use access::{
    ChannelAccess, ChannelAction, ChannelDenied, ChannelRole, Presence, RULES, Rule, Sanction,
    Standing, rules_markdown,
};

use crate::{ChannelId, InvalidInput, OrganizationId, UserId};
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
    /// An announcement channel: only its admins post (everyone may still read and react).
    pub read_only: bool,
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
    /// What the member may do beyond posting: see [`ChannelRole`].
    pub role: ChannelRole,
    /// A channel moderator kept them from posting and reacting here until then.
    pub posting_muted_until: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
