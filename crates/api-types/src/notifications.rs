//! The JSON shapes of the notification centre, the same whether they arrive over REST, the
//! notifications socket or its event stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_app::ports::{StoredNotification, UnreadCounts};
use tandem_domain::{NotificationKind, NotifyLevel};
use utoipa::ToSchema;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKindDto {
    /// A message in a direct conversation, or in a channel set to "all".
    NewMessage,
    /// A message mentions you (by name, `@channel` or `@here`).
    Mention,
    /// You were added to a channel.
    ChannelInvite,
    /// A reply in a thread you started or replied in.
    ThreadReply,
    /// A moderator acted on your account or messages.
    Moderation,
    /// (Moderators) a member reported a message.
    ReportOpened,
    /// (Moderators) the automatic filter held a message for review.
    MessageHeld,
}

impl From<NotificationKind> for NotificationKindDto {
    fn from(kind: NotificationKind) -> Self {
        match kind {
            NotificationKind::NewMessage => Self::NewMessage,
            NotificationKind::Mention => Self::Mention,
            NotificationKind::ChannelInvite => Self::ChannelInvite,
            NotificationKind::ThreadReply => Self::ThreadReply,
            NotificationKind::Moderation => Self::Moderation,
            NotificationKind::ReportOpened => Self::ReportOpened,
            NotificationKind::MessageHeld => Self::MessageHeld,
        }
    }
}

/// `high` for mentions and what needs a moderator; `normal` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityDto {
    High,
    Normal,
}

/// Who a notification is from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationSenderResponse {
    pub id: i64,
    #[schema(example = "ana")]
    pub username: String,
    pub display_name: Option<String>,
    pub profile_picture: Option<String>,
}

/// A stored notification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationResponse {
    #[schema(example = 981)]
    pub id: i64,
    pub kind: NotificationKindDto,
    pub priority: PriorityDto,
    #[schema(required = true)]
    pub channel_id: Option<i64>,
    /// The channel's name now (direct conversations have generated names).
    #[schema(example = "general")]
    #[schema(required = true)]
    pub channel_name: Option<String>,
    #[schema(required = true)]
    pub message_id: Option<i64>,
    /// The message's `seq` in its channel.
    #[schema(required = true)]
    pub seq: Option<i64>,
    /// For replies: the thread's root message.
    #[schema(required = true)]
    pub thread_root_id: Option<i64>,
    #[schema(required = true)]
    pub sender: Option<NotificationSenderResponse>,
    /// The start of the message, on one line.
    #[schema(example = "@bob can you look at the release notes?")]
    #[schema(required = true)]
    pub excerpt: Option<String>,
    /// Arrived during your do-not-disturb hours, with desktop notifications off, or in a
    /// muted channel: show it, but make no sound or pop-up.
    pub quiet: bool,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub read_at: Option<DateTime<Utc>>,
}

impl From<StoredNotification> for NotificationResponse {
    fn from(n: StoredNotification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.into(),
            priority: if n.kind.high_priority() {
                PriorityDto::High
            } else {
                PriorityDto::Normal
            },
            channel_id: n.channel_id.map(|id| id.get()),
            channel_name: n.channel_name,
            message_id: n.message_id.map(|id| id.get()),
            seq: n.seq,
            thread_root_id: n.thread_root_id.map(|id| id.get()),
            sender: n.sender.map(|s| NotificationSenderResponse {
                id: s.id.get(),
                username: s.username,
                display_name: s.display_name,
                profile_picture: s.profile_picture,
            }),
            excerpt: n.excerpt,
            quiet: n.quiet,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// How many notifications are unread, and how many of them are high priority.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct UnreadNotificationsResponse {
    #[schema(example = 3)]
    pub unread: u64,
    #[schema(example = 1)]
    pub high_priority: u64,
}

impl From<UnreadCounts> for UnreadNotificationsResponse {
    fn from(counts: UnreadCounts) -> Self {
        Self {
            unread: counts.unread,
            high_priority: counts.high_priority,
        }
    }
}

/// How much of a channel a member hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyLevelDto {
    /// All for direct conversations, mentions for channels.
    Default,
    /// Every message.
    All,
    /// Mentions, `@channel`/`@here`, and replies in your threads.
    Mentions,
    /// Nothing, mentions included.
    Nothing,
}

impl From<NotifyLevelDto> for NotifyLevel {
    fn from(level: NotifyLevelDto) -> Self {
        match level {
            NotifyLevelDto::Default => Self::Default,
            NotifyLevelDto::All => Self::All,
            NotifyLevelDto::Mentions => Self::Mentions,
            NotifyLevelDto::Nothing => Self::Nothing,
        }
    }
}

impl From<NotifyLevel> for NotifyLevelDto {
    fn from(level: NotifyLevel) -> Self {
        match level {
            NotifyLevel::Default => Self::Default,
            NotifyLevel::All => Self::All,
            NotifyLevel::Mentions => Self::Mentions,
            NotifyLevel::Nothing => Self::Nothing,
        }
    }
}
