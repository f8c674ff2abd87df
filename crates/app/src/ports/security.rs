//! Security ports: password hashing, access tokens and their revocation.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{OrganizationId, Password, Role, UserId};

#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password that passed the policy. Slow by design; implementations keep the work
    /// off the async worker threads.
    ///
    /// # Errors
    /// `Unexpected` when hashing fails.
    async fn hash(&self, password: &Password) -> Result<String, PortError>;

    /// Whether `password` matches `hash`. A malformed hash is `Ok(false)`, not an error.
    ///
    /// # Errors
    /// `Unexpected` when the work cannot be scheduled.
    async fn verify(&self, password: &Password, hash: &str) -> Result<bool, PortError>;

    /// Spends the same time as a `verify` that fails, so an unknown account cannot be told
    /// apart from a wrong password by timing.
    async fn waste_time(&self, password: &Password);
}

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub role: Role,
    /// The session (login) the token was issued in; `None` for tokens from before sessions
    /// were recorded.
    pub session_id: Option<i64>,
    /// The organization requires a second factor of this person, who has none yet: the token
    /// opens only their own account until they enrol and refresh.
    pub two_factor_setup_required: bool,
}

#[derive(Debug, Clone)]
pub struct IssuedAccessToken {
    pub token: String,
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
    /// Lifetime in seconds, as `expires_in` tells clients.
    pub expires_in: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccessToken {
    pub claims: AccessClaims,
    pub token_id: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    /// Bad signature, wrong algorithm (including `none`), malformed, wrong issuer or type.
    #[error("the access token is not valid")]
    Invalid,
}

pub trait TokenService: Send + Sync {
    /// Signs a new access token.
    ///
    /// # Errors
    /// `Unexpected` when signing fails.
    fn issue(&self, claims: &AccessClaims) -> Result<IssuedAccessToken, PortError>;

    /// Checks signature, algorithm, issuer, type and expiry.
    ///
    /// # Errors
    /// [`TokenError`] saying why the token is refused.
    fn verify(&self, token: &str) -> Result<VerifiedAccessToken, TokenError>;
}

/// Access tokens revoked before they expire (logout, password change). Entries need live only
/// until the tokens they name would have expired anyway.
#[async_trait]
pub trait TokenDenylist: Send + Sync {
    /// Revokes one token until `expires_at`.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn revoke(&self, token_id: &str, expires_at: DateTime<Utc>) -> Result<(), PortError>;

    /// Revokes every token of `user_id` issued at or before `cutoff`; the entry lives until
    /// `keep_until` (now plus the access-token lifetime).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn revoke_user_tokens(
        &self,
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// Whether a token with this id, owner and issue time was revoked by either method.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached (callers refuse the request: failing
    /// open would let a revoked token through).
    async fn is_revoked(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Like [`Self::is_revoked`], and whether this store holds every revocation in force: one
    /// that lost its data (a Redis restarted empty) says `false` until
    /// [`Self::mark_complete`]. Stores that never lose data keep the default.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn check(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<Revoked, PortError> {
        Ok(Revoked {
            revoked: self.is_revoked(token_id, user_id, issued_at).await?,
            complete: true,
        })
    }

    /// Records that this store now holds every revocation in force (it was filled again).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn mark_complete(&self) -> Result<(), PortError> {
        Ok(())
    }
}

/// A denylist's answer, and whether it can be trusted when it says "not revoked".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revoked {
    pub revoked: bool,
    /// `false` when the store lost its data since it was last filled.
    pub complete: bool,
}

/// One revocation, as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// One access token, until it expires.
    Token {
        token_id: String,
        expires_at: DateTime<Utc>,
    },
    /// Every access token of a user issued at or before `cutoff`, until `keep_until`.
    User {
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    },
}

/// Revocations kept durably (the database), which every node mirrors: what makes a logout
/// survive a restart of the node or of Redis.
#[async_trait]
pub trait RevocationStore: Send + Sync {
    /// Keeps `revocation`, recorded at `now`.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    async fn record(&self, revocation: &Revocation, now: DateTime<Utc>) -> Result<(), PortError>;

    /// The revocations recorded at or after `since` that are still in force at `now`.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    async fn recorded_since(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Revocation>, PortError>;

    /// Forgets the revocations no longer in force at `now`; returns how many.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    async fn prune(&self, now: DateTime<Utc>) -> Result<u64, PortError>;
}

/// Seals secrets the database keeps (an identity provider's client secret) with a server key,
/// so a copy of the database does not give them away.
pub trait SecretBox: Send + Sync {
    fn seal(&self, plain: &str) -> String;

    /// The sealed value's secret; `None` when it does not open (another key, tampered). Values
    /// stored before sealing are returned as they are.
    fn open(&self, sealed: &str) -> Option<String>;
}

/// A new two-factor secret: `shown` goes to its owner once (base32, for the authenticator app);
/// `stored` is what to keep, sealed with a server key so a copy of the database does not give
/// anyone the codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecret {
    pub shown: String,
    pub stored: String,
}

/// Time-based one-time codes (RFC 6238: HMAC-SHA1, six digits, 30-second steps), as every
/// authenticator app makes them.
pub trait OneTimeCodes: Send + Sync {
    /// A new random secret (160 bits).
    fn new_secret(&self) -> NewSecret;

    /// The time step (Unix time / 30) within one step of `at` whose code is `code`, or `None`
    /// (no step matches, the code is malformed, or `stored` cannot be opened). `stored` is a
    /// [`NewSecret::stored`].
    fn matching_step(&self, stored: &str, code: &str, at: DateTime<Utc>) -> Option<i64>;
}
