//! Rate limits that outlive the shared store: the node's own counters take over while the
//! shared ones cannot be reached, and the circuit counts it.

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tandem_app::ports::{PortError, RateLimiter, WindowCount};
use tandem_app::resilience::{Circuit, FallbackRateLimiter};
use tandem_testkit::fakes::TestContext;

/// A shared store that can be taken away and brought back.
struct Switchable {
    up: AtomicBool,
    inner: Arc<dyn RateLimiter>,
}

impl Switchable {
    fn check(&self) -> Result<(), PortError> {
        if self.up.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(PortError::Unavailable {
                what: "redis",
                source: "connection refused".into(),
            })
        }
    }
}

#[async_trait]
impl RateLimiter for Switchable {
    async fn increment(&self, key: &str, window: Duration) -> Result<WindowCount, PortError> {
        self.check()?;
        self.inner.increment(key, window).await
    }
    async fn current(&self, key: &str) -> Result<WindowCount, PortError> {
        self.check()?;
        self.inner.current(key).await
    }
    async fn clear(&self, key: &str) -> Result<(), PortError> {
        self.check()?;
        self.inner.clear(key).await
    }
}

#[tokio::test]
async fn the_nodes_own_counters_take_over_while_the_shared_ones_are_away() {
    let (shared_store, local_store) = (TestContext::new(), TestContext::new());
    let shared = Arc::new(Switchable {
        up: AtomicBool::new(true),
        inner: shared_store.rate_limiter.clone(),
    });
    let circuit = Circuit::new("redis", Duration::from_secs(1));
    let limiter = FallbackRateLimiter::new(
        shared.clone(),
        local_store.rate_limiter.clone(),
        circuit.clone(),
    );
    let window = Duration::from_secs(60);

    assert_eq!(
        limiter.increment("send:ana", window).await.unwrap().count,
        1
    );
    shared.up.store(false, Ordering::SeqCst);
    // Counted, not refused, and on the node's own counter from zero.
    assert_eq!(
        limiter.increment("send:ana", window).await.unwrap().count,
        1
    );
    assert_eq!(
        limiter.increment("send:ana", window).await.unwrap().count,
        2
    );
    assert_eq!(limiter.current("send:ana").await.unwrap().count, 2);
    assert_eq!(circuit.report().fallbacks_total, 3);

    shared.up.store(true, Ordering::SeqCst);
    assert_eq!(
        limiter.increment("send:ana", window).await.unwrap().count,
        2
    );
    limiter.clear("send:ana").await.unwrap();
    assert_eq!(
        local_store
            .rate_limiter
            .current("send:ana")
            .await
            .unwrap()
            .count,
        0
    );
    assert_eq!(
        shared_store
            .rate_limiter
            .current("send:ana")
            .await
            .unwrap()
            .count,
        0
    );
}

#[tokio::test]
async fn a_shared_store_that_fails_otherwise_is_not_papered_over() {
    struct Broken;
    #[async_trait]
    impl RateLimiter for Broken {
        async fn increment(&self, _: &str, _: Duration) -> Result<WindowCount, PortError> {
            Err(PortError::unexpected("a script error"))
        }
        async fn current(&self, _: &str) -> Result<WindowCount, PortError> {
            Err(PortError::unexpected("a script error"))
        }
        async fn clear(&self, _: &str) -> Result<(), PortError> {
            Err(PortError::unexpected("a script error"))
        }
    }
    let local = TestContext::new();
    let circuit = Circuit::new("redis", Duration::from_secs(1));
    let limiter = FallbackRateLimiter::new(
        Arc::new(Broken),
        local.rate_limiter.clone(),
        circuit.clone(),
    );
    assert!(matches!(
        limiter.increment("k", Duration::from_secs(1)).await,
        Err(PortError::Unexpected(_))
    ));
    assert_eq!(circuit.report().fallbacks_total, 0);
}
