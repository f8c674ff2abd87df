//! The notification centre: a person's stored notifications, their unread counts, and
//! marking them read — on one device, for every device (a `notifications_read` frame).

use super::NotificationError;
use crate::ports::{
    Notification, NotificationQuery, NotificationRepository, PortError, ReadSelection,
    StoredNotification, UnreadCounts,
};
use crate::realtime::Announcer;
use crate::{ChatContext, NotificationsContext};
use tandem_domain::{Actor, ChannelId, UserId};

/// The most notifications one page holds.
pub const MAX_PAGE: u64 = 100;
/// The most ids one `mark read` names.
pub const MAX_IDS: usize = 500;

/// A page of the caller's notifications, newest first: `limit` (clamped to 1..=100) older
/// than `before`.
///
/// # Errors
/// `Port` when the store cannot be reached.
pub async fn list(
    ctx: &NotificationsContext,
    actor: &Actor,
    unread_only: bool,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredNotification>, NotificationError> {
    Ok(ctx
        .notifications
        .list(NotificationQuery {
            user_id: actor.id,
            unread_only,
            before,
            limit: limit.clamp(1, MAX_PAGE),
        })
        .await?)
}

/// # Errors
/// `Port` when the store cannot be reached.
pub async fn unread(
    ctx: &NotificationsContext,
    actor: &Actor,
) -> Result<UnreadCounts, NotificationError> {
    Ok(ctx.notifications.unread(actor.id).await?)
}

/// Marks the caller's selected notifications read (ids of others are ignored) and tells their
/// other devices; returns what is left unread.
///
/// # Errors
/// `Invalid` for more than [`MAX_IDS`] ids; `Port` when the store cannot be reached.
pub async fn mark_read(
    ctx: &NotificationsContext,
    actor: &Actor,
    selection: ReadSelection,
) -> Result<UnreadCounts, NotificationError> {
    if let ReadSelection::Ids(ids) = &selection
        && ids.len() > MAX_IDS
    {
        return Err(NotificationError::invalid(
            "ids",
            tandem_domain::InvalidInput::new(
                "too_many_ids",
                format!("name at most {MAX_IDS} notifications, or use up_to"),
            ),
        ));
    }
    let up_to = match selection {
        ReadSelection::UpTo(id) => Some(id),
        _ => None,
    };
    let changed = ctx
        .notifications
        .mark_read(actor.id, selection, ctx.clock.now())
        .await?;
    Ok(announce_read(
        &*ctx.notifications,
        &ctx.announcer,
        actor.id,
        changed,
        up_to,
    )
    .await?)
}

/// What is left unread of `user`'s notifications after `changed` (or every one up to
/// `up_to`) were read; when anything was, every device of theirs hears of it.
async fn announce_read(
    notifications: &dyn NotificationRepository,
    announcer: &Announcer,
    user: UserId,
    changed: Vec<i64>,
    up_to: Option<i64>,
) -> Result<UnreadCounts, PortError> {
    let counts = notifications.unread(user).await?;
    if !changed.is_empty() || up_to.is_some() {
        let read = Notification::Read {
            ids: up_to.is_none().then_some(changed),
            up_to,
            counts,
        };
        announcer.notify(&read, &[user]).await;
    }
    Ok(counts)
}

/// Reading a channel up to `seq` reads the notifications about its messages up to there.
/// Best effort: the read marker already moved, and a notification left unread is harmless.
pub(crate) async fn channel_read(
    ctx: &ChatContext,
    actor: &Actor,
    channel_id: ChannelId,
    seq: i64,
) {
    let selection = ReadSelection::Channel { channel_id, seq };
    let notifications = &ctx.notifications;
    let changed = match notifications
        .mark_read(actor.id, selection, ctx.clock.now())
        .await
    {
        Ok(changed) if changed.is_empty() => return,
        Ok(changed) => changed,
        Err(error) => {
            tracing::warn!(%error, %channel_id, "could not mark a channel's notifications read");
            return;
        }
    };
    if let Err(error) =
        announce_read(&**notifications, &ctx.announcer, actor.id, changed, None).await
    {
        tracing::warn!(%error, "could not count unread notifications");
    }
}
