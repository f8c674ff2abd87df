//! A storm: several [`StormClient`]s on both nodes of a [`Cluster`] sending into one channel
//! at once, and the invariants checked once it is over ([`Storm::finish`]).

use crate::client::{ClientConfig, ClientLog, ErrorRecord, SocketEnd, StormClient};
use crate::cluster::Cluster;
use crate::rest::{ChannelLog, StoredMessage, World};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Guard on the storm getting every message acknowledged after the fault.
const ACK_GUARD: Duration = Duration::from_secs(45);
/// Guard on every client getting the whole log once everything is acknowledged.
const CATCH_UP_GUARD: Duration = Duration::from_secs(30);

/// How big a storm is.
#[derive(Debug, Clone)]
pub struct Plan {
    pub clients: usize,
    pub messages_per_client: usize,
    /// Between two sends of one client.
    pub pace: Duration,
    /// Unanswered messages per client at most.
    pub window: usize,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            clients: 4,
            messages_per_client: 40,
            pace: Duration::from_millis(25),
            window: 4,
        }
    }
}

pub struct Storm {
    pub clients: Vec<StormClient>,
    pub world: World,
    urls: Vec<String>,
    stop: watch::Sender<bool>,
}

impl Storm {
    /// Sets up the users and the channel, then starts the clients: client `i` starts on node
    /// `i % nodes`.
    pub async fn start(cluster: &Cluster, plan: &Plan) -> Self {
        let urls = cluster.urls();
        let world = World::create(&urls, plan.clients).await;
        let run = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let (stop, stopped) = watch::channel(false);
        let clients = world
            .users
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let name = format!("c{i}");
                StormClient::spawn(
                    ClientConfig {
                        client_msg_ids: (0..plan.messages_per_client)
                            .map(|m| format!("{run}:{name}:{m}"))
                            .collect(),
                        name,
                        token: user.access_token.clone(),
                        channel: world.channel,
                        nodes: urls.clone(),
                        home: i % urls.len(),
                        pace: plan.pace,
                        window: plan.window,
                    },
                    stopped.clone(),
                )
            })
            .collect();
        Self {
            clients,
            world,
            urls,
            stop,
        }
    }

    pub fn total(&self) -> usize {
        self.clients.iter().map(|c| c.client_msg_ids.len()).sum()
    }

    pub fn acked(&self) -> usize {
        self.clients.iter().map(StormClient::acked).sum()
    }

    /// Polls `condition` until it holds; `false` after `guard`.
    pub async fn wait_for(&self, guard: Duration, condition: impl Fn(&Self) -> bool) -> bool {
        let deadline = Instant::now() + guard;
        loop {
            if condition(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `n` messages are acknowledged: the moment to strike.
    pub async fn wait_acked(&self, n: usize) {
        let reached = self.wait_for(ACK_GUARD, |s| s.acked() >= n).await;
        assert!(
            reached,
            "the storm did not reach {n} acks before the fault:\n{}",
            self.diagnostics()
        );
    }

    /// Every error frame of every client, with the client's index.
    pub fn errors(&self) -> Vec<(usize, ErrorRecord)> {
        self.clients
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.with(|log| {
                    log.errors
                        .iter()
                        .map(|e| (i, e.clone()))
                        .collect::<Vec<_>>()
                })
            })
            .collect()
    }

    /// What each client has done so far, for failure messages.
    pub fn diagnostics(&self) -> String {
        let mut out = String::new();
        for client in &self.clients {
            client.with(|log| describe(&mut out, &client.name, client.client_msg_ids.len(), log));
        }
        out
    }

    /// Ends the storm and checks what every storm must leave behind, whatever the fault:
    ///
    /// - every message is eventually acknowledged (the clients retry until it is);
    /// - every acknowledged message is stored exactly once (counted by `client_msg_id` in the
    ///   channel's log), with the `id` and `seq` its acks named: no false ack;
    /// - the channel's `seq`s are gap-free, `1..=last_seq`;
    /// - every client ends with the complete log: the union of what its sockets delivered is
    ///   `1..=last_seq`;
    /// - no socket delivered a duplicate or an out-of-order sequenced frame (each socket's
    ///   `seq`s are strictly increasing), nor skipped one (they follow on from its `after_seq`);
    /// - no command hung unanswered on an open socket, and no frame made no sense.
    ///
    /// Returns what happened, with the failures found so far, for the scenario's own checks.
    pub async fn finish(self) -> Outcome {
        let mut failures = Vec::new();
        let total = self.total();
        if !self.wait_for(ACK_GUARD, |s| s.acked() == total).await {
            failures.push(format!(
                "only {} of {total} messages were acknowledged within {ACK_GUARD:?} of the end \
                 of the fault:\n{}",
                self.acked(),
                self.diagnostics()
            ));
        }
        let token = self.world.users[0].access_token.clone();
        let log = ChannelLog::read(&self.urls, &token, self.world.channel).await;
        let last_seq = log.last_seq;
        let complete = |s: &Self| {
            s.clients
                .iter()
                .all(|c| c.with(|l| (1..=last_seq).all(|seq| l.received.contains(&seq))))
        };
        if !self.wait_for(CATCH_UP_GUARD, complete).await {
            failures.push(format!(
                "not every client received the whole log (1..={last_seq}) within \
                 {CATCH_UP_GUARD:?}:\n{}",
                self.diagnostics()
            ));
        }
        let _ = self.stop.send(true);
        let mut clients = Vec::new();
        for client in self.clients {
            clients.push(client.join(Duration::from_secs(10)).await);
        }
        let mut outcome = Outcome {
            log,
            clients,
            stored: BTreeMap::new(),
            failures,
        };
        outcome.check_invariants();
        outcome
    }
}

