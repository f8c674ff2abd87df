//! Scenario 2: Redis stopped mid-storm for about three seconds, then restarted empty.

use crate::client::{Answer, SocketEnd};
use crate::cluster::{Cluster, Options};
use crate::storm::{Plan, Storm, ms};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const OUTAGE: Duration = Duration::from_secs(3);
/// Sends this soon after the stop may have been done before it: they prove nothing.
const IN_FLIGHT_MARGIN: Duration = Duration::from_millis(500);

/// Redis is not on the write path: while it is down, every message sent is still stored and
/// acknowledged (none refused), and once it is back (empty: no persistence) every client has
/// the complete log, with no gap and no duplicate, even though the live fan-out between the
/// nodes went through the outage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_stored_and_acked_while_redis_is_down() {
    let mut cluster = Cluster::start(Options::default()).await;
    // Paced slower than the default, so the storm goes on through most of the outage.
    let plan = Plan {
        pace: Duration::from_millis(50),
        ..Plan::default()
    };
    let storm = Storm::start(&cluster, &plan).await;
    storm.wait_acked(storm.total() / 4).await;

    let stopped_at = Instant::now();
    cluster.redis.stop();
    tokio::time::sleep(OUTAGE).await;
    let restart_begun = Instant::now();
    cluster.redis.restart().await;
    let ready_at = cluster.wait_ready(Duration::from_secs(30)).await;
    let mut outcome = storm.finish().await;

    let during = |at: Instant| at > stopped_at && at < restart_begun;
    // Messages sent well after Redis went away and acknowledged before it came back.
    let acks_during = outcome
        .logs()
        .flat_map(|(_, _, log)| log.sends.iter())
        .filter(|s| s.at > stopped_at + IN_FLIGHT_MARGIN)
        .filter(|s| matches!(s.answer, Some(Answer::Ack { at }) if at < restart_begun))
        .count();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for (_, _, log) in outcome.logs() {
        for error in log.errors.iter().filter(|e| during(e.at)) {
            *refusals.entry(error.code.clone()).or_default() += 1;
        }
    }
    if acks_during == 0 {
        outcome.failures.push(format!(
            "no message sent during the {OUTAGE:?} Redis outage was acknowledged before it ended (errors meanwhile: {refusals:?})"
        ));
    }
    if !refusals.is_empty() {
        outcome.failures.push(format!(
            "sends were refused while Redis was down: {refusals:?}"
        ));
    }
    let closes: BTreeMap<String, usize> = outcome
        .logs()
        .flat_map(|(_, _, log)| log.sockets.iter())
        .filter_map(|s| s.end.as_ref())
        .filter(|(at, end)| *at > stopped_at && *end != SocketEnd::Stopped)
        .map(|(_, end)| end.kind())
        .fold(BTreeMap::new(), |mut m, end| {
            *m.entry(end).or_default() += 1;
            m
        });
    let first_ack = outcome.first_ack_after(restart_begun);
    eprintln!(
        "recovery: redis outage: {acks_during} messages sent and acked during the outage, {} re-sent in all; nodes ready {} ms after the restart; first ack after the restart {}; sockets ended since the outage: {closes:?}",
        outcome.resent(),
        ms(ready_at - restart_begun),
        first_ack.map_or_else(
            || "none (the storm was done)".to_owned(),
            |t| format!("{} ms", ms(t - restart_begun))
        )
    );
    outcome.assert_ok("Redis outage");
}
