//! Runs the notification jobs for the server's workers.

use crate::NotificationsContext;
use crate::jobs::{JobHandler, JobOutcome};
use crate::ports::{Job, MailId};
use async_trait::async_trait;
use std::sync::Arc;
use tandem_domain::{ChannelId, MessageId, UserId};

/// Handles `notify_message`, `notify_invite`, `notify_report` and `send_mail`; gives up on any other kind
/// (the server hands those to their own area's handler).
#[derive(Clone)]
pub struct NotificationJobs {
    ctx: Arc<NotificationsContext>,
}

impl NotificationJobs {
    pub fn new(ctx: Arc<NotificationsContext>) -> Self {
        Self { ctx }
    }

    /// Whether `job` is one of these.
    pub fn handles(job: &Job) -> bool {
        matches!(
            job,
            Job::NotifyMessage { .. }
                | Job::NotifyInvite { .. }
                | Job::NotifyReport { .. }
                | Job::SendMail { .. }
        )
    }
}

#[async_trait]
impl JobHandler for NotificationJobs {
    async fn run(&self, job: &Job) -> JobOutcome {
        let ctx = &self.ctx;
        match job {
            Job::NotifyMessage { message_id } => {
                super::deliver::notify_message(ctx, MessageId::new(*message_id)).await
            }
            Job::NotifyInvite {
                channel_id,
                user_id,
                by,
            } => {
                super::deliver::notify_invite(
                    ctx,
                    ChannelId::new(*channel_id),
                    UserId::new(*user_id),
                    UserId::new(*by),
                )
                .await
            }
            Job::NotifyReport {
                message_id,
                reported_by,
            } => {
                super::deliver::notify_report(
                    ctx,
                    MessageId::new(*message_id),
                    UserId::new(*reported_by),
                )
                .await
            }
            Job::SendMail { mail_id } => super::email::send_mail(ctx, MailId(*mail_id)).await,
            other => JobOutcome::GiveUp(format!("not a notification job: {}", other.kind())),
        }
    }
}
