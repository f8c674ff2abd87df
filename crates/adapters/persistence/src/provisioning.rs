//! Creating and dropping whole PostgreSQL databases, so each test run gets an empty one.

use crate::error::{port_error, unavailable};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection};
use tandem_app::ports::PortError;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadRequest(String);

/// Creates the database `name` on the server `server_url` points at and returns the URL of
/// the new database (the same server, user and options).
///
/// # Errors
/// `Unexpected` for a name outside `[a-z0-9_]` (1–63 characters, not starting with a digit)
/// or when the server refuses; `Unavailable` when it cannot be reached.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String, PortError> {
    let url = database_url(server_url, name)?;
    run_on_server(server_url, &format!(r#"CREATE DATABASE "{name}""#)).await?;
    Ok(url)
}

/// Drops the database `name`, closing other sessions still connected to it.
///
/// # Errors
/// As [`create_postgres_database`]; dropping a database that does not exist is not an error.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), PortError> {
    check_name(name)?;
    run_on_server(
        server_url,
        &format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#),
    )
    .await
}

async fn run_on_server(server_url: &str, sql: &str) -> Result<(), PortError> {
    if !(server_url.starts_with("postgres://") || server_url.starts_with("postgresql://")) {
        return Err(PortError::unexpected(BadRequest(format!(
            "not a PostgreSQL URL: {server_url}"
        ))));
    }
    let mut options = ConnectOptions::new(server_url);
    options.max_connections(1).sqlx_logging(false);
    let server: DatabaseConnection = sea_orm::Database::connect(options)
        .await
        .map_err(unavailable)?;
    let outcome = server
        .execute_unprepared(sql)
        .await
        .map(drop)
        .map_err(port_error);
    // Closing is best effort: the statement's outcome is what the caller asked about.
    let _closed = server.close().await;
    outcome
}

/// Identifiers cannot be bound as parameters, so the name is spliced into SQL: allow only
/// characters that need no quoting.
fn check_name(name: &str) -> Result<(), PortError> {
    let valid = (1..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(PortError::unexpected(BadRequest(format!(
            "bad database name: {name:?}"
        ))))
    }
}

/// `server_url` with its path replaced by `/name`, keeping any `?options`.
fn database_url(server_url: &str, name: &str) -> Result<String, PortError> {
    check_name(name)?;
    let (base, options) = match server_url.split_once('?') {
        Some((base, options)) => (base, format!("?{options}")),
        None => (server_url, String::new()),
    };
    let authority_start = base
        .find("://")
        .map(|at| at + 3)
        .ok_or_else(|| PortError::unexpected(BadRequest(format!("not a URL: {server_url}"))))?;
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |at| authority_start + at);
    Ok(format!("{}/{name}{options}", &base[..path_start]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_database_url_keeps_server_user_and_options() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/t1",
            ),
            ("postgres://u:p@db:5432", "postgres://u:p@db:5432/t1"),
            (
                "postgresql://u@db/postgres?sslmode=disable",
                "postgresql://u@db/t1?sslmode=disable",
            ),
        ];
        for (server, expected) in cases {
            assert_eq!(database_url(server, "t1").unwrap(), expected);
        }
    }

    #[test]
    fn names_that_would_need_quoting_are_refused() {
        for name in [
            "",
            "Tandem",
            "a-b",
            r#"x"; DROP DATABASE postgres; --"#,
            "1abc",
            &"a".repeat(64),
        ] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        assert!(check_name("tandem_test_0f3a").is_ok());
    }
}
