//! Signing in through an organization's identity provider: the OpenID Connect authorization
//! code flow with PKCE, as a relying party.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What a provider publishes about itself (OpenID Connect Discovery), as far as signing in
/// needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

/// Tandem's registration at a provider.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// One sign-in attempt's values, made fresh for it and kept until the provider sends the person
/// back: `state` ties the answer to the attempt, `nonce` the ID token, `code_verifier` the code.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    /// The address the person gave, so the provider can fill it in.
    pub login_hint: Option<String>,
}

/// Who the provider says signed in, from an ID token whose signature and claims were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClaims {
    /// The provider's stable id for the person (`sub`).
    pub subject: String,
    pub email: Option<String>,
    /// Only a provider's `email_verified: true` counts.
    pub email_verified: bool,
    pub name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered something that is not its protocol.
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    /// Discovery answered, but not as the provider named (another issuer, missing endpoints).
    #[error("the identity provider's configuration is not usable: {0}")]
    InvalidProvider(String),
    /// The token endpoint refused the code (expired, used, wrong verifier or client).
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    #[error("the identity provider's answer failed a check: {0}")]
    InvalidIdToken(String),
}

#[async_trait]
pub trait OpenIdConnect: Send + Sync {
    /// Reads `{issuer}/.well-known/openid-configuration`; its `issuer` must be `issuer` exactly.
    ///
    /// # Errors
    /// `Unreachable`, `InvalidProvider`.
    async fn discover(&self, issuer: &str) -> Result<ProviderMetadata, OidcError>;

    /// Where to send the person: the authorization endpoint with the request's parameters and
    /// the S256 challenge of its `code_verifier`.
    fn authorization_url(
        &self,
        provider: &ProviderMetadata,
        request: &AuthorizationRequest,
    ) -> String;

    /// Exchanges the code the provider sent back (with the attempt's verifier) and checks the
    /// ID token it answers with [`Self::verify_id_token`].
    ///
    /// # Errors
    /// `Unreachable`, `Refused`, `InvalidIdToken`.
    #[allow(clippy::too_many_arguments)]
    async fn redeem(
        &self,
        provider: &ProviderMetadata,
        client: &ClientCredentials,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError>;

    /// Checks an ID token: signed (asymmetrically) by a key of the provider's JWKS, issued by
    /// it, for `client_id`, not expired at `now`, carrying `nonce`.
    ///
    /// # Errors
    /// `Unreachable` (the JWKS), `InvalidIdToken`.
    async fn verify_id_token(
        &self,
        provider: &ProviderMetadata,
        client_id: &str,
        id_token: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError>;
}

/// A provider to add. The secret is kept (sealed) for the token endpoint and never shown again.
#[derive(Debug, Clone)]
pub struct NewSsoProvider {
    pub organization_id: tandem_domain::OrganizationId,
    pub label: tandem_domain::ProviderLabel,
    pub issuer: tandem_domain::IssuerUrl,
    pub client_id: tandem_domain::ClientId,
    pub client_secret: String,
    pub allowed_domains: Vec<tandem_domain::EmailDomain>,
    pub created_at: DateTime<Utc>,
}

/// A sign-in under way, stored between sending the person to the provider and their return.
#[derive(Debug, Clone)]
pub struct SsoAttempt {
    pub provider_id: tandem_domain::SsoProviderId,
    /// The digest of the `state` sent to the provider; the state itself is not kept.
    pub state_hash: String,
    pub nonce: String,
    pub code_verifier: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait SsoRepository: Send + Sync {
    /// The organization's providers, oldest first.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn providers(
        &self,
        organization_id: tandem_domain::OrganizationId,
    ) -> Result<Vec<tandem_domain::SsoProvider>, super::PortError>;

    /// A provider with its client secret (as stored: sealed).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn provider(
        &self,
        id: tandem_domain::SsoProviderId,
    ) -> Result<Option<(tandem_domain::SsoProvider, String)>, super::PortError>;

    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn create_provider(
        &self,
        provider: NewSsoProvider,
    ) -> Result<tandem_domain::SsoProvider, super::PortError>;

    /// Removes a provider of the organization, with the identities it vouched for (their
    /// accounts stay). Whether there was one.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn delete_provider(
        &self,
        organization_id: tandem_domain::OrganizationId,
        id: tandem_domain::SsoProviderId,
    ) -> Result<bool, super::PortError>;

    /// # Errors
    /// `NotFound` for an unknown provider.
    async fn start_attempt(&self, attempt: SsoAttempt) -> Result<(), super::PortError>;

    /// Takes (deletes and returns) the unexpired attempt whose state digests to `state_hash`:
    /// of two concurrent calls, one gets it.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn take_attempt(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SsoAttempt>, super::PortError>;

    /// The account a provider's subject signed in as before.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn identity(
        &self,
        provider_id: tandem_domain::SsoProviderId,
        subject: &str,
    ) -> Result<Option<tandem_domain::UserId>, super::PortError>;

    /// Remembers that the provider's `subject` is `user_id` (a second call for the same
    /// subject changes nothing).
    ///
    /// # Errors
    /// `NotFound` for an unknown provider or user.
    async fn link_identity(
        &self,
        provider_id: tandem_domain::SsoProviderId,
        subject: &str,
        user_id: tandem_domain::UserId,
        at: DateTime<Utc>,
    ) -> Result<(), super::PortError>;
}
