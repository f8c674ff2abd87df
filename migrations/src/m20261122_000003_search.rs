//! Full-text search over `messages.content`, one index design per backend.
//!
//! - SQLite: an FTS5 table with the `trigram` tokenizer, external content over `messages`
//!   (`rowid` = `messages.id`, so the text is stored once), kept in step by triggers. Trigrams
//!   match any substring of three characters or more: partial words and scripts written without
//!   spaces (Chinese, Japanese) work without a language-aware tokenizer.
//! - PostgreSQL: a generated `tsvector` column with the `simple` configuration (no stemming, so
//!   every language tokenizes the same way) and a GIN index for whole-word matches and ranking,
//!   plus a `pg_trgm` GIN index on `content` so `ILIKE '%part%'` finds partial words and CJK.
//!
//! Soft-deleted messages have their content emptied, which empties their index entries too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(\
         content, content = 'messages', content_rowid = 'id', \
         tokenize = 'trigram case_sensitive 0')",
    // An external-content table must be told the old text to forget it, so every change of
    // `content` deletes the old row from the index and inserts the new one.
    "CREATE TRIGGER IF NOT EXISTS messages_fts_after_insert AFTER INSERT ON messages BEGIN \
         INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content); \
     END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_after_delete AFTER DELETE ON messages BEGIN \
         INSERT INTO messages_fts (messages_fts, rowid, content) \
             VALUES ('delete', old.id, old.content); \
     END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_after_update AFTER UPDATE OF content ON messages \
     BEGIN \
         INSERT INTO messages_fts (messages_fts, rowid, content) \
             VALUES ('delete', old.id, old.content); \
         INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content); \
     END",
    // Indexes whatever the table already holds (nothing on a fresh database).
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS messages_fts_after_update",
    "DROP TRIGGER IF EXISTS messages_fts_after_delete",
    "DROP TRIGGER IF EXISTS messages_fts_after_insert",
    "DROP TABLE IF EXISTS messages_fts",
];

const POSTGRES_UP: &[&str] = &[
    // A trusted extension since PostgreSQL 13: the database owner may create it, no superuser
    // needed. Where it is refused, a superuser runs this statement once and the migration
    // goes through.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    // `'simple'::regconfig` makes `to_tsvector` immutable, as a generated column requires.
    "ALTER TABLE messages ADD COLUMN IF NOT EXISTS search_vector tsvector \
         GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED",
    "CREATE INDEX IF NOT EXISTS idx_messages_search_vector ON messages USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS idx_messages_content_trgm ON messages \
         USING gin (content gin_trgm_ops)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_messages_content_trgm",
    "DROP INDEX IF EXISTS idx_messages_search_vector",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search_vector",
    // pg_trgm stays: other schemas in the database may use it.
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE_UP,
            DatabaseBackend::Postgres => POSTGRES_UP,
            other => return Err(unsupported(other)),
        };
        let db = manager.get_connection();
        for (i, sql) in statements.iter().enumerate() {
            if let Err(err) = db.execute_unprepared(sql).await {
                if i == 0 && manager.get_database_backend() == DatabaseBackend::Postgres {
                    return Err(DbErr::Migration(format!(
                        "message search needs the pg_trgm extension and this role may not \
                         create it ({err}); have a superuser run `CREATE EXTENSION pg_trgm;` \
                         in this database, then migrate again"
                    )));
                }
                return Err(err);
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE_DOWN,
            DatabaseBackend::Postgres => POSTGRES_DOWN,
            other => return Err(unsupported(other)),
        };
        let db = manager.get_connection();
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    /// A failure half way must not leave triggers without their table (or the reverse).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn unsupported(backend: DatabaseBackend) -> DbErr {
    DbErr::Migration(format!(
        "message search supports SQLite and PostgreSQL, not {backend:?}"
    ))
}
