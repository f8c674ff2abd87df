//! Organizations: the tenants. Nothing of one organization is ever visible to another.

use crate::{Email, InvalidInput, OrganizationId};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: OrganizationName,
    /// The email domain whose owners may join by signing up (`None` when the organization
    /// claims no domain, e.g. it was created from a public mail provider's address).
    pub domain: Option<EmailDomain>,
    pub subscription_plan: SubscriptionPlan,
    /// Whether people with an address at `domain` may join by registering.
    pub self_signup: bool,
    /// Who must sign in with a second factor.
    pub two_factor_policy: TwoFactorPolicy,
    /// Members sign in through the organization's identity provider only (admins keep their
    /// password).
    pub sso_only: bool,
    /// Whether its people may make and use personal access tokens (bots' tokens work either
    /// way).
    pub access_tokens_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub is_active: bool,
}

/// An organization's display name. Stored and returned verbatim (after trimming).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub const MAX_LEN: usize = 100;

    /// # Errors
    /// `invalid_organization_name` when blank, longer than 100 characters or holding control
    /// characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        if value.is_empty()
            || value.chars().count() > Self::MAX_LEN
            || value.chars().any(char::is_control)
        {
            return Err(InvalidInput::new(
                "invalid_organization_name",
                format!(
                    "must be 1 to {} characters without control characters",
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

/// The domain part of an email address, lower case (`example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailDomain(String);

impl EmailDomain {
    /// Mail providers shared by the public: an organization never claims these, or anyone
    /// with a free mailbox could join it.
    const PUBLIC_PROVIDERS: &'static [&'static str] = &[
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "zoho.com",
        "fastmail.com",
        "tutanota.com",
        "hey.com",
        "example.com",
        "example.org",
        "example.net",
    ];

    pub fn of(email: &Email) -> Self {
        Self(email.domain().to_owned())
    }

    /// Rebuilds a stored domain; the persistence adapter uses this for values it wrote itself.
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// Whether an organization may claim this domain for self-signup.
    pub fn is_claimable(&self) -> bool {
        !Self::PUBLIC_PROVIDERS.contains(&self.0.as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionPlan {
    Free,
    Pro,
    Enterprise,
}

impl SubscriptionPlan {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Pro => "pro",
            Self::Enterprise => "enterprise",
        }
    }
}

impl FromStr for SubscriptionPlan {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "free" => Ok(Self::Free),
            "pro" => Ok(Self::Pro),
            "enterprise" => Ok(Self::Enterprise),
            _ => Err(InvalidInput::new(
                "invalid_plan",
                "must be one of free, pro, enterprise",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_names_are_kept_verbatim_but_trimmed() {
        let name = OrganizationName::parse("  Robert'); DROP TABLE users;-- <b>Inc</b> ").unwrap();
        assert_eq!(name.as_str(), "Robert'); DROP TABLE users;-- <b>Inc</b>");
        assert!(OrganizationName::parse("   ").is_err());
        assert!(OrganizationName::parse("a\u{0}b").is_err());
        assert!(OrganizationName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn public_mail_domains_cannot_be_claimed() {
        let gmail = EmailDomain::of(&Email::parse("ana@gmail.com").unwrap());
        let acme = EmailDomain::of(&Email::parse("ana@acme.io").unwrap());
        assert!(!gmail.is_claimable());
        assert!(acme.is_claimable());
    }
}

/// Who in an organization must sign in with a second factor (an authenticator app). Someone
/// it covers who has not turned it on can sign in, but reaches nothing but their own account
/// until they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TwoFactorPolicy {
    /// Each person chooses.
    #[default]
    Optional,
    /// Admins must.
    Admins,
    /// Everyone must.
    Everyone,
}

impl TwoFactorPolicy {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Optional => "optional",
            Self::Admins => "admins",
            Self::Everyone => "everyone",
        }
    }

    /// Whether someone of `role` must have a second factor.
    pub const fn requires(self, role: crate::Role) -> bool {
        match self {
            Self::Optional => false,
            Self::Admins => matches!(role, crate::Role::Admin),
            Self::Everyone => true,
        }
    }
}

impl FromStr for TwoFactorPolicy {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "optional" => Ok(Self::Optional),
            "admins" => Ok(Self::Admins),
            "everyone" => Ok(Self::Everyone),
            _ => Err(InvalidInput::new(
                "invalid_two_factor_policy",
                "must be one of optional, admins, everyone",
            )),
        }
    }
}

#[cfg(test)]
mod two_factor_policy_tests {
    use super::*;
    use crate::Role;

    #[test]
    fn each_policy_covers_exactly_its_roles() {
        for role in [Role::Admin, Role::Moderator, Role::Member] {
            assert!(!TwoFactorPolicy::Optional.requires(role));
            assert_eq!(TwoFactorPolicy::Admins.requires(role), role == Role::Admin);
            assert!(TwoFactorPolicy::Everyone.requires(role));
        }
        for policy in [
            TwoFactorPolicy::Optional,
            TwoFactorPolicy::Admins,
            TwoFactorPolicy::Everyone,
        ] {
            assert_eq!(policy.as_str().parse::<TwoFactorPolicy>().unwrap(), policy);
        }
        assert!("admin".parse::<TwoFactorPolicy>().is_err());
    }
}
