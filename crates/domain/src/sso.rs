//! Single sign-on: an organization's OpenID Connect identity providers.

use crate::{EmailDomain, InvalidInput, OrganizationId, SsoProviderId};
use chrono::{DateTime, Utc};

/// An identity provider people of an organization sign in through. Its client secret is not
/// part of it: only the sign-in itself reads that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProvider {
    pub id: SsoProviderId,
    pub organization_id: OrganizationId,
    pub label: ProviderLabel,
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    /// The addresses it may sign people in with; empty for any it vouches for.
    pub allowed_domains: Vec<EmailDomain>,
    pub created_at: DateTime<Utc>,
}

impl SsoProvider {
    /// Whether the provider may sign someone in with an address at `domain`.
    pub fn allows(&self, domain: &EmailDomain) -> bool {
        self.allowed_domains.is_empty() || self.allowed_domains.contains(domain)
    }
}

/// What the sign-in button says ("Acme SSO"): 1–40 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderLabel(String);

impl ProviderLabel {
    pub const MAX_LEN: usize = 40;

    /// # Errors
    /// `invalid_label`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        crate::text::short_name(raw, Self::MAX_LEN, "invalid_label").map(Self)
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A provider's issuer: an `https://` URL without query or fragment (`http://` only on this
/// machine, `127.0.0.1` or `localhost`, for trying things out), at most 300 characters, kept
/// without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerUrl(String);

impl IssuerUrl {
    pub const MAX_LEN: usize = 300;

    /// # Errors
    /// `invalid_issuer`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim().trim_end_matches('/');
        let invalid = |why: &str| InvalidInput::new("invalid_issuer", why.to_owned());
        if value.len() > Self::MAX_LEN || value.chars().any(|c| c.is_control() || c == ' ') {
            return Err(invalid("must be a URL of at most 300 characters"));
        }
        if value.contains(['?', '#', '@']) {
            return Err(invalid(
                "must be the issuer's URL, without query, fragment or credentials",
            ));
        }
        let host = if let Some(rest) = value.strip_prefix("https://") {
            rest
        } else if let Some(rest) = value.strip_prefix("http://") {
            let host = rest.split(['/', ':']).next().unwrap_or_default();
            if !matches!(host, "127.0.0.1" | "localhost") {
                return Err(invalid(
                    "must use https:// (http:// only for 127.0.0.1 or localhost)",
                ));
            }
            rest
        } else {
            return Err(invalid("must start with https://"));
        };
        if host.split(['/', ':']).next().is_none_or(str::is_empty) {
            return Err(invalid("must name a host"));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Tandem's client id at the provider: 1–200 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    /// # Errors
    /// `invalid_client_id`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        if value.is_empty() || value.len() > 200 || !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidInput::new(
                "invalid_client_id",
                "must be 1 to 200 visible ASCII characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_urls_or_this_machine() {
        for good in [
            "https://login.acme.io",
            "https://login.acme.io/realms/acme/",
            "http://127.0.0.1:8081",
            "http://localhost:8081/oidc",
        ] {
            let parsed = IssuerUrl::parse(good).unwrap();
            assert!(!parsed.as_str().ends_with('/'), "{good}");
        }
        for bad in [
            "",
            "login.acme.io",
            "http://login.acme.io",
            "http://127.0.0.1.evil.io",
            "https://",
            "https://acme.io?x=1",
            "https://user:pw@acme.io",
            "javascript:alert(1)",
            "ftp://acme.io",
        ] {
            assert_eq!(
                IssuerUrl::parse(bad).map_err(|e| e.code),
                Err("invalid_issuer"),
                "{bad}"
            );
        }
    }

    #[test]
    fn labels_and_client_ids_are_short_and_printable() {
        assert_eq!(
            ProviderLabel::parse(" Acme SSO ").unwrap().as_str(),
            "Acme SSO"
        );
        assert!(ProviderLabel::parse("").is_err());
        assert!(ProviderLabel::parse(&"x".repeat(41)).is_err());
        assert!(ProviderLabel::parse("a\u{0}b").is_err());
        assert!(ClientId::parse("tandem-client_1").is_ok());
        assert!(ClientId::parse("two words").is_err());
        assert!(ClientId::parse("").is_err());
    }

    #[test]
    fn a_provider_without_domains_allows_any() {
        let provider = SsoProvider {
            id: SsoProviderId::new(1),
            organization_id: OrganizationId::new(1),
            label: ProviderLabel::from_trusted("Acme".to_owned()),
            issuer: IssuerUrl::from_trusted("https://login.acme.io".to_owned()),
            client_id: ClientId::from_trusted("tandem".to_owned()),
            allowed_domains: Vec::new(),
            created_at: Utc::now(),
        };
        let acme = EmailDomain::from_trusted("acme.io".to_owned());
        let other = EmailDomain::from_trusted("globex.io".to_owned());
        assert!(provider.allows(&other));
        let limited = SsoProvider {
            allowed_domains: vec![acme.clone()],
            ..provider
        };
        assert!(limited.allows(&acme));
        assert!(!limited.allows(&other));
    }
}
