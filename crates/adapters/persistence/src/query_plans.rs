//! The hot reads walk indexes: each one is planned by SQLite and by PostgreSQL (with sequential
//! scans priced out, so a plan that still scans a table means no index fits) and the plans
//! must not scan a table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failure is a failed test"
)]

use crate::Database;
use crate::channels::list::LIST_FOR_USER;
use crate::entities::{message, message_mention};
use crate::messages::activity::{ACTIVITY_SINCE, activity_values};
use crate::messages::load::reactions_statement;
use crate::messages::read::{events_select, history_select, pinned_select, replies_select};
use crate::provisioning::{create_postgres_database, drop_postgres_database};
use crate::sql::statement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryTrait, Statement, TransactionTrait, Value,
};
use tandem_app::ports::HistoryQuery;
use tandem_domain::{ChannelId, MessageId, OrganizationId, UserId};

fn hot_reads(db: &DatabaseConnection) -> Vec<(&'static str, Statement)> {
    let backend = db.get_database_backend();
    let page = |before_seq, after_seq| HistoryQuery {
        channel_id: ChannelId::new(1),
        before_seq,
        after_seq,
        limit: 50,
        viewer: UserId::new(1),
    };
    let ids = [1_i64, 2, 3];
    let user: Value = 7_i64.into();
    vec![
        (
            "history from the end",
            history_select(&page(None, None)).build(backend),
        ),
        (
            "history before a seq",
            history_select(&page(Some(90), None)).build(backend),
        ),
        (
            "history after a seq",
            history_select(&page(None, Some(10))).build(backend),
        ),
        (
            "a thread",
            replies_select(MessageId::new(1), Some(3), 50).build(backend),
        ),
        (
            "pinned messages",
            pinned_select(ChannelId::new(1)).build(backend),
        ),
        (
            "missed events",
            events_select(ChannelId::new(1), 10, 100).build(backend),
        ),
        (
            "messages by id",
            message::Entity::find()
                .filter(message::Column::Id.is_in(ids))
                .build(backend),
        ),
        (
            "mentions of messages",
            message_mention::Entity::find()
                .filter(message_mention::Column::MessageId.is_in(ids))
                .build(backend),
        ),
        ("reactions of messages", reactions_statement(db, &ids, 7)),
        (
            "an organization's activity of the last minute",
            statement(
                db,
                ACTIVITY_SINCE,
                activity_values(
                    OrganizationId::new(1),
                    chrono::Utc::now() - chrono::TimeDelta::minutes(1),
                ),
            ),
        ),
        (
            "channel list with unread counts",
            statement(
                db,
                LIST_FOR_USER,
                [
                    user.clone(),
                    user.clone(),
                    "channel".into(),
                    "here".into(),
                    user.clone(),
                    user,
                    1_i64.into(),
                    "public".into(),
                ],
            ),
        ),
        (
            "claiming due jobs",
            crate::jobs::claim_statement(db, "worker", 4, chrono::Utc::now(), chrono::Utc::now()),
        ),
    ]
}

/// Every line of the plan of `read`, in the backend's words.
async fn plan(db: &DatabaseConnection, read: Statement) -> Vec<String> {
    let backend = db.get_database_backend();
    let prefix = match backend {
        DbBackend::Postgres => "EXPLAIN ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let explain = Statement {
        sql: format!("{prefix}{}", read.sql),
        ..read
    };
    let txn = db.begin().await.unwrap();
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let rows = txn.query_all_raw(explain).await.unwrap();
    let column = match backend {
        DbBackend::Postgres => "QUERY PLAN",
        _ => "detail",
    };
    let lines = rows
        .iter()
        .map(|row| row.try_get::<String>("", column).unwrap())
        .collect();
    txn.rollback().await.unwrap();
    lines
}

/// A line that reads a whole table rather than a range of an index.
fn scans_a_table(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '-', '>']).trim_start();
    line.contains("Seq Scan on")
        // SQLite: `SCAN t` is a full pass (of the table or of a whole index), `SEARCH t USING
        // ...` a range of an index. Passing over the rows a subquery produced (`SCAN ranked`,
        // `SCAN (subquery-3)`) is not.
        || (line.starts_with("SCAN ")
            && !line.starts_with("SCAN ranked")
            && !line.starts_with("SCAN (subquery"))
}

async fn assert_hot_reads_use_indexes(db: &Database) {
    let mut failures = Vec::new();
    for (name, read) in hot_reads(db.db.inner()) {
        let lines = plan(db.db.inner(), read).await;
        if lines.iter().any(|line| scans_a_table(line)) {
            failures.push(format!("{name}:\n  {}", lines.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "table scans:\n{}", failures.join("\n"));
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn the_hot_reads_use_indexes() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.migrate().await.unwrap();
        assert_hot_reads_use_indexes(&db).await;
    }
}

/// Named `postgres::` so that `make test-embedded` leaves it out; needs `TEST_DATABASE_URL`,
/// like every PostgreSQL test of this crate, and fails without it.
mod postgres {
    use super::*;

    #[tokio::test]
    async fn the_hot_reads_use_indexes() {
        #[allow(
            clippy::disallowed_methods,
            reason = "tests take their database from the environment"
        )]
        let server = std::env::var("TEST_DATABASE_URL")
            .expect("TEST_DATABASE_URL is not set: the PostgreSQL tests need it");
        let name = format!("tandem_plans_{:016x}", rand::random::<u64>());
        let url = create_postgres_database(&server, &name).await.unwrap();
        let outcome = tokio::spawn(async move {
            let db = Database::connect(&url).await.unwrap();
            db.migrate().await.unwrap();
            assert_hot_reads_use_indexes(&db).await;
            db.close().await.unwrap();
        })
        .await;
        drop_postgres_database(&server, &name).await.unwrap();
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure.into_panic());
        }
    }
}
