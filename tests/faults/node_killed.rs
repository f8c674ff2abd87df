//! Scenario 1: `kill -9` of one node mid-storm.

use crate::client::SocketEnd;
use crate::cluster::{Cluster, Options};
use crate::storm::{Plan, Storm, ms};

/// A node that dies without any warning (SIGKILL: no close frames, no shutdown, acks and
/// publications in flight lost) costs its clients nothing but a reconnect: their sockets
/// break, they move to the other node, resume from the last `seq` they applied without gap or
/// duplicate, and re-send what was unacknowledged without anything being stored twice; nothing
/// the dead node acknowledged is lost, and the clients of the surviving node miss nothing the
/// dead one stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_of_a_killed_node_move_to_the_other_and_resume() {
    let mut cluster = Cluster::start(Options::default()).await;
    let storm = Storm::start(&cluster, &Plan::default()).await;
    storm.wait_acked(storm.total() / 3).await;

    let killed_at = cluster.nodes[0].kill9();
    let mut outcome = storm.finish().await;

    let mut reconnected = Vec::new();
    let mut failures = Vec::new();
    for (i, name, log) in outcome.logs() {
        let Some(dead) = log
            .sockets
            .iter()
            .position(|s| s.node == 0 && s.open_at(killed_at))
        else {
            continue;
        };
        let socket = &log.sockets[dead];
        if matches!(
            socket.end,
            None | Some((_, SocketEnd::Stopped | SocketEnd::Stalled))
        ) {
            failures.push(format!(
                "{name}: its socket on the killed node did not break: {:?}",
                socket.end
            ));
        }
        match log
            .sockets
            .iter()
            .find(|s| s.node == 1 && s.ready_at > killed_at)
        {
            Some(moved) => reconnected.push((i, moved.ready_at - killed_at)),
            None => failures.push(format!(
                "{name} was on the killed node and never reconnected to node 1"
            )),
        }
    }
    if reconnected.is_empty() {
        failures.push("no client was on node 0 when it was killed".to_owned());
    }
    outcome.failures.extend(failures);
    let moved: Vec<usize> = reconnected.iter().map(|(i, _)| *i).collect();
    // On node 1: acks the dead node sent before dying may still be read after the kill.
    let first_ack = outcome
        .logs()
        .filter(|(i, _, _)| moved.contains(i))
        .flat_map(|(_, _, log)| {
            log.acks
                .iter()
                .filter(|a| log.sockets[a.socket].node == 1)
                .map(|a| a.at)
        })
        .filter(|&t| t > killed_at)
        .min();
    let slowest = reconnected
        .iter()
        .map(|(_, d)| *d)
        .max()
        .unwrap_or_default();
    eprintln!(
        "recovery: kill -9: {} client(s) moved to node 1, the last reconnected after {} ms; first ack to a moved client on node 1 {} ms after the kill; {} message(s) re-sent",
        reconnected.len(),
        ms(slowest),
        first_ack.map_or_else(|| "never".to_owned(), |t| ms(t - killed_at).to_string()),
        outcome.resent()
    );
    outcome.assert_ok("kill -9 of a node");
}
