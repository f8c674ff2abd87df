//! The one place where sea-orm errors become port errors.

use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};
use tandem_app::ports::{PortError, UniqueField};

/// Which unique rule a violation names. PostgreSQL names the index (`uq_users_email`), SQLite
/// the column (`users.email`); the migrations keep both spellings stable.
const UNIQUE_RULES: &[(&str, &str, UniqueField)] = &[
    ("uq_users_email", "users.email", UniqueField::Email),
    ("uq_users_username", "users.username", UniqueField::Username),
    (
        "uq_organizations_domain",
        "organizations.domain",
        UniqueField::OrganizationDomain,
    ),
    (
        "uq_channels_org_name",
        "channels.organization_id, channels.name",
        UniqueField::ChannelName,
    ),
    (
        "uq_message_reports_pending",
        "message_reports.message_id, message_reports.reported_by",
        UniqueField::OpenReport,
    ),
];

/// Maps any database error to the port's kinds: unique violations on the user-facing unique
/// values become `Conflict`, lost connections `Unavailable`, a missing row on update `NotFound`,
/// and everything else (other constraints included: they mean a bug) `Unexpected`.
pub(crate) fn port_error(err: DbErr) -> PortError {
    if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err()
        && let Some(field) = unique_field(&message)
    {
        return PortError::Conflict(field);
    }
    match &err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => unavailable(err),
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))
            if is_connection_failure(inner) =>
        {
            unavailable(err)
        }
        DbErr::RecordNotUpdated | DbErr::RecordNotFound(_) => PortError::NotFound,
        _ => PortError::unexpected(err),
    }
}

/// Whether a write referenced a row that does not exist (e.g. a user in an unknown
/// organization). Callers decide whether that is `NotFound` or a bug.
pub(crate) fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

/// A write that names a row which is gone (a foreign key points nowhere) is `NotFound`.
pub(crate) fn missing_row_is_not_found(err: DbErr) -> PortError {
    if is_foreign_key_violation(&err) {
        PortError::NotFound
    } else {
        port_error(err)
    }
}

pub(crate) fn unavailable(err: impl Into<tandem_app::ports::BoxError>) -> PortError {
    PortError::Unavailable {
        what: "database",
        source: err.into(),
    }
}

fn unique_field(message: &str) -> Option<UniqueField> {
    UNIQUE_RULES
        .iter()
        .find(|(index, column, _)| message.contains(index) || message.contains(column))
        .map(|(_, _, field)| *field)
}

/// Whether `err` says the database cannot be reached at all (what opens the node's circuit):
/// a lost or refused connection, a pool that could not get one, a server shutting down. Not a
/// busy SQLite file or a server at its connection limit: those clear by themselves within a
/// request's wait, and the next request should try.
pub(crate) fn is_connection_failure_err(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            match inner.as_ref() {
                sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
                other => is_connection_failure(other),
            }
        }
        _ => false,
    }
}

fn is_connection_failure(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| is_unavailable_code(&code)),
        _ => false,
    }
}

/// PostgreSQL: class 08 (connection exception), 53300 (too many connections), 57P01–57P03
/// (shutting down, cannot connect now). SQLite: 5 and its extended codes (database busy even
/// after the busy timeout), which clears once the writer ahead of us is done.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08")
        || matches!(code, "53300" | "57P01" | "57P02" | "57P03")
        || matches!(code, "5" | "261" | "517" | "773")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_are_told_apart_by_index_or_column_name() {
        let cases = [
            (
                r#"duplicate key value violates unique constraint "uq_users_email""#,
                Some(UniqueField::Email),
            ),
            (
                "UNIQUE constraint failed: users.email",
                Some(UniqueField::Email),
            ),
            (
                r#"duplicate key value violates unique constraint "uq_users_username""#,
                Some(UniqueField::Username),
            ),
            (
                "UNIQUE constraint failed: users.username",
                Some(UniqueField::Username),
            ),
            (
                r#"duplicate key value violates unique constraint "uq_organizations_domain""#,
                Some(UniqueField::OrganizationDomain),
            ),
            (
                "UNIQUE constraint failed: organizations.domain",
                Some(UniqueField::OrganizationDomain),
            ),
            (
                r#"duplicate key value violates unique constraint "uq_channels_org_name""#,
                Some(UniqueField::ChannelName),
            ),
            (
                "UNIQUE constraint failed: channels.organization_id, channels.name",
                Some(UniqueField::ChannelName),
            ),
            (
                r#"duplicate key value violates unique constraint "uq_message_reports_pending""#,
                Some(UniqueField::OpenReport),
            ),
            (
                "UNIQUE constraint failed: message_reports.message_id, message_reports.reported_by",
                Some(UniqueField::OpenReport),
            ),
            ("UNIQUE constraint failed: refresh_tokens.token_hash", None),
            (
                "UNIQUE constraint failed: messages.channel_id, messages.seq",
                None,
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(unique_field(message), expected, "{message}");
        }
    }
}
