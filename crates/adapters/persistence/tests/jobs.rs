//! The job queue contract suite (`tandem_testkit::contract::jobs`), every case on a fresh SQLite
//! file and on a fresh PostgreSQL database at `TEST_DATABASE_URL`, which the PostgreSQL
//! variants require (they fail without it, never skip); and the adapter's own promises: jobs
//! outlive the connection, and a row that cannot be read back is made dead, not handed out.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod support;

use chrono::{TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::future::Future;
use std::sync::Arc;
use support::{Backend, TestDatabase, with_database};
use tandem_app::ports::{Job, JobCounts, JobQueue};
use tandem_persistence::Database;
use tandem_testkit::contract::jobs::{self as contract, MAX_ATTEMPTS};

fn queue(db: &Database) -> Arc<dyn JobQueue> {
    db.jobs(MAX_ATTEMPTS)
}

macro_rules! contract_cases {
    ($backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                with_database(Backend::$backend, |db, _| async move {
                    contract::$case(&queue(&db)).await;
                })
                .await;
            }
        )*

        /// Runs everything twice over one database: the suite must not depend on an empty store.
        #[tokio::test]
        async fn the_whole_suite_passes_twice_against_one_database() {
            with_database(Backend::$backend, |db, _| async move {
                for _ in 0..2 {
                    contract::run_all(&queue(&db)).await;
                }
            })
            .await;
        }

        #[tokio::test]
        async fn a_job_enqueued_before_reconnecting_is_claimed_after() {
            let test = TestDatabase::new(Backend::$backend).await;
            let url = test.url.clone();
            test.run(|db, _| async move {
                let run_at = Utc::now();
                let id = queue(&db).enqueue(Job::DeleteBlobs { keys: vec!["a".into()] }, run_at)
                    .await
                    .unwrap();
                db.close().await.unwrap();

                let reopened = Database::connect(&url).await.unwrap();
                let claimed = queue(&reopened)
                    .claim("w1", 10, run_at, run_at + TimeDelta::minutes(1))
                    .await
                    .unwrap();
                assert_eq!(claimed.len(), 1);
                assert_eq!(claimed[0].id, id);
                reopened.close().await.unwrap();
            })
            .await;
        }

        #[tokio::test]
        async fn a_stored_job_that_cannot_be_read_is_made_dead_with_the_reason() {
            with_raw_access(Backend::$backend, |db, conn| async move {
                let jobs = queue(&db);
                let now = Utc::now();
                let good = jobs.enqueue(Job::ProcessImage { file_id: 1 }, now).await.unwrap();
                let bad = jobs.enqueue(Job::ProcessImage { file_id: 2 }, now).await.unwrap();
                raw(&conn, &format!(
                    "UPDATE jobs SET payload = '{{\"kind\":\"from_the_future\"}}' WHERE id = {}",
                    bad.0
                ))
                .await;

                let claimed = jobs.claim("w1", 10, now, now + TimeDelta::minutes(1)).await.unwrap();
                assert_eq!(claimed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![good]);
                let expected = JobCounts { queued: 0, running: 1, dead: 1 };
                assert_eq!(jobs.counts().await.unwrap(), expected);
                let error = last_error(&conn, bad.0).await;
                assert!(error.contains("cannot be read"), "{error}");
            })
            .await;
        }
    };
}

macro_rules! contract_suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            contract_cases!(Sqlite: $($case),*);
        }

        mod postgres {
            use super::*;
            contract_cases!(Postgres: $($case),*);
        }
    };
}

contract_suite!(
    an_enqueued_job_is_claimed_once_and_gone_when_completed,
    a_job_is_not_claimed_before_its_run_at,
    claims_take_the_earliest_due_jobs_up_to_the_limit,
    an_expired_lease_makes_a_job_claimable_again_as_attempt_two,
    a_job_failed_with_a_retry_time_is_queued_again_until_then,
    a_job_failed_without_a_retry_time_is_dead_and_never_claimed_again,
    completing_or_failing_an_unknown_job_is_not_found,
    payloads_of_every_kind_round_trip,
    concurrent_claimers_never_get_the_same_job,
);

async fn raw(conn: &DatabaseConnection, sql: &str) {
    conn.execute_unprepared(sql).await.unwrap();
}

async fn last_error(conn: &DatabaseConnection, id: i64) -> String {
    let sql = format!("SELECT last_error FROM jobs WHERE id = {id}");
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "last_error").unwrap()
}

/// A fresh database, given to `test` both as the adapter and as a plain connection for SQL
/// the adapter would never run.
async fn with_raw_access<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Database, DatabaseConnection) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let database = TestDatabase::new(backend).await;
    let conn = sea_orm::Database::connect(&database.url).await.unwrap();
    database
        .run(|db, _| async move {
            test(db, conn.clone()).await;
            conn.close().await.unwrap();
        })
        .await;
}
