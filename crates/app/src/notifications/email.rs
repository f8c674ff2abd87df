//! Email: the sweep that decides which unread notifications have come due for an email (after
//! each person's delay, outside their do-not-disturb hours, at most once per digest period),
//! and the `send_mail` job that hands a stored email to the mail server.

use super::templates::{Addressee, notifications_mail};
use crate::NotificationsContext;
use crate::jobs::JobOutcome;
use crate::ports::{Job, MailError, MailId, MailStatus, PendingEmails, PortError};
use chrono::{DateTime, TimeDelta, Utc};
use tandem_domain::EmailDigest;

/// One pass over everyone with notifications that may need an email: queues the emails that
/// are due; returns how many.
///
/// Safe on several nodes at once: each person's notifications are taken out of the sweep
/// before their email is stored, and a node that finds them taken leaves that person alone.
///
/// # Errors
/// `Port` when the store cannot be reached (what was queued stays queued).
pub async fn sweep_emails(ctx: &NotificationsContext) -> Result<usize, PortError> {
    let now = ctx.clock.now();
    let mut after = None;
    let mut queued = 0;
    loop {
        let page = ctx
            .notifications
            .pending_emails(now, after, ctx.policy.sweep_batch)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.recipient.user_id);
        let full = u64::try_from(page.len()).unwrap_or(u64::MAX) >= ctx.policy.sweep_batch;
        for person in page {
            if email_person(ctx, person, now).await? {
                queued += 1;
            }
        }
        if !full {
            break;
        }
    }
    Ok(queued)
}

/// Queues one person's email when it is due; `true` when it did.
async fn email_person(
    ctx: &NotificationsContext,
    person: PendingEmails,
    now: DateTime<Utc>,
) -> Result<bool, PortError> {
    let PendingEmails {
        recipient,
        notifications,
        total,
    } = person;
    let settings = recipient.settings;
    let user = recipient.user_id;
    // Preferences changed since the notifications arrived: they get no email after all.
    if !recipient.active || !settings.email_enabled || settings.email_digest == EmailDigest::Never {
        ctx.notifications.settle_emails(user, now, false).await?;
        return Ok(false);
    }
    if settings.do_not_disturb(now) || notifications.is_empty() {
        return Ok(false);
    }
    // A digest goes at most once per period: what came since the last one waits for the next.
    if let (Some(period), Some(last)) = (settings.email_digest.period(), recipient.last_email_at)
        && now < last + period
    {
        return Ok(false);
    }
    let taken = ctx.notifications.settle_emails(user, now, true).await?;
    if taken == 0 {
        return Ok(false);
    }
    let to = Addressee {
        user_id: Some(user),
        email: &recipient.email,
        name: &recipient.name,
        language: settings.language,
        base_url: ctx.policy.base_url.trim_end_matches('/'),
    };
    // What was taken is what counts, if more came due since it was read.
    let Some(mail) = notifications_mail(&to, &notifications, taken.max(total)) else {
        return Ok(false);
    };
    let id = ctx.outbox.store(&mail, now).await?;
    crate::jobs::queue(&*ctx.jobs, &*ctx.clock, Job::SendMail { mail_id: id.0 }).await?;
    Ok(true)
}

/// The `send_mail` job: one try at handing the email over. A refusal (5xx) fails it for good
/// at once; anything else is tried again with the queue's backoff until
/// `max_mail_attempts`, then recorded as failed. Either way the outbox says what happened.
pub(crate) async fn send_mail(ctx: &NotificationsContext, id: MailId) -> JobOutcome {
    let stored = match ctx.outbox.find(id).await {
        Ok(Some(stored)) if stored.status == MailStatus::Queued => stored,
        // Sent by an earlier run whose completion was not recorded, or failed for good.
        Ok(_) => return JobOutcome::Done,
        Err(error) => return JobOutcome::Retry(error.to_string()),
    };
    let now = ctx.clock.now();
    let (status, error) = match ctx.mailer.send(&stored.mail).await {
        Ok(()) => (MailStatus::Sent, None),
        Err(MailError::Permanent(error)) => (MailStatus::Failed, Some(error)),
        Err(MailError::Transient(error)) if stored.attempts + 1 >= ctx.policy.max_mail_attempts => {
            (MailStatus::Failed, Some(error))
        }
        Err(MailError::Transient(error)) => (MailStatus::Queued, Some(error)),
    };
    if let Err(recording) = ctx
        .outbox
        .record_attempt(id, status, error.as_deref(), now)
        .await
    {
        // Sent but not recorded: another run would send it twice; better to say so.
        tracing::warn!(mail_id = id.0, error = %recording, "could not record an email's outcome");
    }
    match (status, error) {
        (MailStatus::Sent, _) => {
            tracing::info!(mail_id = id.0, kind = %stored.mail.kind, "email sent");
            JobOutcome::Done
        }
        (MailStatus::Failed, error) => {
            let error = error.unwrap_or_default();
            tracing::warn!(mail_id = id.0, kind = %stored.mail.kind, %error, "email failed for good");
            JobOutcome::GiveUp(error)
        }
        (MailStatus::Queued, error) => JobOutcome::Retry(error.unwrap_or_default()),
    }
}

/// Removes notifications read longer ago than the retention; returns how many.
///
/// # Errors
/// `Port` when the store cannot be reached.
pub async fn prune(ctx: &NotificationsContext) -> Result<u64, PortError> {
    let retention = TimeDelta::from_std(ctx.policy.retention).unwrap_or(TimeDelta::MAX);
    let cutoff = ctx
        .clock
        .now()
        .checked_sub_signed(retention)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    ctx.notifications.prune(cutoff).await
}