fn describe(out: &mut String, name: &str, messages: usize, log: &ClientLog) {
    let _ = writeln!(
        out,
        "  {name}: {}/{messages} acked, {} sends, {} errors, received {} seqs (max {:?}), {} failed connects",
        log.acked.len(),
        log.sends.len(),
        log.errors.len(),
        log.received.len(),
        log.received.last(),
        log.failed_connects.len(),
    );
    for (i, socket) in log.sockets.iter().enumerate() {
        let _ = writeln!(
            out,
            "    socket {i} on node {} after_seq {}: {} seqs, ended {:?}",
            socket.node,
            socket.after_seq,
            socket.seqs.len(),
            socket.end.as_ref().map(|(_, end)| end)
        );
    }
    let codes: BTreeMap<&str, usize> = log.errors.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e.code.as_str()).or_default() += 1;
        m
    });
    if !codes.is_empty() {
        let _ = writeln!(out, "    error codes: {codes:?}");
    }
    for failed in log.failed_connects.iter().rev().take(3) {
        let _ = writeln!(
            out,
            "    failed connect to node {}: {}",
            failed.node, failed.why
        );
    }
    for anomaly in log.anomalies.iter().take(3) {
        let _ = writeln!(out, "    anomaly: {anomaly}");
    }
}

/// A finished storm: the channel's log as stored, every client's log, and the failures found.
pub struct Outcome {
    pub log: ChannelLog,
    /// Each client's name and log, by index.
    pub clients: Vec<(String, ClientLog)>,
    /// The stored message of each `client_msg_id` (the first, if stored more than once).
    pub stored: BTreeMap<String, StoredMessage>,
    pub failures: Vec<String>,
}

