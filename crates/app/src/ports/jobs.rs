//! The durable job queue: background work (image processing, blob clean-up, notifications,
//! emails) stored with its due time, claimed under a lease by workers
//! on any node, retried until it succeeds or is declared dead.
//!
//! Delivery is at least once: a worker that dies mid-job loses its lease and the job runs
//! again, so handlers must be idempotent.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A unit of background work. Payloads are plain data (ids, keys), never blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Make a thumbnail and a web-friendly version of an uploaded image; record its size.
    ProcessImage { file_id: i64 },
    /// Remove these blobs from the blob store (after a message with files was deleted).
    DeleteBlobs { keys: Vec<String> },
    /// Store and send the notifications a new message causes (mentions, direct messages,
    /// thread replies, channels set to "all").
    NotifyMessage { message_id: i64 },
    /// Tell someone they were added to a channel.
    NotifyInvite {
        channel_id: i64,
        user_id: i64,
        by: i64,
    },
    /// Tell the organization's moderators that `reported_by` reported a message.
    NotifyReport { message_id: i64, reported_by: i64 },
    /// Hand a stored email to the mail server.
    SendMail { mail_id: i64 },
    /// Deliver one event to an outgoing webhook.
    DeliverWebhook { delivery_id: i64 },
}

impl Job {
    /// A stable name of the job's kind, for logs, metrics and the stored row.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ProcessImage { .. } => "process_image",
            Self::DeleteBlobs { .. } => "delete_blobs",
            Self::NotifyMessage { .. } => "notify_message",
            Self::NotifyInvite { .. } => "notify_invite",
            Self::NotifyReport { .. } => "notify_report",
            Self::SendMail { .. } => "send_mail",
            Self::DeliverWebhook { .. } => "deliver_webhook",
        }
    }
}

/// A stored job's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A job a worker holds until its lease ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub job: Job,
    /// Which run this is: 1 for the first. Counts every claim, including runs whose worker
    /// died, so it can exceed `max_attempts` when the last allowed run never reported back.
    pub attempt: u32,
    /// Runs allowed in all, fixed when the job was enqueued.
    pub max_attempts: u32,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting for their run time or for a worker.
    pub queued: u64,
    /// Held by a worker (including leases that have run out and not been reclaimed yet).
    pub running: u64,
    /// Failed for good, kept with their last error for operators.
    pub dead: u64,
}

/// Jobs stored where every node's workers can claim them.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Stores the job, due at `run_at`. Durable once this returns.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached; `Unexpected` otherwise.
    async fn enqueue(&self, job: Job, run_at: DateTime<Utc>) -> Result<JobId, PortError>;

    /// Claims up to `limit` due jobs for `worker` until `lease_until`, earliest `run_at` first:
    /// due = queued with `run_at <= now`, or running with a lease that ended at or before
    /// `now` (a worker that died). Each claim increments attempts. Two workers never hold the
    /// same job at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer). A stored
    /// job that cannot be read back (an unknown kind, a broken payload) is made dead with the
    /// reason instead of being returned.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached; `Unexpected` otherwise. Nothing is
    /// claimed when it fails.
    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedJob>, PortError>;

    /// Done: removed.
    ///
    /// # Errors
    /// `NotFound` when there is no such job (another worker that took over an expired lease
    /// completed it already); `Unavailable` when the store cannot be reached.
    async fn complete(&self, id: JobId) -> Result<(), PortError>;

    /// Failed this attempt: queued again at `retry_at`, or, when `None`, kept as dead with the
    /// error for operators. Either way the lease is released.
    ///
    /// # Errors
    /// `NotFound` when there is no such running job (it was completed, or is no longer held);
    /// `Unavailable` when the store cannot be reached.
    async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), PortError>;

    /// Queued/running/dead counts, for `/metrics` and tests.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn counts(&self) -> Result<JobCounts, PortError>;
}
