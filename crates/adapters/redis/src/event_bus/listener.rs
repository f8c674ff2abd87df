//! The background task that owns a node's pub/sub connection: keeps its subscriptions equal
//! to the topics with local subscribers, hands arriving payloads to their topic's fan-out, and
//! reconnects with backoff when the connection breaks.

use super::{Fanned, NODE_ID_LEN, Shared};
use crate::TIMEOUT;
use deadpool_redis::redis::aio::{PubSub, PubSubSink, PubSubStream};
use deadpool_redis::redis::{self, Msg, RedisError};
use futures_util::StreamExt;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::MissedTickBehavior;

const FIRST_RETRY: Duration = Duration::from_millis(100);
/// Retries stay this frequent however long Redis is away (one connection attempt per node),
/// so other nodes' messages flow again within half a second of Redis coming back.
const LAST_RETRY: Duration = Duration::from_millis(500);
/// How often an idle connection is checked: a peer that vanished without closing the socket
/// (a crashed host, a dropped route) shows up only when a request goes unanswered.
const PING_EVERY: Duration = Duration::from_secs(10);

/// Runs until the bus and all its subscriptions are gone.
pub(super) async fn listen(shared: Weak<Shared>, wake: Arc<Notify>) {
    let mut retry = FIRST_RETRY;
    loop {
        // A listener that starts (or restarts after its task was lost) owes a gap notice to any
        // topic that was live before it.
        let Some(client) = shared.upgrade().map(|s| {
            s.connection_lost();
            s.client.clone()
        }) else {
            return;
        };
        let outcome = match tokio::time::timeout(TIMEOUT, client.get_async_pubsub()).await {
            Ok(Ok(pubsub)) => Session::new(pubsub).run(&shared, &wake, &mut retry).await,
            Ok(Err(error)) => Err(Broken::Redis(error)),
            Err(_) => Err(Broken::TimedOut("connecting")),
        };
        let broken = match outcome {
            Ok(Shutdown) => return,
            Err(broken) => broken,
        };
        match shared.upgrade() {
            Some(shared) => {
                shared.connection_lost();
                shared.disconnected.store(true, Ordering::Release);
            }
            None => return,
        }
        tracing::warn!(
            error = %broken,
            retry_in_ms = retry.as_millis(),
            "the redis event bus lost its pub/sub connection; subscribers will be told they lagged"
        );
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(LAST_RETRY);
    }
}

/// The bus is gone; the listener's work is done.
struct Shutdown;

