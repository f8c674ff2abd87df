//! Counters and latency histograms shared by every connection task.
//!
//! Everything is a relaxed atomic: recording a sample is one `fetch_add` on a bucket, with no
//! lock, no channel and no allocation, so a thousand sockets can record tens of thousands of
//! samples a second on two cores without the tool becoming the bottleneck.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Sub-buckets per power of two: 128 gives a relative error under 0.8 %.
const SUB_BITS: u32 = 7;
const SUB_COUNT: usize = 1 << SUB_BITS;
/// Largest recorded value: 2^40 µs (12 days); larger ones land in the last bucket.
const MAX_EXP: u32 = 40;
const BUCKETS: usize = (MAX_EXP - SUB_BITS + 2) as usize * SUB_COUNT;

/// A log-linear histogram of microseconds (the layout of an HDR histogram with two
/// significant digits), safe to record into from any thread.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    count: AtomicU64,
    max: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }
}

fn index_of(value: u64) -> usize {
    let value = value.min((1u64 << (MAX_EXP + 1)) - 1);
    if value < SUB_COUNT as u64 {
        return value as usize;
    }
    let exp = 63 - value.leading_zeros();
    let shift = exp - SUB_BITS;
    let sub = ((value >> shift) as usize) & (SUB_COUNT - 1);
    ((shift as usize + 1) << SUB_BITS) + sub
}

/// The highest value that lands in bucket `index`.
fn upper_bound_of(index: usize) -> u64 {
    if index < SUB_COUNT {
        return index as u64;
    }
    let shift = (index >> SUB_BITS) as u32 - 1;
    let sub = (index & (SUB_COUNT - 1)) as u64;
    let low = (SUB_COUNT as u64 + sub) << shift;
    low + (1u64 << shift) - 1
}

impl Histogram {
    pub fn record(&self, micros: u64) {
        self.buckets[index_of(micros)].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.max.fetch_max(micros, Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    pub fn max(&self) -> u64 {
        self.max.load(Relaxed)
    }

    /// The value at quantile `q` (0–1), in microseconds: the upper bound of its bucket, never
    /// more than the largest value seen. 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        let count = self.count();
        if count == 0 {
            return 0;
        }
        // The rank of the sample at quantile q, 1-based (nearest-rank definition).
        let rank = ((q * count as f64).ceil() as u64).clamp(1, count);
        let mut seen = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            seen += bucket.load(Relaxed);
            if seen >= rank {
                return upper_bound_of(index).min(self.max());
            }
        }
        self.max()
    }

    /// The mean, from bucket bounds (slightly high, like the quantiles).
    pub fn mean(&self) -> f64 {
        let count = self.count();
        if count == 0 {
            return 0.0;
        }
        let total: f64 = self
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| b.load(Relaxed) as f64 * upper_bound_of(i) as f64)
            .sum();
        total / count as f64
    }
}

/// What every connection reports. Counters named `*_in_window` only count messages whose
/// send instant falls inside the measurement window.
#[derive(Default)]
pub struct Stats {
    /// Send instant → the sender's `ack`.
    pub ack_latency: Histogram,
    /// Send instant → each member's `chat_message`, over every (sender, receiver) pair.
    pub delivery_latency: Histogram,
    /// The same, for receivers that never send: a session busy storing its own message may
    /// hold back what it forwards, so the two can differ under load.
    pub listener_delivery_latency: Histogram,
    /// TCP connect → `ready` frame.
    pub connect_latency: Histogram,
    pub connected: AtomicU64,
    pub connect_failures: AtomicU64,
    pub sent_total: AtomicU64,
    pub sent_in_window: AtomicU64,
    pub acked_in_window: AtomicU64,
    /// Sum over acknowledged in-window messages of the connections open in their channel.
    pub expected_deliveries: AtomicU64,
    pub delivered_total: AtomicU64,
    pub delivered_in_window: AtomicU64,
    /// A frame could not be written to the socket.
    pub send_errors: AtomicU64,
    /// Closed-loop mode: no ack within the timeout.
    pub ack_timeouts: AtomicU64,
    /// Sockets that closed or broke before the end of the run.
    pub disconnects: AtomicU64,
    /// `error` frames by code.
    pub error_frames: Mutex<BTreeMap<String, u64>>,
    /// Close codes and reasons of unexpected disconnects.
    pub close_reasons: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn error_frame(&self, code: &str) {
        if let Ok(mut codes) = self.error_frames.lock() {
            *codes.entry(code.to_owned()).or_default() += 1;
        }
    }

    pub fn disconnected(&self, reason: String) {
        self.disconnects.fetch_add(1, Relaxed);
        if let Ok(mut reasons) = self.close_reasons.lock() {
            *reasons.entry(reason).or_default() += 1;
        }
    }
}

/// The clock every task shares: microseconds since the tool started, so a timestamp can
/// travel inside a message id and be compared by any receiving task.
#[derive(Clone, Copy)]
pub struct Clock {
    base: Instant,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
        }
    }

    pub fn now_micros(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// The measurement window, in [`Clock`] microseconds: messages sent inside it count.
#[derive(Default)]
pub struct Window {
    pub start: AtomicU64,
    pub end: AtomicU64,
}

impl Window {
    pub fn contains(&self, sent_at: u64) -> bool {
        sent_at >= self.start.load(Relaxed) && sent_at < self.end.load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values_within_one_percent() {
        for value in [
            0u64,
            1,
            127,
            128,
            129,
            1000,
            25_000,
            99_999,
            1_234_567,
            1 << 39,
        ] {
            let bound = upper_bound_of(index_of(value));
            assert!(bound >= value, "{value} -> {bound}");
            assert!(
                (bound - value) as f64 <= value as f64 * 0.008 + 1.0,
                "{value} -> {bound}"
            );
        }
    }

    #[test]
    fn quantiles_follow_the_samples() {
        let h = Histogram::default();
        for v in 1..=1000 {
            h.record(v * 100);
        }
        assert_eq!(h.count(), 1000);
        let p50 = h.quantile(0.5);
        assert!((49_500..=50_500).contains(&p50), "{p50}");
        let p99 = h.quantile(0.99);
        assert!((98_500..=99_800).contains(&p99), "{p99}");
        assert_eq!(h.quantile(1.0), 100_000);
        assert_eq!(h.max(), 100_000);
    }
}
