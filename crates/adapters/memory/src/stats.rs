//! This node's real-time statistics, in memory: connection counts per organization and kind,
//! a sliding one-minute latency histogram, and the process's load read from `/proc`.
//!
//! Per node in every mode, also in a cluster (see [`tandem_app::ports::RealtimeStats`]): the
//! figures describe the connections and deliveries of this process only.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tandem_app::ports::{
    ConnectionKind, LatencyPercentiles, ProcessLoad, RealtimeStats, StatsSnapshot,
};
use tandem_domain::OrganizationId;

/// The latency window: `SLOTS` slots of `SLOT` each, the oldest reused as time moves on. A
/// snapshot covers between `SLOTS - 1` and `SLOTS` slots (50 to 60 seconds).
const SLOT: Duration = Duration::from_secs(10);
const SLOTS: usize = 6;

/// Histogram buckets: bucket `i` holds latencies up to `FIRST_BOUND_MS * GROWTH^i`, so each
/// bucket is 12% wider than the previous one and a percentile is exact to within 12%, at a
/// fixed cost however many deliveries there are. The last bucket takes everything above.
const FIRST_BOUND_MS: f64 = 0.05;
const GROWTH: f64 = 1.12;
const BUCKETS: usize = 140; // up to ~390 s

/// The CPU figure is recomputed at most this often, so dashboards reading at the same moment
/// do not divide by a few microseconds.
const CPU_SAMPLE: Duration = Duration::from_secs(1);

/// `/proc/[pid]/stat` counts CPU time in clock ticks of `USER_HZ`, which Linux fixes at 100
/// for user space on every architecture it ships.
const TICKS_PER_SECOND: f64 = 100.0;

pub struct InMemoryRealtimeStats {
    connections: Mutex<HashMap<(OrganizationId, ConnectionKind), u64>>,
    latency: Mutex<Window>,
    cpu: Mutex<CpuSample>,
    started: Instant,
}

impl std::fmt::Debug for InMemoryRealtimeStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryRealtimeStats")
            .finish_non_exhaustive()
    }
}

struct Window {
    /// Per slot: which period (`elapsed / SLOT`) it counts, and its counts per bucket.
    slots: [(u64, [u32; BUCKETS]); SLOTS],
}

struct CpuSample {
    at: Instant,
    ticks: Option<u64>,
    percent: Option<f64>,
}

impl InMemoryRealtimeStats {
    pub fn new() -> Self {
        Self {
            connections: Mutex::new(HashMap::new()),
            latency: Mutex::new(Window {
                // Period 0 is live from the start; `u64::MAX` marks a slot as unused.
                slots: [(u64::MAX, [0; BUCKETS]); SLOTS],
            }),
            cpu: Mutex::new(CpuSample {
                at: Instant::now(),
                ticks: cpu_ticks(),
                percent: None,
            }),
            started: Instant::now(),
        }
    }

    fn period(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.started);
        elapsed.as_secs() / SLOT.as_secs()
    }

    fn record_at(&self, latency: Duration, now: Instant) {
        let period = self.period(now);
        let mut window = lock(&self.latency);
        let (slot_period, counts) = &mut window.slots[period as usize % SLOTS];
        if *slot_period != period {
            *slot_period = period;
            *counts = [0; BUCKETS];
        }
        let bucket = &mut counts[bucket_of(latency)];
        *bucket = bucket.saturating_add(1);
    }

    fn percentiles_at(&self, now: Instant) -> Option<LatencyPercentiles> {
        let period = self.period(now);
        let mut merged = [0_u64; BUCKETS];
        {
            let window = lock(&self.latency);
            let recent = window
                .slots
                .iter()
                .filter(|(p, _)| *p != u64::MAX && *p + (SLOTS as u64) > period);
            for (_, counts) in recent {
                for (total, count) in merged.iter_mut().zip(counts) {
                    *total += u64::from(*count);
                }
            }
        }
        let samples: u64 = merged.iter().sum();
        (samples > 0).then(|| LatencyPercentiles {
            p50_ms: percentile(&merged, samples, 0.50),
            p95_ms: percentile(&merged, samples, 0.95),
            p99_ms: percentile(&merged, samples, 0.99),
            samples,
        })
    }

    fn cpu_percent(&self) -> Option<f64> {
        let mut sample = lock(&self.cpu);
        let now = Instant::now();
        let elapsed = now.duration_since(sample.at);
        if elapsed >= CPU_SAMPLE {
            let ticks = cpu_ticks();
            sample.percent = match (sample.ticks, ticks) {
                (Some(before), Some(after)) => Some(
                    after.saturating_sub(before) as f64 / TICKS_PER_SECOND / elapsed.as_secs_f64()
                        * 100.0,
                ),
                _ => None,
            };
            sample.at = now;
            sample.ticks = ticks;
        }
        sample.percent.map(round2)
    }
}

impl Default for InMemoryRealtimeStats {
    fn default() -> Self {
        Self::new()
    }
}

impl RealtimeStats for InMemoryRealtimeStats {
    fn connection_opened(&self, organization_id: OrganizationId, kind: ConnectionKind) {
        *lock(&self.connections)
            .entry((organization_id, kind))
            .or_insert(0) += 1;
    }

