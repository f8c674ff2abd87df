//! [`InMemoryTokenDenylist`]: revoked access tokens and per-user cutoffs in a map.

use crate::SweepSchedule;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tandem_app::ports::{PortError, TokenDenylist};
use tandem_domain::UserId;

/// Revocations held in this process. The lock is never held across an `.await`.
#[derive(Debug, Default)]
pub struct InMemoryTokenDenylist {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Token id → when the token expires (and the entry with it).
    tokens: HashMap<String, DateTime<Utc>>,
    users: HashMap<UserId, Cutoff>,
    tokens_sweep: SweepSchedule,
    users_sweep: SweepSchedule,
}

impl Default for State {
    fn default() -> Self {
        Self {
            tokens: HashMap::new(),
            users: HashMap::new(),
            tokens_sweep: SweepSchedule::new(),
            users_sweep: SweepSchedule::new(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Cutoff {
    cutoff: DateTime<Utc>,
    keep_until: DateTime<Utc>,
}

impl InMemoryTokenDenylist {
    pub fn new() -> Self {
        Self::default()
    }

    /// A panic elsewhere cannot leave these maps half-written (every update is one insert), so
    /// a poisoned lock is still safe to use.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl TokenDenylist for InMemoryTokenDenylist {
    async fn revoke(&self, token_id: &str, expires_at: DateTime<Utc>) -> Result<(), PortError> {
        let now = Utc::now();
        if expires_at <= now {
            return Ok(());
        }
        let mut state = self.state();
        let entry = state
            .tokens
            .entry(token_id.to_owned())
            .or_insert(expires_at);
        *entry = (*entry).max(expires_at);
        if state.tokens_sweep.is_due(state.tokens.len()) {
            state.tokens.retain(|_, expires_at| *expires_at > now);
            let len = state.tokens.len();
            state.tokens_sweep.swept(len);
        }
        Ok(())
    }

    async fn revoke_user_tokens(
        &self,
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let now = Utc::now();
        if keep_until <= now {
            return Ok(());
        }
        let mut state = self.state();
        let entry = state
            .users
            .entry(user_id)
            .or_insert(Cutoff { cutoff, keep_until });
        // Cutoffs may arrive out of order; the latest cutoff and the longest life both stand.
        *entry = Cutoff {
            cutoff: entry.cutoff.max(cutoff),
            keep_until: entry.keep_until.max(keep_until),
        };
        if state.users_sweep.is_due(state.users.len()) {
            state.users.retain(|_, entry| entry.keep_until > now);
            let len = state.users.len();
            state.users_sweep.swept(len);
        }
        Ok(())
    }

    async fn is_revoked(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let now = Utc::now();
        let state = self.state();
        let token_revoked = state
            .tokens
            .get(token_id)
            .is_some_and(|expires_at| *expires_at > now);
        let user_revoked = state
            .users
            .get(&user_id)
            .is_some_and(|entry| entry.keep_until > now && issued_at <= entry.cutoff);
        Ok(token_revoked || user_revoked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[tokio::test]
    async fn expired_entries_are_swept_once_the_map_doubles() {
        let denylist = InMemoryTokenDenylist::new();
        let now = Utc::now();
        {
            let mut state = denylist.state();
            for i in 1..SweepSchedule::MIN {
                state
                    .tokens
                    .insert(format!("old-{i}"), now - TimeDelta::seconds(1));
            }
        }
        denylist
            .revoke("live", now + TimeDelta::minutes(1))
            .await
            .unwrap();

        assert_eq!(denylist.state().tokens.len(), 1);
    }
}
