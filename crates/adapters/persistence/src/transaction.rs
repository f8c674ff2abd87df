//! How multi-statement writes open their transaction.

use crate::error::port_error;
use crate::guarded::Guarded;
use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use tandem_app::ports::PortError;

/// Opens a transaction that is going to write. On SQLite it is `BEGIN IMMEDIATE`: a deferred
/// transaction that reads first and writes later fails with `SQLITE_BUSY` when another writer
/// committed in between (the busy timeout cannot help it), whereas an immediate one queues
/// for the write lock up front. PostgreSQL ignores the mode.
pub(crate) async fn begin_write(db: &Guarded) -> Result<DatabaseTransaction, PortError> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
    .map_err(port_error)
}
