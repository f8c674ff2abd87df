//! How many sockets and event streams one person may hold open on a node: each costs memory
//! and a share of every broadcast, so one account opening thousands would cost everyone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tandem_domain::UserId;

/// The close reason and error message of a connection refused for this.
pub(crate) const TOO_MANY: &str =
    "too many open connections for this account; close some (other tabs or devices) first";

/// This node's count of open connections per person. Cloning shares it.
#[derive(Debug, Clone)]
pub struct ConnectionsPerUser {
    max: usize,
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl ConnectionsPerUser {
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            open: Arc::default(),
        }
    }

    /// A place for one more connection of `user`, held until dropped; `None` at the limit.
    pub(crate) fn open(&self, user: UserId) -> Option<Held> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Held {
            user,
            open: Arc::clone(&self.open),
        })
    }
}

impl Default for ConnectionsPerUser {
    fn default() -> Self {
        Self::new(50)
    }
}

/// One open connection, counted until dropped.
#[derive(Debug)]
pub(crate) struct Held {
    user: UserId,
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_holds_at_most_the_limit_and_a_closed_one_frees_its_place() {
        let limits = ConnectionsPerUser::new(2);
        let (ana, bob) = (UserId::new(1), UserId::new(2));
        let first = limits.open(ana).unwrap();
        let _second = limits.open(ana).unwrap();
        assert!(limits.open(ana).is_none());
        assert!(limits.open(bob).is_some(), "per person");
        drop(first);
        assert!(limits.open(ana).is_some());
    }
}
