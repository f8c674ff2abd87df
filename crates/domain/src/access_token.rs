//! Personal access tokens: lasting, limited credentials a person makes for scripts and other
//! systems. Each carries scopes, the kinds of request it may make on its owner's behalf; it
//! never does more than its owner may, and never manages the account itself.

use crate::{AccessTokenId, InvalidInput, OrganizationId, UserId};
use chrono::{DateTime, Utc};

/// What a token may do. Reading is a scope of its own: a token that only posts (an alerting
/// script) reads nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenScope {
    /// Everything the owner may read, and the live streams (WebSocket, Server-Sent Events).
    Read,
    /// Messages, reactions, pins, files, reports, read markers and notification settings.
    Write,
    /// Creating, changing and archiving channels, and their members.
    Channels,
    /// The organization's administration (people, settings, invitations, tokens); only an
    /// admin's token may carry it, and it works while the owner is an admin.
    Admin,
}

impl TokenScope {
    pub const ALL: [Self; 4] = [Self::Read, Self::Write, Self::Channels, Self::Admin];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Channels => "channels",
            Self::Admin => "admin",
        }
    }

    /// # Errors
    /// `invalid_scope`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == raw)
            .ok_or_else(|| {
                InvalidInput::new("invalid_scope", "must be read, write, channels or admin")
            })
    }
}

/// A token's name, so its owner knows which it is ("deploy bot"): 1–80 characters, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub const MAX_LEN: usize = 80;

    /// # Errors
    /// `invalid_token_name`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        crate::text::short_name(raw, Self::MAX_LEN, "invalid_token_name").map(Self)
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A personal access token as stored: never its secret, which only its owner saw, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub id: AccessTokenId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub name: TokenName,
    /// Sorted, without repeats.
    pub scopes: Vec<TokenScope>,
    pub created_at: DateTime<Utc>,
    /// `None`: it works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl AccessToken {
    pub fn grants(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope)
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written_and_nothing_else_is_one() {
        for scope in TokenScope::ALL {
            assert_eq!(TokenScope::parse(scope.as_str()).unwrap(), scope);
        }
        for wrong in ["", "READ", "read ", "admin,read", "everything"] {
            assert_eq!(TokenScope::parse(wrong).unwrap_err().code, "invalid_scope");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            TokenName::parse("  deploy bot ").unwrap().as_str(),
            "deploy bot"
        );
        assert!(TokenName::parse(&"x".repeat(80)).is_ok());
        for wrong in ["", "   ", "tab\there", &"x".repeat(81)] {
            assert_eq!(
                TokenName::parse(wrong).unwrap_err().code,
                "invalid_token_name"
            );
        }
    }
}
