//! Users and the value types of their fields.

use crate::{InvalidInput, OrganizationId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user account. Never carries password data: see `app::ports::Credentials` for that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub username: Username,
    pub display_name: Option<DisplayName>,
    pub organization_id: OrganizationId,
    pub role: Role,
    pub profile_picture: Option<ProfilePicture>,
    pub status: UserStatus,
    pub last_activity: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub is_active: bool,
    /// Whether the owner proved the address is theirs (an emailed link, an invitation, a
    /// password reset, or an admin or operator who created the account).
    pub email_verified: bool,
    /// A bot account: run by a program through its own token, never signed in to. Its
    /// address is a made-up, undeliverable one (`….invalid`), and it receives no email.
    pub is_bot: bool,
    /// The person answerable for a bot; `None` for people.
    pub bot_owner_id: Option<UserId>,
}

impl User {
    /// Whether this account may see its organization. Someone who joined by their email's
    /// domain waits until they prove the address; the founder of an organization (its first
    /// admin) does not, and neither does anyone an admin vouched for.
    pub fn may_enter_organization(&self) -> bool {
        self.email_verified || self.role == Role::Admin
    }
}

/// An email address, normalized to lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    /// Accepts `local@domain` with a dotted domain; trims surrounding space and lowercases.
    ///
    /// # Errors
    /// `invalid_email` when the address is not of that form or longer than 254 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim().to_lowercase();
        let invalid = || {
            InvalidInput::new(
                "invalid_email",
                "must be an email address such as ana@example.com",
            )
        };
        if value.is_empty() || value.chars().count() > Self::MAX_LEN {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@' || c == '<' || c == '>');
        if domain_ok && local_ok {
            Ok(Self(value))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A handle such as `ana.garcia`: 2–32 characters of lower-case letters, digits, `.`, `_`, `-`,
/// starting with a letter or digit. Unique across the whole server (it can be used to log in),
/// and what `@mentions` refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 32;
    /// Names a mention or a route would confuse with something else.
    const RESERVED: &'static [&'static str] = &[
        "channel", "here", "all", "everyone", "me", "admin", "system", "online",
    ];

    /// Lowercases the input, then checks length, alphabet and reserved names.
    ///
    /// # Errors
    /// `invalid_username` or `reserved_username`, with a message that says why.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim().to_lowercase();
        let len = value.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(InvalidInput::new(
                "invalid_username",
                format!(
                    "must be {} to {} characters long",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        if !value.chars().all(allowed) || !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(InvalidInput::new(
                "invalid_username",
                "may contain only letters a-z, digits, '.', '_' and '-', and must start with a letter or digit",
            ));
        }
        if Self::RESERVED.contains(&value.as_str()) {
            return Err(InvalidInput::new(
                "reserved_username",
                format!("'{value}' is reserved"),
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-form name shown beside the username ("Ana García"). Stored verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LEN: usize = 64;

    /// # Errors
    /// `invalid_display_name` when empty after trimming, too long, holding control characters,
    /// or holding invisible characters that reorder or hide text (bidirectional overrides,
    /// zero-width spaces): what impersonation is made of.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        if value.is_empty()
            || value.chars().count() > Self::MAX_LEN
            || value.chars().any(char::is_control)
        {
            return Err(InvalidInput::new(
                "invalid_display_name",
                format!(
                    "must be 1 to {} characters without control characters",
                    Self::MAX_LEN
                ),
            ));
        }
        if crate::text::has_hidden_characters(value) {
            return Err(InvalidInput::new(
                "invalid_display_name",
                "may not hold invisible characters (direction overrides, zero-width spaces)",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a user's avatar lives: a path on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilePicture(String);

impl ProfilePicture {
    pub const MAX_LEN: usize = 2048;

    /// # Errors
    /// `invalid_profile_picture` unless the value is a path on this server (an uploaded file's
    /// `/api/v1/files/…` address, say). Addresses elsewhere are refused: every colleague's
    /// browser would fetch them, telling their owner who looked and when.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        let local = value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
        if !local
            || value.len() > Self::MAX_LEN
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(InvalidInput::new(
                "invalid_profile_picture",
                "must be a path on this server (an uploaded file), without spaces",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's role in their organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Moderator,
    Member,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Moderator => "moderator",
            Self::Member => "member",
        }
    }
}

impl FromStr for Role {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Self::Admin),
            "moderator" => Ok(Self::Moderator),
            "member" => Ok(Self::Member),
            _ => Err(InvalidInput::new(
                "invalid_role",
                "must be one of admin, moderator, member",
            )),
        }
    }
}

/// What a user shows the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Online,
    Away,
    Busy,
    Offline,
}

impl UserStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Busy => "busy",
            Self::Offline => "offline",
        }
    }
}

impl FromStr for UserStatus {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "online" => Ok(Self::Online),
            "away" => Ok(Self::Away),
            "busy" => Ok(Self::Busy),
            "offline" => Ok(Self::Offline),
            _ => Err(InvalidInput::new(
                "invalid_status",
                "must be one of online, away, busy, offline",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        let email = Email::parse("  Ana.Garcia@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ana.garcia@example.com");
        assert_eq!(email.domain(), "example.com");
        assert_eq!(email.local_part(), "ana.garcia");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@.example.com",
            "a na@example.com",
            "ana@exa mple.com",
            "ana@example..com",
        ] {
            assert_eq!(
                Email::parse(raw).unwrap_err().code,
                "invalid_email",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(Username::parse("Ana_G").unwrap().as_str(), "ana_g");
        for raw in [
            "a",
            "-ana",
            "ana garcia",
            "ana'; drop table users;--",
            "<script>",
            "ñandú",
            &"x".repeat(33),
        ] {
            assert_eq!(
                Username::parse(raw).unwrap_err().code,
                "invalid_username",
                "{raw:?}"
            );
        }
        assert_eq!(
            Username::parse("here").unwrap_err().code,
            "reserved_username"
        );
    }

    #[test]
    fn roles_and_statuses_round_trip_through_their_names() {
        for role in [Role::Admin, Role::Moderator, Role::Member] {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        for status in [
            UserStatus::Online,
            UserStatus::Away,
            UserStatus::Busy,
            UserStatus::Offline,
        ] {
            assert_eq!(status.as_str().parse::<UserStatus>().unwrap(), status);
        }
        assert!("sleeping".parse::<UserStatus>().is_err());
        assert!("owner".parse::<Role>().is_err());
    }

    #[test]
    fn profile_pictures_must_be_paths_on_this_server() {
        assert!(ProfilePicture::parse("/api/v1/files/12").is_ok());
        for raw in [
            "https://cdn.example.com/a.png",
            "http://tracker.example.com/pixel.gif",
            "/\\evil.example.com/a.png",
            "javascript:alert(1)",
            "//evil.example.com/a.png",
            "data:image/png;base64,AAAA",
            "https://x y",
        ] {
            assert!(ProfilePicture::parse(raw).is_err(), "{raw:?}");
        }
    }
}
