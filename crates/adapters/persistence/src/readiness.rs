//! The database's `/readyz` probe.

use crate::error::unavailable;
use crate::guarded::Guarded;
use async_trait::async_trait;
use sea_orm::ConnectionTrait;
use tandem_app::ports::{PortError, ReadinessProbe};

pub(crate) struct DatabaseProbe {
    pub(crate) db: Guarded,
}

#[async_trait]
impl ReadinessProbe for DatabaseProbe {
    fn name(&self) -> &'static str {
        "database"
    }

    async fn check(&self) -> Result<(), PortError> {
        answers(&self.db).await
    }
}

/// One round trip to the database. Any failure counts as "not answering", whatever its kind.
pub(crate) async fn answers(db: &impl ConnectionTrait) -> Result<(), PortError> {
    db.execute_unprepared("SELECT 1")
        .await
        .map(drop)
        .map_err(unavailable)
}
