//! Bodies of the identity endpoints: confirming addresses, resetting passwords, invitations
//! and sessions.

use super::auth::field;
use super::checks;
use super::users::RoleDto;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::auth::{AcceptInvitation, ClientInfo, InvitationPreview, Invite};
use tandem_app::ports::{Invitation, SessionInfo};
use tandem_domain::{ChannelId, DisplayName, Email, Username};
use utoipa::ToSchema;
use validator::Validate;

/// The secret of an emailed link (the `token` parameter of its address).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkTokenRequest {
    #[validate(length(min = 1, max = 128, message = "send the token of the emailed link"))]
    #[schema(
        min_length = 1,
        max_length = 128,
        example = "q5Zk0m1o3Y2hZcU9P3HfXv5w2J0wHqz8n4rT1aB6cD8"
    )]
    pub token: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's email address. The answer is the same whether or not it has one.
    #[validate(length(min = 1, max = 254, message = "enter your email address"))]
    #[schema(example = "ana@acme.io", min_length = 1, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmRequest {
    #[validate(length(min = 1, max = 128, message = "send the token of the emailed link"))]
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    /// At least 8 characters, at most 72 bytes; common, breached and guessable passwords are
    /// refused.
    #[schema(format = Password, min_length = 8, max_length = 72)]
    pub password: String,
}

/// An answer that says only that the request was taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    #[schema(
        example = "if an account has this address, a link to reset its password is on its way"
    )]
    pub message: String,
}

impl AcceptedResponse {
    pub fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The new address; it is emailed a link, and becomes yours when the link is opened.
    #[validate(custom(function = "checks::email"))]
    #[schema(example = "ana.garcia@acme.io", max_length = 254)]
    pub email: String,
    /// Your current password.
    #[validate(length(min = 1, max = 1024, message = "enter your current password"))]
    #[schema(format = Password, min_length = 1, max_length = 1024)]
    pub password: String,
}

