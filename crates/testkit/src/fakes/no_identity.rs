//! Identity storage that records sessions by number and nothing else, for use-case tests of
//! other areas: logins get session ids, nobody has a live session to list, and every link,
//! invitation, domain claim or two-factor change is a test failure with a clear message;
//! nobody has two-factor sign-in. Identity is tested black-box on both databases
//! (`tests/api/identity.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use tandem_app::ports::{
    AccountLink, IdentityRepository, Invitation, LinkPurpose, NewAccountLink, NewInvitation,
    NewSession, PortError, SessionInfo, TwoFactorState,
};
use tandem_domain::{Email, EmailDomain, Organization, OrganizationId, User, UserId};

#[derive(Default)]
pub struct NoIdentity {
    sessions: AtomicI64,
}

fn not_faked<T>() -> Result<T, PortError> {
    Err(PortError::unexpected(
        "account links and invitations are not faked in these tests",
    ))
}

#[async_trait]
impl IdentityRepository for NoIdentity {
    async fn store_link(&self, _: NewAccountLink) -> Result<(), PortError> {
        not_faked()
    }
    async fn find_link(
        &self,
        _: LinkPurpose,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError> {
        not_faked()
    }
    async fn use_link(
        &self,
        _: LinkPurpose,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError> {
        not_faked()
    }
    async fn verify_email(
        &self,
        _: UserId,
        _: &Email,
        _: DateTime<Utc>,
    ) -> Result<User, PortError> {
        not_faked()
    }
    async fn claim_domain(&self, _: OrganizationId, _: &EmailDomain) -> Result<bool, PortError> {
        not_faked()
    }
    async fn set_self_signup(&self, _: OrganizationId, _: bool) -> Result<Organization, PortError> {
        not_faked()
    }
    async fn create_invitation(
        &self,
        _: NewInvitation,
        _: DateTime<Utc>,
    ) -> Result<Invitation, PortError> {
        not_faked()
    }
    async fn invitations(
        &self,
        _: OrganizationId,
        _: Option<DateTime<Utc>>,
        _: u64,
    ) -> Result<Vec<Invitation>, PortError> {
        not_faked()
    }
    async fn revoke_invitation(
        &self,
        _: OrganizationId,
        _: i64,
        _: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        not_faked()
    }
    async fn find_invitation(&self, _: &str) -> Result<Option<Invitation>, PortError> {
        not_faked()
    }
    async fn accept_invitation(
        &self,
        _: i64,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        not_faked()
    }
    async fn open_session(&self, _: NewSession) -> Result<i64, PortError> {
        Ok(self.sessions.fetch_add(1, Ordering::Relaxed) + 1)
    }
    async fn session_used(&self, _: &str, _: DateTime<Utc>) -> Result<Option<i64>, PortError> {
        Ok(None)
    }
    async fn live_sessions(
        &self,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Result<Vec<SessionInfo>, PortError> {
        Ok(Vec::new())
    }
    async fn end_sessions(
        &self,
        _: UserId,
        _: Option<&[i64]>,
        _: Option<i64>,
        _: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError> {
        Ok(Vec::new())
    }

    async fn two_factor(&self, _: UserId) -> Result<Option<TwoFactorState>, PortError> {
        // Nobody has two-factor sign-in here: logins open sessions directly.
        Ok(None)
    }

    async fn begin_two_factor(
        &self,
        _: UserId,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        not_faked()
    }

    async fn enable_two_factor(
        &self,
        _: UserId,
        _: i64,
        _: &[String],
        _: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        not_faked()
    }

    async fn use_two_factor_step(&self, _: UserId, _: i64) -> Result<bool, PortError> {
        not_faked()
    }

    async fn use_recovery_code(
        &self,
        _: UserId,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        not_faked()
    }

    async fn replace_recovery_codes(
        &self,
        _: UserId,
        _: &[String],
        _: DateTime<Utc>,
    ) -> Result<(), PortError> {
        not_faked()
    }

    async fn disable_two_factor(&self, _: UserId) -> Result<(), PortError> {
        not_faked()
    }

    async fn set_two_factor_policy(
        &self,
        _: OrganizationId,
        _: tandem_domain::TwoFactorPolicy,
    ) -> Result<Organization, PortError> {
        not_faked()
    }

    async fn set_sso_only(&self, _: OrganizationId, _: bool) -> Result<Organization, PortError> {
        not_faked()
    }

    async fn set_access_tokens_enabled(
        &self,
        _: OrganizationId,
        _: bool,
    ) -> Result<Organization, PortError> {
        not_faked()
    }
}
