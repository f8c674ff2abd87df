//! Bodies of `/api/v1/users/*` and `/api/v1/organizations/*`.

use super::auth::field;
use super::checks;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
pub use tandem_api_types::{RoleDto, StatusDto, UserResponse};
use tandem_app::ports::ProfileChanges;
use tandem_app::users::UserPage;
use tandem_domain::{DisplayName, Email, Organization, ProfilePicture, Username};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPageResponse {
    pub users: Vec<UserResponse>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next_cursor: Option<i64>,
}

impl From<UserPage> for UserPageResponse {
    fn from(page: UserPage) -> Self {
        Self {
            users: page.users.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.map(|id| id.get()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListUsersQuery {
    /// The `next_cursor` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1–100 (default 50); a larger value is read as 100.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
    /// Include deactivated accounts (admins only).
    #[serde(default)]
    pub include_inactive: bool,
}

/// Fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(custom(function = "checks::email"))]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[validate(custom(function = "checks::username"))]
    #[schema(pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{1,31}\s*$")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "checks::double_option")]
    #[validate(custom(function = "checks::display_name"))]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "checks::double_option")]
    #[validate(custom(function = "checks::profile_picture"))]
    #[schema(value_type = Option<String>)]
    pub profile_picture: Option<Option<String>>,
    /// Admins only.
    pub role: Option<RoleDto>,
    /// Admins only (anyone may deactivate themselves).
    pub is_active: Option<bool>,
}

impl UpdateUserRequest {
    /// # Errors
    /// `validation_failed` when a field does not parse (already checked by `validate`).
    pub fn into_changes(self) -> Result<ProfileChanges, ApiError> {
        Ok(ProfileChanges {
            email: self
                .email
                .as_deref()
                .map(|e| field("email", Email::parse(e)))
                .transpose()?,
            username: self
                .username
                .as_deref()
                .map(|u| field("username", Username::parse(u)))
                .transpose()?,
            display_name: self
                .display_name
                .map(|d| {
                    d.as_deref()
                        .map(|d| field("display_name", DisplayName::parse(d)))
                        .transpose()
                })
                .transpose()?,
            profile_picture: self
                .profile_picture
                .map(|p| {
                    p.as_deref()
                        .map(|p| field("profile_picture", ProfilePicture::parse(p)))
                        .transpose()
                })
                .transpose()?,
            role: self.role.map(Into::into),
            is_active: self.is_active,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatusRequest {
    pub status: StatusDto,
}

/// An organization (tenant).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    pub id: i64,
    #[schema(example = "Acme")]
    pub name: String,
    /// Email domain whose owners may join by registering; `null` when none is claimed.
    #[schema(example = "acme.io")]
    pub domain: Option<String>,
    #[schema(example = "free")]
    pub subscription_plan: String,
    pub self_signup: bool,
    /// Who must sign in with an authenticator app: `optional`, `admins` or `everyone`.
    #[schema(example = "optional")]
    pub two_factor_policy: String,
    /// Members sign in through the organization's identity provider only.
    pub sso_only: bool,
    /// Whether people may make and use personal access tokens.
    pub access_tokens_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub is_active: bool,
}

impl From<Organization> for OrganizationResponse {
    fn from(org: Organization) -> Self {
        Self {
            id: org.id.get(),
            name: org.name.as_str().to_owned(),
            domain: org.domain.map(|d| d.as_str().to_owned()),
            subscription_plan: org.subscription_plan.as_str().to_owned(),
            self_signup: org.self_signup,
            two_factor_policy: org.two_factor_policy.as_str().to_owned(),
            sso_only: org.sso_only,
            access_tokens_enabled: org.access_tokens_enabled,
            created_at: org.created_at,
            is_active: org.is_active,
        }
    }
}
