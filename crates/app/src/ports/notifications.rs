//! Notification ports: the stored notification centre and preferences, the outbox of emails,
//! and the mailer that hands an email to a mail server (or, with none configured, to a file).

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    ChannelId, MemberPreferences, MessageId, NotificationKind, NotificationSettings, NotifyLevel,
    OrganizationId, UserId,
};

/// A notification to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub kind: NotificationKind,
    pub channel_id: Option<ChannelId>,
    pub message_id: Option<MessageId>,
    pub seq: Option<i64>,
    pub thread_root_id: Option<MessageId>,
    pub sender_id: Option<UserId>,
    pub excerpt: Option<String>,
    pub quiet: bool,
    /// When an email about it comes due if it is still unread (its arrival plus the person's
    /// delay); `None` for no email (not a kind worth one, or the person wants none).
    pub email_due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Who a notification is from, as the centre shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSender {
    pub id: UserId,
    pub username: String,
    pub display_name: Option<String>,
    pub profile_picture: Option<String>,
}

/// A stored notification, with the names the centre shows (read when it is read, so renames
/// show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotification {
    pub id: i64,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub channel_id: Option<ChannelId>,
    pub channel_name: Option<String>,
    pub message_id: Option<MessageId>,
    pub seq: Option<i64>,
    pub thread_root_id: Option<MessageId>,
    pub sender: Option<NotificationSender>,
    pub excerpt: Option<String>,
    pub quiet: bool,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Unread notifications, and how many of them are high priority (mentions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnreadCounts {
    pub unread: u64,
    pub high_priority: u64,
}

/// A page of someone's notifications, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationQuery {
    pub user_id: UserId,
    pub unread_only: bool,
    /// Only notifications older than this id (the previous page's last).
    pub before: Option<i64>,
    pub limit: u64,
}

/// Which of someone's notifications to mark read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadSelection {
    /// These ids (others' ids are ignored).
    Ids(Vec<i64>),
    /// Every notification up to this id.
    UpTo(i64),
    /// Those about messages of a channel up to this `seq` (the channel was read).
    Channel { channel_id: ChannelId, seq: i64 },
}

/// A person's email address and preferences, for the email sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRecipient {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub settings: NotificationSettings,
    /// When they were last emailed about notifications (the digest period counts from it).
    pub last_email_at: Option<DateTime<Utc>>,
    /// Deactivated people get no email.
    pub active: bool,
}

/// A person's unread notifications whose email is due: how many, and the oldest few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmails {
    pub recipient: EmailRecipient,
    /// At most [`PendingEmails::SHOWN`], oldest first.
    pub notifications: Vec<StoredNotification>,
    /// All of them, shown or not.
    pub total: u64,
}

impl PendingEmails {
    /// How many notifications one email lists; a digest counts the rest.
    pub const SHOWN: usize = 20;
}

/// Stored notifications and notification preferences.
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores these in batches, skipping any that would be a second notification of one
    /// kind to one person about one message (so a job that runs twice writes nothing the second time);
    /// returns the ones it stored.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn insert(&self, rows: &[NewNotification]) -> Result<Vec<StoredNotification>, PortError>;

    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn list(&self, query: NotificationQuery) -> Result<Vec<StoredNotification>, PortError>;

    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn unread(&self, user: UserId) -> Result<UnreadCounts, PortError>;

    /// Marks the selection read at `at`; returns the ids that were unread.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn mark_read(
        &self,
        user: UserId,
        selection: ReadSelection,
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError>;

    /// Removes notifications read before `read_before`; returns how many.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn prune(&self, read_before: DateTime<Utc>) -> Result<u64, PortError>;

    /// The members of a channel with their preferences for it.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn member_preferences(
        &self,
        channel: ChannelId,
    ) -> Result<Vec<MemberPreferences>, PortError>;

    /// Whether any member hears about every message of the channel (so a plain message needs
    /// notifying).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn anyone_hears_all(&self, channel: ChannelId) -> Result<bool, PortError>;

    /// Sets `user`'s preferences for `channel`.
    ///
    /// # Errors
    /// `NotFound` when they are not a member; `Unavailable` when the store cannot be reached.
    async fn set_member_preferences(
        &self,
        channel: ChannelId,
        user: UserId,
        level: NotifyLevel,
        muted: bool,
    ) -> Result<(), PortError>;

    /// The active admins and moderators of an organization, who hear about reports.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn moderators(&self, organization: OrganizationId) -> Result<Vec<UserId>, PortError>;

    /// The root's author and everyone who replied in the thread of `root`.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn thread_participants(&self, root: MessageId) -> Result<Vec<UserId>, PortError>;

    /// `user`'s preferences; the defaults until they change one.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn settings(&self, user: UserId) -> Result<NotificationSettings, PortError>;

    /// The preferences of those of `users` who changed a default (the others have the
    /// defaults): one read for everyone a notification goes to.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn settings_of(
        &self,
        users: &[UserId],
    ) -> Result<Vec<(UserId, NotificationSettings)>, PortError>;

    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn save_settings(
        &self,
        user: UserId,
        settings: &NotificationSettings,
        at: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// The people with unread notifications whose email is due at `now` (at most
    /// `max_people`, ids above `after`, by id: a sweep pages through everyone), each with how
    /// many and the oldest [`PendingEmails::SHOWN`].
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn pending_emails(
        &self,
        now: DateTime<Utc>,
        after: Option<UserId>,
        max_people: u64,
    ) -> Result<Vec<PendingEmails>, PortError>;

    /// Takes `user`'s unread notifications due at `now` out of the email sweep: as emailed
    /// (recording `now` as their last email) or as skipped. Returns how many it took: 0 when
    /// another node took them first.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn settle_emails(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        emailed: bool,
    ) -> Result<u64, PortError>;
}

/// An email, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// `mention`, `direct_message`, `digest`, `channel_invite`, `verify_email`, ...
    pub kind: String,
    pub user_id: Option<UserId>,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A stored email's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MailId(pub i64);

/// What became of a stored email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Queued,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

/// A stored email and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMail {
    pub id: MailId,
    pub mail: OutgoingMail,
    pub status: MailStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// Every email, kept until sent or failed for good, with what happened.
#[async_trait]
pub trait MailOutbox: Send + Sync {
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn store(&self, mail: &OutgoingMail, at: DateTime<Utc>) -> Result<MailId, PortError>;

    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn find(&self, id: MailId) -> Result<Option<StoredMail>, PortError>;

    /// Records an attempt: sent (at `at`), or failed with `error` (`status` stays `Queued`
    /// while it will be tried again).
    ///
    /// # Errors
    /// `NotFound` for an unknown id; `Unavailable` when the store cannot be reached.
    async fn record_attempt(
        &self,
        id: MailId,
        status: MailStatus,
        error: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), PortError>;
}

/// Why an email was not handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later: the server is down, busy, or answered 4xx.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Never going to work: the server refused the address or the message (5xx).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Hands emails to a mail server.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// As [`MailError`].
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}
