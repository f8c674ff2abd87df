//! Bodies of the notification centre and notification preferences.

use super::checks;
use serde::{Deserialize, Serialize};
use tandem_api_types::{NotificationResponse, NotifyLevelDto};
use tandem_domain::{EmailDigest, Language, NotificationSettings};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListNotificationsQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread_only: bool,
    /// The `next_cursor` of the previous page: older ones than this id.
    pub before: Option<i64>,
    /// Page size, 1–100 (default 50); a larger value is read as 100.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

/// A page of your notifications, newest first, and your unread counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPageResponse {
    pub notifications: Vec<NotificationResponse>,
    /// Pass as `before` for the next (older) page; `null` on the last.
    #[schema(required = true)]
    pub next_cursor: Option<i64>,
    pub unread: u64,
    pub high_priority: u64,
}

/// Which notifications to mark read: `ids` (at most 500), or `up_to` (every one with an id up
/// to it: "mark all read" sends the newest id it shows).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkNotificationsReadRequest {
    #[schema(max_items = 500)]
    pub ids: Option<Vec<i64>>,
    pub up_to: Option<i64>,
}

/// When email arrives about what you have not read.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailDigestDto {
    /// After the delay, for what is still unread.
    Immediately,
    /// At most one email an hour.
    Hourly,
    /// At most one email a day.
    Daily,
    Never,
}

impl From<EmailDigestDto> for EmailDigest {
    fn from(digest: EmailDigestDto) -> Self {
        match digest {
            EmailDigestDto::Immediately => Self::Immediately,
            EmailDigestDto::Hourly => Self::Hourly,
            EmailDigestDto::Daily => Self::Daily,
            EmailDigestDto::Never => Self::Never,
        }
    }
}

impl From<EmailDigest> for EmailDigestDto {
    fn from(digest: EmailDigest) -> Self {
        match digest {
            EmailDigest::Immediately => Self::Immediately,
            EmailDigest::Hourly => Self::Hourly,
            EmailDigest::Daily => Self::Daily,
            EmailDigest::Never => Self::Never,
        }
    }
}

/// Your notification preferences.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettingsResponse {
    pub email_enabled: bool,
    /// Email only about what is still unread this many minutes after it arrived.
    #[schema(example = 10, minimum = 0, maximum = 1440)]
    pub email_delay_minutes: u16,
    pub email_digest: EmailDigestDto,
    /// Browser notifications.
    pub desktop_enabled: bool,
    /// Do-not-disturb start, `HH:MM` in `time_zone`; `null` when off.
    #[schema(example = "22:00", required = true)]
    pub dnd_start: Option<String>,
    #[schema(example = "07:00", required = true)]
    pub dnd_end: Option<String>,
    #[schema(example = "Europe/Madrid")]
    pub time_zone: String,
    /// The language of your emails.
    pub language: LanguageDto,
    /// Whether do-not-disturb is on right now.
    pub dnd_active: bool,
}

impl NotificationSettingsResponse {
    pub fn new(settings: &NotificationSettings, now: chrono::DateTime<chrono::Utc>) -> Self {
        let time = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
        Self {
            email_enabled: settings.email_enabled,
            email_delay_minutes: settings.email_delay_minutes,
            email_digest: settings.email_digest.into(),
            desktop_enabled: settings.desktop_enabled,
            dnd_start: settings.quiet_hours.map(|h| time(h.start)),
            dnd_end: settings.quiet_hours.map(|h| time(h.end)),
            time_zone: settings.time_zone.name().to_owned(),
            language: settings.language.into(),
            dnd_active: settings.do_not_disturb(now),
        }
    }
}

/// Preferences to change; absent fields stay as they are; `null` turns do-not-disturb off
/// (send both ends, or `null` for both).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNotificationSettingsRequest {
    pub email_enabled: Option<bool>,
    #[schema(minimum = 0, maximum = 1440)]
    pub email_delay_minutes: Option<i64>,
    pub email_digest: Option<EmailDigestDto>,
    pub desktop_enabled: Option<bool>,
    #[serde(default, deserialize_with = "checks::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub dnd_start: Option<Option<String>>,
    #[serde(default, deserialize_with = "checks::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub dnd_end: Option<Option<String>>,
    /// An IANA time zone, like `Europe/Madrid`.
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
    pub language: Option<LanguageDto>,
}

/// A language Tandem writes in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LanguageDto {
    En,
    Es,
}

impl From<Language> for LanguageDto {
    fn from(language: Language) -> Self {
        match language {
            Language::English => Self::En,
            Language::Spanish => Self::Es,
        }
    }
}

impl From<LanguageDto> for Language {
    fn from(language: LanguageDto) -> Self {
        match language {
            LanguageDto::En => Self::English,
            LanguageDto::Es => Self::Spanish,
        }
    }
}

/// Your preferences for one channel; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelNotificationSettingsRequest {
    pub level: Option<NotifyLevelDto>,
    /// No unread badge except for mentions, and no sound or pop-up for `@channel`.
    pub muted: Option<bool>,
}

/// Your preferences for one channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelNotificationSettingsResponse {
    pub channel_id: i64,
    pub level: NotifyLevelDto,
    pub muted: bool,
}
