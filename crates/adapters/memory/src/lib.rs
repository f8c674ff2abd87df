//! Single-process adapters, the embedded default: state lives in this process's memory and is
//! lost on restart, which is acceptable for one node (revocations and counters are short-lived;
//! the event bus and presence describe only this process's own live connections).
//!
//! A cluster must use the Redis adapters instead, or each node would see only its own entries.

mod denylist;
mod event_bus;
mod presence;
mod rate_limiter;
mod request_throttle;
mod stats;

pub use denylist::InMemoryTokenDenylist;
pub use event_bus::InMemoryEventBus;
pub use presence::InMemoryPresenceStore;
pub use rate_limiter::InMemoryRateLimiter;
pub use request_throttle::InMemoryRequestThrottle;
pub use stats::InMemoryRealtimeStats;

/// When to sweep expired entries: once the map has doubled since the last sweep. Amortized
/// O(1) per write, and memory stays within twice the live entries.
#[derive(Debug)]
struct SweepSchedule {
    next_at: usize,
}

impl SweepSchedule {
    const MIN: usize = 1024;

    const fn new() -> Self {
        Self { next_at: Self::MIN }
    }

    fn is_due(&self, len: usize) -> bool {
        len >= self.next_at
    }

    fn swept(&mut self, len_after: usize) {
        self.next_at = (len_after * 2).max(Self::MIN);
    }
}
