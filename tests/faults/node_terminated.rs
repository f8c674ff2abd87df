//! Scenario 4: SIGTERM of one node mid-storm (a rolling deploy).

use crate::client::{Answer, SocketEnd};
use crate::cluster::{Cluster, Options};
use crate::storm::{Plan, Storm, ms};
use std::collections::BTreeMap;
use std::time::Duration;

/// What SIGTERM grants the node to finish (`http.shutdown_timeout_secs`).
const SHUTDOWN_TIMEOUT_SECS: u64 = 20;
/// "Well within" the shutdown timeout: the node must be gone by then. A failure guard only;
/// the time it took is printed.
const EXIT_GUARD: Duration = Duration::from_secs(SHUTDOWN_TIMEOUT_SECS / 2);
/// The close code of a node going away.
const CLOSE_UNAVAILABLE: u16 = 4503;

/// A node told to stop (SIGTERM) leaves cleanly and promptly: at once it tells each of its
/// sockets (`error {code: "shutting_down"}`) and closes them with 4503, after answering every
/// command it had received (nothing it stored goes unacknowledged); it exits with success well
/// within its shutdown timeout instead of waiting for the sockets to go away; its clients
/// move to the other node and resume, and the storm's invariants hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_node_answers_closes_with_4503_and_exits_promptly() {
    let mut cluster = Cluster::start(Options {
        shutdown_timeout_secs: SHUTDOWN_TIMEOUT_SECS,
    })
    .await;
    let storm = Storm::start(&cluster, &Plan::default()).await;
    storm.wait_acked(storm.total() / 3).await;

    let mut failures = Vec::new();
    let term_at = cluster.nodes[0].sigterm();
    let exit = cluster.nodes[0].wait_exit(EXIT_GUARD).await;
    match &exit {
        Some((status, _)) if status.success() => {}
        Some((status, _)) => failures.push(format!("node 0 exited with {status} after SIGTERM")),
        None => {
            failures.push(format!(
                "node 0 still ran {EXIT_GUARD:?} after SIGTERM (shutdown timeout {SHUTDOWN_TIMEOUT_SECS} s); killed"
            ));
            cluster.nodes[0].kill9();
        }
    }
    let mut outcome = storm.finish().await;

    let mut moved = Vec::new();
    for (i, name, log) in outcome.logs() {
        let Some(index) = log
            .sockets
            .iter()
            .position(|s| s.node == 0 && s.open_at(term_at))
        else {
            continue;
        };
        let socket = &log.sockets[index];
        if socket.close_code() != Some(CLOSE_UNAVAILABLE) {
            failures.push(format!(
                "{name}: its socket on node 0 ended with {:?}, not a {CLOSE_UNAVAILABLE} close",
                socket.end.as_ref().map(|(_, end)| end)
            ));
        }
        let told = log
            .errors
            .iter()
            .any(|e| e.socket == index && e.code == "shutting_down");
        if !told {
            failures.push(format!(
                "{name}: no `error {{code: \"shutting_down\"}}` frame on its socket on node 0"
            ));
        }
        // Every command node 0 received was answered there: one it stored but did not answer
        // is stored before the client sent it again elsewhere.
        for send in log
            .sends
            .iter()
            .filter(|s| s.socket == index && s.answer.is_none())
        {
            let resent = log
                .sends
                .iter()
                .find(|later| later.message == send.message && later.at > send.at);
            let stored = outcome.stored.get(&send.client_msg_id);
            if let (Some(resent), Some(stored)) = (resent, stored)
                && stored.created_at < resent.wall
            {
                failures.push(format!(
                    "{name}: node 0 stored {} (at {}) but never answered it; the client sent it again at {}",
                    send.client_msg_id, stored.created_at, resent.wall
                ));
            }
        }
        match log
            .sockets
            .iter()
            .find(|s| s.node == 1 && s.ready_at > term_at)
        {
            Some(next) => moved.push((i, next.ready_at - term_at)),
            None => failures.push(format!(
                "{name} was on node 0 and never reconnected to node 1"
            )),
        }
    }
    if moved.is_empty() {
        failures.push("no client was on node 0 when it was terminated".to_owned());
    }
    // What node 0 answered after the signal.
    let mut late = BTreeMap::<String, usize>::new();
    for (_, _, log) in outcome.logs() {
        for send in log.sends.iter().filter(|s| log.sockets[s.socket].node == 0) {
            let answer = match &send.answer {
                Some(Answer::Ack { at }) if *at > term_at => "ack".to_owned(),
                Some(Answer::Error { code, at }) if *at > term_at => code.clone(),
                _ => continue,
            };
            *late.entry(answer).or_default() += 1;
        }
    }
    let first_ack = outcome
        .logs()
        .filter(|(i, _, _)| moved.iter().any(|(m, _)| m == i))
        .flat_map(|(_, _, log)| {
            log.acks
                .iter()
                .filter(|a| log.sockets[a.socket].node == 1)
                .map(|a| a.at)
        })
        .filter(|&t| t > term_at)
        .min();
    let closes: Vec<String> = outcome
        .logs()
        .flat_map(|(_, _, log)| log.sockets.iter())
        .filter(|s| s.node == 0 && s.open_at(term_at))
        .filter_map(|s| s.end.as_ref())
        .filter(|(_, end)| *end != SocketEnd::Stopped)
        .map(|(at, end)| format!("{} after {} ms", end.kind(), ms(*at - term_at)))
        .collect();
    eprintln!(
        "recovery: sigterm: node 0 exited {}; its sockets: {closes:?}; its clients reconnected to node 1 after {} ms (slowest); first ack on node 1 {} after SIGTERM; node 0's answers after the signal: {late:?}; {} message(s) re-sent",
        exit.as_ref().map_or_else(
            || format!("not within {EXIT_GUARD:?}"),
            |(_, at)| format!("{} ms after SIGTERM", ms(*at - term_at))
        ),
        moved.iter().map(|(_, d)| ms(*d)).max().unwrap_or(0),
        first_ack.map_or_else(|| "never".to_owned(), |t| format!("{} ms", ms(t - term_at))),
        outcome.resent()
    );
    outcome.failures.extend(failures);
    outcome.assert_ok("SIGTERM of a node");
}
