//! Scenario 3: PostgreSQL stopped (`pg_ctl stop -m fast`) mid-storm, then started again.

use crate::client::SocketEnd;
use crate::cluster::{Cluster, Options};
use crate::storm::{Plan, Storm, ms};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The outage lasts at least this long...
const MIN_OUTAGE: Duration = Duration::from_secs(3);
/// ... and until the clients have seen a refusal, but no longer than this (a guard: without a
/// refusal by then, the scenario fails).
const MAX_OUTAGE: Duration = Duration::from_secs(20);
/// Acks received this soon after the stop returned may have been stored just before it.
const IN_FLIGHT_MARGIN: Duration = Duration::from_secs(1);

/// Without its database a node cannot store anything, and says so: sends are refused with a
/// clean `error` frame (code `service_unavailable`, answering the send's `ref`), never left
/// hanging and never falsely acknowledged (no ack while the database is down; every ack names
/// a message that is stored). Once the database is back, the clients' retries (same
/// `client_msg_id`) succeed and the log is complete: every message stored once, no gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_are_refused_cleanly_while_postgres_is_down_and_retries_succeed_after() {
    let mut cluster = Cluster::start(Options::default()).await;
    let storm = Storm::start(&cluster, &Plan::default()).await;
    storm.wait_acked(storm.total() / 4).await;

    let stop_begun = Instant::now();
    cluster.postgres.stop().await;
    let stopped_at = Instant::now();
    let refused = |s: &Storm| {
        s.errors()
            .iter()
            .any(|(_, e)| e.at > stop_begun && e.code == "service_unavailable")
    };
    storm
        .wait_for(MAX_OUTAGE, |s| {
            stop_begun.elapsed() >= MIN_OUTAGE && refused(s)
        })
        .await;
    let restart_begun = Instant::now();
    cluster.postgres.start().await;
    let restarted_at = Instant::now();
    let mut outcome = storm.finish().await;

    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for (_, name, log) in outcome.logs() {
        for error in &log.errors {
            *codes.entry(error.code.clone()).or_default() += 1;
            if error.code != "service_unavailable" || error.reference.is_none() {
                failures.push(format!(
                    "{name}: an error frame other than a service_unavailable answering a send: {} {:?} ({})",
                    error.code, error.reference, error.message
                ));
            } else if error.at > stop_begun && error.at < restarted_at {
                latencies.push(error.latency.unwrap_or_default());
            }
        }
        for ack in &log.acks {
            if ack.at > stopped_at + IN_FLIGHT_MARGIN && ack.at < restart_begun {
                failures.push(format!(
                    "{name}: an ack of {:?} {} ms after the database stopped, before it restarted",
                    ack.client_msg_id,
                    ms(ack.at - stopped_at)
                ));
            }
        }
    }
    if latencies.is_empty() {
        failures.push(format!(
            "no send was refused with service_unavailable while the database was down ({} ms; error codes seen: {codes:?})",
            ms(restart_begun - stop_begun)
        ));
    }
    outcome.failures.extend(failures);
    latencies.sort();
    let closes: BTreeMap<String, usize> = outcome
        .logs()
        .flat_map(|(_, _, log)| log.sockets.iter())
        .filter_map(|s| s.end.as_ref())
        .filter(|(at, end)| *at > stop_begun && *end != SocketEnd::Stopped)
        .fold(BTreeMap::new(), |mut m, (_, end)| {
            *m.entry(end.kind()).or_default() += 1;
            m
        });
    let first_ack = outcome.first_ack_after(restarted_at);
    eprintln!(
        "recovery: postgres outage: down {} ms; {} refusal(s), answered in {} ms (median) to {} ms (slowest); {} re-sent in all; first ack {} after the restart; sockets ended since the stop: {closes:?}",
        ms(restart_begun - stop_begun),
        latencies.len(),
        latencies.get(latencies.len() / 2).map_or(0, |d| ms(*d)),
        latencies.last().map_or(0, |d| ms(*d)),
        outcome.resent(),
        first_ack.map_or_else(
            || "never".to_owned(),
            |t| format!("{} ms", ms(t - restarted_at))
        )
    );
    outcome.assert_ok("PostgreSQL outage");
}
