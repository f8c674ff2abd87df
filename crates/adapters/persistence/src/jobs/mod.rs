//! The durable job queue over the `jobs` table.
//!
//! Claiming is one statement that picks the due rows and marks them running. On PostgreSQL
//! the pick is `FOR UPDATE SKIP LOCKED` in a CTE (materialized once, so `LIMIT` holds), so
//! concurrent claimers pass over each other's rows instead of waiting or taking them twice;
//! SQLite has one writer at a time, and a single `UPDATE` is atomic there.

mod payload;

use crate::entities::job;
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::sql::statement;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Statement,
};
use tandem_app::ports::{ClaimedJob, Job, JobCounts, JobId, JobQueue, PortError};

const QUEUED: &str = "queued";
const RUNNING: &str = "running";
const DEAD: &str = "dead";

/// Values: now, now, limit, worker, lease end, now.
const CLAIM_POSTGRES: &str = "
WITH due AS (
    SELECT id FROM jobs
    WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?)
    ORDER BY run_at, id
    LIMIT ?
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs
SET state = 'running', attempts = jobs.attempts + 1, locked_by = ?, locked_until = ?,
    updated_at = ?
FROM due
WHERE jobs.id = due.id
RETURNING jobs.id, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.run_at";

/// Values: now, now, limit, worker, lease end, now (the order of [`CLAIM_POSTGRES`]).
const CLAIM_SQLITE: &str = "
WITH due AS (
    SELECT id FROM jobs
    WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?)
    ORDER BY run_at, id
    LIMIT ?
)
UPDATE jobs
SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?,
    updated_at = ?
WHERE id IN (SELECT id FROM due)
RETURNING id, payload, attempts, max_attempts, run_at";

/// The claiming `UPDATE` for `db`'s backend.
pub(crate) fn claim_statement(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u32,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Statement {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => CLAIM_POSTGRES,
        _ => CLAIM_SQLITE,
    };
    let values = [
        now.into(),
        now.into(),
        i64::from(limit).into(),
        worker.into(),
        lease_until.into(),
        Utc::now().into(),
    ];
    statement(db, sql, values)
}

#[derive(Debug, FromQueryResult)]
struct ClaimedRow {
    id: i64,
    payload: String,
    attempts: i32,
    max_attempts: i32,
    run_at: DateTime<Utc>,
}

pub(crate) struct SeaJobQueue {
    pub(crate) db: Guarded,
    /// Stamped on every new job.
    pub(crate) max_attempts: u32,
}

impl SeaJobQueue {
    /// Makes a job that cannot be read back dead, with the reason, instead of handing it out:
    /// it would fail the same way on every claim.
    async fn bury_unreadable(&self, id: i64, error: &serde_json::Error) -> Result<(), PortError> {
        tracing::error!(job_id = id, %error, "a stored job cannot be read; it is now dead");
        let reason = format!("the stored job cannot be read: {error}");
        job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(DEAD))
            .col_expr(job::Column::LastError, Expr::value(reason))
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(job::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        Ok(())
    }
}

#[async_trait]
impl JobQueue for SeaJobQueue {
    async fn enqueue(&self, job: Job, run_at: DateTime<Utc>) -> Result<JobId, PortError> {
        let payload = payload::encode(&job).map_err(PortError::unexpected)?;
        let now = Utc::now();
        let row = job::ActiveModel {
            id: NotSet,
            kind: Set(job.kind().to_owned()),
            payload: Set(payload),
            state: Set(QUEUED.to_owned()),
            attempts: Set(0),
            max_attempts: Set(i32::try_from(self.max_attempts).unwrap_or(i32::MAX)),
            run_at: Set(run_at),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let inserted = job::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        Ok(JobId(inserted.last_insert_id))
    }

    async fn claim(
        &self,
        worker: &str,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedJob>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let claim = claim_statement(&self.db, worker, limit, now, lease_until);
        let mut rows = ClaimedRow::find_by_statement(claim)
            .all(&self.db)
            .await
            .map_err(port_error)?;
        // RETURNING comes in no particular order.
        rows.sort_by_key(|row| (row.run_at, row.id));
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            match payload::decode(&row.payload) {
                Ok(job) => claimed.push(ClaimedJob {
                    id: JobId(row.id),
                    job,
                    attempt: u32::try_from(row.attempts).unwrap_or_default(),
                    max_attempts: u32::try_from(row.max_attempts).unwrap_or_default(),
                }),
                Err(error) => self.bury_unreadable(row.id, &error).await?,
            }
        }
        Ok(claimed)
    }

    async fn complete(&self, id: JobId) -> Result<(), PortError> {
        let deleted = job::Entity::delete_by_id(id.0)
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        match deleted.rows_affected {
            0 => Err(PortError::NotFound),
            _ => Ok(()),
        }
    }

    async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), PortError> {
        let mut update = job::Entity::update_many()
            .col_expr(job::Column::LastError, Expr::value(error))
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()));
        update = match retry_at {
            Some(at) => update
                .col_expr(job::Column::State, Expr::value(QUEUED))
                .col_expr(job::Column::RunAt, Expr::value(at)),
            None => update.col_expr(job::Column::State, Expr::value(DEAD)),
        };
        let updated = update
            .filter(job::Column::Id.eq(id.0))
            .filter(job::Column::State.eq(RUNNING))
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        match updated.rows_affected {
            0 => Err(PortError::NotFound),
            _ => Ok(()),
        }
    }

    async fn counts(&self) -> Result<JobCounts, PortError> {
        let per_state: Vec<(String, i64)> = job::Entity::find()
            .select_only()
            .column(job::Column::State)
            .column_as(job::Column::Id.count(), "count")
            .group_by(job::Column::State)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(port_error)?;
        let mut counts = JobCounts::default();
        for (state, count) in per_state {
            let count = u64::try_from(count).unwrap_or_default();
            match state.as_str() {
                QUEUED => counts.queued = count,
                RUNNING => counts.running = count,
                DEAD => counts.dead = count,
                other => tracing::warn!(state = other, count, "jobs in an unknown state"),
            }
        }
        Ok(counts)
    }
}