impl Outcome {
    fn check_invariants(&mut self) {
        let last_seq = self.log.last_seq;
        let failures = &mut self.failures;

        // The channel's seqs: gap-free and in order.
        let expected: Vec<i64> = (1..=last_seq).collect();
        if self.log.seqs != expected {
            let present: BTreeSet<i64> = self.log.seqs.iter().copied().collect();
            let missing: Vec<i64> = expected
                .iter()
                .filter(|s| !present.contains(s))
                .copied()
                .collect();
            failures.push(format!(
                "the channel's seqs are not 1..={last_seq} in order: {} events, missing {missing:?}",
                self.log.seqs.len()
            ));
        }

        // Stored exactly once, by client_msg_id.
        let ours: BTreeSet<&str> = self
            .clients
            .iter()
            .flat_map(|(_, log)| log.sends.iter().map(|s| s.client_msg_id.as_str()))
            .collect();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for message in &self.log.created {
            let Some(key) = &message.client_msg_id else {
                // The channel's own notices (member joined, ...) are not the clients'.
                if message.message_type != "system" {
                    failures.push(format!(
                        "message {} ({}) was stored without a client_msg_id",
                        message.id, message.message_type
                    ));
                }
                continue;
            };
            if !ours.contains(key.as_str()) {
                failures.push(format!(
                    "message {} has a client_msg_id nobody sent: {key}",
                    message.id
                ));
            }
            *counts.entry(key.clone()).or_default() += 1;
            self.stored
                .entry(key.clone())
                .or_insert_with(|| message.clone());
        }
        for (key, count) in &counts {
            if *count > 1 {
                failures.push(format!("{key} was stored {count} times"));
            }
        }

        for (name, log) in &self.clients {
            // Every ack names the stored message.
            for ack in &log.acks {
                let Some(key) = &ack.client_msg_id else {
                    failures.push(format!("{name}: an ack without client_msg_id: {ack:?}"));
                    continue;
                };
                match self.stored.get(key) {
                    None => failures.push(format!(
                        "{name}: {key} was acknowledged (id {:?}, seq {:?}) but is not stored: a false ack",
                        ack.id, ack.seq
                    )),
                    Some(stored) if Some(stored.id) != ack.id || Some(stored.seq) != ack.seq => {
                        failures.push(format!(
                            "{name}: the ack of {key} named id {:?} seq {:?}, but it is stored as id {} seq {}",
                            ack.id, ack.seq, stored.id, stored.seq
                        ));
                    }
                    Some(_) => {}
                }
            }
            // The complete log.
            let missing: Vec<i64> = (1..=last_seq)
                .filter(|s| !log.received.contains(s))
                .collect();
            if !missing.is_empty() {
                failures.push(format!("{name} never received seqs {missing:?}"));
            }
            if let Some(beyond) = log.received.iter().find(|&&s| s > last_seq) {
                failures.push(format!(
                    "{name} received seq {beyond}, beyond the log's last {last_seq}"
                ));
            }
            // Per socket: strictly increasing, following on from after_seq.
            for (i, socket) in log.sockets.iter().enumerate() {
                let mut previous = socket.after_seq;
                for &seq in &socket.seqs {
                    if seq <= previous {
                        failures.push(format!(
                            "{name}: socket {i} (node {}) delivered seq {seq} after {previous}: a duplicate or out of order",
                            socket.node
                        ));
                    } else if seq != previous + 1 {
                        failures.push(format!(
                            "{name}: socket {i} (node {}) skipped from {previous} to {seq}",
                            socket.node
                        ));
                    }
                    previous = previous.max(seq);
                }
                if socket
                    .end
                    .as_ref()
                    .is_some_and(|(_, end)| *end == SocketEnd::Stalled)
                {
                    failures.push(format!(
                        "{name}: socket {i} (node {}) left a command unanswered for {:?}",
                        socket.node,
                        crate::client::ANSWER_GUARD
                    ));
                }
            }
            for anomaly in &log.anomalies {
                failures.push(format!("{name}: {anomaly}"));
            }
        }
    }

    /// The clients' logs with their index.
    pub fn logs(&self) -> impl Iterator<Item = (usize, &str, &ClientLog)> {
        self.clients
            .iter()
            .enumerate()
            .map(|(i, (name, log))| (i, name.as_str(), log))
    }

    /// How many sends were a message sent again (after an error, or on a new socket).
    pub fn resent(&self) -> usize {
        self.logs()
            .map(|(_, _, log)| {
                let distinct: BTreeSet<usize> = log.sends.iter().map(|s| s.message).collect();
                log.sends.len() - distinct.len()
            })
            .sum()
    }

    /// The earliest ack any client received after `at`.
    pub fn first_ack_after(&self, at: Instant) -> Option<Instant> {
        self.logs()
            .flat_map(|(_, _, log)| log.acks.iter().map(|a| a.at))
            .filter(|&t| t > at)
            .min()
    }

    /// Panics listing every failure, if any.
    pub fn assert_ok(&self, scenario: &str) {
        assert!(
            self.failures.is_empty(),
            "{scenario}: {} failure(s):\n- {}",
            self.failures.len(),
            self.failures.join("\n- ")
        );
    }
}

/// Milliseconds of a duration, for the recovery lines.
pub fn ms(duration: Duration) -> u128 {
    duration.as_millis()
}
