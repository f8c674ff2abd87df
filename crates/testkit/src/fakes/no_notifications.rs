//! An empty notification store and no mail, for use-case tests of other areas: nobody has
//! notifications or preferences (the defaults apply), and sending mail is a test failure with
//! a clear message. Notifications are tested black-box on both databases
//! (`tests/api/notifications.rs`), their rules as pure functions in the domain.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    MailError, MailId, MailOutbox, MailStatus, Mailer, NewNotification, NotificationQuery,
    NotificationRepository, OutgoingMail, PendingEmails, PortError, ReadSelection, StoredMail,
    StoredNotification, UnreadCounts,
};
use tandem_domain::{
    ChannelId, MemberPreferences, MessageId, NotificationSettings, NotifyLevel, OrganizationId,
    UserId,
};

pub struct NoNotifications;

const NOT_FAKED: &str = "mail is not faked in these tests";

#[async_trait]
impl NotificationRepository for NoNotifications {
    async fn insert(&self, _: &[NewNotification]) -> Result<Vec<StoredNotification>, PortError> {
        Ok(Vec::new())
    }
    async fn list(&self, _: NotificationQuery) -> Result<Vec<StoredNotification>, PortError> {
        Ok(Vec::new())
    }
    async fn unread(&self, _: UserId) -> Result<UnreadCounts, PortError> {
        Ok(UnreadCounts::default())
    }
    async fn mark_read(
        &self,
        _: UserId,
        _: ReadSelection,
        _: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError> {
        Ok(Vec::new())
    }
    async fn prune(&self, _: DateTime<Utc>) -> Result<u64, PortError> {
        Ok(0)
    }
    async fn member_preferences(&self, _: ChannelId) -> Result<Vec<MemberPreferences>, PortError> {
        Ok(Vec::new())
    }
    async fn anyone_hears_all(&self, _: ChannelId) -> Result<bool, PortError> {
        Ok(false)
    }
    async fn set_member_preferences(
        &self,
        _: ChannelId,
        _: UserId,
        _: NotifyLevel,
        _: bool,
    ) -> Result<(), PortError> {
        Err(PortError::NotFound)
    }
    async fn moderators(&self, _: OrganizationId) -> Result<Vec<UserId>, PortError> {
        Ok(Vec::new())
    }
    async fn thread_participants(&self, _: MessageId) -> Result<Vec<UserId>, PortError> {
        Ok(Vec::new())
    }
    async fn settings(&self, _: UserId) -> Result<NotificationSettings, PortError> {
        Ok(NotificationSettings::default())
    }
    async fn settings_of(
        &self,
        _: &[UserId],
    ) -> Result<Vec<(UserId, NotificationSettings)>, PortError> {
        Ok(Vec::new())
    }
    async fn save_settings(
        &self,
        _: UserId,
        _: &NotificationSettings,
        _: DateTime<Utc>,
    ) -> Result<(), PortError> {
        Ok(())
    }
    async fn pending_emails(
        &self,
        _: DateTime<Utc>,
        _: Option<UserId>,
        _: u64,
    ) -> Result<Vec<PendingEmails>, PortError> {
        Ok(Vec::new())
    }
    async fn settle_emails(&self, _: UserId, _: DateTime<Utc>, _: bool) -> Result<u64, PortError> {
        Ok(0)
    }
}

#[async_trait]
impl MailOutbox for NoNotifications {
    async fn store(&self, _: &OutgoingMail, _: DateTime<Utc>) -> Result<MailId, PortError> {
        Err(PortError::unexpected(NOT_FAKED))
    }
    async fn find(&self, _: MailId) -> Result<Option<StoredMail>, PortError> {
        Err(PortError::unexpected(NOT_FAKED))
    }
    async fn record_attempt(
        &self,
        _: MailId,
        _: MailStatus,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<(), PortError> {
        Err(PortError::unexpected(NOT_FAKED))
    }
}

#[async_trait]
impl Mailer for NoNotifications {
    async fn send(&self, _: &OutgoingMail) -> Result<(), MailError> {
        Err(MailError::Permanent(NOT_FAKED.to_owned()))
    }
}
