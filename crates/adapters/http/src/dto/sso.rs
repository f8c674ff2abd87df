//! Single sign-on: providers as admins and the sign-in page see them, and the requests that
//! add one or finish a sign-in.

use super::auth::field;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::auth::AddProvider;
use tandem_domain::{ClientId, Email, EmailDomain, IssuerUrl, ProviderLabel, SsoProvider};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A provider as admins see it. The client secret is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoProviderResponse {
    pub id: i64,
    #[schema(example = "Acme SSO")]
    pub label: String,
    #[schema(example = "https://login.acme.io")]
    pub issuer: String,
    pub client_id: String,
    /// The email domains it may sign people in with; empty for any.
    pub allowed_domains: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<SsoProvider> for SsoProviderResponse {
    fn from(p: SsoProvider) -> Self {
        Self {
            id: p.id.get(),
            label: p.label.as_str().to_owned(),
            issuer: p.issuer.as_str().to_owned(),
            client_id: p.client_id.as_str().to_owned(),
            allowed_domains: p
                .allowed_domains
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SsoProviderList {
    pub providers: Vec<SsoProviderResponse>,
    /// The redirect URI to register at a provider (`<notifications.base_url>/api/v1/auth/sso/callback`).
    #[schema(example = "https://chat.acme.io/api/v1/auth/sso/callback")]
    pub redirect_uri: String,
}

/// A sign-in button: what the sign-in page shows for an address.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoButton {
    pub id: i64,
    pub label: String,
    /// Open this address in the browser to sign in (it redirects to the provider).
    pub start_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SsoButtonList {
    pub providers: Vec<SsoButton>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SsoLookupQuery {
    /// The address someone is signing in with.
    pub email: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SsoStartQuery {
    /// The address to fill in at the provider.
    pub login_hint: Option<String>,
}

/// What the provider sends the browser back with (RFC 6749, 4.1.2).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SsoCallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    /// Set when the provider refused (`access_denied`, ...).
    pub error: Option<String>,
}

/// A provider to add. Tandem reads the issuer's discovery document before storing it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSsoProviderRequest {
    #[schema(example = "Acme SSO", min_length = 1, max_length = 40)]
    pub label: String,
    /// `https://…` (`http://` only for 127.0.0.1 or localhost).
    #[schema(example = "https://login.acme.io", max_length = 300)]
    pub issuer: String,
    #[schema(min_length = 1, max_length = 200)]
    pub client_id: String,
    /// Kept for the token endpoint, never shown again.
    #[schema(min_length = 1, max_length = 500)]
    pub client_secret: String,
    /// Email domains it may sign people in with; none for any it vouches for.
    #[serde(default)]
    #[validate(length(max = 50, message = "at most 50 domains"))]
    pub allowed_domains: Vec<String>,
}

impl AddSsoProviderRequest {
    /// # Errors
    /// `validation_failed` naming the field that does not parse.
    pub fn into_command(self) -> Result<AddProvider, ApiError> {
        let allowed_domains = self
            .allowed_domains
            .iter()
            .map(|d| {
                field(
                    "allowed_domains",
                    Email::parse(&format!("someone@{}", d.trim())).map(|e| EmailDomain::of(&e)),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AddProvider {
            label: field("label", ProviderLabel::parse(&self.label))?,
            issuer: field("issuer", IssuerUrl::parse(&self.issuer))?,
            client_id: field("client_id", ClientId::parse(&self.client_id))?,
            client_secret: self.client_secret,
            allowed_domains,
        })
    }
}

/// The ticket the callback put in the sign-in page's address.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoCompleteRequest {
    #[validate(length(
        min = 1,
        max = 128,
        message = "send the ticket of the sign-in page's address"
    ))]
    #[schema(min_length = 1, max_length = 128)]
    pub ticket: String,
}
