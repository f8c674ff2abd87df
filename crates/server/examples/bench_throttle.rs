//! What the general request limiter costs a request: admissions per second and the latency of
//! one, in this process (governor) and in Redis (one script call), from one task and from many.
//!
//! ```sh
//! cargo run --release -p tandem-server --example bench_throttle -- redis://127.0.0.1:6379
//! ```
//!
//! Without a Redis URL only the in-process throttle is measured. Every key gets a budget no
//! run spends (the cost of an admission, not of a refusal); keys are spread over 10,000
//! callers, as on a busy server.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a command-line tool whose output is its report"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_app::ports::{Quota, RequestThrottle};

const CALLERS: u64 = 10_000;
const PER_TASK: u64 = 20_000;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let quota = Quota::per_minute(u32::MAX / 2);
    let mut throttles: Vec<(&str, Arc<dyn RequestThrottle>)> = vec![(
        "in process",
        Arc::new(tandem_memory::InMemoryRequestThrottle::new()),
    )];
    if let Some(url) = std::env::args().nth(1) {
        let namespace = format!("bench-throttle-{}", std::process::id());
        let stores = tandem_redis::RedisStores::connect(&url, &namespace).expect("Redis URL");
        throttles.push(("Redis", stores.request_throttle()));
    }
    println!("| store | tasks | admissions/s | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for (name, throttle) in throttles {
        for tasks in [1, 16] {
            let per_task = if name == "Redis" {
                PER_TASK / 4
            } else {
                PER_TASK
            };
            let (rate, p50, p99) = run(&throttle, quota, tasks, per_task).await;
            println!(
                "| {name} | {tasks} | {rate:.0} | {:.1} µs | {:.1} µs |",
                micros(p50),
                micros(p99)
            );
        }
    }
}

async fn run(
    throttle: &Arc<dyn RequestThrottle>,
    quota: Quota,
    tasks: u64,
    per_task: u64,
) -> (f64, Duration, Duration) {
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let throttle = Arc::clone(throttle);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(usize::try_from(per_task).unwrap());
                for i in 0..per_task {
                    let key = format!("general:user:{}", (task * per_task + i) % CALLERS);
                    let one = Instant::now();
                    let admission = throttle.admit(&key, quota).await.expect("admitted");
                    assert!(admission.allowed, "the budget is never spent here");
                    latencies.push(one.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.extend(handle.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
    )
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
