//! The one error shape of the API, its table of stable codes, and the single mapping from use
//! case errors to codes, statuses and messages, shared by REST (the response), the WebSocket
//! (`error` frames) and Server-Sent Events (`end` events), so a client handles a failure the
//! same way on all three. Every match here is exhaustive: a new error variant does not compile
//! until someone decides its code.

use serde::Serialize;
use std::fmt;
use tandem_app::admin::AdminError;
use tandem_app::auth::{AuthError, ChangePasswordError, LoginError, RefreshError, RegisterError};
use tandem_app::channels::ChatError;
use tandem_app::ports::{PortError, UniqueField};
use tandem_app::users::UserError;
use utoipa::ToSchema;

macro_rules! error_codes {
    ($($variant:ident => ($status:literal, $code:literal, $doc:literal)),+ $(,)?) => {
        /// Every machine-readable error code the API can return. Codes are stable: clients may
        /// branch on them. New codes may be added; existing ones keep their meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant),+
        }

        impl ErrorCode {
            /// The HTTP status of this code.
            pub const fn status(self) -> u16 {
                match self { $(Self::$variant => $status),+ }
            }

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// The whole table, for documentation and tests.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),+];
        }
    };
}

error_codes! {
    MalformedJson => (400, "malformed_json", "The body is not well-formed JSON (or, for an incoming webhook's form, has no single `payload` of well-formed JSON)."),
    InvalidParameter => (400, "invalid_parameter", "A path or query parameter has the wrong form."),
    Unauthenticated => (401, "unauthenticated", "No bearer token was sent."),
    InvalidToken => (401, "invalid_token", "The access token is forged, tampered with, or malformed."),
    TokenExpired => (401, "token_expired", "The access token has expired: refresh it."),
    TokenRevoked => (401, "token_revoked", "The access token was revoked (logout, password change)."),
    InvalidCredentials => (401, "invalid_credentials", "Wrong email/username or password."),
    InvalidRefreshToken => (401, "invalid_refresh_token", "The refresh token is unknown, expired or revoked."),
    RefreshTokenReused => (401, "refresh_token_reused", "A refresh token was used twice; the session was ended."),
    AccountDisabled => (401, "account_disabled", "The account has been deactivated."),
    Forbidden => (403, "forbidden", "The caller may not do this."),
    InsufficientScope => (403, "insufficient_scope", "The personal access token lacks the scope this request needs (`read`, `write`, `channels` or `admin`), or the request is one only a signed-in session may make (managing the account and its tokens)."),
    AccessTokensDisabled => (403, "access_tokens_disabled", "The organization's admins turned personal access tokens off: none can be made, and those made answer this until they turn them on again (bots' tokens work either way)."),
    AddressNotAllowed => (403, "address_not_allowed", "Webhooks and commands may not reach this address: it is (or its name resolves to) a loopback, private, link-local or otherwise reserved one, or, with `integrations.allow_public_addresses` off, not among `integrations.allowed_hosts`."),
    SignupDisabled => (403, "signup_disabled", "The organization owning this email domain does not accept sign-ups."),
    EmailUnverified => (403, "email_unverified", "Confirm your email address first (the emailed link); until then only your own account's endpoints answer."),
    TwoFactorSetupRequired => (403, "two_factor_setup_required", "Your organization requires two-factor sign-in: turn it on (`POST /auth/two-factor/enrol`, then `/confirm`) and refresh your token; until then only your own account's endpoints answer."),
    SsoRequired => (403, "sso_required", "The organization's members sign in through its identity provider, not with a password."),
    SsoEmailUnverified => (403, "sso_email_unverified", "The identity provider did not confirm the person's email address, so no account is matched or created from it."),
    SsoDomainNotAllowed => (403, "sso_domain_not_allowed", "The identity provider may not sign people in with an address at this domain."),
    SsoProviderError => (502, "sso_provider_error", "The identity provider could not be reached, refused the sign-in, or answered something that failed a check."),
    AccountInOtherOrganization => (409, "account_in_other_organization", "This address has an account in another organization."),
    AlreadyMember => (409, "already_member", "This address already has an account in your organization."),
    NotFound => (404, "not_found", "No such resource (or it belongs to another organization)."),
    RouteNotFound => (404, "route_not_found", "No endpoint has this path and method."),
    MethodNotAllowed => (405, "method_not_allowed", "The path exists but does not take this method; `Allow` lists those it takes."),
    EmailTaken => (409, "email_taken", "Another account uses this email."),
    UsernameTaken => (409, "username_taken", "Another account uses this username."),
    DomainTaken => (409, "domain_taken", "Another organization claimed this email domain."),
    ChannelNameTaken => (409, "channel_name_taken", "The organization already has a channel of this name."),
    AlreadyReported => (409, "already_reported", "You already have a pending report on this message."),
    TriggerTaken => (409, "trigger_taken", "The organization has a slash command of this name."),
    LastAdmin => (409, "last_admin", "The change would leave the organization without an active admin."),
    TwoFactorEnabled => (409, "two_factor_enabled", "Two-factor sign-in is already on; turn it off before enrolling again."),
    TwoFactorNotPending => (409, "two_factor_not_pending", "No two-factor enrolment waits for a code; start one first."),
    TwoFactorDisabled => (409, "two_factor_disabled", "Two-factor sign-in is not on for this account."),
    MalformedMultipart => (400, "malformed_multipart", "The multipart/form-data body is malformed or was cut off."),
    PayloadTooLarge => (413, "payload_too_large", "The body is larger than the configured limit."),
    FileTooLarge => (413, "file_too_large", "A file is larger than the configured maximum (`files.max_file_bytes`)."),
    StorageQuotaExceeded => (413, "storage_quota_exceeded", "The upload would pass your storage quota (`files.user_quota_bytes`)."),
    UnsupportedMediaType => (415, "unsupported_media_type", "The body's Content-Type is not the one this endpoint takes (JSON; multipart/form-data for uploads; JSON or a form with `payload` for incoming webhooks)."),
    FileTypeRefused => (415, "file_type_refused", "The file's type, read from its content, is not accepted (executables, or outside `files.allowed_types`)."),
    RangeNotSatisfiable => (416, "range_not_satisfiable", "The requested byte range starts past the end of the file."),
    ValidationFailed => (422, "validation_failed", "One or more fields are invalid; see `details`."),
    RateLimited => (429, "rate_limited", "Too many requests; retry after the `Retry-After` seconds."),
    TooManyConnections => (429, "too_many_connections", "This account holds as many sockets and event streams as one person may (`realtime.max_connections_per_user`); close some first."),
    ServiceUnavailable => (503, "service_unavailable", "A dependency (database, Redis) is unreachable; retry later."),
    ShuttingDown => (503, "shutting_down", "This server is shutting down; reconnect (or retry) and another node answers."),
    InternalError => (500, "internal_error", "Something failed on the server; the cause is in its log."),
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name in the request, e.g. `email`.
    pub field: String,
    /// A stable code for the rule that failed, e.g. `invalid_email`, `password_too_short`.
    pub code: String,
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "validation_failed")]
    pub code: ErrorCode,
    #[schema(example = "email: must be an email address such as ana@example.com")]
    pub message: String,
    /// Present for `validation_failed`: one entry per invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<FieldError>>,
}

