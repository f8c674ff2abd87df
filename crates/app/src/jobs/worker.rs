//! The worker loop: [`run_due`] again and again, pausing when there is nothing to do, until
//! told to stop.

use super::{JobHandler, run_due};
use crate::JobsContext;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The pause after the queue could not be reached, at least: a database that is down is not
/// helped by every worker asking every second.
const PAUSE_AFTER_ERROR: Duration = Duration::from_secs(5);

/// Claims and runs due jobs until `shutdown` resolves. Without due jobs it waits
/// `poll_interval` before looking again; after running some it looks again at once. A batch
/// in hand is finished before stopping (a job cut off halfway would run again when its lease
/// ends); callers that cannot wait that long drop the future.
pub async fn run_worker(
    ctx: Arc<JobsContext>,
    handler: Arc<dyn JobHandler>,
    worker_id: String,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let poll = ctx.policy.poll_interval;
    tracing::info!(worker = %worker_id, "job worker started");
    let mut pause = Duration::ZERO;
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
        pause = match run_due(&ctx, handler.as_ref(), &worker_id).await {
            Ok(0) => poll,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::warn!(worker = %worker_id, error = %error, "could not claim jobs");
                poll.max(PAUSE_AFTER_ERROR)
            }
        };
    }
    tracing::info!(worker = %worker_id, "job worker stopped");
}
