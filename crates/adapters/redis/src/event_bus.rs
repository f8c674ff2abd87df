//! [`RedisEventBus`]: topics as Redis pub/sub channels, fanned out in each node.
//!
//! A node publishes through the pool (`PUBLISH {namespace}bus:{topic}`) and listens on ONE
//! dedicated pub/sub connection, owned by a background task (the [`listener`]). That
//! connection is subscribed only to the topics this node's own clients listen to: the first
//! local subscriber of a topic makes the node `SUBSCRIBE`, the last one leaving makes it
//! `UNSUBSCRIBE`. Each payload that arrives is handed once to a tokio broadcast channel per
//! topic, whose bounded buffer lets a slow subscriber lag instead of holding anyone up.
//!
//! A node delivers what it publishes to its own subscribers directly, and tags the copy it
//! sends to Redis with its id so the echo is ignored: its own clients keep getting live
//! frames while Redis is down, and get them without a round trip when it is up.
//!
//! A subscription made while Redis is away is local only until the listener subscribes on
//! Redis again; its subscriber is then told it lagged, like the ones below.
//!
//! When the connection drops, the listener reconnects with backoff, subscribes again to every
//! topic that still has local subscribers, and tells those subscribers they lagged (other nodes' payloads
//! published meanwhile are lost here, but they were stored first, so clients catch up by seq).

mod listener;

use crate::{Redis, TIMEOUT, from_redis};
use async_trait::async_trait;
use deadpool_redis::redis;
use futures_util::Stream;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tandem_app::ports::{Delivery, EventBus, PortError, Subscription, Topic};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Payloads each subscriber may fall behind by before it is skipped ahead.
const CAPACITY: usize = 1024;

/// Bytes of the publishing node's id in front of every payload in Redis.
const NODE_ID_LEN: usize = 16;

/// One node's bus. Clones share the pub/sub connection and the local fan-out.
#[derive(Clone)]
pub struct RedisEventBus {
    shared: Arc<Shared>,
}

/// What the bus handles, the subscriptions and the listener share. The listener holds it only
/// weakly, so it stops (closing its connection) once the bus and every subscription are gone.
struct Shared {
    /// Prefixes this node's payloads in Redis, so the listener can skip its own echoes.
    node: [u8; NODE_ID_LEN],
    redis: Redis,
    /// Opens the dedicated pub/sub connection; the pool's connections cannot subscribe.
    client: redis::Client,
    state: Mutex<State>,
    /// Set by the listener while it cannot connect: a new subscription then does not wait for
    /// a confirmation that cannot come.
    disconnected: AtomicBool,
    /// Wakes the listener: a topic gained its first or lost its last local subscriber, or the
    /// bus is being dropped.
    wake: Arc<Notify>,
    listener: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct State {
    /// Redis channel → this node's subscribers of it. Holds exactly the topics with local
    /// subscribers.
    topics: HashMap<Arc<str>, Fanout>,
    /// Channels whose entry in `topics` came or went since the listener last looked.
    changed: HashSet<Arc<str>>,
}

struct Fanout {
    sender: broadcast::Sender<Fanned>,
    subscribers: usize,
    /// Whether Redis has confirmed the `SUBSCRIBE` on the listener's current connection;
    /// `subscribe` waits for it, so a payload published after it returns is delivered.
    live: watch::Sender<bool>,
    /// Was live on a connection that broke: its subscribers are owed a gap notice once it is
    /// live again.
    interrupted: bool,
}

/// What travels through a topic's broadcast channel.
#[derive(Debug, Clone)]
enum Fanned {
    Payload(Arc<[u8]>),
    /// The connection to Redis broke and payloads may have been lost.
    Gap,
}

impl RedisEventBus {
    pub(crate) fn new(redis: Redis, client: redis::Client) -> Self {
        Self {
            shared: Arc::new(Shared {
                node: rand::random(),
                redis,
                client,
                state: Mutex::default(),
                disconnected: AtomicBool::new(false),
                wake: Arc::new(Notify::new()),
                listener: Mutex::default(),
            }),
        }
    }

    /// Starts the listener on the current tokio runtime, unless it is running already (it
    /// also starts by itself on the first `subscribe`). Outside a runtime, does nothing.
    pub(crate) fn start(&self) {
        let mut listener = lock(&self.shared.listener);
        if listener.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let task =
                listener::listen(Arc::downgrade(&self.shared), Arc::clone(&self.shared.wake));
            *listener = Some(runtime.spawn(task));
        }
    }

