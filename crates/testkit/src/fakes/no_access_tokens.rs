//! Personal access tokens that nobody has made, for use-case tests of other areas: no token
//! is ever found, and making one is a test failure with a clear message. Tokens are tested
//! black-box on both databases (`tests/api/access_tokens.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{AccessTokenRepository, NewAccessToken, PortError};
use tandem_domain::{AccessToken, AccessTokenId, OrganizationId, UserId};

pub struct NoAccessTokens;

#[async_trait]
impl AccessTokenRepository for NoAccessTokens {
    async fn create(&self, _: NewAccessToken) -> Result<AccessToken, PortError> {
        Err(PortError::unexpected(
            "personal access tokens are not faked in these tests",
        ))
    }

    async fn find_by_hash(&self, _: &str) -> Result<Option<AccessToken>, PortError> {
        Ok(None)
    }

    async fn list_for_user(&self, _: UserId) -> Result<Vec<AccessToken>, PortError> {
        Ok(Vec::new())
    }

    async fn list_for_organization(
        &self,
        _: OrganizationId,
    ) -> Result<Vec<AccessToken>, PortError> {
        Ok(Vec::new())
    }

    async fn delete(
        &self,
        _: OrganizationId,
        _: AccessTokenId,
        _: Option<UserId>,
    ) -> Result<Option<AccessToken>, PortError> {
        Ok(None)
    }

    async fn touch(&self, _: AccessTokenId, _: DateTime<Utc>) -> Result<(), PortError> {
        Ok(())
    }
}
