//! The search statement of each backend. User text reaches the database only as bound
//! values; the SQL text is assembled from the fixed fragments below.
//!
//! Both backends match the same rows: messages containing every term as a substring, case
//! aside. Of those the viewer may read, the newest [`CANDIDATES`] are ranked and paged, so a
//! term found in half the messages costs as much as one found in a few thousand: chat search
//! wants recent messages, and a narrower query (a channel, an author, a date) reaches further
//! back. The backends differ in how they rank (see [`sqlite`] and [`postgres`]).

use super::terms::{self, Terms, WORD_SEPARATORS};
use sea_orm::{DbBackend, Statement, Value};
use std::fmt::Write;
use tandem_app::ports::SearchQuery;

/// How many of the newest matching messages are ranked; results beyond are not reachable.
pub(super) const CANDIDATES: i64 = 5_000;

/// Each term found as a whole word adds this much to the score: more than the spread of bm25
/// or `ts_rank` within one result list, so whole-word hits come first.
const WHOLE_WORD: f64 = 100.0;

/// SQLite: every term found as a whole word first, then FTS5's bm25 (more occurrences, shorter
/// messages and rarer terms score higher). Terms of three characters or more are looked up in
/// the trigram index, which hands its matches over newest first; shorter ones (`go`, `会議`)
/// are checked with `LIKE` on those rows, or, when no term is long enough, on the readable
/// messages from the newest back. Without the index there is no bm25: occurrences count
/// instead. (`LIKE` folds the case of ASCII letters only, the index that of every script.)
///
/// `CROSS JOIN` fixes the join order: messages before their channels. Left to itself, the
/// planner starts from the organization's channels and reads each one's messages through an
/// index, which is random access over the whole table.
pub(super) fn sqlite(query: &SearchQuery, terms: &Terms) -> Statement {
    let mut s = Builder::new(DbBackend::Sqlite);
    let long: Vec<&str> = terms.long().collect();
    let indexed = !long.is_empty();
    let padded = sqlite_word_separated("content");

    s.push("SELECT id, (base");
    for term in terms.iter() {
        s.push(" + CASE WHEN ")
            .push(&padded)
            .push(" LIKE ")
            .bind(terms::word_pattern(term))
            .push(" ESCAPE '\\' THEN ")
            .push(&WHOLE_WORD.to_string())
            .push(" ELSE 0.0 END");
    }
    if !indexed {
        // SQLite's lower() folds ASCII only, as its LIKE does: count the same way.
        for term in terms.iter() {
            let length = i64::try_from(term.chars().count()).unwrap_or(i64::MAX);
            s.push(" + (length(content) - length(replace(lower(content), ")
                .bind(term.to_ascii_lowercase())
                .push(", ''))) * 1.0 / ")
                .bind(length);
        }
    }
    s.push(") AS score FROM (SELECT m.id AS id, m.seq AS seq, m.content AS content, ");
    if indexed {
        // bm25() is lower for better matches; it exists only inside the MATCH query.
        s.push("-bm25(messages_fts) AS base FROM messages_fts")
            .push(" CROSS JOIN messages m ON m.id = messages_fts.rowid");
    } else {
        s.push("0.0 AS base FROM messages m");
    }
    s.push(" CROSS JOIN channels c ON c.id = m.channel_id WHERE ");
    if indexed {
        s.push("messages_fts MATCH ")
            .bind(terms::fts5_query(long.into_iter()))
            .push(" AND ");
    }
    for term in terms.short() {
        s.push("m.content LIKE ")
            .bind(terms::contains_pattern(term))
            .push(" ESCAPE '\\' AND ");
    }
    filters(&mut s, query);
    s.push(if indexed {
        " ORDER BY messages_fts.rowid DESC"
    } else {
        " ORDER BY m.id DESC"
    })
    .push(" LIMIT ")
    .bind(CANDIDATES)
    .push(")");
    page(&mut s, query);
    s.build()
}

/// PostgreSQL: every term found as a whole word first (a regular expression with word
/// boundaries), then `ts_rank` over the stored `tsvector` (more occurrences score higher) when
/// every term is an ASCII word. Rows are found by the trigram index (`ILIKE` per term, `LIKE`
/// for terms without case, which is several times cheaper) or, for ASCII words, also by the
/// `tsvector` index; a word match always contains the word, so both ways find the same rows.
/// The scores are computed on the candidates only: they cost more than finding them.
pub(super) fn postgres(query: &SearchQuery, terms: &Terms) -> Statement {
    let mut s = Builder::new(DbBackend::Postgres);
    let text = terms.joined();
    let words = terms.all_words();

    s.push("SELECT id, (0.0");
    for term in terms.iter() {
        s.push(" + CASE WHEN content ~* ")
            .bind(terms::word_regex(term))
            .push(" THEN ")
            .push(&WHOLE_WORD.to_string())
            .push(" ELSE 0.0 END");
    }
    if words {
        s.push(" + ts_rank(search_vector, plainto_tsquery('simple', ")
            .bind(text.clone())
            .push("))");
    }
    s.push(")::float8 AS score FROM (SELECT m.id, m.seq, m.content, m.search_vector")
        .push(" FROM messages m JOIN channels c ON c.id = m.channel_id WHERE (");
    if words {
        s.push("m.search_vector @@ plainto_tsquery('simple', ")
            .bind(text)
            .push(") OR ");
    }
    s.push("(TRUE");
    for term in terms.iter() {
        s.push(if terms::has_case(term) {
            " AND m.content ILIKE "
        } else {
            " AND m.content LIKE "
        })
        .bind(terms::contains_pattern(term))
        .push(" ESCAPE '\\'");
    }
    s.push(")) AND ");
    filters(&mut s, query);
    s.push(" ORDER BY m.id DESC LIMIT ")
        .bind(CANDIDATES)
        .push(") AS candidates");
    page(&mut s, query);
    s.build()
}

