//! Storage ports for organizations, users and sessions.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    DisplayName, Email, EmailDomain, Organization, OrganizationId, OrganizationName,
    ProfilePicture, Role, SubscriptionPlan, User, UserId, UserStatus, Username,
};

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: OrganizationName,
    pub domain: Option<EmailDomain>,
    pub subscription_plan: SubscriptionPlan,
    pub self_signup: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub username: Username,
    pub display_name: Option<DisplayName>,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Whether the address is already proven (an invitation, an operator's account).
    pub email_verified: bool,
    /// `Some(owner)` makes a bot account owned by that person.
    pub bot_owner_id: Option<UserId>,
}

/// A user with their password hash: only the login and password-change use cases see this.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// Which users to list, always within one organization, ordered by id.
#[derive(Debug, Clone)]
pub struct UserQuery {
    pub organization_id: OrganizationId,
    /// Keyset cursor: only ids greater than this.
    pub after: Option<UserId>,
    pub limit: u64,
    pub include_inactive: bool,
    /// Only users whose status is not `offline`.
    pub present_only: bool,
    /// Only bot accounts.
    pub bots_only: bool,
}

/// A partial update; `None` leaves a field alone. For nullable fields the inner `None` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub email: Option<Email>,
    pub username: Option<Username>,
    pub display_name: Option<Option<DisplayName>>,
    pub profile_picture: Option<Option<ProfilePicture>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl ProfileChanges {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.username.is_none()
            && self.display_name.is_none()
            && self.profile_picture.is_none()
            && self.role.is_none()
            && self.is_active.is_none()
    }
}

#[async_trait]
pub trait OrganizationRepository: Send + Sync {
    /// The active organization that claimed `domain`, if any.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_active_by_domain(
        &self,
        domain: &EmailDomain,
    ) -> Result<Option<Organization>, PortError>;

    /// # Errors
    /// `Unavailable` / `Unexpected` only; a missing id is `Ok(None)`.
    async fn find_by_id(&self, id: OrganizationId) -> Result<Option<Organization>, PortError>;
}

#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Creates an organization and its first user in one transaction: both or neither.
    ///
    /// # Errors
    /// `Conflict(Email | Username | OrganizationDomain)` when a unique value is taken.
    async fn create_with_organization(
        &self,
        org: NewOrganization,
        user: NewUser,
    ) -> Result<(Organization, User), PortError>;

    /// Creates a user in an existing organization.
    ///
    /// # Errors
    /// `Conflict(Email | Username)` when taken; `NotFound` when the organization does not exist.
    async fn create(
        &self,
        organization_id: OrganizationId,
        user: NewUser,
    ) -> Result<User, PortError>;

    /// # Errors
    /// `Unavailable` / `Unexpected` only; a missing id is `Ok(None)`.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, PortError>;

    /// The users of `organization_id` among `ids` (active or not), in no particular order;
    /// unknown ids and other organizations' users are left out.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_many(
        &self,
        organization_id: OrganizationId,
        ids: &[UserId],
    ) -> Result<Vec<User>, PortError>;

    /// The active users of `organization_id` with these usernames (for `@mentions`).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_by_usernames(
        &self,
        organization_id: OrganizationId,
        usernames: &[String],
    ) -> Result<Vec<User>, PortError>;

    /// The user (active or not) with this email, with their password hash.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_credentials_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<Credentials>, PortError>;

    /// The user (active or not) with this username, with their password hash.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_credentials_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<Credentials>, PortError>;

    /// Users of one organization, ordered by id ascending, at most `query.limit`.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn list(&self, query: &UserQuery) -> Result<Vec<User>, PortError>;

    /// Active admins in the organization, to protect the last one.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn count_active_admins(&self, organization_id: OrganizationId) -> Result<u64, PortError>;

    /// Applies `changes` and returns the user as stored afterwards.
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Conflict(Email | Username)` when a new value is taken.
    async fn update_profile(&self, id: UserId, changes: &ProfileChanges)
    -> Result<User, PortError>;

    /// Sets status and `last_activity = at`; returns the stored user.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn set_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: DateTime<Utc>,
    ) -> Result<User, PortError>;

    /// Records activity (a login) without changing the status.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    async fn touch(&self, id: UserId, at: DateTime<Utc>) -> Result<(), PortError>;

    /// # Errors
    /// `NotFound` for an unknown id.
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), PortError>;
}

/// A refresh token to store. Only its hash is kept; the plain token goes to the client once.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub user_id: UserId,
    /// All tokens descending from one login share a family; reuse revokes the family.
    pub family: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What happened when a refresh token was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was current: it is now spent and the successor is stored in its family.
    Rotated { user_id: UserId },
    /// The token had already been rotated (or was presented twice at once): someone holds a
    /// copy. The whole family is now revoked.
    Reused { user_id: UserId },
    /// Unknown, expired or revoked. Nothing changed.
    Invalid,
}

#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores the first token of a new family (a login or registration).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn create(&self, token: NewRefreshToken) -> Result<(), PortError>;

    /// Spends the token whose hash is `presented_hash` and stores `successor_hash` in the same
    /// family, atomically: of two concurrent calls with one token, exactly one gets `Rotated`.
    /// The successor's `family` and `user_id` are taken from the spent token.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only; every kind of bad token is an `Ok` outcome.
    async fn rotate(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        now: DateTime<Utc>,
        successor_expires_at: DateTime<Utc>,
    ) -> Result<RotateOutcome, PortError>;

    /// Revokes the family of the token with this hash, if it belongs to `user_id` (logout).
    /// Returns whether anything was revoked.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn revoke_family_of(
        &self,
        token_hash: &str,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Revokes every session of a user (deactivation, password change). Returns how many
    /// tokens were revoked.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn revoke_all_for_user(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, PortError>;
}
