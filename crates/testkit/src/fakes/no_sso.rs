//! Single sign-on that nobody has set up, for use-case tests of other areas: no organization
//! has a provider, and anything else is a test failure with a clear message. Single sign-on is
//! tested black-box on both databases against a real provider (`tests/api/sso.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    AuthorizationRequest, ClientCredentials, IdentityClaims, NewSsoProvider, OidcError,
    OpenIdConnect, PortError, ProviderMetadata, SecretBox, SsoAttempt, SsoRepository,
};
use tandem_domain::{OrganizationId, SsoProvider, SsoProviderId, UserId};

pub struct NoSso;

fn not_faked<T>() -> Result<T, PortError> {
    Err(PortError::unexpected(
        "single sign-on is not faked in these tests",
    ))
}

fn unreachable_provider<T>() -> Result<T, OidcError> {
    Err(OidcError::Unreachable(
        "no identity provider in these tests".to_owned(),
    ))
}

#[async_trait]
impl SsoRepository for NoSso {
    async fn providers(&self, _: OrganizationId) -> Result<Vec<SsoProvider>, PortError> {
        Ok(Vec::new())
    }

    async fn provider(&self, _: SsoProviderId) -> Result<Option<(SsoProvider, String)>, PortError> {
        Ok(None)
    }

    async fn create_provider(&self, _: NewSsoProvider) -> Result<SsoProvider, PortError> {
        not_faked()
    }

    async fn delete_provider(
        &self,
        _: OrganizationId,
        _: SsoProviderId,
    ) -> Result<bool, PortError> {
        Ok(false)
    }

    async fn start_attempt(&self, _: SsoAttempt) -> Result<(), PortError> {
        not_faked()
    }

    async fn take_attempt(
        &self,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<SsoAttempt>, PortError> {
        Ok(None)
    }

    async fn identity(&self, _: SsoProviderId, _: &str) -> Result<Option<UserId>, PortError> {
        Ok(None)
    }

    async fn link_identity(
        &self,
        _: SsoProviderId,
        _: &str,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Result<(), PortError> {
        not_faked()
    }
}

/// Seals by marking: enough to see a use case seals and opens.
impl SecretBox for NoSso {
    fn seal(&self, plain: &str) -> String {
        format!("sealed:{plain}")
    }

    fn open(&self, sealed: &str) -> Option<String> {
        sealed.strip_prefix("sealed:").map(str::to_owned)
    }
}

#[async_trait]
impl OpenIdConnect for NoSso {
    async fn discover(&self, _: &str) -> Result<ProviderMetadata, OidcError> {
        unreachable_provider()
    }

    fn authorization_url(&self, provider: &ProviderMetadata, _: &AuthorizationRequest) -> String {
        provider.authorization_endpoint.clone()
    }

    async fn redeem(
        &self,
        _: &ProviderMetadata,
        _: &ClientCredentials,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError> {
        unreachable_provider()
    }

    async fn verify_id_token(
        &self,
        _: &ProviderMetadata,
        _: &str,
        _: &str,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError> {
        unreachable_provider()
    }
}
