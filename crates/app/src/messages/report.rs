//! Reporting a message to the moderators.

use super::{is_author, load_message};
use crate::ChatContext;
use crate::channels::ChatError;
use crate::ports::NewReport;
use tandem_domain::{Actor, ChannelAction, MessageId, MessageReport, ReportReason};

/// Files a pending report; one open report per person per message.
///
/// # Errors
/// `NotFound`, `Forbidden` (one's own message), `Conflict(OpenReport)`.
pub async fn report_message(
    ctx: &ChatContext,
    actor: &Actor,
    id: MessageId,
    reason: ReportReason,
) -> Result<MessageReport, ChatError> {
    let (message, loaded) = load_message(ctx, actor, id).await?;
    if message.is_deleted {
        return Err(ChatError::NotFound("message"));
    }
    loaded.access(ctx, actor).check(ChannelAction::Read)?;
    if is_author(actor, &message) {
        return Err(ChatError::Forbidden(
            "you cannot report your own message; edit or delete it instead".to_owned(),
        ));
    }
    let report = ctx
        .messages
        .report(NewReport {
            message_id: id,
            reported_by: actor.id,
            reason,
            created_at: ctx.clock.now(),
        })
        .await?;
    tracing::info!(report_id = %report.id, message_id = %id, "message reported");
    let job = crate::ports::Job::NotifyReport {
        message_id: id.get(),
        reported_by: actor.id.get(),
    };
    if let Err(error) = crate::jobs::queue(&*ctx.jobs, &*ctx.clock, job).await {
        tracing::warn!(%error, message_id = %id, "could not queue the report's notifications");
    }
    Ok(report)
}