    fn channel(&self, topic: &Topic) -> String {
        self.shared.redis.key("bus", topic)
    }
}

/// A panic elsewhere cannot leave these values half-written (every update is a single step
/// under the lock), so a poisoned lock is still safe to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Lets the listener notice that it has nothing left to serve.
        self.wake.notify_one();
    }
}

#[async_trait]
impl EventBus for RedisEventBus {
    async fn publish(&self, topic: &Topic, payload: Arc<[u8]>) -> Result<(), PortError> {
        let channel = self.channel(topic);
        self.shared.fan_out(&channel, Arc::clone(&payload));
        let mut tagged = Vec::with_capacity(NODE_ID_LEN + payload.len());
        tagged.extend_from_slice(&self.shared.node);
        tagged.extend_from_slice(&payload);
        let mut connection = self.shared.redis.connection().await?;
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(tagged)
            .query_async::<()>(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn subscribe(&self, topic: &Topic) -> Result<Subscription, PortError> {
        self.start();
        let channel: Arc<str> = self.channel(topic).into();
        let (receiver, mut live, first) = {
            let mut state = self.shared.state();
            let first = !state.topics.contains_key(&channel);
            if first {
                state.changed.insert(Arc::clone(&channel));
            }
            let fanout = state
                .topics
                .entry(Arc::clone(&channel))
                .or_insert_with(|| Fanout {
                    sender: broadcast::Sender::new(CAPACITY),
                    subscribers: 0,
                    live: watch::Sender::new(false),
                    interrupted: false,
                });
            fanout.subscribers += 1;
            (fanout.sender.subscribe(), fanout.live.subscribe(), first)
        };
        // From here on, returning early (an error, or the caller giving up) leaves the topic.
        let membership = Membership {
            shared: Arc::clone(&self.shared),
            channel,
        };
        if first {
            self.shared.wake.notify_one();
        }
        // While Redis is away the subscription still gets this node's own payloads; it is
        // owed a gap notice for the rest, which it gets once Redis confirms the SUBSCRIBE (its
        // subscriber then catches up from storage). Waiting is pointless while the listener
        // cannot connect.
        let confirmed = !self.shared.disconnected.load(Ordering::Acquire)
            && matches!(
                tokio::time::timeout(TIMEOUT, live.wait_for(|live| *live)).await,
                Ok(Ok(_))
            );
        if !confirmed {
            let mut state = self.shared.state();
            if let Some(fanout) = state.topics.get_mut(&membership.channel)
                && !*fanout.live.borrow()
            {
                fanout.interrupted = true;
            }
        }
        Ok(Subscription::new(deliveries(receiver, membership)))
    }
}

/// One subscription's place in a topic; dropping it leaves the topic, and the last one to
/// leave has the listener unsubscribe.
struct Membership {
    shared: Arc<Shared>,
    channel: Arc<str>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        let Some(fanout) = state.topics.get_mut(&self.channel) else {
            return;
        };
        fanout.subscribers = fanout.subscribers.saturating_sub(1);
        if fanout.subscribers == 0 {
            state.topics.remove(&self.channel);
            state.changed.insert(Arc::clone(&self.channel));
            drop(state);
            self.shared.wake.notify_one();
        }
    }
}

/// The receiver as a cancel-safe stream: `Receiver::recv` loses nothing when cancelled, and
/// `unfold` keeps a pending `recv` across polls.
fn deliveries(
    receiver: broadcast::Receiver<Fanned>,
    membership: Membership,
) -> impl Stream<Item = Delivery> + Send + 'static {
    futures_util::stream::unfold(
        (receiver, membership),
        |(mut receiver, membership)| async move {
            let delivery = match receiver.recv().await {
                Ok(Fanned::Payload(payload)) => Delivery::Payload(payload),
                Ok(Fanned::Gap) => Delivery::Lagged { missed: None },
                Err(RecvError::Lagged(missed)) => Delivery::Lagged {
                    missed: Some(missed),
                },
                Err(RecvError::Closed) => return None,
            };
            Some((delivery, (receiver, membership)))
        },
    )
}
