//! Running background jobs: claiming due jobs from the [`JobQueue`](crate::ports::JobQueue),
//! handing them to a [`JobHandler`], and recording each outcome as done, a retry after an
//! exponential backoff with jitter, or dead.
//!
//! Delivery is at least once (a worker that dies mid-job loses its lease and the job runs
//! again), so handlers must be idempotent.

mod worker;

pub use worker::run_worker;

use crate::JobsContext;
use crate::ports::{ClaimedJob, Job, JobId, PortError};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// Jobs one worker claims at a time. Small, so that a slow job holds few others back from
/// the other workers; every job of a batch shares one lease.
pub const CLAIM_BATCH: u32 = 4;

/// The longest wait between two runs of a job, whatever its attempt.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// What a job run can end as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Transient: try later with backoff (dead once the job is out of attempts).
    Retry(String),
    /// Permanent: dead now.
    GiveUp(String),
}

/// Does the work of every kind of [`Job`].
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Runs one job. A panic counts as [`JobOutcome::Retry`].
    async fn run(&self, job: &Job) -> JobOutcome;
}

/// Queues `job` to run as soon as a worker is free.
///
/// # Errors
/// As [`JobQueue::enqueue`](crate::ports::JobQueue::enqueue): `Unavailable` when the queue
/// cannot be reached.
pub async fn enqueue(ctx: &JobsContext, job: Job) -> Result<JobId, PortError> {
    queue(&*ctx.jobs, &*ctx.clock, job).await
}

/// [`enqueue`], for the use cases of other areas, which hold the queue and the clock.
pub(crate) async fn queue(
    jobs: &dyn crate::ports::JobQueue,
    clock: &dyn crate::ports::Clock,
    job: Job,
) -> Result<JobId, PortError> {
    jobs.enqueue(job, clock.now()).await
}

/// How many jobs wait, run and died, across every node (for monitoring).
///
/// # Errors
/// `Unavailable` when the queue cannot be reached.
pub async fn counts(ctx: &JobsContext) -> Result<crate::ports::JobCounts, PortError> {
    ctx.jobs.counts().await
}

/// One pass: claims a batch of due jobs for `worker_id` and settles each (runs it and records
/// the outcome); returns how many it claimed. A job whose last allowed run never reported
/// back (its worker died) is made dead without running again. An outcome that cannot be
/// recorded is logged and left to the lease: the job runs again when it ends.
///
/// # Errors
/// When the jobs cannot be claimed (`Unavailable` when the queue cannot be reached).
pub async fn run_due(
    ctx: &JobsContext,
    handler: &dyn JobHandler,
    worker_id: &str,
) -> Result<usize, PortError> {
    let now = ctx.clock.now();
    let lease_until = later(now, ctx.policy.lease);
    let claimed = ctx
        .jobs
        .claim(worker_id, CLAIM_BATCH, now, lease_until)
        .await?;
    let count = claimed.len();
    for job in claimed {
        settle(ctx, handler, worker_id, job).await;
    }
    Ok(count)
}

/// The wait before a job's next run after its `attempt`-th failed: `base * 2^(attempt - 1)`,
/// capped at [`MAX_BACKOFF`], of which the first half is fixed and the second half scaled by
/// `jitter` (0 to 1), so jobs that failed together spread out and never come back sooner
/// than half the nominal delay.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    let nominal = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let half = nominal / 2;
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    half + half.mul_f64(jitter)
}

async fn settle(ctx: &JobsContext, handler: &dyn JobHandler, worker_id: &str, claimed: ClaimedJob) {
    let ClaimedJob {
        id,
        job,
        attempt,
        max_attempts,
    } = claimed;
    let started = Instant::now();
    let outcome = if attempt > max_attempts {
        JobOutcome::GiveUp(format!(
            "its last allowed run (of {max_attempts}) never reported back"
        ))
    } else {
        AssertUnwindSafe(handler.run(&job))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                JobOutcome::Retry(format!("the handler panicked: {}", panic_message(&*panic)))
            })
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let kind = job.kind();
    let recorded = match outcome {
        JobOutcome::Done => {
            tracing::info!(
                job_id = id.0,
                kind,
                attempt,
                duration_ms,
                worker = worker_id,
                outcome = "done",
                "job done"
            );
            ctx.jobs.complete(id).await
        }
        JobOutcome::Retry(error) if attempt < max_attempts => {
            let delay = backoff(ctx.policy.backoff_base, attempt, rand::random());
            let retry_at = later(ctx.clock.now(), delay);
            tracing::warn!(job_id = id.0, kind, attempt, max_attempts, duration_ms, worker = worker_id, outcome = "retry", retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), error = %error, "job failed; it will be retried");
            ctx.jobs.fail(id, &error, Some(retry_at)).await
        }
        JobOutcome::Retry(error) | JobOutcome::GiveUp(error) => {
            tracing::error!(job_id = id.0, kind, attempt, max_attempts, duration_ms, worker = worker_id, outcome = "dead", error = %error, "job failed for good");
            ctx.jobs.fail(id, &error, None).await
        }
    };
    if let Err(error) = recorded {
        tracing::warn!(job_id = id.0, kind, attempt, worker = worker_id, error = %error, "could not record a job's outcome; it runs again when its lease ends");
    }
}

/// What a panic said, when it said it with a string (as `panic!` and failed asserts do).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// `now + wait`, saturating instead of overflowing.
fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(wait)
        .ok()
        .and_then(|wait| now.checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
