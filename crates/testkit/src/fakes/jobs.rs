//! An in-memory [`JobQueue`] with the stored adapter's rules, plus handles for tests to look
//! at a job's row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Mutex;
use tandem_app::ports::{ClaimedJob, Job, JobCounts, JobId, JobQueue, PortError};

type Time = DateTime<Utc>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Dead,
}

/// A job as the queue keeps it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: JobId,
    pub job: Job,
    pub state: JobState,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: Time,
    pub locked_by: Option<String>,
    pub locked_until: Option<Time>,
    pub last_error: Option<String>,
}

impl JobRow {
    fn is_due(&self, now: Time) -> bool {
        match self.state {
            JobState::Queued => self.run_at <= now,
            JobState::Running => self.locked_until.is_some_and(|until| until <= now),
            JobState::Dead => false,
        }
    }
}

/// Jobs in a vector, in id order; each new job gets `max_attempts`.
pub struct FakeJobs {
    max_attempts: u32,
    rows: Mutex<(i64, Vec<JobRow>)>,
}

impl FakeJobs {
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts,
            rows: Mutex::new((0, Vec::new())),
        }
    }

    /// The job's row; `None` once it is completed.
    pub fn row(&self, id: JobId) -> Option<JobRow> {
        let rows = self.rows.lock().unwrap();
        rows.1.iter().find(|row| row.id == id).cloned()
    }

    fn update(&self, id: JobId, change: impl FnOnce(&mut JobRow)) -> Result<(), PortError> {
        let mut rows = self.rows.lock().unwrap();
        let running = |row: &&mut JobRow| row.id == id && row.state == JobState::Running;
        let row = rows.1.iter_mut().find(running).ok_or(PortError::NotFound)?;
        change(row);
        Ok(())
    }
}

#[async_trait]
impl JobQueue for FakeJobs {
    async fn enqueue(&self, job: Job, run_at: Time) -> Result<JobId, PortError> {
        let mut rows = self.rows.lock().unwrap();
        rows.0 += 1;
        let id = JobId(rows.0);
        rows.1.push(JobRow {
            id,
            job,
            state: JobState::Queued,
            attempts: 0,
            max_attempts: self.max_attempts,
            run_at,
            locked_by: None,
            locked_until: None,
            last_error: None,
        });
        Ok(id)
    }

    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        now: Time,
        lease_until: Time,
    ) -> Result<Vec<ClaimedJob>, PortError> {
        let mut rows = self.rows.lock().unwrap();
        let mut due: Vec<&mut JobRow> = rows.1.iter_mut().filter(|r| r.is_due(now)).collect();
        due.sort_by_key(|row| (row.run_at, row.id));
        let claimed = due.into_iter().take(limit as usize).map(|row| {
            row.state = JobState::Running;
            row.attempts += 1;
            row.locked_by = Some(worker.to_owned());
            row.locked_until = Some(lease_until);
            ClaimedJob {
                id: row.id,
                job: row.job.clone(),
                attempt: row.attempts,
                max_attempts: row.max_attempts,
            }
        });
        Ok(claimed.collect())
    }

    async fn complete(&self, id: JobId) -> Result<(), PortError> {
        let mut rows = self.rows.lock().unwrap();
        let index = rows.1.iter().position(|row| row.id == id);
        rows.1.remove(index.ok_or(PortError::NotFound)?);
        Ok(())
    }

    async fn fail(&self, id: JobId, error: &str, retry_at: Option<Time>) -> Result<(), PortError> {
        self.update(id, |row| {
            row.state = match retry_at {
                Some(_) => JobState::Queued,
                None => JobState::Dead,
            };
            row.run_at = retry_at.unwrap_or(row.run_at);
            (row.locked_by, row.locked_until) = (None, None);
            row.last_error = Some(error.to_owned());
        })
    }

    async fn counts(&self) -> Result<JobCounts, PortError> {
        let rows = self.rows.lock().unwrap();
        let count = |state| rows.1.iter().filter(|row| row.state == state).count() as u64;
        Ok(JobCounts {
            queued: count(JobState::Queued),
            running: count(JobState::Running),
            dead: count(JobState::Dead),
        })
    }
}

#[cfg(test)]
mod contract {
    use super::FakeJobs;
    use crate::contract::jobs::{MAX_ATTEMPTS, run_all};
    use std::sync::Arc;
    use tandem_app::ports::JobQueue;

    /// The worker's tests lean on this fake; it must keep the rules the real queue keeps.
    #[tokio::test]
    async fn the_fake_keeps_the_job_queue_contract_twice_over_one_store() {
        let queue: Arc<dyn JobQueue> = Arc::new(FakeJobs::new(MAX_ATTEMPTS));
        run_all(&queue).await;
        run_all(&queue).await;
    }
}