/// A failure as every interface reports it: a stable code, a message a person understands,
/// field errors for invalid input, and when to retry.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Vec<FieldError>>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
        }
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        let message = details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            details: Some(details),
            ..Self::new(ErrorCode::ValidationFailed, message)
        }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }

    /// A 429 telling the client when to come back.
    pub fn rate_limited(retry_after: std::time::Duration, message: String) -> Self {
        Self {
            // Rounded up: a client that waits the whole seconds told must find the way open.
            retry_after_secs: Some(ceil_secs(retry_after).max(1)),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }

    /// A request that sent no access token where a header or a `token` parameter would do.
    pub fn missing_token() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "send an access token as `Authorization: Bearer <token>` or `?token=<token>`",
        )
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "not found")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// A personal access token without the scope a request needs.
    pub fn insufficient_scope(scope: tandem_domain::TokenScope) -> Self {
        Self::new(
            ErrorCode::InsufficientScope,
            format!(
                "this token lacks the `{}` scope this request needs",
                scope.as_str()
            ),
        )
    }

    /// The headers an HTTP answer carries beside the body: `Retry-After` when the client
    /// should wait, the bearer challenge for a 401.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(secs) = self.retry_after_secs {
            headers.push(("retry-after", secs.to_string()));
        }
        if self.code.status() == 401 {
            headers.push((
                "www-authenticate",
                format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    self.code.as_str()
                ),
            ));
        }
        headers
    }

    /// The body clients receive.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code,
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }

    /// A 5xx: the cause goes to the log with its chain; the client gets no internals.
    fn internal(code: ErrorCode, cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error.code = code.as_str(), error.cause = %chain, "request failed");
        let message = match code {
            ErrorCode::ServiceUnavailable => {
                "a service Tandem depends on is unavailable; please retry shortly"
            }
            _ => {
                "something went wrong on our side; the request id in the x-request-id header helps find out what"
            }
        };
        Self::new(code, message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl From<PortError> for ApiError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => conflict(field),
            PortError::NotFound => Self::not_found(),
            PortError::Unavailable { .. } => Self::internal(ErrorCode::ServiceUnavailable, &error),
            PortError::Unexpected(_) => Self::internal(ErrorCode::InternalError, &error),
        }
    }
}

