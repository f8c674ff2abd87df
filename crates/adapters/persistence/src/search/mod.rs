//! Full-text search over the messages a user may read ([`MessageSearch`]): FTS5 with trigrams on
//! SQLite, `tsvector` plus pg_trgm on PostgreSQL (migration `m20261122_000003_search`).
//!
//! The database finds and ranks message ids; the messages are then read like every other
//! message read, and the snippet and highlights are computed here, the same for both backends.

mod snippet;
mod statement;
mod terms;

use crate::error::port_error;
use crate::guarded::Guarded;
use crate::messages::load::load_messages;
use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, TransactionTrait};
use std::collections::HashMap;
use tandem_app::ports::{MessageSearch, PortError, SearchHit, SearchQuery};
use terms::Terms;

pub(crate) struct SeaMessageSearch {
    pub(crate) db: Guarded,
}

#[derive(Debug, thiserror::Error)]
#[error("message search supports SQLite and PostgreSQL, not {0:?}")]
struct UnsupportedBackend(DbBackend);

impl SeaMessageSearch {
    /// Runs the search statement; on PostgreSQL in a transaction that forbids a generic plan.
    /// After a few runs of a prepared statement PostgreSQL may stop planning for the values
    /// given, and one plan cannot serve both a rare term (look it up in the index) and a
    /// common one (walk the newest messages until enough match): at 1,000,000 messages the
    /// generic plan took a rare word from about 10 ms to over a second.
    async fn ranked(&self, statement: Statement) -> Result<Vec<QueryResult>, PortError> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return self.db.query_all_raw(statement).await.map_err(port_error);
        }
        let transaction = self.db.begin().await.map_err(port_error)?;
        transaction
            .execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await
            .map_err(port_error)?;
        let rows = transaction
            .query_all_raw(statement)
            .await
            .map_err(port_error)?;
        transaction.commit().await.map_err(port_error)?;
        Ok(rows)
    }
}

#[async_trait]
impl MessageSearch for SeaMessageSearch {
    async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, PortError> {
        let terms = Terms::parse(&query.text);
        if terms.is_empty() || query.limit == 0 {
            return Ok(Vec::new());
        }
        let statement = match self.db.get_database_backend() {
            DbBackend::Sqlite => statement::sqlite(query, &terms),
            DbBackend::Postgres => statement::postgres(query, &terms),
            other => return Err(PortError::unexpected(UnsupportedBackend(other))),
        };
        let rows = self.ranked(statement).await?;
        let mut ranked: Vec<(i64, f64)> = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row.try_get_by_index::<i64>(0).map_err(port_error)?;
            let score = row.try_get_by_index::<f64>(1).map_err(port_error)?;
            ranked.push((id, score));
        }
        let ids: Vec<i64> = ranked.iter().map(|&(id, _)| id).collect();
        let scores: HashMap<i64, f64> = ranked.into_iter().collect();
        let folded = terms.folded();
        let messages = load_messages(&self.db, &ids, query.viewer.get()).await?;
        Ok(messages
            .into_iter()
            // Deleted between the two reads: it no longer matches anything.
            .filter(|message| !message.is_deleted)
            .map(|message| {
                let excerpt = snippet::excerpt(&message.content, &folded);
                SearchHit {
                    rank: scores.get(&message.id.get()).copied().unwrap_or_default(),
                    snippet: excerpt.snippet,
                    highlights: excerpt.highlights,
                    message,
                }
            })
            .collect())
    }
}
