//! [`InMemoryRequestThrottle`]: request budgets held in this process, by `governor`.

use async_trait::async_trait;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tandem_app::ports::{Admission, PortError, Quota, RequestThrottle};

type Keyed = governor::RateLimiter<
    String,
    DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// How many admissions between two sweeps of keys whose budget is whole again.
const SWEEP_EVERY: u64 = 4096;

/// One `governor` keyed limiter per quota (there are a handful: one per bucket of routes).
/// Keys whose budget has fully come back are dropped now and then, so memory follows the
/// clients active within a period, not every client ever seen.
#[derive(Default)]
pub struct InMemoryRequestThrottle {
    limiters: Mutex<HashMap<Quota, Arc<Keyed>>>,
    admissions: AtomicU64,
}

impl std::fmt::Debug for InMemoryRequestThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryRequestThrottle")
            .finish_non_exhaustive()
    }
}

impl InMemoryRequestThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    fn limiter(&self, quota: Quota) -> Result<Arc<Keyed>, PortError> {
        let mut limiters = self.limiters.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(limiter) = limiters.get(&quota) {
            return Ok(Arc::clone(limiter));
        }
        let burst = NonZeroU32::new(quota.limit)
            .ok_or_else(|| PortError::unexpected("a request quota needs a limit above zero"))?;
        let replenish = governor::Quota::with_period(quota.emission_interval())
            .ok_or_else(|| PortError::unexpected("a request quota needs a period above zero"))?
            .allow_burst(burst);
        let limiter = Arc::new(
            governor::RateLimiter::keyed(replenish).with_middleware::<StateInformationMiddleware>(),
        );
        limiters.insert(quota, Arc::clone(&limiter));
        Ok(limiter)
    }

    fn sweep(&self) {
        let limiters: Vec<_> = self
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for limiter in limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Keys currently held, for tests of the sweep.
    pub fn len(&self) -> usize {
        self.limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|limiter| limiter.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl RequestThrottle for InMemoryRequestThrottle {
    async fn admit(&self, key: &str, quota: Quota) -> Result<Admission, PortError> {
        let limiter = self.limiter(quota)?;
        if self.admissions.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        let interval = quota.emission_interval();
        Ok(match limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Admission {
                    allowed: true,
                    remaining,
                    reset_after: interval * (quota.limit - remaining.min(quota.limit)),
                    retry_after: None,
                }
            }
            Err(refused) => {
                let wait = refused.wait_time_from(limiter.clock().now());
                Admission {
                    allowed: false,
                    remaining: 0,
                    // One unit comes back after `wait`, the rest one interval apart.
                    reset_after: wait + interval * quota.limit.saturating_sub(1),
                    retry_after: Some(wait.max(Duration::from_millis(1))),
                }
            }
        })
    }
}
