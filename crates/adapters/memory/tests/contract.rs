//! Runs the port contract suites against the in-memory adapters.

use std::sync::Arc;
use tandem_app::ports::RateLimiter;
use tandem_memory::{InMemoryRateLimiter, InMemoryTokenDenylist};
use tandem_testkit::contract::{denylist, rate_limiter};

#[tokio::test]
async fn the_in_memory_denylist_meets_the_denylist_contract() {
    denylist::run_all(&InMemoryTokenDenylist::new()).await;
}

#[tokio::test]
async fn the_in_memory_rate_limiter_meets_the_rate_limiter_contract() {
    let limiter: Arc<dyn RateLimiter> = Arc::new(InMemoryRateLimiter::new());
    rate_limiter::run_all(&limiter).await;
}
