//! Message search: the `MessageSearch` contract suite, and the adapter's own promises (the
//! index follows every write, whoever makes it, and covers rows older than the index), on
//! SQLite always and on PostgreSQL at `TEST_DATABASE_URL`, which these tests require.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod support;

use chrono::{SubsecRound, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use std::future::Future;
use support::{Backend, TestDatabase, with_database};
use tandem_app::ports::{NewChannel, NewOrganization, NewUser, SearchQuery};
use tandem_domain::{
    ChannelId, ChannelKind, ChannelName, Email, EmailDomain, OrganizationId, OrganizationName,
    Role, SubscriptionPlan, UserId, Username,
};
use tandem_migrations::{Migrator, MigratorTrait};
use tandem_persistence::Database;
use tandem_testkit::contract::search::{self as contract, SearchPorts};

fn ports(db: &Database) -> SearchPorts {
    SearchPorts {
        users: db.users(),
        channels: db.channels(),
        messages: db.messages(),
        search: db.search(),
    }
}

macro_rules! contract_cases {
    ($backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                with_database(Backend::$backend, |db, _| async move {
                    contract::$case(&ports(&db)).await;
                })
                .await;
            }
        )*

        /// Runs everything twice over one database: the suite must not depend on an empty store.
        #[tokio::test]
        async fn the_whole_suite_passes_twice_against_one_database() {
            with_database(Backend::$backend, |db, _| async move {
                for _ in 0..2 {
                    contract::run_all(&ports(&db)).await;
                }
            })
            .await;
        }
    };
}

