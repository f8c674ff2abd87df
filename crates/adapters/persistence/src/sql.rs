//! Raw SQL for the few statements the query builder cannot say well (window functions,
//! correlated counts), written once for both backends.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// A statement for `db`'s backend from SQL written with `?` placeholders, which become `$1`,
/// `$2`, ... on PostgreSQL. The SQL must be portable and hold no `?` other than placeholders.
pub(crate) fn statement<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => numbered(sql),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?, ?, ?`: the placeholders of an `IN (...)` list of `count` values.
pub(crate) fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}

fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 1;
    for c in sql.chars() {
        if c == '?' {
            out.push('$');
            out.push_str(&next.to_string());
            next += 1;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            numbered(&format!("a IN ({}) AND b = ?", placeholders(3))),
            "a IN ($1, $2, $3) AND b = $4"
        );
    }
}