/// Who may read what, and the caller's filters.
fn filters(s: &mut Builder, query: &SearchQuery) {
    s.push("c.organization_id = ")
        .bind(query.organization_id.get())
        .push(
            " AND (c.kind = 'public' OR EXISTS (SELECT 1 FROM channel_members cm \
             WHERE cm.channel_id = m.channel_id AND cm.user_id = ",
        )
        .bind(query.viewer.get())
        .push(")) AND NOT m.is_deleted");
    if let Some(channel_id) = query.channel_id {
        s.push(" AND m.channel_id = ").bind(channel_id.get());
    }
    if let Some(author_id) = query.author_id {
        s.push(" AND m.user_id = ").bind(author_id.get());
    }
    if let Some(before) = query.before {
        s.push(" AND m.created_at < ").bind(before);
    }
    if let Some(after) = query.after {
        s.push(" AND m.created_at > ").bind(after);
    }
    if query.has_file {
        s.push(" AND m.message_type IN ('file', 'image')");
    }
}

/// Best first; equal scores newest first.
fn page(s: &mut Builder, query: &SearchQuery) {
    s.push(" ORDER BY score DESC, seq DESC, id DESC LIMIT ")
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
}

/// `' ' || column || ' '` with every [`WORD_SEPARATORS`] character replaced by a space, so
/// `LIKE '% term %'` finds whole words.
fn sqlite_word_separated(column: &str) -> String {
    let mut expression = column.to_owned();
    for c in WORD_SEPARATORS {
        let literal = match c {
            '\n' => "char(10)".to_owned(),
            '\r' => "char(13)".to_owned(),
            '\t' => "char(9)".to_owned(),
            '\'' => "''''".to_owned(),
            other => format!("'{other}'"),
        };
        expression = format!("replace({expression}, {literal}, ' ')");
    }
    format!("(' ' || {expression} || ' ')")
}

/// SQL text and its values, with the backend's placeholders (`?` or `$n`).
struct Builder {
    backend: DbBackend,
    sql: String,
    values: Vec<Value>,
}

impl Builder {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            sql: String::with_capacity(1024),
            values: Vec::new(),
        }
    }

    /// Appends fixed SQL: never anything the user typed.
    fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                // Writing to a String cannot fail.
                let _ = write!(self.sql, "${}", self.values.len());
            }
            _ => self.sql.push('?'),
        }
        self
    }

    fn build(&mut self) -> Statement {
        Statement::from_sql_and_values(
            self.backend,
            std::mem::take(&mut self.sql),
            std::mem::take(&mut self.values),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::{OrganizationId, UserId};

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            organization_id: OrganizationId::new(1),
            viewer: UserId::new(2),
            text: text.to_owned(),
            channel_id: None,
            author_id: None,
            before: None,
            after: None,
            has_file: false,
            offset: 0,
            limit: 20,
        }
    }

    /// Whatever the text, it appears only among the values.
    #[test]
    fn the_text_is_bound_never_spliced() {
        let hostile = "'; DROP TABLE messages; -- \" OR 1=1";
        let terms = Terms::parse(hostile);
        for statement in [
            sqlite(&query(hostile), &terms),
            postgres(&query(hostile), &terms),
        ] {
            assert!(!statement.sql.contains("DROP"), "{}", statement.sql);
            assert!(!statement.sql.contains("1=1"), "{}", statement.sql);
        }
    }

    #[test]
    fn placeholders_follow_the_backend() {
        let terms = Terms::parse("deploy go");
        let sqlite = sqlite(&query("deploy go"), &terms);
        assert!(
            sqlite.sql.contains("messages_fts MATCH ?"),
            "{}",
            sqlite.sql
        );
        assert!(!sqlite.sql.contains('$'), "{}", sqlite.sql);
        let values = sqlite.values.map_or(0, |v| v.0.len());
        // A `'?'` literal is a word separator, not a placeholder.
        let placeholders = sqlite.sql.matches('?').count() - sqlite.sql.matches("'?'").count();
        assert_eq!(values, placeholders, "{}", sqlite.sql);

        let postgres = postgres(&query("deploy go"), &terms);
        let values = postgres.values.map_or(0, |v| v.0.len());
        assert!(
            postgres.sql.contains(&format!("${values}")),
            "{}",
            postgres.sql
        );
        assert!(!postgres.sql.contains('?'), "{}", postgres.sql);
    }

    #[test]
    fn short_terms_alone_scan_without_the_index() {
        let sqlite = sqlite(&query("会議"), &Terms::parse("会議"));
        assert!(!sqlite.sql.contains("messages_fts"), "{}", sqlite.sql);
        assert!(sqlite.sql.contains("m.content LIKE ?"), "{}", sqlite.sql);
    }
}