    fn connection_closed(&self, organization_id: OrganizationId, kind: ConnectionKind) {
        let mut connections = lock(&self.connections);
        if let Some(open) = connections.get_mut(&(organization_id, kind)) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                connections.remove(&(organization_id, kind));
            }
        }
    }

    fn delivered(&self, latency: Duration) {
        self.record_at(latency, Instant::now());
    }

    fn snapshot(&self, organization_id: OrganizationId) -> StatsSnapshot {
        let (open_websockets, open_event_streams) = {
            let connections = lock(&self.connections);
            let count = |kind| {
                connections
                    .get(&(organization_id, kind))
                    .copied()
                    .unwrap_or(0)
            };
            (
                count(ConnectionKind::WebSocket),
                count(ConnectionKind::EventStream),
            )
        };
        StatsSnapshot {
            open_websockets,
            open_event_streams,
            latency: self.percentiles_at(Instant::now()),
            process: ProcessLoad {
                cpu_percent: self.cpu_percent(),
                memory_bytes: resident_memory_bytes(),
                load_average: load_average(),
                cores: std::thread::available_parallelism()
                    .ok()
                    .map(|n| n.get() as u64),
            },
        }
    }
}

/// Counters stay meaningful after a panic elsewhere: take the data anyway.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bucket_of(latency: Duration) -> usize {
    let ms = latency.as_secs_f64() * 1000.0;
    if ms <= FIRST_BOUND_MS {
        return 0;
    }
    let index = (ms / FIRST_BOUND_MS).ln() / GROWTH.ln();
    (index.ceil() as usize).min(BUCKETS - 1)
}

fn upper_bound_ms(bucket: usize) -> f64 {
    FIRST_BOUND_MS * GROWTH.powi(bucket as i32)
}

/// The upper bound of the bucket holding the sample of rank `ceil(q × samples)`.
fn percentile(counts: &[u64; BUCKETS], samples: u64, q: f64) -> f64 {
    let rank = ((samples as f64) * q).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (bucket, count) in counts.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return round2(upper_bound_ms(bucket));
        }
    }
    round2(upper_bound_ms(BUCKETS - 1))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// User plus system CPU time of this process, in clock ticks: fields 14 and 15 of
/// `/proc/self/stat`, counted after the command name (which may hold spaces and parentheses).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn load_average() -> Option<f64> {
    let loadavg = std::fs::read_to_string("/proc/loadavg").ok()?;
    loadavg.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ACME: OrganizationId = OrganizationId::new(1);
    const GLOBEX: OrganizationId = OrganizationId::new(2);

    #[test]
    fn connections_are_counted_per_organization_and_kind() {
        let stats = InMemoryRealtimeStats::new();
        stats.connection_opened(ACME, ConnectionKind::WebSocket);
        stats.connection_opened(ACME, ConnectionKind::WebSocket);
        stats.connection_opened(ACME, ConnectionKind::EventStream);
        stats.connection_opened(GLOBEX, ConnectionKind::WebSocket);
        stats.connection_closed(ACME, ConnectionKind::WebSocket);
        // A close that was never opened changes nothing.
        stats.connection_closed(GLOBEX, ConnectionKind::EventStream);
        let acme = stats.snapshot(ACME);
        assert_eq!((acme.open_websockets, acme.open_event_streams), (1, 1));
        let globex = stats.snapshot(GLOBEX);
        assert_eq!((globex.open_websockets, globex.open_event_streams), (1, 0));
    }

    #[test]
    fn percentiles_are_within_a_bucket_of_the_true_value() {
        let stats = InMemoryRealtimeStats::new();
        let now = stats.started;
        assert_eq!(stats.percentiles_at(now), None);
        for ms in 1..=100 {
            stats.record_at(Duration::from_millis(ms), now);
        }
        let p = stats.percentiles_at(now).unwrap();
        assert_eq!(p.samples, 100);
        for (actual, expected) in [(p.p50_ms, 50.0), (p.p95_ms, 95.0), (p.p99_ms, 99.0)] {
            assert!(
                actual >= expected && actual <= expected * GROWTH,
                "{actual} for {expected}"
            );
        }
        assert!(p.p50_ms <= p.p95_ms && p.p95_ms <= p.p99_ms);
    }

    #[test]
    fn latencies_older_than_the_window_are_forgotten() {
        let stats = InMemoryRealtimeStats::new();
        let start = stats.started;
        stats.record_at(Duration::from_secs(2), start);
        stats.record_at(Duration::from_millis(3), start + Duration::from_secs(35));
        let later = stats
            .percentiles_at(start + Duration::from_secs(45))
            .unwrap();
        assert_eq!(later.samples, 2);
        let much_later = stats
            .percentiles_at(start + Duration::from_secs(61))
            .unwrap();
        assert_eq!(much_later.samples, 1, "the first slot aged out");
        assert!(much_later.p99_ms < 4.0);
        // A slot reused for a new period starts empty.
        stats.record_at(Duration::from_millis(1), start + Duration::from_secs(65));
        let reused = stats
            .percentiles_at(start + Duration::from_secs(65))
            .unwrap();
        assert_eq!(reused.samples, 2);
    }

    #[test]
    fn extreme_latencies_land_in_the_first_and_last_buckets() {
        assert_eq!(bucket_of(Duration::ZERO), 0);
        assert_eq!(bucket_of(Duration::from_secs(3600)), BUCKETS - 1);
        assert!(upper_bound_ms(BUCKETS - 1) > 300_000.0);
    }

    #[test]
    fn the_process_load_is_read_on_linux() {
        let stats = InMemoryRealtimeStats::new();
        let load = stats.snapshot(ACME).process;
        if cfg!(target_os = "linux") {
            assert!(load.memory_bytes.is_some_and(|b| b > 0));
            assert!(cpu_ticks().is_some());
            assert!(load.load_average.is_some());
        }
        assert!(load.cores.is_some_and(|c| c > 0));
    }
}