#[derive(Debug, thiserror::Error)]
enum Broken {
    #[error(transparent)]
    Redis(#[from] RedisError),
    #[error("redis did not answer in time while {0}")]
    TimedOut(&'static str),
    #[error("redis closed the connection")]
    Closed,
}

/// One connection's life.
struct Session {
    sink: PubSubSink,
    stream: PubSubStream,
    /// The channels Redis has confirmed on this connection.
    subscribed: HashSet<Arc<str>>,
}

impl Session {
    fn new(pubsub: PubSub) -> Self {
        let (sink, stream) = pubsub.split();
        Self {
            sink,
            stream,
            subscribed: HashSet::new(),
        }
    }

    async fn run(
        mut self,
        shared: &Weak<Shared>,
        wake: &Notify,
        retry: &mut Duration,
    ) -> Result<Shutdown, Broken> {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ping.reset();
        let mut everything = true;
        loop {
            let Some(plan) = shared
                .upgrade()
                .map(|s| s.plan(&self.subscribed, everything))
            else {
                return Ok(Shutdown);
            };
            self.carry_out(&plan).await?;
            let Some(shared_now) = shared.upgrade() else {
                return Ok(Shutdown);
            };
            shared_now.confirm(plan.subscribe.iter().chain(&plan.confirm));
            drop(shared_now);
            if everything {
                // Connected and caught up: the next break starts its backoff afresh.
                *retry = FIRST_RETRY;
                everything = false;
            }

            loop {
                tokio::select! {
                    biased;
                    () = wake.notified() => break,
                    _ = ping.tick() => {
                        match tokio::time::timeout(TIMEOUT, self.sink.ping::<redis::Value>()).await {
                            Ok(Ok(_)) => {}
                            Ok(Err(error)) => return Err(error.into()),
                            Err(_) => return Err(Broken::TimedOut("answering a ping")),
                        }
                    }
                    message = self.stream.next() => {
                        let Some(message) = message else {
                            return Err(Broken::Closed);
                        };
                        let Some(shared) = shared.upgrade() else {
                            return Ok(Shutdown);
                        };
                        shared.received(&message);
                    }
                }
            }
        }
    }

    /// Brings the connection's subscriptions in line with the plan; each command waits for
    /// all its confirmations.
    async fn carry_out(&mut self, plan: &Plan) -> Result<(), Broken> {
        if !plan.subscribe.is_empty() {
            let channels: Vec<&str> = plan.subscribe.iter().map(|c| &**c).collect();
            tokio::time::timeout(TIMEOUT, self.sink.subscribe(channels))
                .await
                .map_err(|_| Broken::TimedOut("subscribing"))??;
            self.subscribed.extend(plan.subscribe.iter().cloned());
        }
        if !plan.unsubscribe.is_empty() {
            let channels: Vec<&str> = plan.unsubscribe.iter().map(|c| &**c).collect();
            tokio::time::timeout(TIMEOUT, self.sink.unsubscribe(channels))
                .await
                .map_err(|_| Broken::TimedOut("unsubscribing"))??;
            for channel in &plan.unsubscribe {
                self.subscribed.remove(channel);
            }
        }
        Ok(())
    }
}

/// What to change on the connection, and what is live already.
#[derive(Debug, Default)]
struct Plan {
    subscribe: Vec<Arc<str>>,
    unsubscribe: Vec<Arc<str>>,
    /// Wanted and subscribed already (a topic that left and came back before the listener
    /// looked): only its waiting subscribers need telling.
    confirm: Vec<Arc<str>>,
}

impl Shared {
    /// Compares the topics wanted with those `subscribed`: all of them after a (re)connect,
    /// otherwise only those changed since the last look.
    fn plan(&self, subscribed: &HashSet<Arc<str>>, everything: bool) -> Plan {
        let mut state = self.state();
        let changed: Vec<Arc<str>> = if everything {
            state.changed.clear();
            state.topics.keys().cloned().collect()
        } else {
            state.changed.drain().collect()
        };
        let mut plan = Plan::default();
        for channel in changed {
            match (
                state.topics.contains_key(&channel),
                subscribed.contains(&channel),
            ) {
                (true, false) => plan.subscribe.push(channel),
                (true, true) => plan.confirm.push(channel),
                (false, true) => plan.unsubscribe.push(channel),
                (false, false) => {}
            }
        }
        plan
    }

    /// Marks the topics on `channels` live, first telling those cut off by a broken connection
    /// that they lagged. Runs before the listener reads the next message, so the notice comes
    /// before any payload that arrived on the new subscription.
    fn confirm<'a>(&self, channels: impl Iterator<Item = &'a Arc<str>>) {
        self.disconnected.store(false, Ordering::Release);
        let mut state = self.state();
        for channel in channels {
            if let Some(fanout) = state.topics.get_mut(channel) {
                if fanout.interrupted {
                    fanout.interrupted = false;
                    let _ = fanout.sender.send(Fanned::Gap);
                }
                fanout.live.send_replace(true);
            }
        }
    }

    /// The connection is gone: no topic is live until subscribed again, and those that were
    /// live are owed a gap notice.
    fn connection_lost(&self) {
        let mut state = self.state();
        for fanout in state.topics.values_mut() {
            if *fanout.live.borrow() {
                fanout.interrupted = true;
                fanout.live.send_replace(false);
            }
        }
    }

    /// A payload from Redis: another node's (ours were delivered when we published them).
    fn received(&self, message: &Msg) {
        let bytes = message.get_payload_bytes();
        let Some((node, payload)) = bytes.split_first_chunk::<NODE_ID_LEN>() else {
            return;
        };
        if *node != self.node {
            self.fan_out(message.get_channel_name(), Arc::from(payload));
        }
    }

    /// Hands a payload to this node's subscribers of `channel`.
    pub(super) fn fan_out(&self, channel: &str, payload: Arc<[u8]>) {
        let state = self.state();
        if let Some(fanout) = state.topics.get(channel) {
            // Fails only when every receiver is gone, which is a subscriber leaving right now.
            let _ = fanout.sender.send(Fanned::Payload(payload));
        }
    }
}
