//! Creating notifications, in jobs: the recipients of a new message, an invitation to a
//! channel or a report to the moderators, stored in batches and published live, each once.

use crate::jobs::JobOutcome;
use crate::ports::{NewNotification, Notification, PortError, StoredNotification};
use crate::{ChatContext, NotificationsContext};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet};
use tandem_domain::notification::{excerpt, recipients};
use tandem_domain::{
    Channel, ChannelId, ChannelKind, EmailDigest, Message, MessageId, MessageType,
    NotificationKind, NotificationSettings, UserId,
};

/// The viewer messages are read as: a viewer changes only which reactions are "mine", which
/// notifications do not show.
const NOBODY: UserId = UserId::new(0);

/// Whether a new message can notify anyone, so that plain chatter in a channel nobody follows
/// closely costs no job: direct conversations, mentions, thread replies, and channels where
/// someone chose "all". When unsure (the store cannot say), yes.
pub(crate) async fn needs_notifying(
    ctx: &ChatContext,
    channel: &Channel,
    message: &Message,
) -> bool {
    if message.message_type == MessageType::System {
        return false;
    }
    if channel.kind == ChannelKind::Direct
        || !message.mentions.is_empty()
        || message.reply_to_id.is_some()
    {
        return true;
    }
    ctx.notifications
        .anyone_hears_all(channel.id)
        .await
        .unwrap_or(true)
}

/// The `notify_message` job: stores and publishes the notifications `message_id` causes.
/// Idempotent: a second run finds them stored and publishes nothing twice.
pub(crate) async fn notify_message(
    ctx: &NotificationsContext,
    message_id: MessageId,
) -> JobOutcome {
    outcome(deliver(ctx, message_id).await)
}

/// A job's outcome: done, or tried again later when the store could not be reached.
fn outcome(result: Result<(), PortError>) -> JobOutcome {
    match result {
        Ok(()) => JobOutcome::Done,
        Err(error) => JobOutcome::Retry(error.to_string()),
    }
}

async fn deliver(ctx: &NotificationsContext, message_id: MessageId) -> Result<(), PortError> {
    let Some(message) = ctx.messages.find(message_id, NOBODY).await? else {
        return Ok(());
    };
    if message.is_deleted {
        return Ok(());
    }
    let Some(channel) = ctx.channels.find_by_id(message.channel_id).await? else {
        return Ok(());
    };
    let members = ctx.notifications.member_preferences(channel.id).await?;
    let online: HashSet<UserId> = if message.mentions.contains(&tandem_domain::Mention::Here) {
        ctx.presence
            .online_users(channel.organization_id)
            .await
            .map(|online| online.into_iter().collect())
            .unwrap_or_default()
    } else {
        HashSet::new()
    };
    let thread = match message.reply_to_id {
        Some(root) => ctx.notifications.thread_participants(root).await?,
        None => Vec::new(),
    };
    let chosen = recipients(&message, channel.kind, &members, &online, &thread);
    if chosen.is_empty() {
        return Ok(());
    }
    let quoted = excerpt(&message.content, ctx.policy.excerpt_chars);
    let people = Preferences::of(ctx, chosen.iter().map(|r| r.user_id)).await?;
    let rows: Vec<NewNotification> = chosen
        .iter()
        .map(|r| NewNotification {
            user_id: r.user_id,
            organization_id: channel.organization_id,
            kind: r.kind,
            channel_id: Some(channel.id),
            message_id: Some(message.id),
            seq: Some(message.seq),
            thread_root_id: message.reply_to_id,
            sender_id: Some(message.user_id),
            excerpt: Some(quoted.clone()),
            quiet: r.quiet,
            email_due_at: people.email_due_at(
                r.user_id,
                worth_an_email(r.kind, channel.kind),
                message.created_at,
            ),
            created_at: message.created_at,
        })
        .collect();
    let stored = ctx.notifications.insert(&rows).await?;
    publish(ctx, &people, stored).await;
    Ok(())
}

/// Mentions, direct messages and invitations are worth an email; the rest waits in the
/// centre.
fn worth_an_email(kind: NotificationKind, channel: ChannelKind) -> bool {
    match kind {
        NotificationKind::Mention | NotificationKind::ChannelInvite => true,
        NotificationKind::NewMessage => channel == ChannelKind::Direct,
        _ => false,
    }
}

/// The preferences of everyone a batch of notifications goes to, read once.
struct Preferences(HashMap<UserId, NotificationSettings>);

impl Preferences {
    async fn of(
        ctx: &NotificationsContext,
        people: impl Iterator<Item = UserId>,
    ) -> Result<Self, PortError> {
        let people: Vec<UserId> = people.collect();
        Ok(Self(
            ctx.notifications
                .settings_of(&people)
                .await?
                .into_iter()
                .collect(),
        ))
    }