impl ChangeEmailRequest {
    /// # Errors
    /// `validation_failed` for an address that does not parse.
    pub fn email(&self) -> Result<Email, ApiError> {
        field("email", Email::parse(&self.email))
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[validate(custom(function = "checks::email"))]
    #[schema(example = "bruno@acme.io", max_length = 254)]
    pub email: String,
    /// The role the account gets; `member` when left out.
    pub role: Option<RoleDto>,
    /// Channels the person joins on accepting (at most 50): public or private channels of the
    /// organization, not archived.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub channel_ids: Vec<i64>,
}

impl InviteRequest {
    /// # Errors
    /// `validation_failed` for an address that does not parse.
    pub fn into_command(self) -> Result<Invite, ApiError> {
        Ok(Invite {
            email: field("email", Email::parse(&self.email))?,
            role: self.role.map_or(tandem_domain::Role::Member, Into::into),
            channel_ids: self.channel_ids.into_iter().map(ChannelId::new).collect(),
        })
    }
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatusDto {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation, as admins see it (never its link).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    pub id: i64,
    #[schema(example = "bruno@acme.io")]
    pub email: String,
    pub role: RoleDto,
    pub channel_ids: Vec<i64>,
    /// `null` once the admin who sent it was deleted.
    pub invited_by: Option<i64>,
    pub status: InvitationStatusDto,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<i64>,
}

impl InvitationResponse {
    pub fn new(invitation: Invitation, now: DateTime<Utc>) -> Self {
        use tandem_app::ports::InvitationStatus as S;
        let status = match invitation.status(now) {
            S::Pending => InvitationStatusDto::Pending,
            S::Accepted => InvitationStatusDto::Accepted,
            S::Revoked => InvitationStatusDto::Revoked,
            S::Expired => InvitationStatusDto::Expired,
        };
        Self {
            id: invitation.id,
            email: invitation.email.as_str().to_owned(),
            role: invitation.role.into(),
            channel_ids: invitation.channel_ids.iter().map(|c| c.get()).collect(),
            invited_by: invitation.invited_by.map(|u| u.get()),
            status,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
            accepted_at: invitation.accepted_at,
            accepted_by: invitation.accepted_by.map(|u| u.get()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub invitations: Vec<InvitationResponse>,
}

/// Which invitations to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InvitationQuery {
    /// `pending` (the default) or `all` (the newest 500, whatever their state).
    #[param(inline)]
    pub status: Option<InvitationFilter>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InvitationFilter {
    Pending,
    All,
}

/// What the invitation page shows before accepting.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreviewResponse {
    #[schema(example = "Acme")]
    pub organization_name: String,
    #[schema(example = "bruno@acme.io")]
    pub email: String,
    pub role: RoleDto,
    /// The inviter's name, when they still have an account.
    #[schema(example = "Ana García")]
    pub inviter: Option<String>,
    /// The address already has an account in this organization: accepting asks for its
    /// password instead of creating one.
    pub account_exists: bool,
    pub expires_at: DateTime<Utc>,
}

impl From<InvitationPreview> for InvitationPreviewResponse {
    fn from(preview: InvitationPreview) -> Self {
        Self {
            organization_name: preview.organization_name,
            email: preview.email.as_str().to_owned(),
            role: preview.role.into(),
            inviter: preview.inviter,
            account_exists: preview.account_exists,
            expires_at: preview.expires_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    #[validate(length(
        min = 1,
        max = 128,
        message = "send the token of the invitation's link"
    ))]
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    /// Needed to create an account (same rules as at sign-up); ignored when the address has
    /// one.
    #[validate(custom(function = "checks::username"))]
    #[schema(example = "bruno")]
    pub username: Option<String>,
    #[validate(custom(function = "checks::display_name"))]
    #[schema(example = "Bruno Díaz", min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
    /// The new account's password, or the existing account's.
    #[schema(format = Password, min_length = 1, max_length = 1024)]
    pub password: String,
}

impl AcceptInvitationRequest {
    /// # Errors
    /// `validation_failed` when a field does not parse.
    pub fn into_command(self, client: ClientInfo) -> Result<AcceptInvitation, ApiError> {
        Ok(AcceptInvitation {
            token: self.token,
            username: self
                .username
                .as_deref()
                .map(|u| field("username", Username::parse(u)))
                .transpose()?,
            display_name: self
                .display_name
                .as_deref()
                .map(|d| field("display_name", DisplayName::parse(d)))
                .transpose()?,
            password: self.password,
            client,
        })
    }
}

/// A signed-in session (a login on some device).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub id: i64,
    /// The browser or client that logged in, as it named itself.
    #[schema(example = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0")]
    pub user_agent: Option<String>,
    /// The address it logged in from.
    #[schema(example = "203.0.113.7")]
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The login, or the latest token refresh (clients refresh every few minutes while open).
    pub last_used_at: DateTime<Utc>,
    /// The session this request was made with.
    pub current: bool,
}

impl SessionResponse {
    pub fn new(session: SessionInfo, current: bool) -> Self {
        Self {
            id: session.id,
            user_agent: session.user_agent,
            address: session.address,
            created_at: session.created_at,
            last_used_at: session.last_used_at,
            current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    /// How many sessions ended.
    pub ended: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChanges {
    /// Whether people with an address at the organization's domain may join by signing up
    /// (once they confirm the address). Invitations work either way.
    pub self_signup: Option<bool>,
    /// Who must sign in with an authenticator app: `optional`, `admins` or `everyone`.
    /// Someone it covers who has not turned it on reaches only their own account
    /// (`403 two_factor_setup_required`) from their next sign-in or token refresh.
    #[schema(value_type = Option<String>, example = "admins")]
    pub two_factor_policy: Option<String>,
    /// Members sign in through the organization's identity provider only (`403 sso_required`
    /// for their passwords); admins keep their password. Needs a provider first.
    pub sso_only: Option<bool>,
    /// Whether people may make and use personal access tokens (on by default). Off, none can
    /// be made and those made answer `403 access_tokens_disabled` (their connections close)
    /// until it is on again; bots' tokens work either way.
    pub access_tokens_enabled: Option<bool>,
}
