//! An event bus and a presence store in this process, for use-case tests: the bus keeps every
//! payload published, so a test reads what was announced; presence forgets nothing by time.

use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tandem_app::ports::{Delivery, EventBus, PortError, PresenceStore, Subscription, Topic};
use tandem_app::realtime::Envelope;
use tandem_domain::{OrganizationId, UserId};
use tokio::sync::mpsc;

/// Delivers to current subscribers, and remembers every payload.
#[derive(Default)]
pub struct FakeBus(Mutex<BusState>);

#[derive(Default)]
struct BusState {
    published: Vec<(Topic, Arc<[u8]>)>,
    subscribers: HashMap<Topic, Vec<mpsc::UnboundedSender<Delivery>>>,
}

impl FakeBus {
    fn lock(&self) -> MutexGuard<'_, BusState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells the current subscribers of `topic` that they missed payloads, as a bus does when
    /// a subscriber falls behind or the broker reconnects.
    pub fn lag(&self, topic: &Topic) {
        if let Some(senders) = self.lock().subscribers.get_mut(topic) {
            senders.retain(|s| s.send(Delivery::Lagged { missed: None }).is_ok());
        }
    }

    /// The text of every envelope published on `topic`, in order.
    pub fn published(&self, topic: &Topic) -> Vec<String> {
        self.lock()
            .published
            .iter()
            .filter(|(t, _)| t == topic)
            .filter_map(|(_, bytes)| Envelope::open(bytes.clone()))
            .map(|envelope| envelope.text().to_owned())
            .collect()
    }
}

#[async_trait]
impl EventBus for FakeBus {
    async fn publish(&self, topic: &Topic, payload: Arc<[u8]>) -> Result<(), PortError> {
        let mut state = self.lock();
        state.published.push((*topic, payload.clone()));
        if let Some(senders) = state.subscribers.get_mut(topic) {
            senders.retain(|s| s.send(Delivery::Payload(payload.clone())).is_ok());
        }
        Ok(())
    }

    async fn subscribe(&self, topic: &Topic) -> Result<Subscription, PortError> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock()
            .subscribers
            .entry(*topic)
            .or_default()
            .push(sender);
        Ok(Subscription::new(futures_util::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|d| (d, receiver)) },
        )))
    }
}

/// Live connections by user, without expiry.
#[derive(Default)]
pub struct FakePresence(Mutex<BTreeMap<UserId, (OrganizationId, BTreeSet<String>)>>);

impl FakePresence {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<UserId, (OrganizationId, BTreeSet<String>)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl PresenceStore for FakePresence {
    async fn connect(
        &self,
        user_id: UserId,
        organization_id: OrganizationId,
        connection_id: &str,
        _ttl: Duration,
    ) -> Result<bool, PortError> {
        let mut users = self.lock();
        let (_, connections) = users
            .entry(user_id)
            .or_insert_with(|| (organization_id, BTreeSet::new()));
        let first = connections.is_empty();
        connections.insert(connection_id.to_owned());
        Ok(first)
    }

    async fn heartbeat(
        &self,
        user_id: UserId,
        connection_id: &str,
        _ttl: Duration,
    ) -> Result<bool, PortError> {
        Ok(self
            .lock()
            .get(&user_id)
            .is_some_and(|(_, c)| c.contains(connection_id)))
    }

    async fn disconnect(&self, user_id: UserId, connection_id: &str) -> Result<bool, PortError> {
        let mut users = self.lock();
        let Some((_, connections)) = users.get_mut(&user_id) else {
            return Ok(false);
        };
        let removed = connections.remove(connection_id);
        Ok(removed && connections.is_empty())
    }

    async fn is_online(&self, user_id: UserId) -> Result<bool, PortError> {
        Ok(self
            .lock()
            .get(&user_id)
            .is_some_and(|(_, c)| !c.is_empty()))
    }

    async fn online_users(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<UserId>, PortError> {
        Ok(self
            .lock()
            .iter()
            .filter(|(_, (org, c))| *org == organization_id && !c.is_empty())
            .map(|(id, _)| *id)
            .collect())
    }
}
