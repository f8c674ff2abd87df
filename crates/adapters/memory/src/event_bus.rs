//! [`InMemoryEventBus`]: topics fanned out to this process's subscribers through tokio
//! broadcast channels.

use async_trait::async_trait;
use futures_util::Stream;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tandem_app::ports::{Delivery, EventBus, PortError, Subscription, Topic};
use tokio::sync::broadcast::{self, error::RecvError};

/// One broadcast channel per topic that has subscribers; a topic's channel is dropped with its
/// last subscriber, so the map holds only topics someone listens to. The lock is never held
/// across an `.await`.
#[derive(Debug, Clone)]
pub struct InMemoryEventBus {
    topics: Arc<Mutex<Topics>>,
    capacity: usize,
}

type Topics = HashMap<Topic, Fanout>;

#[derive(Debug)]
struct Fanout {
    sender: broadcast::Sender<Arc<[u8]>>,
    /// Live subscriptions. Counted here rather than read from the sender, so the count does not
    /// depend on the order in which a subscription drops its parts.
    subscribers: usize,
}

impl Default for InMemoryEventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryEventBus {
    /// Payloads each subscriber may fall behind by before it is skipped ahead
    /// ([`Delivery::Lagged`]).
    pub const DEFAULT_CAPACITY: usize = 1024;

    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A bus whose subscribers may each fall `capacity` payloads behind (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            topics: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// How many topics have subscribers in this process.
    pub fn topic_count(&self) -> usize {
        lock(&self.topics).len()
    }
}

/// Every update is one insert, removal or counter step, so a lock poisoned by a panic elsewhere
/// is still consistent.
fn lock(topics: &Mutex<Topics>) -> MutexGuard<'_, Topics> {
    topics.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl EventBus for InMemoryEventBus {
    async fn publish(&self, topic: &Topic, payload: Arc<[u8]>) -> Result<(), PortError> {
        let sender = lock(&self.topics).get(topic).map(|f| f.sender.clone());
        if let Some(sender) = sender {
            // Fails only when every receiver is gone, which is a subscriber leaving right now.
            let _ = sender.send(payload);
        }
        Ok(())
    }

    async fn subscribe(&self, topic: &Topic) -> Result<Subscription, PortError> {
        let receiver = {
            let mut topics = lock(&self.topics);
            let fanout = topics.entry(*topic).or_insert_with(|| Fanout {
                sender: broadcast::Sender::new(self.capacity),
                subscribers: 0,
            });
            fanout.subscribers += 1;
            fanout.sender.subscribe()
        };
        let membership = Membership {
            topics: Arc::clone(&self.topics),
            topic: *topic,
        };
        Ok(Subscription::new(deliveries(receiver, membership)))
    }
}

/// One subscription's place in the map; dropping it leaves the topic.
struct Membership {
    topics: Arc<Mutex<Topics>>,
    topic: Topic,
}

impl Drop for Membership {
    fn drop(&mut self) {
        let mut topics = lock(&self.topics);
        if let Some(fanout) = topics.get_mut(&self.topic) {
            fanout.subscribers = fanout.subscribers.saturating_sub(1);
            if fanout.subscribers == 0 {
                topics.remove(&self.topic);
            }
        }
    }
}

/// The receiver as a cancel-safe stream: `Receiver::recv` loses nothing when cancelled, and
/// `unfold` keeps a pending `recv` across polls.
fn deliveries(
    receiver: broadcast::Receiver<Arc<[u8]>>,
    membership: Membership,
) -> impl Stream<Item = Delivery> + Send + 'static {
    futures_util::stream::unfold(
        (receiver, membership),
        |(mut receiver, membership)| async move {
            let delivery = match receiver.recv().await {
                Ok(payload) => Delivery::Payload(payload),
                Err(RecvError::Lagged(missed)) => Delivery::Lagged {
                    missed: Some(missed),
                },
                Err(RecvError::Closed) => return None,
            };
            Some((delivery, (receiver, membership)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_topic_is_forgotten_with_its_last_subscriber() {
        let bus = InMemoryEventBus::new();
        let topic = Topic::Channel(tandem_domain::ChannelId::new(1));
        let first = bus.subscribe(&topic).await.unwrap();
        let second = bus.subscribe(&topic).await.unwrap();
        assert_eq!(bus.topic_count(), 1);

        drop(first);
        assert_eq!(bus.topic_count(), 1);
        drop(second);
        assert_eq!(bus.topic_count(), 0);
    }

    #[tokio::test]
    async fn a_capacity_of_zero_is_raised_to_one() {
        let bus = InMemoryEventBus::with_capacity(0);
        let topic = Topic::User(tandem_domain::UserId::new(1));
        let mut subscription = bus.subscribe(&topic).await.unwrap();
        bus.publish(&topic, Arc::from(&b"a"[..])).await.unwrap();
        bus.publish(&topic, Arc::from(&b"b"[..])).await.unwrap();
        assert_eq!(
            subscription.recv().await,
            Some(Delivery::Lagged { missed: Some(1) }),
            "a capacity of zero is raised to one"
        );
        assert_eq!(
            subscription.recv().await,
            Some(Delivery::Payload(Arc::from(&b"b"[..])))
        );
    }
}
