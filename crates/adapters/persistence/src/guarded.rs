//! The connection every repository uses: the pool, behind the node's circuit for the database.
//!
//! Without it, while the database is down each request waits for the pool's acquire timeout
//! (5 s) before its clean 503. With it, the first failure to reach the database opens the
//! circuit: from then on every call fails at once as unavailable, a background probe tries
//! `SELECT 1` every [`PROBE_EVERY`], and the first answer closes the circuit again.

use crate::error::{is_connection_failure_err, unavailable};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, Statement, TransactionError, TransactionOptions,
    TransactionTrait,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tandem_app::resilience::{Circuit, Probe};

/// How often a node that lost its database tries it again.
pub(crate) const PROBE_EVERY: Duration = Duration::from_millis(250);

/// A pooled connection behind a circuit. Clones share both.
#[derive(Clone)]
pub(crate) struct Guarded {
    db: DatabaseConnection,
    circuit: Arc<Circuit>,
}

impl Guarded {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            circuit: Circuit::new("database", PROBE_EVERY),
        }
    }

    pub(crate) fn circuit(&self) -> Arc<Circuit> {
        Arc::clone(&self.circuit)
    }

    pub(crate) fn inner(&self) -> &DatabaseConnection {
        &self.db
    }

    /// `Err` at once while the circuit is open.
    fn admit(&self) -> Result<(), DbErr> {
        if self.circuit.is_open() {
            let refused = self.circuit.refuse();
            return Err(DbErr::Conn(sea_orm::RuntimeErr::Internal(
                refused.to_string(),
            )));
        }
        Ok(())
    }

    /// Opens the circuit when `result` failed to reach the database.
    fn observe<T>(&self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let Err(error) = &result
            && is_connection_failure_err(error)
        {
            let db = self.db.clone();
            let probe: Probe = Arc::new(move || {
                let db = db.clone();
                Box::pin(async move { crate::readiness::answers(&db).await })
            });
            self.circuit.failed(&unavailable(error.to_string()), &probe);
        }
        result
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Guarded {
    fn get_database_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.admit()?;
        self.observe(self.db.execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.admit()?;
        self.observe(self.db.execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.admit()?;
        self.observe(self.db.query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.admit()?;
        self.observe(self.db.query_all_raw(stmt).await)
    }

    fn support_returning(&self) -> bool {
        self.db.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.db.is_mock_connection()
    }
}

#[async_trait::async_trait]
impl TransactionTrait for Guarded {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.admit()?;
        self.observe(self.db.begin().await)
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.admit()?;
        self.observe(
            self.db
                .begin_with_config(isolation_level, access_mode)
                .await,
        )
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.admit()?;
        self.observe(self.db.begin_with_options(options).await)
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.admit().map_err(TransactionError::Connection)?;
        self.db.transaction(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.admit().map_err(TransactionError::Connection)?;
        self.db
            .transaction_with_config(callback, isolation_level, access_mode)
            .await
    }
}
