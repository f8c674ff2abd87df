//! Personal access tokens, stored by the digest of their secret.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{AccessToken, AccessTokenId, OrganizationId, TokenName, TokenScope, UserId};

#[derive(Debug, Clone)]
pub struct NewAccessToken {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub name: TokenName,
    pub scopes: Vec<TokenScope>,
    /// The SHA-256 digest of the secret (URL-safe base64).
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait AccessTokenRepository: Send + Sync {
    /// # Errors
    /// `NotFound` when the user (or organization) no longer exists; `Unavailable`.
    async fn create(&self, new: NewAccessToken) -> Result<AccessToken, PortError>;

    /// The token whose secret has this digest, expired or not.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<AccessToken>, PortError>;

    /// One person's tokens, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_for_user(&self, user_id: UserId) -> Result<Vec<AccessToken>, PortError>;

    /// Every token of the organization, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_for_organization(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<AccessToken>, PortError>;

    /// Deletes the token `id` of the organization (and of `owner`, when given); returns it, or
    /// `None` when there is no such token.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete(
        &self,
        organization_id: OrganizationId,
        id: AccessTokenId,
        owner: Option<UserId>,
    ) -> Result<Option<AccessToken>, PortError>;

    /// Records a use of the token.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn touch(&self, id: AccessTokenId, at: DateTime<Utc>) -> Result<(), PortError>;
}
