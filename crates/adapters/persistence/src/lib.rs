//! Tandem's persistence adapter: the repository ports over sea-orm, on SQLite or PostgreSQL.
//!
//! [`Database`] owns the connection pool and hands out the ports as trait objects; sea-orm
//! types never leave this crate.

mod access_tokens;
mod channel_log;
mod channels;
mod entities;
mod error;
mod files;
mod guarded;
mod identity;
mod jobs;
mod mapping;
mod messages;
mod notifications;
mod organizations;
pub mod provisioning;
#[cfg(test)]
mod query_plans;
mod readiness;
mod revocations;
mod search;
mod sessions;
mod sql;
mod sso;
mod transaction;
mod users;
mod webhooks;

use error::{port_error, unavailable};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{
    ChannelRepository, MessageRepository, OrganizationRepository, PortError, ReadinessProbe,
    SessionRepository, UserRepository,
};
use tandem_migrations::{Migrator, MigratorTrait};

/// How long a request waits for a pooled connection (and SQLite for a lock) before the
/// database counts as unavailable.
const WAIT: Duration = Duration::from_secs(5);

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// How Tandem connects to `url`: timeouts, and on SQLite the file's journal and locking.
fn connect_options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(WAIT)
        .acquire_timeout(WAIT)
        // sqlx logs every statement at INFO; sea-orm already traces them at DEBUG.
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .create_if_missing(true)
                // WAL lets readers go on while one connection writes.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(WAIT)
        });
    if is_in_memory(url) {
        // Every connection would open its own empty in-memory database.
        options.max_connections(1);
    } else if url.starts_with("sqlite:") {
        // sea-orm defaults SQLite to a single connection; WAL readers want a few.
        options.max_connections(8);
    }
    options
}

/// A connection pool to Tandem's database.
#[derive(Clone)]
pub struct Database {
    db: guarded::Guarded,
    /// Where the pool connects, for [`Database::migrate`]'s own connection. May hold a password.
    url: Arc<str>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: show only the backend.
        f.debug_struct("Database")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects to `sqlite://path?mode=rwc`, `sqlite:path` (the file is created when missing)
    /// or `postgres://...`.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached or opened.
    pub async fn connect(url: &str) -> Result<Self, PortError> {
        let db = sea_orm::Database::connect(connect_options(url))
            .await
            .map_err(unavailable)?;
        Ok(Self {
            db: guarded::Guarded::new(db),
            url: url.into(),
        })
    }

