//! Bodies of personal access tokens.

use super::auth::field;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::auth::{CreateAccessToken, IssuedToken};
use tandem_domain::{AccessToken, TokenName, TokenScope};
use utoipa::ToSchema;

/// What a token may do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenScopeDto {
    /// Everything its owner may read, and the live streams (WebSocket, Server-Sent Events).
    Read,
    /// Messages, reactions, pins, files, reports, read markers, notification settings.
    Write,
    /// Creating, changing and archiving channels, and their members.
    Channels,
    /// The organization's administration; only an admin's token, while they are one.
    Admin,
}

impl From<TokenScopeDto> for TokenScope {
    fn from(scope: TokenScopeDto) -> Self {
        match scope {
            TokenScopeDto::Read => Self::Read,
            TokenScopeDto::Write => Self::Write,
            TokenScopeDto::Channels => Self::Channels,
            TokenScopeDto::Admin => Self::Admin,
        }
    }
}

impl From<TokenScope> for TokenScopeDto {
    fn from(scope: TokenScope) -> Self {
        match scope {
            TokenScope::Read => Self::Read,
            TokenScope::Write => Self::Write,
            TokenScope::Channels => Self::Channels,
            TokenScope::Admin => Self::Admin,
        }
    }
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What it is for, so you know it again: 1–80 characters, no control characters.
    #[schema(
        example = "deploy notifier",
        max_length = 80,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// At least one; a repeated scope counts once.
    #[schema(min_items = 1)]
    pub scopes: Vec<TokenScopeDto>,
    /// Days until it stops working (1–3650); left out, it works until revoked.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

impl CreateTokenRequest {
    /// # Errors
    /// `validation_failed` for a name that does not parse.
    pub fn into_command(self) -> Result<CreateAccessToken, ApiError> {
        Ok(CreateAccessToken {
            name: field("name", TokenName::parse(&self.name))?,
            scopes: self.scopes.into_iter().map(Into::into).collect(),
            expires_in_days: self.expires_in_days,
        })
    }
}

/// A token as its owner (and admins) see it: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessTokenResponse {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<TokenScopeDto>,
    /// Whose token it is.
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    /// `null`: until revoked.
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    /// To the minute; `null`: never used.
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<AccessToken> for AccessTokenResponse {
    fn from(token: AccessToken) -> Self {
        Self {
            id: token.id.get(),
            name: token.name.as_str().to_owned(),
            scopes: token.scopes.into_iter().map(Into::into).collect(),
            user_id: token.user_id.get(),
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
        }
    }
}

/// A new token, with its secret: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenResponse {
    /// Send as `Authorization: Bearer <token>`. Keep it secret: it is not stored, only its
    /// digest is.
    #[schema(example = "tdm_pat_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h")]
    pub token: String,
    pub access_token: AccessTokenResponse,
}

impl From<IssuedToken> for CreatedTokenResponse {
    fn from(issued: IssuedToken) -> Self {
        Self {
            token: issued.secret,
            access_token: issued.token.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessTokenList {
    /// Newest first.
    pub tokens: Vec<AccessTokenResponse>,
}

impl From<Vec<AccessToken>> for AccessTokenList {
    fn from(tokens: Vec<AccessToken>) -> Self {
        Self {
            tokens: tokens.into_iter().map(Into::into).collect(),
        }
    }
}
