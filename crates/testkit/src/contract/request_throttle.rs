//! Contract suite for [`RequestThrottle`]: request budgets (GCRA) as every adapter must keep
//! them, so a node falling back from Redis to its own budgets decides alike.
//!
//! Every case uses random keys, so the suite can run again and again (and concurrently)
//! against one shared store without cleaning it.

use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{Quota, RequestThrottle};

/// Runs every case in this suite against `throttle`.
pub async fn run_all(throttle: &Arc<dyn RequestThrottle>) {
    a_full_budget_allows_a_burst_of_its_limit_then_refuses(throttle).await;
    a_refused_request_spends_nothing(throttle).await;
    the_budget_comes_back_one_interval_at_a_time(throttle).await;
    keys_and_quotas_are_budgeted_independently(throttle).await;
    concurrent_requests_never_overspend(throttle).await;
}

pub async fn a_full_budget_allows_a_burst_of_its_limit_then_refuses(
    throttle: &Arc<dyn RequestThrottle>,
) {
    let (key, quota) = (key(), Quota::per_minute(5));
    for expected_remaining in (0..5).rev() {
        let admission = throttle.admit(&key, quota).await.unwrap();
        assert!(admission.allowed, "{admission:?}");
        assert_eq!(admission.remaining, expected_remaining, "{admission:?}");
        assert_eq!(admission.retry_after, None);
        assert!(
            admission.reset_after > Duration::ZERO && admission.reset_after <= quota.period,
            "{admission:?}"
        );
    }
    let refused = throttle.admit(&key, quota).await.unwrap();
    assert!(!refused.allowed, "{refused:?}");
    assert_eq!(refused.remaining, 0);
    let retry = refused.retry_after.expect("a refusal says when to retry");
    // One unit comes back every 12 s; the burst took a moment, so a little less is left.
    assert!(
        retry > Duration::from_secs(10) && retry <= quota.emission_interval(),
        "{refused:?}"
    );
    assert!(
        refused.reset_after > retry && refused.reset_after <= quota.period,
        "{refused:?}"
    );
}

/// Hammering a refused budget does not push the next allowed request further away.
pub async fn a_refused_request_spends_nothing(throttle: &Arc<dyn RequestThrottle>) {
    let (key, quota) = (key(), Quota::per_hour(1));
    assert!(throttle.admit(&key, quota).await.unwrap().allowed);
    let first = throttle.admit(&key, quota).await.unwrap();
    for _ in 0..20 {
        assert!(!throttle.admit(&key, quota).await.unwrap().allowed);
    }
    let last = throttle.admit(&key, quota).await.unwrap();
    assert!(
        last.retry_after.unwrap() <= first.retry_after.unwrap(),
        "{first:?} then {last:?}"
    );
}

pub async fn the_budget_comes_back_one_interval_at_a_time(throttle: &Arc<dyn RequestThrottle>) {
    // Two requests per 400 ms: one unit back every 200 ms.
    let (key, quota) = (
        key(),
        Quota {
            limit: 2,
            period: Duration::from_millis(400),
        },
    );
    assert!(throttle.admit(&key, quota).await.unwrap().allowed);
    assert!(throttle.admit(&key, quota).await.unwrap().allowed);
    let refused = throttle.admit(&key, quota).await.unwrap();
    assert!(!refused.allowed, "{refused:?}");
    tokio::time::sleep(refused.retry_after.unwrap() + Duration::from_millis(20)).await;
    let again = throttle.admit(&key, quota).await.unwrap();
    assert!(again.allowed, "a unit is back after retry_after: {again:?}");
    assert_eq!(again.remaining, 0, "only one unit came back: {again:?}");
}

pub async fn keys_and_quotas_are_budgeted_independently(throttle: &Arc<dyn RequestThrottle>) {
    let (spent, other) = (key(), key());
    let quota = Quota::per_hour(1);
    assert!(throttle.admit(&spent, quota).await.unwrap().allowed);
    assert!(!throttle.admit(&spent, quota).await.unwrap().allowed);
    let fresh = throttle.admit(&other, quota).await.unwrap();
    assert!(fresh.allowed, "another key has its own budget: {fresh:?}");
}

pub async fn concurrent_requests_never_overspend(throttle: &Arc<dyn RequestThrottle>) {
    let (key, quota) = (key(), Quota::per_hour(10));
    let attempts = (0..40).map(|_| {
        let (throttle, key) = (Arc::clone(throttle), key.clone());
        tokio::spawn(async move { throttle.admit(&key, quota).await.unwrap().allowed })
    });
    let mut allowed = 0;
    for attempt in attempts {
        if attempt.await.unwrap() {
            allowed += 1;
        }
    }
    assert_eq!(
        allowed, 10,
        "exactly the budget is spent, however requests race"
    );
}

fn key() -> String {
    format!("contract:{:016x}", rand::random::<u64>())
}
