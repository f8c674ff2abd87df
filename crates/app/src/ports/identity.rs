//! Storage port for identity and access: single-use account links, proven addresses, domain
//! claims, invitations, and the sessions people see and end.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    ChannelId, Email, EmailDomain, Organization, OrganizationId, Role, TwoFactorPolicy, User,
    UserId,
};

/// What an emailed account link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Proves the address an account was registered with.
    VerifyEmail,
    /// Proves a new address before it replaces the old one.
    ChangeEmail,
    /// Sets a new password.
    ResetPassword,
    /// Hands a single sign-on's session to the browser (never emailed).
    SsoSignIn,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ChangeEmail => "change_email",
            Self::ResetPassword => "reset_password",
            Self::SsoSignIn => "sso_sign_in",
        }
    }
}

/// A link to store. Only the digest of its secret is kept.
#[derive(Debug, Clone)]
pub struct NewAccountLink {
    pub purpose: LinkPurpose,
    pub user_id: UserId,
    /// Where the link was sent (for a change, the new address).
    pub email: Email,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A link that was just used.
#[derive(Debug, Clone)]
pub struct AccountLink {
    pub purpose: LinkPurpose,
    pub user_id: UserId,
    pub email: Email,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub organization_id: OrganizationId,
    pub email: Email,
    pub role: Role,
    pub channel_ids: Vec<ChannelId>,
    pub token_hash: String,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub email: Email,
    pub role: Role,
    pub channel_ids: Vec<ChannelId>,
    /// `None` once the admin who sent it was deleted.
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<UserId>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

impl Invitation {
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

/// A new login's session: the refresh-token family it belongs to and where it came from.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: UserId,
    pub family: String,
    pub user_agent: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A live session, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: i64,
    pub user_id: UserId,
    pub user_agent: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last login or token refresh.
    pub last_used_at: DateTime<Utc>,
}

#[async_trait]
pub trait IdentityRepository: Send + Sync {
    /// Stores a link; earlier unused links of the same purpose for the same user stop working
    /// (only the newest email's link counts).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn store_link(&self, link: NewAccountLink) -> Result<(), PortError>;

    /// The unused, unexpired link of `purpose` whose digest is `token_hash`, left unspent.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError>;

    /// Spends the unused, unexpired link of `purpose` whose digest is `token_hash`: of two
    /// concurrent calls, one gets it. `Ok(None)` for anything else.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn use_link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError>;

    /// Records that the user proved `email` (making it their address, for a change).
    ///
    /// # Errors
    /// `Conflict(Email)` when another account has that address meanwhile; `NotFound`.
    async fn verify_email(
        &self,
        user_id: UserId,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<User, PortError>;

    /// Gives `domain` to the organization for sign-ups, when it claims none yet and no other
    /// organization has it. Returns whether it did.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn claim_domain(
        &self,
        organization_id: OrganizationId,
        domain: &EmailDomain,
    ) -> Result<bool, PortError>;

    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn set_self_signup(
        &self,
        organization_id: OrganizationId,
        self_signup: bool,
    ) -> Result<Organization, PortError>;

    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn set_two_factor_policy(
        &self,
        organization_id: OrganizationId,
        policy: TwoFactorPolicy,
    ) -> Result<Organization, PortError>;

    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn set_sso_only(
        &self,
        organization_id: OrganizationId,
        sso_only: bool,
    ) -> Result<Organization, PortError>;

    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn set_access_tokens_enabled(
        &self,
        organization_id: OrganizationId,
        enabled: bool,
    ) -> Result<Organization, PortError>;

    /// Stores an invitation; a pending one to the same address in the same organization is
    /// revoked (inviting again sends a fresh link).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn create_invitation(
        &self,
        invitation: NewInvitation,
        now: DateTime<Utc>,
    ) -> Result<Invitation, PortError>;

    /// The organization's invitations, newest first, at most `limit`; `pending_at` keeps only
    /// those pending at that time.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn invitations(
        &self,
        organization_id: OrganizationId,
        pending_at: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<Invitation>, PortError>;

    /// Revokes a pending invitation of the organization. Returns whether one was.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn revoke_invitation(
        &self,
        organization_id: OrganizationId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// The invitation whose link has this digest, whatever its state.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_invitation(&self, token_hash: &str) -> Result<Option<Invitation>, PortError>;

    /// Marks a pending invitation accepted by `user_id`: of two concurrent calls, one gets
    /// `true`.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn accept_invitation(
        &self,
        id: i64,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Records a new login's session; returns its id.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn open_session(&self, session: NewSession) -> Result<i64, PortError>;

    /// The session of the refresh token with this digest, marked used at `now` (one made
    /// before sessions were recorded gets its record now). `None` for an unknown token.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn session_used(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, PortError>;

    /// The user's live sessions (a refresh token neither spent, revoked nor expired), most
    /// recently used first.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn live_sessions(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionInfo>, PortError>;

    /// Ends the user's live sessions among `ids` (all of them when `None`), except `keep`:
    /// their refresh tokens are revoked. Returns the ids ended.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn end_sessions(
        &self,
        user_id: UserId,
        ids: Option<&[i64]>,
        keep: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError>;

    /// `user_id`'s two-factor state, if they ever started enrolling.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn two_factor(&self, user_id: UserId) -> Result<Option<TwoFactorState>, PortError>;

    /// Starts (or restarts) an enrolment with a new secret, not yet enabled; `false` (and
    /// nothing changed) when two-factor sign-in is already on.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn begin_two_factor(
        &self,
        user_id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Turns a pending enrolment on: the first code's step, and the recovery codes' digests
    /// (replacing any earlier ones). `false` when there was no pending enrolment.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn enable_two_factor(
        &self,
        user_id: UserId,
        step: i64,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Records that a code of time step `step` was accepted, atomically: `false` when a code
    /// of this step or a later one already was (a replay), so one code works once however many
    /// nodes it is sent to.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn use_two_factor_step(&self, user_id: UserId, step: i64) -> Result<bool, PortError>;

    /// Spends an unused recovery code by its digest; `false` when there is none.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn use_recovery_code(
        &self,
        user_id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Replaces every recovery code of `user_id` with these digests.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// Removes the secret and the recovery codes.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn disable_two_factor(&self, user_id: UserId) -> Result<(), PortError>;
}

/// A person's two-factor sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorState {
    /// Base32.
    pub secret: String,
    /// `None` while the enrolment waits for its first code.
    pub enabled_at: Option<DateTime<Utc>>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: u32,
}
