//! The token denylist every node checks, made to survive restarts: the database keeps each
//! revocation ([`RevocationStore`]), each node holds a copy in memory, read from the database
//! at start and then every [`SYNC_EVERY`], and Redis (in a cluster) spreads a revocation to
//! every node at once.
//!
//! A token is refused when the node's copy or Redis says it is revoked. When Redis cannot say
//! for sure — it is away, or it restarted empty (the shipped deployment keeps nothing on disk;
//! a marker key tells) — the node reads the database's newest revocations at once (at most
//! every [`CATCH_UP_EVERY`]) and answers from its copy; a node that finds Redis empty fills it
//! again from the database. So neither a node restart nor a Redis restart forgets a logout,
//! not even one made a moment before on another node.

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
/// While Redis cannot answer for sure, how often at most a node reads the database at once
/// (the checks in between wait for that read and use it).
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(100);

pub struct DurableDenylist {
    store: Arc<dyn RevocationStore>,
    /// This node's copy of every revocation still in force.
    mirror: Arc<dyn TokenDenylist>,
    /// Redis in a cluster: every node's revocations as soon as they are made.
    shared: Option<Arc<dyn TokenDenylist>>,
    /// When the last read from the database started.
    synced: Mutex<DateTime<Utc>>,
    /// When the last read made because Redis could not answer for sure ended.
    caught_up: tokio::sync::Mutex<Option<tokio::time::Instant>>,
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
            caught_up: tokio::sync::Mutex::new(None),
        });
        denylist.sync().await?;
        if let Some(shared) = &denylist.shared {
            // A check of nobody's token: only whether Redis holds everything.
            let probe = shared.check("", UserId::new(0), Utc::now()).await;
            if matches!(probe, Ok(answer) if !answer.complete) {
                denylist.refill().await;
            }
        }
        Ok(denylist)
    }

    /// Reads the database now, unless a read ended within [`CATCH_UP_EVERY`]; when Redis lost
    /// its data, fills it again.
    async fn catch_up(&self, redis_emptied: bool) {
        let mut last = self.caught_up.lock().await;
        if last.is_some_and(|at| at.elapsed() < CATCH_UP_EVERY) {
            return;
        }
        if let Err(error) = self.sync().await {
            tracing::warn!(%error, "revocations could not be read from the database");
        }
        if redis_emptied {
            self.refill().await;
        }
        *last = Some(tokio::time::Instant::now());
    }

    /// Copies every revocation in force from the database into Redis, then marks it complete.
    async fn refill(&self) {
        let Some(shared) = &self.shared else {
            return;
        };
        let filled = async {
            let all = self
                .store
                .recorded_since(DateTime::<Utc>::UNIX_EPOCH, Utc::now())
                .await?;
            for revocation in &all {
                apply(shared.as_ref(), revocation).await?;
            }
            shared.mark_complete().await?;
            Ok::<_, PortError>(all.len())
        };
        match filled.await {
            Ok(count) => tracing::info!(count, "redis had lost the revocations; filled it again"),
            Err(error) => tracing::warn!(%error, "redis could not be filled with the revocations"),
        }
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
    /// last `SYNC_EVERY`; when Redis is away or lost its data, the database at once. Without
    /// Redis, the mirror alone answers.
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
        let redis_emptied = match shared.check(token_id, user_id, issued_at).await {
            Ok(answer) if answer.revoked => return Ok(true),
            Ok(answer) if answer.complete => return Ok(false),
            Ok(_) => true,
            Err(PortError::Unavailable { .. }) => false,
            Err(other) => return Err(other),
        };
        self.catch_up(redis_emptied).await;
        self.mirror.is_revoked(token_id, user_id, issued_at).await
    }
}
