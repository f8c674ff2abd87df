//! Fresh, migrated databases for tests: a temporary SQLite file, or a new PostgreSQL database
//! on the server named by `TEST_DATABASE_URL` (required for the PostgreSQL variants).

#![allow(
    dead_code,
    reason = "each test binary that includes this module uses a different part"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failure is a failed test"
)]

use std::future::Future;
use std::path::PathBuf;
use tandem_persistence::Database;
use tandem_persistence::provisioning::{create_postgres_database, drop_postgres_database};
use tandem_testkit::contract::repositories::Repositories;

pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated database that is removed again when the test is over, pass or fail.
pub struct TestDatabase {
    pub db: Database,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { server: String, name: String },
}

/// The PostgreSQL server to test against, if any.
pub fn postgres_server() -> Option<String> {
    #[allow(
        clippy::disallowed_methods,
        reason = "tests take their database from the environment, like the black-box suite"
    )]
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

impl TestDatabase {
    /// A fresh, migrated database; panics when the backend is not configured.
    pub async fn new(backend: Backend) -> Self {
        let tag = format!("{:016x}", rand::random::<u64>());
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("tandem-test-{tag}.db"));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Cleanup::File(path),
                )
            }
            Backend::Postgres => {
                // A missing URL fails the test: a PostgreSQL variant must never pass by not running.
                let server = postgres_server().expect(
                    "TEST_DATABASE_URL is not set: the PostgreSQL variants need it (`make test` sets it; \
                     `make test-embedded` leaves them out)",
                );
                let name = format!("tandem_test_{tag}");
                let url = create_postgres_database(&server, &name).await.unwrap();
                (url, Cleanup::Postgres { server, name })
            }
        };
        let db = Database::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        Self { db, url, cleanup }
    }

    pub fn repositories(&self) -> Repositories {
        Repositories {
            users: self.db.users(),
            organizations: self.db.organizations(),
            sessions: self.db.sessions(),
        }
    }

    /// Runs `test` on its own task so that a failing assertion still lets us remove the
    /// database before the panic is passed on.
    pub async fn run<F, Fut>(self, test: F)
    where
        F: FnOnce(Database, Repositories) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(test(self.db.clone(), self.repositories())).await;
        self.remove().await;
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure.into_panic());
        }
    }

    pub async fn remove(self) {
        self.db.close().await.unwrap();
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    // Missing side files are fine: SQLite removes them on a clean close.
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { server, name } => {
                drop_postgres_database(&server, &name).await.unwrap()
            }
        }
    }
}

/// Runs `test` against a fresh database of `backend`.
pub async fn with_database<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Database, Repositories) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    TestDatabase::new(backend).await.run(test).await;
}
