//! Runs the port contract suites against the in-memory adapters.

use std::sync::Arc;
use tandem_app::ports::{RateLimiter, RequestThrottle};
use tandem_memory::{InMemoryRateLimiter, InMemoryRequestThrottle, InMemoryTokenDenylist};
use tandem_testkit::contract::{denylist, rate_limiter, request_throttle};

#[tokio::test]
async fn the_in_memory_denylist_meets_the_denylist_contract() {
    denylist::run_all(&InMemoryTokenDenylist::new()).await;
}

#[tokio::test]
async fn the_in_memory_rate_limiter_meets_the_rate_limiter_contract() {
    let limiter: Arc<dyn RateLimiter> = Arc::new(InMemoryRateLimiter::new());
    rate_limiter::run_all(&limiter).await;
}

#[tokio::test]
async fn the_in_memory_request_throttle_meets_the_request_throttle_contract() {
    let throttle: Arc<dyn RequestThrottle> = Arc::new(InMemoryRequestThrottle::new());
    request_throttle::run_all(&throttle).await;
}
