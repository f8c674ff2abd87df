//! [`InMemoryPresenceStore`]: live connections per user in a map, with expiry.

use crate::SweepSchedule;
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tandem_app::ports::{PortError, PresenceStore};
use tandem_domain::{OrganizationId, UserId};
use tokio::time::Instant;

/// Presence in this process. Uses tokio's clock, so tests that pause time drive expiry too.
/// Expired connections are dropped whenever their user is looked at, and all of them once the
/// map has doubled. The lock is never held across an `.await`.
#[derive(Debug)]
pub struct InMemoryPresenceStore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Only users with at least one connection that has not been pruned.
    users: HashMap<UserId, Connections>,
    /// The keys of `users`, by organization.
    organizations: HashMap<OrganizationId, HashSet<UserId>>,
    sweep: SweepSchedule,
}

#[derive(Debug)]
struct Connections {
    organization_id: OrganizationId,
    /// Connection id → when it expires.
    expiry: HashMap<String, Instant>,
}

impl Default for InMemoryPresenceStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryPresenceStore {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                users: HashMap::new(),
                organizations: HashMap::new(),
                sweep: SweepSchedule::new(),
            }),
        }
    }

    /// Each operation leaves both maps consistent before it can panic, so a poisoned lock is
    /// still safe to use.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Drops `user_id`'s expired connections, and the user with the last of them. Returns
    /// their live connections, if any.
    fn live(&mut self, user_id: UserId, now: Instant) -> Option<&mut Connections> {
        let connections = self.users.get_mut(&user_id)?;
        connections.expiry.retain(|_, expires_at| *expires_at > now);
        if connections.expiry.is_empty() {
            self.remove_user(user_id);
            return None;
        }
        self.users.get_mut(&user_id)
    }

    fn remove_user(&mut self, user_id: UserId) {
        let Some(connections) = self.users.remove(&user_id) else {
            return;
        };
        self.leave(connections.organization_id, user_id);
    }

    /// Takes `user_id` out of `organization_id`'s index.
    fn leave(&mut self, organization_id: OrganizationId, user_id: UserId) {
        if let Some(members) = self.organizations.get_mut(&organization_id) {
            members.remove(&user_id);
            if members.is_empty() {
                self.organizations.remove(&organization_id);
            }
        }
    }

    fn sweep_if_due(&mut self, now: Instant) {
        if !self.sweep.is_due(self.users.len()) {
            return;
        }
        let users: Vec<UserId> = self.users.keys().copied().collect();
        for user_id in users {
            self.live(user_id, now);
        }
        let len = self.users.len();
        self.sweep.swept(len);
    }
}

fn expiry(now: Instant, ttl: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    now.checked_add(ttl.min(CENTURY))
        .unwrap_or_else(|| now + Duration::from_secs(24 * 3600))
}

#[async_trait]
impl PresenceStore for InMemoryPresenceStore {
    async fn connect(
        &self,
        user_id: UserId,
        organization_id: OrganizationId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError> {
        let now = Instant::now();
        let mut state = self.state();
        let came_online = state.live(user_id, now).is_none();
        // A user belongs to one organization; if that changed, the newest connection says
        // where they are now.
        if let Some(connections) = state.users.get(&user_id)
            && connections.organization_id != organization_id
        {
            let previous = connections.organization_id;
            state.leave(previous, user_id);
        }
        let connections = state.users.entry(user_id).or_insert_with(|| Connections {
            organization_id,
            expiry: HashMap::new(),
        });
        connections.organization_id = organization_id;
        connections
            .expiry
            .insert(connection_id.to_owned(), expiry(now, ttl));
        state
            .organizations
            .entry(organization_id)
            .or_default()
            .insert(user_id);
        state.sweep_if_due(now);
        Ok(came_online)
    }

    async fn heartbeat(
        &self,
        user_id: UserId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError> {
        let now = Instant::now();
        let mut state = self.state();
        let expires_at = state
            .live(user_id, now)
            .and_then(|c| c.expiry.get_mut(connection_id));
        Ok(expires_at.map(|e| *e = expiry(now, ttl)).is_some())
    }

    async fn disconnect(&self, user_id: UserId, connection_id: &str) -> Result<bool, PortError> {
        let now = Instant::now();
        let mut state = self.state();
        let Some(connections) = state.live(user_id, now) else {
            return Ok(false);
        };
        let removed = connections.expiry.remove(connection_id).is_some();
        let went_offline = removed && connections.expiry.is_empty();
        if went_offline {
            state.remove_user(user_id);
        }
        Ok(went_offline)
    }

    async fn is_online(&self, user_id: UserId) -> Result<bool, PortError> {
        Ok(self.state().live(user_id, Instant::now()).is_some())
    }

    async fn online_users(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<UserId>, PortError> {
        let now = Instant::now();
        let mut state = self.state();
        let members: Vec<UserId> = state
            .organizations
            .get(&organization_id)
            .map(|m| m.iter().copied().collect())
            .unwrap_or_default();
        let mut online: Vec<UserId> = members
            .into_iter()
            .filter(|user_id| state.live(*user_id, now).is_some())
            .collect();
        online.sort_unstable();
        Ok(online)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn connections_expire_by_tokios_clock() {
        let presence = InMemoryPresenceStore::new();
        let (user, org) = (UserId::new(1), OrganizationId::new(1));
        let ttl = Duration::from_secs(30);
        presence.connect(user, org, "a", ttl).await.unwrap();
        tokio::time::advance(Duration::from_secs(20)).await;
        assert!(presence.heartbeat(user, "a", ttl).await.unwrap());
        tokio::time::advance(Duration::from_secs(20)).await;
        assert!(presence.is_online(user).await.unwrap());
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(!presence.is_online(user).await.unwrap());
        assert!(presence.state().users.is_empty());
        assert!(presence.state().organizations.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn users_whose_connections_expired_are_swept_once_the_map_doubles() {
        let presence = InMemoryPresenceStore::new();
        let org = OrganizationId::new(1);
        for i in 1..i64::try_from(SweepSchedule::MIN).unwrap() {
            presence
                .connect(UserId::new(i), org, "c", Duration::from_secs(1))
                .await
                .unwrap();
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        presence
            .connect(UserId::new(0), org, "c", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(presence.state().users.len(), 1);
        assert_eq!(presence.state().organizations[&org].len(), 1);
    }

    #[tokio::test]
    async fn a_user_who_changed_organization_is_listed_only_in_the_new_one() {
        let presence = InMemoryPresenceStore::new();
        let (user, old, new) = (
            UserId::new(1),
            OrganizationId::new(1),
            OrganizationId::new(2),
        );
        let ttl = Duration::from_secs(60);
        presence.connect(user, old, "a", ttl).await.unwrap();
        presence.connect(user, new, "b", ttl).await.unwrap();
        assert!(presence.online_users(old).await.unwrap().is_empty());
        assert_eq!(presence.online_users(new).await.unwrap(), [user]);
    }
}
