//! The token denylist every node checks, made to survive restarts: the database keeps each
//! revocation ([`RevocationStore`]), each node holds a copy in memory, read from the database
//! at start and then every [`SYNC_EVERY`], and Redis (in a cluster) spreads a revocation to
//! every node at once.
//!
//! A token is refused when the node's copy or Redis says it is revoked. So a Redis restart
//! (which forgets everything: the shipped deployment keeps nothing on disk) or a node restart
//! forgets nothing, and while Redis is away a revocation made on another node reaches this one
//! within a `SYNC_EVERY` through the database.

use crate::ports::{PortError, Revocation, RevocationStore, TokenDenylist};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tandem_domain::UserId;

/// How often a node reads the revocations other nodes recorded.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);
/// How far back each read looks again: a row committed late with an earlier time is not
/// missed (reading one twice does no harm).
const OVERLAP: Duration = Duration::from_secs(30);
/// How often a node deletes the revocations of tokens expired since.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

pub struct DurableDenylist {
    store: Arc<dyn RevocationStore>,
    /// This node's copy of every revocation still in force.
    mirror: Arc<dyn TokenDenylist>,
    /// Redis in a cluster: every node's revocations as soon as they are made.
    shared: Option<Arc<dyn TokenDenylist>>,
    /// When the last read from the database started.
    synced: Mutex<DateTime<Utc>>,
}

impl DurableDenylist {
    /// Reads every revocation still in force into `mirror`.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn load(
        store: Arc<dyn RevocationStore>,
        mirror: Arc<dyn TokenDenylist>,
        shared: Option<Arc<dyn TokenDenylist>>,
    ) -> Result<Arc<Self>, PortError> {
        let denylist = Arc::new(Self {
            store,
            mirror,
            shared,
            synced: Mutex::new(DateTime::<Utc>::UNIX_EPOCH),
        });
        denylist.sync().await?;
        Ok(denylist)
    }

    /// Copies into the node's mirror what was recorded since the last read (and a little
    /// before).
    ///
    /// # Errors
    /// When the database cannot be read; the next sync reads from the same point.
    pub async fn sync(&self) -> Result<usize, PortError> {
        let now = Utc::now();
        let since = *self.synced.lock().unwrap_or_else(PoisonError::into_inner);
        let overlap = chrono::Duration::from_std(OVERLAP).unwrap_or_default();
        let recorded = self
            .store
            .recorded_since(since.checked_sub_signed(overlap).unwrap_or(since), now)
            .await?;
        for revocation in &recorded {
            apply(self.mirror.as_ref(), revocation).await?;
        }
        *self.synced.lock().unwrap_or_else(PoisonError::into_inner) = now;
        Ok(recorded.len())
    }

    /// Keeps the mirror in step with the database, and the table pruned, until the runtime
    /// stops.
    pub fn keep_in_sync(self: &Arc<Self>) {
        let denylist = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut since_prune = Duration::ZERO;
            loop {
                tokio::time::sleep(SYNC_EVERY).await;
                let Some(denylist) = denylist.upgrade() else {
                    return;
                };
                if let Err(error) = denylist.sync().await {
                    tracing::debug!(%error, "revocations not read this time");
                }
                since_prune += SYNC_EVERY;
                if since_prune >= PRUNE_EVERY {
                    since_prune = Duration::ZERO;
                    if let Err(error) = denylist.store.prune(Utc::now()).await {
                        tracing::debug!(%error, "expired revocations not pruned this time");
                    }
                }
            }
        });
    }

    /// Records in the database first (a revocation that is not kept is refused), then in the
    /// node's mirror, then in Redis for the other nodes (when Redis is away, they read it from
    /// the database instead).
    async fn revoked(&self, revocation: Revocation) -> Result<(), PortError> {
        self.store.record(&revocation, Utc::now()).await?;
        apply(self.mirror.as_ref(), &revocation).await?;
        if let Some(shared) = &self.shared {
            match apply(shared.as_ref(), &revocation).await {
                Err(PortError::Unavailable { .. }) => {
                    tracing::warn!("revocation kept in the database; Redis did not take it");
                }
                other => other?,
            }
        }
        Ok(())
    }
}

async fn apply(denylist: &dyn TokenDenylist, revocation: &Revocation) -> Result<(), PortError> {
    match revocation {
        Revocation::Token {
            token_id,
            expires_at,
        } => denylist.revoke(token_id, *expires_at).await,
        Revocation::User {
            user_id,
            cutoff,
            keep_until,
        } => {
            denylist
                .revoke_user_tokens(*user_id, *cutoff, *keep_until)
                .await
        }
    }
}

#[async_trait]
impl TokenDenylist for DurableDenylist {
    async fn revoke(&self, token_id: &str, expires_at: DateTime<Utc>) -> Result<(), PortError> {
        self.revoked(Revocation::Token {
            token_id: token_id.to_owned(),
            expires_at,
        })
        .await
    }

    async fn revoke_user_tokens(
        &self,
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.revoked(Revocation::User {
            user_id,
            cutoff,
            keep_until,
        })
        .await
    }

    /// The mirror first (no network); then Redis for what another node revoked within the
    /// last `SYNC_EVERY`. Without Redis, the mirror alone answers.
    async fn is_revoked(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        if self.mirror.is_revoked(token_id, user_id, issued_at).await? {
            return Ok(true);
        }
        let Some(shared) = &self.shared else {
            return Ok(false);
        };
        match shared.is_revoked(token_id, user_id, issued_at).await {
            Err(PortError::Unavailable { .. }) => Ok(false),
            other => other,
        }
    }
}