fn conflict(field: UniqueField) -> ApiError {
    let (code, message) = match field {
        UniqueField::Email => (
            ErrorCode::EmailTaken,
            "an account with this email already exists",
        ),
        UniqueField::Username => (ErrorCode::UsernameTaken, "this username is taken"),
        UniqueField::OrganizationDomain => (
            ErrorCode::DomainTaken,
            "another organization already claimed this email domain",
        ),
        UniqueField::ChannelName => (
            ErrorCode::ChannelNameTaken,
            "a channel of this name already exists",
        ),
        UniqueField::OpenReport => (
            ErrorCode::AlreadyReported,
            "you already reported this message; moderators will review it",
        ),
    };
    ApiError::new(code, message)
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        let message = error.to_string();
        match error {
            RegisterError::WeakPassword(rule) => {
                Self::field("password", rule.code(), rule.to_string())
            }
            RegisterError::OrganizationNameRequired { .. } => {
                Self::field("organization_name", "required", message)
            }
            RegisterError::SignupDisabled { .. } => Self::new(ErrorCode::SignupDisabled, message),
            RegisterError::SsoRequired { .. } => Self::new(ErrorCode::SsoRequired, message),
            RegisterError::Conflict(field) => conflict(field),
            RegisterError::TooManyAttempts { retry_after } => {
                Self::rate_limited(retry_after, message)
            }
            RegisterError::Port(port) => port.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        let message = error.to_string();
        match error {
            LoginError::InvalidCredentials => Self::new(ErrorCode::InvalidCredentials, message),
            LoginError::AccountDisabled => Self::new(ErrorCode::AccountDisabled, message),
            LoginError::TooManyAttempts { retry_after } => Self::rate_limited(retry_after, message),
            LoginError::SsoRequired => Self::new(ErrorCode::SsoRequired, message),
            LoginError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::TwoFactorError> for ApiError {
    fn from(error: tandem_app::auth::TwoFactorError) -> Self {
        use tandem_app::auth::TwoFactorError;
        let message = error.to_string();
        match error {
            TwoFactorError::AlreadyEnabled => Self::new(ErrorCode::TwoFactorEnabled, message),
            TwoFactorError::NotEnrolling => Self::new(ErrorCode::TwoFactorNotPending, message),
            TwoFactorError::NotEnabled => Self::new(ErrorCode::TwoFactorDisabled, message),
            TwoFactorError::InvalidCode => Self::field("code", "invalid_code", message),
            TwoFactorError::WrongPassword => Self::field("password", "incorrect", message),
            TwoFactorError::InvalidChallenge => {
                Self::field("challenge", "invalid_challenge", message)
            }
            TwoFactorError::TooManyAttempts { retry_after } => {
                Self::rate_limited(retry_after, message)
            }
            TwoFactorError::Forbidden => Self::new(ErrorCode::Forbidden, message),
            TwoFactorError::UnknownUser => Self::new(ErrorCode::NotFound, message),
            TwoFactorError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::UnlockError> for ApiError {
    fn from(error: tandem_app::auth::UnlockError) -> Self {
        use tandem_app::auth::UnlockError;
        let message = error.to_string();
        match error {
            UnlockError::InvalidToken => Self::field("token", "invalid_unlock_token", message),
            UnlockError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::VerificationError> for ApiError {
    fn from(error: tandem_app::auth::VerificationError) -> Self {
        use tandem_app::auth::VerificationError;
        let message = error.to_string();
        match error {
            VerificationError::InvalidToken => Self::field("token", "invalid_link", message),
            VerificationError::Conflict(field) => conflict(field),
            VerificationError::WrongPassword => Self::field("password", "incorrect", message),
            VerificationError::SameEmail => Self::field("email", "unchanged", message),
            VerificationError::TooManyAttempts { retry_after } => {
                Self::rate_limited(retry_after, message)
            }
            VerificationError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::ResetError> for ApiError {
    fn from(error: tandem_app::auth::ResetError) -> Self {
        use tandem_app::auth::ResetError;
        let message = error.to_string();
        match error {
            ResetError::InvalidToken => Self::field("token", "invalid_link", message),
            ResetError::WeakPassword(rule) => {
                Self::field("password", rule.code(), rule.to_string())
            }
            ResetError::Forbidden => Self::forbidden(message),
            ResetError::NotFound => Self::not_found(),
            ResetError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::InvitationError> for ApiError {
    fn from(error: tandem_app::auth::InvitationError) -> Self {
        use tandem_app::auth::InvitationError;
        let message = error.to_string();
        match error {
            InvitationError::Forbidden => Self::forbidden(message),
            InvitationError::AlreadyMember(_) => Self::new(ErrorCode::AlreadyMember, message),
            InvitationError::InvalidChannel(_) => {
                Self::field("channel_ids", "invalid_channel", message)
            }
            InvitationError::TooManyChannels => {
                Self::field("channel_ids", "too_many_channels", message)
            }
            InvitationError::NotFound => Self::not_found(),
            InvitationError::InvalidToken => Self::field("token", "invalid_link", message),
            InvitationError::AccountElsewhere => {
                Self::new(ErrorCode::AccountInOtherOrganization, message)
            }
            InvitationError::AccountDisabled => Self::new(ErrorCode::AccountDisabled, message),
            InvitationError::UsernameRequired => Self::field("username", "required", message),
            InvitationError::WrongPassword => Self::field("password", "incorrect", message),
            InvitationError::WeakPassword(rule) => {
                Self::field("password", rule.code(), rule.to_string())
            }
            InvitationError::Conflict(field) => conflict(field),
            InvitationError::TooManyEmails { retry_after } => {
                Self::rate_limited(retry_after, message)
            }
            InvitationError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::organizations::SettingsError> for ApiError {
    fn from(error: tandem_app::organizations::SettingsError) -> Self {
        use tandem_app::organizations::SettingsError;
        let message = error.to_string();
        match error {
            SettingsError::Admin(admin) => admin.into(),
            SettingsError::NoSsoProvider => Self::field("sso_only", "no_sso_provider", message),
        }
    }
}

impl From<tandem_app::auth::SsoError> for ApiError {
    fn from(error: tandem_app::auth::SsoError) -> Self {
        use tandem_app::auth::SsoError;
        let message = error.to_string();
        match error {
            SsoError::Forbidden => Self::forbidden(message),
            SsoError::NotFound => Self::not_found(),
            SsoError::Invalid {
                field,
                code,
                message,
            } => Self::field(field, code, message),
            SsoError::Provider(_) => Self::new(ErrorCode::SsoProviderError, message),
            SsoError::InvalidState => Self::field("state", "invalid_state", message),
            SsoError::InvalidTicket => Self::field("ticket", "invalid_link", message),
            SsoError::EmailUnverified => Self::new(ErrorCode::SsoEmailUnverified, message),
            SsoError::DomainNotAllowed(_) => Self::new(ErrorCode::SsoDomainNotAllowed, message),
            SsoError::AccountElsewhere => Self::new(ErrorCode::AccountInOtherOrganization, message),
            SsoError::AccountDisabled => Self::new(ErrorCode::AccountDisabled, message),
            SsoError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::SessionsError> for ApiError {
    fn from(error: tandem_app::auth::SessionsError) -> Self {
        use tandem_app::auth::SessionsError;
        let message = error.to_string();
        match error {
            SessionsError::NotFound => Self::not_found(),
            SessionsError::Forbidden => Self::forbidden(message),
            SessionsError::Port(port) => port.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        let message = error.to_string();
        match error {
            RefreshError::Invalid => Self::new(ErrorCode::InvalidRefreshToken, message),
            RefreshError::Reused => Self::new(ErrorCode::RefreshTokenReused, message),
            RefreshError::Port(port) => port.into(),
        }
    }
}

impl From<crate::bearer::TwoTokens> for ApiError {
    fn from(_: crate::bearer::TwoTokens) -> Self {
        Self::new(ErrorCode::InvalidToken, crate::bearer::TwoTokens::MESSAGE)
    }
}

impl From<tandem_app::auth::AccessTokenError> for ApiError {
    fn from(error: tandem_app::auth::AccessTokenError) -> Self {
        use tandem_app::auth::AccessTokenError;
        let message = error.to_string();
        match error {
            AccessTokenError::Forbidden(_) => Self::forbidden(message),
            AccessTokenError::Disabled => Self::new(ErrorCode::AccessTokensDisabled, message),
            AccessTokenError::NotFound => Self::not_found(),
            AccessTokenError::Invalid {
                field,
                code,
                message,
            } => Self::field(field, code, message),
            AccessTokenError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::auth::BotError> for ApiError {
    fn from(error: tandem_app::auth::BotError) -> Self {
        use tandem_app::auth::BotError;
        let message = error.to_string();
        match error {
            BotError::Forbidden(_) => Self::forbidden(message),
            BotError::NotFound => Self::not_found(),
            BotError::Invalid {
                field,
                code,
                message,
            } => Self::field(field, code, message),
            BotError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::integrations::OutgoingError> for ApiError {
    fn from(error: tandem_app::integrations::OutgoingError) -> Self {
        use tandem_app::integrations::OutgoingError;
        let message = error.to_string();
        match error {
            OutgoingError::Forbidden(_) => Self::forbidden(message),
            OutgoingError::NotFound => Self::not_found(),
            OutgoingError::AddressNotAllowed(_) => Self::new(ErrorCode::AddressNotAllowed, message),
            OutgoingError::TriggerTaken(_) => Self::new(ErrorCode::TriggerTaken, message),
            OutgoingError::Invalid {
                field,
                code,
                message,
            } => Self::field(field, code, message),
            OutgoingError::Port(port) => port.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let message = error.to_string();
        match error {
            AuthError::Expired => Self::new(ErrorCode::TokenExpired, message),
            AuthError::Invalid => Self::new(ErrorCode::InvalidToken, message),
            AuthError::Revoked => Self::new(ErrorCode::TokenRevoked, message),
            AuthError::AccountDisabled => Self::new(ErrorCode::AccountDisabled, message),
            AuthError::AccessTokensDisabled => Self::new(ErrorCode::AccessTokensDisabled, message),
            AuthError::EmailUnverified => Self::new(ErrorCode::EmailUnverified, message),
            AuthError::TwoFactorSetupRequired => {
                Self::new(ErrorCode::TwoFactorSetupRequired, message)
            }
            AuthError::Port(port) => port.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(error: ChangePasswordError) -> Self {
        let message = error.to_string();
        match error {
            ChangePasswordError::WrongCurrentPassword => {
                Self::field("current_password", "incorrect", message)
            }
            ChangePasswordError::WeakPassword(rule) => {
                Self::field("new_password", rule.code(), rule.to_string())
            }
            ChangePasswordError::TooManyAttempts { retry_after } => {
                Self::rate_limited(retry_after, message)
            }
            ChangePasswordError::Port(port) => port.into(),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        let message = error.to_string();
        match error {
            UserError::NotFound => Self::new(ErrorCode::NotFound, "no such user"),
            UserError::Forbidden(_) => Self::forbidden(message),
            UserError::Conflict(field) => conflict(field),
            UserError::LastAdmin => Self::new(ErrorCode::LastAdmin, message),
            UserError::EmailNeedsConfirmation => {
                Self::field("email", "confirmation_needed", message)
            }
            UserError::Port(port) => port.into(),
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(error: AdminError) -> Self {
        let message = error.to_string();
        match error {
            AdminError::Forbidden(_) => Self::forbidden(message),
            AdminError::Port(port) => port.into(),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(error: ChatError) -> Self {
        let message = error.to_string();
        match error {
            ChatError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("no such {what}")),
            ChatError::Forbidden(reason) => Self::forbidden(reason),
            ChatError::Invalid { field, error } => Self::field(field, error.code, error.message),
            ChatError::Conflict(field) => conflict(field),
            ChatError::RateLimited { retry_after } => Self::rate_limited(retry_after, message),
            ChatError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::notifications::NotificationError> for ApiError {
    fn from(error: tandem_app::notifications::NotificationError) -> Self {
        use tandem_app::notifications::NotificationError;
        match error {
            NotificationError::NotFound(what) => {
                Self::new(ErrorCode::NotFound, format!("no such {what}"))
            }
            NotificationError::Invalid { field, error } => {
                Self::field(field, error.code, error.message)
            }
            NotificationError::Port(port) => port.into(),
        }
    }
}

impl From<tandem_app::files::FileError> for ApiError {
    fn from(error: tandem_app::files::FileError) -> Self {
        use tandem_app::files::FileError;
        let message = error.to_string();
        match error {
            FileError::Chat(chat) => chat.into(),
            FileError::TooLarge { .. } => Self::new(ErrorCode::FileTooLarge, message),
            FileError::QuotaExceeded { .. } => Self::new(ErrorCode::StorageQuotaExceeded, message),
            FileError::TypeRefused(_) => Self::new(ErrorCode::FileTypeRefused, message),
            FileError::RangeNotSatisfiable { .. } => {
                Self::new(ErrorCode::RangeNotSatisfiable, message)
            }
            FileError::Interrupted(_) => Self::new(ErrorCode::MalformedMultipart, message),
        }
    }
}

/// Whole seconds, rounded up (`Retry-After` and `RateLimit-Reset` count in seconds).
pub fn ceil_secs(duration: std::time::Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_unique_name_matching_its_serialized_form() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(
                seen.insert(code.as_str()),
                "duplicate code {}",
                code.as_str()
            );
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }

    #[test]
    fn server_errors_hide_their_cause() {
        let port = PortError::unexpected(std::io::Error::other(
            "password=hunter2 at db.internal:5432",
        ));
        let api: ApiError = port.into();
        assert_eq!(api.code, ErrorCode::InternalError);
        assert!(!api.message.contains("hunter2"));
        assert!(!api.message.contains("db.internal"));
    }
}
