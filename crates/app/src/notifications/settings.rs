//! Notification preferences: a person's own (email, digest, do-not-disturb hours, time zone,
//! language, desktop notifications) and theirs for each channel (all / mentions / nothing,
//! mute).

use super::NotificationError;
use crate::NotificationsContext;
use tandem_domain::notification::parse_time_zone;
use tandem_domain::{
    Actor, ChannelId, EmailDigest, InvalidInput, Language, NotificationSettings, NotifyLevel,
    QuietHours,
};

/// # Errors
/// `Port` when the store cannot be reached.
pub async fn get_settings(
    ctx: &NotificationsContext,
    actor: &Actor,
) -> Result<NotificationSettings, NotificationError> {
    Ok(ctx.notifications.settings(actor.id).await?)
}

/// Changes to someone's preferences, as given: each field left `None` keeps its value.
#[derive(Debug, Clone, Default)]
pub struct SettingsChanges {
    pub email_enabled: Option<bool>,
    pub email_delay_minutes: Option<i64>,
    pub email_digest: Option<EmailDigest>,
    pub desktop_enabled: Option<bool>,
    /// `Some(None)` clears the do-not-disturb hours (give both ends, or clear both).
    pub dnd_start: Option<Option<String>>,
    pub dnd_end: Option<Option<String>>,
    pub time_zone: Option<String>,
    pub language: Option<Language>,
}

/// Applies `changes` to the caller's preferences; returns them as stored.
///
/// # Errors
/// `Invalid` (naming the field) for an unknown time zone, a delay out of range, a time that is not `HH:MM`, or do-not-disturb hours with one end only; `Port` when
/// the store cannot be reached.
pub async fn update_settings(
    ctx: &NotificationsContext,
    actor: &Actor,
    changes: SettingsChanges,
) -> Result<NotificationSettings, NotificationError> {
    let mut settings = ctx.notifications.settings(actor.id).await?;
    let invalid = NotificationError::invalid;
    if let Some(enabled) = changes.email_enabled {
        settings.email_enabled = enabled;
    }
    if let Some(minutes) = changes.email_delay_minutes {
        settings.email_delay_minutes = NotificationSettings::check_email_delay(minutes)
            .map_err(|e| invalid("email_delay_minutes", e))?;
    }
    if let Some(digest) = changes.email_digest {
        settings.email_digest = digest;
    }
    if let Some(enabled) = changes.desktop_enabled {
        settings.desktop_enabled = enabled;
    }
    if let Some(zone) = changes.time_zone {
        settings.time_zone = parse_time_zone(&zone).map_err(|e| invalid("time_zone", e))?;
    }
    if let Some(language) = changes.language {
        settings.language = language;
    }
    settings.quiet_hours = quiet_hours(settings.quiet_hours, changes.dnd_start, changes.dnd_end)?;
    ctx.notifications
        .save_settings(actor.id, &settings, ctx.clock.now())
        .await?;
    Ok(settings)
}

/// The do-not-disturb hours after the changes: both ends or neither.
fn quiet_hours(
    current: Option<QuietHours>,
    start: Option<Option<String>>,
    end: Option<Option<String>>,
) -> Result<Option<QuietHours>, NotificationError> {
    let parse = |field: &'static str, value: Option<Option<String>>, now| match value {
        None => Ok(now),
        Some(None) => Ok(None),
        Some(Some(text)) => QuietHours::parse_time(&text)
            .map(Some)
            .map_err(|e| NotificationError::invalid(field, e)),
    };
    let start = parse("dnd_start", start, current.map(|h| h.start))?;
    let end = parse("dnd_end", end, current.map(|h| h.end))?;
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => QuietHours::new(start, end)
            .map(Some)
            .map_err(|e| NotificationError::invalid("dnd_end", e)),
        (Some(_), None) | (None, Some(_)) => Err(NotificationError::invalid(
            if start.is_none() {
                "dnd_start"
            } else {
                "dnd_end"
            },
            InvalidInput::new(
                "invalid_dnd_hours",
                "do-not-disturb needs both a start and an end (or neither, to turn it off)",
            ),
        )),
    }
}

/// A member's preferences for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelPreferences {
    pub level: NotifyLevel,
    pub muted: bool,
}

/// Sets the caller's preferences for a channel they are a member of; fields left `None` keep
/// their value.
///
/// # Errors
/// `NotFound` for a channel that is not theirs to set (unknown, another organization's, or
/// one they are not a member of); `Port` when the store cannot be reached.
pub async fn set_channel_preferences(
    ctx: &NotificationsContext,
    actor: &Actor,
    channel_id: ChannelId,
    level: Option<NotifyLevel>,
    muted: Option<bool>,
) -> Result<ChannelPreferences, NotificationError> {
    let channel = ctx
        .channels
        .find_by_id(channel_id)
        .await?
        .filter(|c| c.organization_id == actor.organization_id)
        .ok_or(NotificationError::NotFound("channel"))?;
    let current = ctx
        .notifications
        .member_preferences(channel.id)
        .await?
        .into_iter()
        .find(|m| m.user_id == actor.id)
        .ok_or(NotificationError::NotFound("channel"))?;
    let chosen = ChannelPreferences {
        level: level.unwrap_or(current.level),
        muted: muted.unwrap_or(current.muted),
    };
    ctx.notifications
        .set_member_preferences(channel.id, actor.id, chosen.level, chosen.muted)
        .await
        .map_err(|error| match error {
            crate::ports::PortError::NotFound => NotificationError::NotFound("channel"),
            other => other.into(),
        })?;
    Ok(chosen)
}