    fn get(&self, user: UserId) -> NotificationSettings {
        self.0.get(&user).copied().unwrap_or_default()
    }

    /// When an email about a notification arriving `at` comes due: after the person's delay,
    /// unless it is not worth one or they want no email.
    fn email_due_at(
        &self,
        user: UserId,
        worth_one: bool,
        at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let settings = self.get(user);
        let wanted = settings.email_enabled && settings.email_digest != EmailDigest::Never;
        (worth_one && wanted)
            .then(|| at + TimeDelta::minutes(i64::from(settings.email_delay_minutes)))
    }
}

/// Sends each stored notification to its person's sockets, marked quiet during their
/// do-not-disturb hours or when they turned desktop notifications off.
async fn publish(
    ctx: &NotificationsContext,
    people: &Preferences,
    stored: Vec<StoredNotification>,
) {
    let now = ctx.clock.now();
    for mut notification in stored {
        let settings = people.get(notification.user_id);
        notification.quiet |= settings.do_not_disturb(now) || !settings.desktop_enabled;
        let user = notification.user_id;
        ctx.announcer
            .notify(&Notification::Stored(notification), &[user])
            .await;
    }
}

/// The `notify_invite` job: tells `user_id` that `by` added them to `channel_id`.
pub(crate) async fn notify_invite(
    ctx: &NotificationsContext,
    channel_id: ChannelId,
    user_id: UserId,
    by: UserId,
) -> JobOutcome {
    outcome(invite(ctx, channel_id, user_id, by).await)
}

async fn invite(
    ctx: &NotificationsContext,
    channel_id: ChannelId,
    user_id: UserId,
    by: UserId,
) -> Result<(), PortError> {
    let channel = match ctx.channels.find_by_id(channel_id).await? {
        Some(channel) if channel.kind != ChannelKind::Direct => channel,
        _ => return Ok(()),
    };
    // Still a member: an invitation undone before it was told is not worth telling.
    if ctx
        .channels
        .membership(channel_id, user_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let people = Preferences::of(ctx, std::iter::once(user_id)).await?;
    let now = ctx.clock.now();
    let row = NewNotification {
        user_id,
        organization_id: channel.organization_id,
        kind: NotificationKind::ChannelInvite,
        channel_id: Some(channel_id),
        message_id: None,
        seq: None,
        thread_root_id: None,
        sender_id: Some(by),
        excerpt: channel
            .description
            .as_ref()
            .map(|d| excerpt(d.as_str(), ctx.policy.excerpt_chars)),
        quiet: false,
        email_due_at: people.email_due_at(user_id, true, now),
        created_at: now,
    };
    let stored = ctx.notifications.insert(&[row]).await?;
    publish(ctx, &people, stored).await;
    Ok(())
}

/// The `notify_report` job: tells the organization's admins and moderators (but not the
/// reporter, nor the author) that a message was reported, with its excerpt and a link to it.
pub(crate) async fn notify_report(
    ctx: &NotificationsContext,
    message_id: MessageId,
    reported_by: UserId,
) -> JobOutcome {
    outcome(report(ctx, message_id, reported_by).await)
}

async fn report(
    ctx: &NotificationsContext,
    message_id: MessageId,
    reported_by: UserId,
) -> Result<(), PortError> {
    let Some(message) = ctx.messages.find(message_id, NOBODY).await? else {
        return Ok(());
    };
    let Some(channel) = ctx.channels.find_by_id(message.channel_id).await? else {
        return Ok(());
    };
    let quoted = excerpt(&message.content, ctx.policy.excerpt_chars);
    let moderators: Vec<UserId> = ctx
        .notifications
        .moderators(channel.organization_id)
        .await?
        .into_iter()
        .filter(|id| *id != reported_by && *id != message.user_id)
        .collect();
    let people = Preferences::of(ctx, moderators.iter().copied()).await?;
    let rows: Vec<NewNotification> = moderators
        .into_iter()
        .map(|user_id| NewNotification {
            user_id,
            organization_id: channel.organization_id,
            kind: NotificationKind::ReportOpened,
            channel_id: Some(channel.id),
            message_id: Some(message.id),
            seq: Some(message.seq),
            thread_root_id: message.reply_to_id,
            sender_id: Some(reported_by),
            excerpt: Some(quoted.clone()),
            quiet: false,
            email_due_at: None,
            created_at: ctx.clock.now(),
        })
        .collect();
    let stored = ctx.notifications.insert(&rows).await?;
    publish(ctx, &people, stored).await;
    Ok(())
}