macro_rules! search_suite {
    ($($case:ident),* $(,)?) => {
        mod search {
            use super::*;

            mod sqlite {
                use super::*;
                contract_cases!(Sqlite: $($case),*);

                #[tokio::test]
                async fn messages_stored_before_the_index_existed_are_found() {
                    rows_older_than_the_index_are_found(Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn the_index_follows_writes_made_outside_the_repositories() {
                    with_raw_access(Backend::Sqlite, raw_writes_are_followed).await;
                }

                #[tokio::test]
                async fn only_the_newest_matches_are_ranked() {
                    with_raw_access(Backend::Sqlite, newest_matches_are_ranked).await;
                }

                /// FTS5 compares its index with the `messages` rows it was built from.
                #[tokio::test]
                async fn the_trigram_index_agrees_with_the_messages_after_every_kind_of_write() {
                    with_raw_access(Backend::Sqlite, |db, conn| async move {
                        raw_writes_are_followed(db.clone(), conn.clone()).await;
                        contract::run_all(&ports(&db)).await;
                        exec(
                            &conn,
                            "INSERT INTO messages_fts (messages_fts, rank) \
                             VALUES ('integrity-check', 1)",
                            vec![],
                        )
                        .await;
                    })
                    .await;
                }
            }

            mod postgres {
                use super::*;
                contract_cases!(Postgres: $($case),*);

                #[tokio::test]
                async fn messages_stored_before_the_index_existed_are_found() {
                    rows_older_than_the_index_are_found(Backend::Postgres).await;
                }

                #[tokio::test]
                async fn the_index_follows_writes_made_outside_the_repositories() {
                    with_raw_access(Backend::Postgres, raw_writes_are_followed).await;
                }

                #[tokio::test]
                async fn only_the_newest_matches_are_ranked() {
                    with_raw_access(Backend::Postgres, newest_matches_are_ranked).await;
                }

                #[tokio::test]
                async fn the_word_and_trigram_indexes_exist() {
                    with_raw_access(Backend::Postgres, |_, conn| async move {
                        let rows = conn
                            .query_all_raw(Statement::from_string(
                                DbBackend::Postgres,
                                "SELECT indexname FROM pg_indexes WHERE tablename = 'messages' \
                                 AND indexname IN ('idx_messages_search_vector', \
                                 'idx_messages_content_trgm') ORDER BY indexname",
                            ))
                            .await
                            .unwrap();
                        let names: Vec<String> =
                            rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
                        assert_eq!(
                            names,
                            ["idx_messages_content_trgm", "idx_messages_search_vector"]
                        );
                    })
                    .await;
                }
            }
        }
    };
}

tandem_testkit::search_cases!(search_suite);

/// An organization, its admin and a public channel, through the repositories.
struct Place {
    organization_id: OrganizationId,
    user_id: UserId,
    channel_id: ChannelId,
}

async fn place(db: &Database) -> Place {
    let tag = format!("{:016x}", rand::random::<u64>());
    let now = Utc::now().trunc_subsecs(3);
    let (org, admin) = db
        .users()
        .create_with_organization(
            NewOrganization {
                name: OrganizationName::parse("Raw").unwrap(),
                domain: Some(EmailDomain::of(
                    &Email::parse(&format!("it@raw-{tag}.io")).unwrap(),
                )),
                subscription_plan: SubscriptionPlan::Free,
                self_signup: false,
                created_at: now,
            },
            NewUser {
                email: Email::parse(&format!("raw-{tag}@raw.io")).unwrap(),
                username: Username::parse(&format!("raw-{tag}")).unwrap(),
                display_name: None,
                password_hash: "hash".to_owned(),
                role: Role::Admin,
                created_at: now,
                email_verified: true,
                bot_owner_id: None,
            },
        )
        .await
        .unwrap();
    let channel = db
        .channels()
        .create(NewChannel {
            organization_id: org.id,
            name: ChannelName::parse(&format!("raw-{tag}")).unwrap(),
            description: None,
            kind: ChannelKind::Public,
            created_by: admin.id,
            created_at: now,
            members: vec![admin.id],
            admins: Vec::new(),
            read_only: false,
        })
        .await
        .unwrap();
    Place {
        organization_id: org.id,
        user_id: admin.id,
        channel_id: channel.id,
    }
}

async fn found(db: &Database, place: &Place, text: &str) -> Vec<i64> {
    let query = SearchQuery {
        organization_id: place.organization_id,
        viewer: place.user_id,
        text: text.to_owned(),
        channel_id: None,
        author_id: None,
        before: None,
        after: None,
        has_file: false,
        offset: 0,
        limit: 50,
    };
    let mut ids: Vec<i64> = db
        .search()
        .search(&query)
        .await
        .unwrap()
        .iter()
        .map(|hit| hit.message.id.get())
        .collect();
    ids.sort_unstable();
    ids
}

async fn connect(url: &str) -> DatabaseConnection {
    sea_orm::Database::connect(url).await.unwrap()
}

/// Runs `sql`, written with `?` placeholders, on either backend.
async fn exec(conn: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    conn.execute_raw(statement(conn, sql, values))
        .await
        .unwrap();
}

fn statement(conn: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Statement {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::new();
            for (i, part) in sql.split('?').enumerate() {
                if i > 0 {
                    numbered.push_str(&format!("${i}"));
                }
                numbered.push_str(part);
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Inserts a message row directly, as an import or a manual fix would, and returns its id.
async fn insert_raw(conn: &DatabaseConnection, place: &Place, seq: i64, content: &str) -> i64 {
    let row = conn
        .query_one_raw(statement(
            conn,
            "INSERT INTO messages (channel_id, user_id, content, message_type, created_at, \
             is_deleted, seq, reply_count) VALUES (?, ?, ?, 'text', ?, ?, ?, 0) RETURNING id",
            vec![
                place.channel_id.get().into(),
                place.user_id.get().into(),
                content.into(),
                Utc::now().trunc_subsecs(3).into(),
                false.into(),
                seq.into(),
            ],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

/// Plain SQL inserts, edits, soft and hard deletes: the index (SQLite's triggers, PostgreSQL's
/// generated column) keeps up with each.
async fn raw_writes_are_followed(db: Database, conn: DatabaseConnection) {
    let db = &db;
    let place = place(db).await;
    let first = insert_raw(&conn, &place, 1_000, "imported harbour notes").await;
    let second = insert_raw(&conn, &place, 1_001, "imported lighthouse notes").await;
    assert_eq!(found(db, &place, "imported").await, [first, second]);

    exec(
        &conn,
        "UPDATE messages SET content = ? WHERE id = ?",
        vec!["rewritten harbour notes".into(), first.into()],
    )
    .await;
    assert_eq!(found(db, &place, "imported").await, [second]);
    assert_eq!(found(db, &place, "rewritten").await, [first]);

    exec(
        &conn,
        "UPDATE messages SET content = '', is_deleted = ? WHERE id = ?",
        vec![true.into(), first.into()],
    )
    .await;
    assert!(found(db, &place, "harbour").await.is_empty());

    exec(
        &conn,
        "DELETE FROM messages WHERE id = ?",
        vec![second.into()],
    )
    .await;
    assert!(found(db, &place, "lighthouse").await.is_empty());
    assert!(found(db, &place, "notes").await.is_empty());
}

/// How many of the newest matches a search ranks (the adapter's `CANDIDATES`).
const CANDIDATES: usize = 5_000;

/// A whole-word match older than [`CANDIDATES`] partial ones is out of reach: the work per
/// search is bounded however common the term. A channel filter brings it back.
async fn newest_matches_are_ranked(db: Database, conn: DatabaseConnection) {
    let place = place(&db).await;
    let exact = insert_raw(&conn, &place, 1, "zebra").await;
    let other = place_channel(&db, &place).await;
    let partials: Vec<String> = (0..CANDIDATES).map(|i| format!("zebras {i}")).collect();
    for (i, chunk) in partials.chunks(500).enumerate() {
        let first_seq = 2 + (i * 500) as i64;
        insert_many(&conn, &place, other, first_seq, chunk).await;
    }

    let everywhere = search(&db, &place, "zebra", None).await;
    assert_eq!(everywhere.len(), 20);
    assert!(
        !everywhere.contains(&exact),
        "beyond the newest {CANDIDATES}"
    );
    let in_channel = search(&db, &place, "zebra", Some(place.channel_id)).await;
    assert_eq!(in_channel, [exact]);
}

async fn search(db: &Database, place: &Place, text: &str, channel: Option<ChannelId>) -> Vec<i64> {
    let query = SearchQuery {
        organization_id: place.organization_id,
        viewer: place.user_id,
        text: text.to_owned(),
        channel_id: channel,
        author_id: None,
        before: None,
        after: None,
        has_file: false,
        offset: 0,
        limit: 20,
    };
    let hits = db.search().search(&query).await.unwrap();
    hits.iter().map(|hit| hit.message.id.get()).collect()
}

/// Another public channel in the place's organization.
async fn place_channel(db: &Database, place: &Place) -> ChannelId {
    db.channels()
        .create(NewChannel {
            organization_id: place.organization_id,
            name: ChannelName::parse(&format!("more-{:016x}", rand::random::<u64>())).unwrap(),
            description: None,
            kind: ChannelKind::Public,
            created_by: place.user_id,
            created_at: Utc::now().trunc_subsecs(3),
            members: vec![place.user_id],
            admins: Vec::new(),
            read_only: false,
        })
        .await
        .unwrap()
        .id
}

/// One multi-row INSERT of `contents` into `channel`, seqs counting up from `first_seq`.
async fn insert_many(
    conn: &DatabaseConnection,
    place: &Place,
    channel: ChannelId,
    first_seq: i64,
    contents: &[String],
) {
    let mut sql = String::from(
        "INSERT INTO messages (channel_id, user_id, content, message_type, created_at, \
         is_deleted, seq, reply_count) VALUES ",
    );
    let mut values: Vec<Value> = Vec::new();
    let now = Utc::now().trunc_subsecs(3);
    for (i, content) in contents.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?, ?, ?, 'text', ?, ?, ?, 0)");
        values.extend([
            channel.get().into(),
            place.user_id.get().into(),
            content.as_str().into(),
            now.into(),
            false.into(),
            (first_seq + i as i64).into(),
        ]);
    }
    exec(conn, &sql, values).await;
}

/// Rolls the search migration back (with every migration since), stores a message, migrates
/// again: the new index covers the message it never saw written.
async fn rows_older_than_the_index_are_found(backend: Backend) {
    with_raw_access(backend, |db, conn| async move {
        let place = place(&db).await;
        let migrations = Migrator::migrations();
        let search = migrations
            .iter()
            .position(|m| m.name() == "m20261122_000003_search")
            .unwrap();
        let since = u32::try_from(migrations.len() - search).unwrap();
        Migrator::down(&conn, Some(since)).await.unwrap();
        // No search index now: the message is written as before search existed.
        let tables = if conn.get_database_backend() == DbBackend::Sqlite {
            "SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts'"
        } else {
            "SELECT count(*) FROM information_schema.columns \
             WHERE table_name = 'messages' AND column_name = 'search_vector'"
        };
        let row = conn
            .query_one_raw(statement(&conn, tables, Vec::new()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get_by_index::<i64>(0).unwrap(),
            0,
            "the search index is gone"
        );
        let old = insert_raw(&conn, &place, 1, "archived quarterly numbers").await;
        db.migrate().await.unwrap();
        assert_eq!(found(&db, &place, "quarterly").await, [old]);
        assert_eq!(found(&db, &place, "arch").await, [old], "partial");
        let new = insert_raw(&conn, &place, 2, "fresh quarterly numbers").await;
        assert_eq!(found(&db, &place, "quarterly").await, [old, new]);
    })
    .await;
}

/// A fresh database, given to `test` both as the adapter and as a plain connection for SQL
/// the adapter would never run.
async fn with_raw_access<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Database, DatabaseConnection) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let database = TestDatabase::new(backend).await;
    let conn = connect(&database.url).await;
    database
        .run(|db, _| async move {
            test(db, conn.clone()).await;
            conn.close().await.unwrap();
        })
        .await;
}
