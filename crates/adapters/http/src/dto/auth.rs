//! Bodies of `/api/v1/auth/*`.

use super::checks;
use super::users::UserResponse;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use tandem_app::auth::{AuthSession, Register};
use tandem_domain::{DisplayName, Email, InvalidInput, OrganizationName, Username};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Your work email. If an organization owns its domain and accepts sign-ups, you join it.
    #[validate(custom(function = "checks::email"))]
    #[schema(example = "ana@acme.io", max_length = 254)]
    pub email: String,
    /// 2–32 characters: letters, digits, `.`, `_`, `-`, starting with a letter or digit. Unique
    /// on this server; stored lower-case. `channel`, `here`, `all`, `everyone`, `me`, `admin`,
    /// `system` and `online` are reserved.
    #[validate(custom(function = "checks::username"))]
    #[schema(example = "ana", pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{1,31}\s*$")]
    pub username: String,
    /// At least 8 characters, at most 72 bytes; common, breached and guessable passwords are
    /// refused.
    #[schema(example = "violet harbor kettle", format = Password, min_length = 8, max_length = 72)]
    pub password: String,
    /// Creates this organization (you become its admin) when no organization owns your domain.
    #[validate(custom(function = "checks::organization_name"))]
    #[schema(example = "Acme", min_length = 1, max_length = 100)]
    pub organization_name: Option<String>,
    /// A name shown beside your username: at most 64 characters, without control or invisible
    /// characters.
    #[validate(custom(function = "checks::display_name"))]
    #[schema(example = "Ana García", min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
}

impl RegisterRequest {
    /// # Errors
    /// `validation_failed` when a field does not parse (already checked by `validate`).
    pub fn into_command(self, client_address: Option<String>) -> Result<Register, ApiError> {
        Ok(Register {
            email: field("email", Email::parse(&self.email))?,
            username: field("username", Username::parse(&self.username))?,
            password: self.password,
            display_name: self
                .display_name
                .as_deref()
                .map(DisplayName::parse)
                .transpose()
                .map_err(|e| to_api("display_name", e))?,
            organization_name: self
                .organization_name
                .as_deref()
                .map(OrganizationName::parse)
                .transpose()
                .map_err(|e| to_api("organization_name", e))?,
            client_address,
            user_agent: None,
        })
    }
}

pub(crate) fn field<T>(name: &str, parsed: Result<T, InvalidInput>) -> Result<T, ApiError> {
    parsed.map_err(|e| to_api(name, e))
}

fn to_api(name: &str, error: InvalidInput) -> ApiError {
    ApiError::field(name, error.code, error.message)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Your email address, or your username.
    #[validate(length(min = 1, max = 254, message = "enter your email or username"))]
    #[schema(example = "ana@acme.io", min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "enter your password"))]
    #[schema(example = "violet harbor kettle", format = Password, min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Leave out when the refresh token is in the `tandem_refresh` cookie.
    #[validate(length(min = 1, max = 512, message = "send the refresh token you were given"))]
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// Also end the session this refresh token belongs to (recommended).
    pub refresh_token: Option<String>,
}

/// The token of the link emailed to an account's owner after failed logins paused it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    #[schema(max_length = 128, example = "42.Zm9vYmFy")]
    pub token: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024, message = "enter your current password"))]
    #[schema(format = Password, min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// At least 8 characters, at most 72 bytes; common, breached and guessable passwords are
    /// refused.
    #[schema(format = Password, min_length = 8, max_length = 72)]
    pub new_password: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Bearer,
}

/// Answer of register, login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    /// Send as `Authorization: Bearer <access_token>`. Short-lived (see `expires_in`).
    pub access_token: String,
    /// Exchange at `POST /api/v1/auth/refresh` for a new pair. Single use: each refresh
    /// returns a new one, and presenting a spent one ends the session. Absent when the request
    /// asked for it in the `tandem_refresh` cookie (`Tandem-Refresh: cookie`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub token_type: TokenType,
    /// Seconds until `access_token` expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    pub user: UserResponse,
}

impl From<AuthSession> for AuthResponse {
    fn from(session: AuthSession) -> Self {
        Self {
            access_token: session.access_token.token,
            refresh_token: Some(session.refresh_token),
            token_type: TokenType::Bearer,
            expires_in: session.access_token.expires_in,
            user: session.user.into(),
        }
    }
}