    /// Applies the migrations that have not run yet; a no-op on an up-to-date schema.
    ///
    /// The migrations run on a connection of their own, closed afterwards: a SQLite connection
    /// that altered a table can go on answering `UPDATE ... RETURNING` without the added
    /// columns, so the pool must never reuse it. (An in-memory database lives only in the
    /// pool's one connection, so there the pool migrates itself.)
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached, `Unexpected` when a migration fails.
    pub async fn migrate(&self) -> Result<(), PortError> {
        if is_in_memory(&self.url) {
            return Migrator::up(self.db.inner(), None)
                .await
                .map_err(port_error);
        }
        let mut options = connect_options(&self.url);
        options.max_connections(1).min_connections(0);
        let connection = sea_orm::Database::connect(options)
            .await
            .map_err(unavailable)?;
        let migrated = Migrator::up(&connection, None).await.map_err(port_error);
        connection.close().await.map_err(PortError::unexpected)?;
        migrated
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite => "sqlite",
            DatabaseBackend::Postgres => "postgres",
            // Only the SQLite and PostgreSQL drivers are compiled in, so nothing else connects.
            _ => "unsupported",
        }
    }

    pub fn users(&self) -> Arc<dyn UserRepository> {
        Arc::new(users::SeaUserRepository {
            db: self.db.clone(),
        })
    }

    pub fn organizations(&self) -> Arc<dyn OrganizationRepository> {
        Arc::new(organizations::SeaOrganizationRepository {
            db: self.db.clone(),
        })
    }

    /// Revoked access tokens, which every node mirrors in memory.
    pub fn revocations(&self) -> Arc<dyn tandem_app::ports::RevocationStore> {
        Arc::new(revocations::SeaRevocationStore {
            db: self.db.clone(),
        })
    }

    /// Account links, invitations, domain claims and the sessions people see.
    pub fn identity(&self) -> Arc<dyn tandem_app::ports::IdentityRepository> {
        Arc::new(identity::SeaIdentityRepository {
            db: self.db.clone(),
        })
    }

    pub fn access_tokens(&self) -> Arc<dyn tandem_app::ports::AccessTokenRepository> {
        Arc::new(access_tokens::SeaAccessTokenRepository {
            db: self.db.clone(),
        })
    }

    pub fn webhooks(&self) -> Arc<dyn tandem_app::ports::IncomingWebhookRepository> {
        Arc::new(webhooks::SeaWebhookRepository {
            db: self.db.clone(),
        })
    }

    pub fn outgoing_webhooks(&self) -> Arc<dyn tandem_app::ports::OutgoingWebhookRepository> {
        Arc::new(webhooks::SeaOutgoingRepository {
            db: self.db.clone(),
        })
    }

    pub fn slash_commands(&self) -> Arc<dyn tandem_app::ports::SlashCommandRepository> {
        Arc::new(webhooks::SeaSlashCommandRepository {
            db: self.db.clone(),
        })
    }

    pub fn sso(&self) -> Arc<dyn tandem_app::ports::SsoRepository> {
        Arc::new(sso::SeaSsoRepository {
            db: self.db.clone(),
        })
    }

    pub fn sessions(&self) -> Arc<dyn SessionRepository> {
        Arc::new(sessions::SeaSessionRepository {
            db: self.db.clone(),
        })
    }

    /// Full-text search over messages (FTS5 trigrams on SQLite, `tsvector` and pg_trgm on
    /// PostgreSQL).
    pub fn search(&self) -> Arc<dyn tandem_app::ports::MessageSearch> {
        Arc::new(search::SeaMessageSearch {
            db: self.db.clone(),
        })
    }

    /// Channels, membership and read markers; every change is logged with the channel's seqs.
    pub fn channels(&self) -> Arc<dyn ChannelRepository> {
        Arc::new(channels::SeaChannelRepository {
            db: self.db.clone(),
        })
    }

    /// Records of shared files: uploads, attachments, image results.
    pub fn files(&self) -> Arc<dyn tandem_app::ports::FileRepository> {
        Arc::new(files::SeaFileRepository {
            db: self.db.clone(),
        })
    }

    /// Messages, reactions, pins, reports and the channel event log.
    pub fn messages(&self) -> Arc<dyn MessageRepository> {
        Arc::new(messages::SeaMessageRepository {
            db: self.db.clone(),
        })
    }

    /// The durable job queue; every job it stores gets `max_attempts` runs.
    pub fn jobs(&self, max_attempts: u32) -> Arc<dyn tandem_app::ports::JobQueue> {
        Arc::new(jobs::SeaJobQueue {
            db: self.db.clone(),
            max_attempts,
        })
    }

    /// The notification centre and everyone's notification preferences.
    pub fn notifications(&self) -> Arc<dyn tandem_app::ports::NotificationRepository> {
        Arc::new(notifications::SeaNotificationRepository {
            db: self.db.clone(),
        })
    }

    /// Every email, and what became of it.
    pub fn outbox(&self) -> Arc<dyn tandem_app::ports::MailOutbox> {
        Arc::new(notifications::SeaMailOutbox {
            db: self.db.clone(),
        })
    }

    /// The node's circuit for the database: open while it cannot be reached, when every call
    /// fails at once instead of waiting for the pool's timeout.
    pub fn circuit(&self) -> Arc<tandem_app::resilience::Circuit> {
        self.db.circuit()
    }

    /// Checks the database answers `SELECT 1`; named `database`.
    pub fn readiness_probe(&self) -> Arc<dyn ReadinessProbe> {
        Arc::new(readiness::DatabaseProbe {
            db: self.db.clone(),
        })
    }

    /// Closes every pooled connection (e.g. before dropping a test database).
    ///
    /// # Errors
    /// `Unexpected` when a connection fails to close cleanly.
    pub async fn close(self) -> Result<(), PortError> {
        self.db
            .inner()
            .clone()
            .close()
            .await
            .map_err(PortError::unexpected)
    }
}
