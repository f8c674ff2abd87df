//! The API's errors as HTTP responses. The table of codes, the mapping from use-case errors and
//! the headers are shared with the real-time transports ([`tandem_api_types::errors`]); this
//! makes them actix answers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use std::fmt;
use std::ops::Deref;
pub use tandem_api_types::errors::{ErrorBody, ErrorCode, FieldError};

/// An error answer of the REST API.
#[derive(Debug, Clone)]
pub struct ApiError(pub tandem_api_types::errors::ApiError);

type Shared = tandem_api_types::errors::ApiError;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Shared::new(code, message))
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        Self(Shared::validation(details))
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self(Shared::field(field, code, message))
    }

    /// A 429 telling the client when to come back.
    pub fn rate_limited(retry_after: std::time::Duration, message: String) -> Self {
        Self(Shared::rate_limited(retry_after, message))
    }

    pub fn not_found() -> Self {
        Self(Shared::not_found())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self(Shared::forbidden(message))
    }
}

impl Deref for ApiError {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        respond(&self.0)
    }
}

/// The HTTP answer of an API error: its status, headers and body.
pub fn respond(error: &Shared) -> HttpResponse {
    let status =
        StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for header in error.headers() {
        response.insert_header(header);
    }
    response.json(error.body())
}

/// Every use-case error becomes an API error through the shared mapping.
macro_rules! shared_mapping {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                Self(Shared::from(error))
            }
        })+
    };
}

shared_mapping!(
    Shared,
    tandem_app::ports::PortError,
    tandem_app::auth::RegisterError,
    tandem_app::auth::LoginError,
    tandem_app::auth::RefreshError,
    tandem_app::auth::AuthError,
    tandem_app::auth::ChangePasswordError,
    tandem_app::users::UserError,
    tandem_app::admin::AdminError,
    tandem_app::channels::ChatError,
    tandem_app::files::FileError,
    tandem_app::notifications::NotificationError,
    tandem_app::auth::UnlockError,
    tandem_app::auth::TwoFactorError,
    tandem_app::auth::VerificationError,
    tandem_app::auth::ResetError,
    tandem_app::auth::InvitationError,
    tandem_app::auth::SessionsError,
    tandem_app::auth::SsoError,
    tandem_app::auth::AccessTokenError,
    tandem_app::auth::BotError,
    tandem_app::integrations::OutgoingError,
    tandem_api_types::bearer::TwoTokens,
    tandem_app::organizations::SettingsError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_valid_http_status() {
        for code in ErrorCode::ALL {
            assert!(
                StatusCode::from_u16(code.status()).is_ok(),
                "{}",
                code.as_str()
            );
        }
        let answer = ApiError::new(ErrorCode::RateLimited, "slow down");
        assert_eq!(answer.status_code(), StatusCode::TOO_MANY_REQUESTS);
    }
}
