//! Bodies of two-factor sign-in: enrolling, confirming, turning off, recovery codes, and the
//! second step of logging in.

use super::auth::AuthResponse;
use serde::{Deserialize, Serialize};
use tandem_app::auth::{Challenge, Enrolment, TwoFactorStatus};
use utoipa::ToSchema;
use validator::Validate;

/// What `POST /auth/login` answers: the tokens, or, with two-factor sign-in on, a challenge
/// to answer with a code at `POST /auth/login/two-factor`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResponse {
    Tokens(AuthResponse),
    SecondFactor(TwoFactorChallenge),
}

/// The password was right; the session opens with a code from the authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorChallenge {
    /// Always `true`: tells this answer from the tokens.
    pub two_factor_required: bool,
    /// Send with the code; works for `expires_in` seconds and five wrong codes.
    pub challenge: String,
    #[schema(example = 300)]
    pub expires_in: u64,
}

impl From<Challenge> for TwoFactorChallenge {
    fn from(challenge: Challenge) -> Self {
        Self {
            two_factor_required: true,
            challenge: challenge.token,
            expires_in: challenge.expires_in.as_secs(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorRequest {
    #[validate(length(min = 1, max = 128, message = "send the challenge of the login answer"))]
    #[schema(min_length = 1, max_length = 128)]
    pub challenge: String,
    /// Six digits from the authenticator app, or one of the recovery codes.
    #[validate(length(
        min = 1,
        max = 32,
        message = "send the code from your authenticator app"
    ))]
    #[schema(min_length = 1, max_length = 32, example = "492039")]
    pub code: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// Your current password.
    #[validate(length(min = 1, max = 1024, message = "send your current password"))]
    #[schema(format = Password, min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Six digits from the authenticator app (or, where it says so, a recovery code).
    #[validate(length(
        min = 1,
        max = 32,
        message = "send the code from your authenticator app"
    ))]
    #[schema(min_length = 1, max_length = 32, example = "492039")]
    pub code: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTwoFactorRequest {
    #[validate(length(min = 1, max = 1024, message = "send your current password"))]
    #[schema(format = Password, min_length = 1, max_length = 1024)]
    pub password: String,
    /// Six digits from the authenticator app, or a recovery code.
    #[validate(length(
        min = 1,
        max = 32,
        message = "send the code from your authenticator app"
    ))]
    #[schema(min_length = 1, max_length = 32)]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorStatusResponse {
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u32,
}

impl From<TwoFactorStatus> for TwoFactorStatusResponse {
    fn from(status: TwoFactorStatus) -> Self {
        Self {
            enabled: status.enabled,
            pending: status.pending,
            recovery_codes_left: status.recovery_codes_left,
        }
    }
}

/// A new secret for the authenticator app; it works once confirmed with a first code.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentResponse {
    /// Base32, to type into the app.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// `otpauth://totp/…`, to show as a QR code the app scans.
    pub otpauth_uri: String,
}

impl From<Enrolment> for EnrolmentResponse {
    fn from(enrolment: Enrolment) -> Self {
        Self {
            secret: enrolment.secret,
            otpauth_uri: enrolment.uri,
        }
    }
}

/// Single-use codes for signing in without the app, shown this once: only digests are kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    #[schema(example = json!(["7KQ2-M9XD-4HTR-WC3P"]))]
    pub recovery_codes: Vec<String>,
}
