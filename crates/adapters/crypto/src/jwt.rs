//! [`JwtTokenService`]: short-lived access tokens as HS256-signed JWTs.

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;
use tandem_app::ports::{
    AccessClaims, IssuedAccessToken, PortError, TokenError, TokenService, VerifiedAccessToken,
};
use tandem_domain::{OrganizationId, Role, UserId};

const ISSUER: &str = "tandem";
/// Marks access tokens, so no other JWT signed with the same secret can pass for one.
const ACCESS_TYPE: &str = "access";
/// Clock skew tolerated between the nodes of a cluster.
const LEEWAY_SECONDS: u64 = 5;

/// Signs and checks access tokens with one shared secret. Only HS256 is ever accepted.
pub struct JwtTokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: TimeDelta,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtConfigError {
    /// HS256 is only as strong as its key; RFC 7518 asks for at least the hash size.
    #[error("the JWT secret must be at least {min} bytes long", min = JwtTokenService::MIN_SECRET_BYTES)]
    SecretTooShort,
    #[error("the access token lifetime must be between one second and a year")]
    LifetimeOutOfRange,
}

/// The token's payload, as it travels.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    org: i64,
    role: String,
    jti: String,
    /// The session (login) the token belongs to: ending the session refuses all its tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<i64>,
    /// Two-factor setup required: the token opens only its owner's own account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    tfa: bool,
    /// Seconds since the epoch with millisecond precision (RFC 7519 allows fractions): a
    /// revocation cutoff must tell a token issued just before it from one issued just after.
    iat: f64,
    exp: i64,
    iss: String,
    typ: String,
}

impl JwtTokenService {
    pub const MIN_SECRET_BYTES: usize = 32;

    /// # Errors
    /// [`JwtConfigError`] when the secret is shorter than 32 bytes or the lifetime is under a
    /// second or over a year.
    pub fn new(secret: &[u8], access_ttl: Duration) -> Result<Self, JwtConfigError> {
        if secret.len() < Self::MIN_SECRET_BYTES {
            return Err(JwtConfigError::SecretTooShort);
        }
        let ttl = TimeDelta::from_std(access_ttl)
            .ok()
            .filter(|ttl| *ttl >= TimeDelta::seconds(1) && *ttl <= TimeDelta::days(366))
            .ok_or(JwtConfigError::LifetimeOutOfRange)?;

        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[ISSUER]);
        // `iat` is not one jsonwebtoken checks; `Claims` requires it when deserializing.
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false;

        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        })
    }
}

/// Never shows the keys.
impl fmt::Debug for JwtTokenService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtTokenService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenService for JwtTokenService {
    fn issue(&self, claims: &AccessClaims) -> Result<IssuedAccessToken, PortError> {
        let now = Utc::now();
        let issued_at = now.timestamp();
        let expires_in = self.ttl.num_seconds();
        let exp = issued_at + expires_in;
        let expires_at = DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| PortError::unexpected("token expiry out of range"))?;
        let token_id = uuid::Uuid::new_v4().to_string();
        let payload = Claims {
            sub: claims.user_id.to_string(),
            org: claims.organization_id.get(),
            role: claims.role.as_str().to_owned(),
            jti: token_id.clone(),
            sid: claims.session_id,
            tfa: claims.two_factor_setup_required,
            #[allow(clippy::cast_precision_loss)] // milliseconds since 1970 stay far below 2^53
            iat: now.timestamp_millis() as f64 / 1000.0,
            exp,
            iss: ISSUER.to_owned(),
            typ: ACCESS_TYPE.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &payload, &self.encoding)
            .map_err(PortError::unexpected)?;
        Ok(IssuedAccessToken {
            token,
            token_id,
            expires_at,
            expires_in,
        })
    }

    fn verify(&self, token: &str) -> Result<VerifiedAccessToken, TokenError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if claims.typ != ACCESS_TYPE {
            return Err(TokenError::Invalid);
        }
        let user_id = claims
            .sub
            .parse()
            .map(UserId::new)
            .map_err(|_| TokenError::Invalid)?;
        let role: Role = claims.role.parse().map_err(|_| TokenError::Invalid)?;
        #[allow(clippy::cast_possible_truncation)] // checked finite; out-of-range values fail below
        let issued_at = claims
            .iat
            .is_finite()
            .then(|| DateTime::from_timestamp_millis((claims.iat * 1000.0).round() as i64))
            .flatten()
            .ok_or(TokenError::Invalid)?;
        let expires_at = DateTime::from_timestamp(claims.exp, 0).ok_or(TokenError::Invalid)?;
        Ok(VerifiedAccessToken {
            claims: AccessClaims {
                user_id,
                organization_id: OrganizationId::new(claims.org),
                role,
                session_id: claims.sid,
                two_factor_setup_required: claims.tfa,
            },
            token_id: claims.jti,
            issued_at,
            expires_at,
        })
    }
}
