//! System ports: time, rate limiting, readiness.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A fixed-window counter's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCount {
    pub count: u64,
    /// Time until the window ends and the count drops to zero (zero when `count` is zero).
    pub resets_in: Duration,
}

/// Fixed-window counters keyed by string, shared by every node that shares the store.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Adds one to `key`'s counter, starting a window of `window` when none is open, and returns
    /// the new state.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn increment(&self, key: &str, window: Duration) -> Result<WindowCount, PortError>;

    /// The counter's state without changing it (`count == 0` when no window is open).
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn current(&self, key: &str) -> Result<WindowCount, PortError>;

    /// Drops the counter.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn clear(&self, key: &str) -> Result<(), PortError>;
}

/// A request budget: up to `limit` requests at once, refilled evenly over `period` (one every
/// `period / limit`). The Generic Cell Rate Algorithm: smooth, no window edges to game, and one
/// timestamp of state per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    /// `limit` requests per minute.
    pub const fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            period: Duration::from_secs(60),
        }
    }

    /// `limit` requests per hour.
    pub const fn per_hour(limit: u32) -> Self {
        Self {
            limit,
            period: Duration::from_secs(3600),
        }
    }

    /// The time one request's share of the budget takes to come back.
    pub fn emission_interval(self) -> Duration {
        self.period / self.limit.max(1)
    }
}

/// What a [`RequestThrottle`] decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Whether the request may go on.
    pub allowed: bool,
    /// Requests that could still be made right now.
    pub remaining: u32,
    /// Time until the whole budget is back (zero when untouched).
    pub reset_after: Duration,
    /// When refused: time until one more request will be allowed.
    pub retry_after: Option<Duration>,
}

/// Budgets of requests per key, shared by every node that shares the store: a refused request
/// costs nothing, an allowed one spends one unit.
#[async_trait]
pub trait RequestThrottle: Send + Sync {
    /// Spends one unit of `key`'s budget under `quota` if one is left.
    ///
    /// # Errors
    /// `Unavailable` when the store cannot be reached.
    async fn admit(&self, key: &str, quota: Quota) -> Result<Admission, PortError>;
}

/// A dependency `/readyz` checks.
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    /// A short name for reports: `database`, `redis`.
    fn name(&self) -> &'static str;

    /// Whether the node cannot serve without it: `/readyz` takes the node out of rotation
    /// only for those, and reports the others as degraded.
    fn essential(&self) -> bool {
        true
    }

    /// # Errors
    /// `Unavailable` when the dependency does not answer.
    async fn check(&self) -> Result<(), PortError>;
}
