//! Circuit breakers for the dependencies a node can lose for a while (the database, Redis).
//!
//! Without one, every request during an outage waits for the pool's timeout before its clean
//! error. A [`Circuit`] opens on the first failure to reach the dependency; while it is open,
//! calls fail at once (or take their fallback) instead of waiting, and a background probe
//! tries the dependency every [`Circuit::probe_every`]; the first probe that answers closes
//! it. Adapters own their circuit: they ask [`Circuit::is_open`] before a call, and report
//! failures to reach the dependency with [`Circuit::failed`].

use crate::ports::{Admission, PortError, Quota, RateLimiter, RequestThrottle, WindowCount};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// One dependency's circuit, with the counts `/metrics` shows.
#[derive(Debug)]
pub struct Circuit {
    name: &'static str,
    probe_every: Duration,
    open: AtomicBool,
    opened_total: AtomicU64,
    refused_total: AtomicU64,
    fallbacks_total: AtomicU64,
}

/// A circuit's state and counts, as `/metrics` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitReport {
    pub name: &'static str,
    pub open: bool,
    /// How many times it opened.
    pub opened_total: u64,
    /// Calls refused at once while it was open.
    pub refused_total: u64,
    /// Calls served by a fallback (the node's own rate limiter, say) instead.
    pub fallbacks_total: u64,
}

/// The probe a circuit runs while open: `Ok` when the dependency answers again.
pub type Probe = Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), PortError>> + Send>> + Send + Sync,
>;

impl Circuit {
    pub fn new(name: &'static str, probe_every: Duration) -> Arc<Self> {
        Arc::new(Self {
            name,
            probe_every,
            open: AtomicBool::new(false),
            opened_total: AtomicU64::new(0),
            refused_total: AtomicU64::new(0),
            fallbacks_total: AtomicU64::new(0),
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn probe_every(&self) -> Duration {
        self.probe_every
    }

    /// Whether calls should fail at once (or fall back) now.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// The dependency could not be reached: opens the circuit, and when that is news, starts
    /// `probe` in the background until it answers (on the current tokio runtime; without one,
    /// the circuit closes at once rather than stay open with nobody to close it).
    pub fn failed(self: &Arc<Self>, error: &PortError, probe: &Probe) {
        if !matches!(error, PortError::Unavailable { .. }) || self.open.swap(true, Ordering::AcqRel)
        {
            return;
        }
        self.opened_total.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            dependency = self.name,
            %error,
            "dependency unreachable: failing fast until it answers again"
        );
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.open.store(false, Ordering::Release);
            return;
        };
        let (circuit, probe) = (Arc::clone(self), Arc::clone(probe));
        runtime.spawn(async move {
            let started = tokio::time::Instant::now();
            loop {
                tokio::time::sleep(circuit.probe_every).await;
                if probe().await.is_ok() {
                    break;
                }
            }
            circuit.open.store(false, Ordering::Release);
            tracing::info!(
                dependency = circuit.name,
                down_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "dependency answers again"
            );
        });
    }

    /// The error of a call refused because the circuit is open; counts it.
    pub fn refuse(&self) -> PortError {
        self.refused_total.fetch_add(1, Ordering::Relaxed);
        PortError::Unavailable {
            what: self.name,
            source: format!("{} is unreachable (circuit open)", self.name).into(),
        }
    }

    /// Counts a call served by a fallback.
    pub fn fell_back(&self) {
        self.fallbacks_total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn report(&self) -> CircuitReport {
        CircuitReport {
            name: self.name,
            open: self.is_open(),
            opened_total: self.opened_total.load(Ordering::Relaxed),
            refused_total: self.refused_total.load(Ordering::Relaxed),
            fallbacks_total: self.fallbacks_total.load(Ordering::Relaxed),
        }
    }
}

/// A port shared by every node (Redis) that falls back on the node's own while the shared one
/// cannot be reached, so losing Redis never stops messages or requests: each node then
/// enforces the limits on what it sees, which lets a client spreading its calls over `n` nodes
/// make up to `n` times as many until Redis is back. Counted on the circuit.
pub struct Fallback<P: ?Sized> {
    shared: Arc<P>,
    local: Arc<P>,
    circuit: Arc<Circuit>,
}

/// Fixed-window counters (login failures, message sends) with the node's own as fallback.
pub type FallbackRateLimiter = Fallback<dyn RateLimiter>;

/// Request budgets with the node's own as fallback.
pub type FallbackRequestThrottle = Fallback<dyn RequestThrottle>;

impl<P: ?Sized> Fallback<P> {
    pub fn new(shared: Arc<P>, local: Arc<P>, circuit: Arc<Circuit>) -> Self {
        Self {
            shared,
            local,
            circuit,
        }
    }

    async fn either<T, F>(&self, call: impl Fn(Arc<P>) -> F) -> Result<T, PortError>
    where
        F: Future<Output = Result<T, PortError>>,
    {
        match call(Arc::clone(&self.shared)).await {
            Err(PortError::Unavailable { .. }) => {
                self.circuit.fell_back();
                call(Arc::clone(&self.local)).await
            }
            other => other,
        }
    }
}

#[async_trait]
impl RateLimiter for FallbackRateLimiter {
    async fn increment(&self, key: &str, window: Duration) -> Result<WindowCount, PortError> {
        self.either(|limiter| async move { limiter.increment(key, window).await })
            .await
    }

    async fn current(&self, key: &str) -> Result<WindowCount, PortError> {
        self.either(|limiter| async move { limiter.current(key).await })
            .await
    }

    async fn clear(&self, key: &str) -> Result<(), PortError> {
        // Both: a counter the node kept during an outage must not outlive the reason to clear.
        let _ = self.local.clear(key).await;
        self.either(|limiter| async move { limiter.clear(key).await })
            .await
    }
}

#[async_trait]
impl RequestThrottle for FallbackRequestThrottle {
    async fn admit(&self, key: &str, quota: Quota) -> Result<Admission, PortError> {
        self.either(|throttle| async move { throttle.admit(key, quota).await })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn unavailable() -> PortError {
        PortError::Unavailable {
            what: "test",
            source: "down".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn opens_on_a_failure_to_reach_and_closes_when_the_probe_answers() {
        let circuit = Circuit::new("test", Duration::from_millis(500));
        let tries = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&tries);
        let probe: Probe = Arc::new(move || {
            let attempt = counted.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if attempt < 2 {
                    Err(PortError::Unavailable {
                        what: "test",
                        source: "still down".into(),
                    })
                } else {
                    Ok(())
                }
            })
        });
        circuit.failed(&PortError::unexpected("a bug, not an outage"), &probe);
        assert!(!circuit.is_open(), "only unavailability opens it");

        circuit.failed(&unavailable(), &probe);
        circuit.failed(&unavailable(), &probe);
        assert!(circuit.is_open());
        let _ = circuit.refuse();
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        assert!(circuit.is_open(), "two probes failed");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!circuit.is_open(), "the third answered");
        assert_eq!(tries.load(Ordering::SeqCst), 3, "one probe at a time");
        assert_eq!(
            circuit.report(),
            CircuitReport {
                name: "test",
                open: false,
                opened_total: 1,
                refused_total: 1,
                fallbacks_total: 0,
            }
        );
    }
}
