//! Contract suite for [`RateLimiter`]: fixed-window counters as every adapter must keep them.
//!
//! Every case uses random keys, so the suite can run again and again (and concurrently)
//! against one shared store without cleaning it.

use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{RateLimiter, WindowCount};

const LONG_WINDOW: Duration = Duration::from_secs(60);

/// Runs every case in this suite against `limiter`.
pub async fn run_all(limiter: &Arc<dyn RateLimiter>) {
    increments_count_up_within_one_window(limiter).await;
    further_hits_do_not_extend_the_window(limiter).await;
    current_reads_the_count_without_incrementing_it(limiter).await;
    an_unknown_key_has_no_open_window(limiter).await;
    clear_drops_the_counter(limiter).await;
    keys_are_counted_independently(limiter).await;
    concurrent_increments_all_count(limiter).await;
    the_count_resets_when_the_window_ends(limiter).await;
}

pub async fn increments_count_up_within_one_window(limiter: &Arc<dyn RateLimiter>) {
    let key = key();
    for expected in 1..=3 {
        let state = limiter.increment(&key, LONG_WINDOW).await.unwrap();
        assert_eq!(state.count, expected);
        assert!(
            state.resets_in > Duration::ZERO && state.resets_in <= LONG_WINDOW,
            "{state:?}"
        );
    }
}

/// A fixed window: the first hit opens it and later hits inside it never push its end back.
pub async fn further_hits_do_not_extend_the_window(limiter: &Arc<dyn RateLimiter>) {
    let key = key();
    let first = limiter.increment(&key, LONG_WINDOW).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = limiter.increment(&key, LONG_WINDOW).await.unwrap();
    assert_eq!(second.count, 2);
    assert!(
        second.resets_in <= first.resets_in,
        "{first:?} then {second:?}"
    );
}

pub async fn current_reads_the_count_without_incrementing_it(limiter: &Arc<dyn RateLimiter>) {
    let key = key();
    limiter.increment(&key, LONG_WINDOW).await.unwrap();
    limiter.increment(&key, LONG_WINDOW).await.unwrap();
    for _ in 0..3 {
        let state = limiter.current(&key).await.unwrap();
        assert_eq!(state.count, 2);
        assert!(
            state.resets_in > Duration::ZERO && state.resets_in <= LONG_WINDOW,
            "{state:?}"
        );
    }
}

pub async fn an_unknown_key_has_no_open_window(limiter: &Arc<dyn RateLimiter>) {
    let state = limiter.current(&key()).await.unwrap();
    assert_eq!(
        state,
        WindowCount {
            count: 0,
            resets_in: Duration::ZERO
        }
    );
}

pub async fn clear_drops_the_counter(limiter: &Arc<dyn RateLimiter>) {
    limiter
        .clear(&key())
        .await
        .expect("clearing a key that was never hit is fine");
    let key = key();
    for _ in 0..3 {
        limiter.increment(&key, LONG_WINDOW).await.unwrap();
    }
    limiter.clear(&key).await.unwrap();
    assert_eq!(limiter.current(&key).await.unwrap().count, 0);
    assert_eq!(limiter.increment(&key, LONG_WINDOW).await.unwrap().count, 1);
}

pub async fn keys_are_counted_independently(limiter: &Arc<dyn RateLimiter>) {
    let (a, b) = (key(), key());
    limiter.increment(&a, LONG_WINDOW).await.unwrap();
    limiter.increment(&a, LONG_WINDOW).await.unwrap();
    assert_eq!(limiter.increment(&b, LONG_WINDOW).await.unwrap().count, 1);

    limiter.clear(&b).await.unwrap();
    assert_eq!(limiter.current(&a).await.unwrap().count, 2);
}

/// Many nodes and requests hit one counter at once; none of their hits may be lost.
pub async fn concurrent_increments_all_count(limiter: &Arc<dyn RateLimiter>) {
    const HITS: u64 = 50;
    let key = key();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..HITS {
        let (limiter, key) = (Arc::clone(limiter), key.clone());
        tasks.spawn(async move { limiter.increment(&key, LONG_WINDOW).await.unwrap().count });
    }
    let mut counts = tasks.join_all().await;
    counts.sort_unstable();

    assert_eq!(
        counts,
        (1..=HITS).collect::<Vec<_>>(),
        "each hit sees its own count"
    );
    assert_eq!(limiter.current(&key).await.unwrap().count, HITS);
}

pub async fn the_count_resets_when_the_window_ends(limiter: &Arc<dyn RateLimiter>) {
    let key = key();
    let window = Duration::from_secs(1);
    limiter.increment(&key, window).await.unwrap();
    assert_eq!(limiter.increment(&key, window).await.unwrap().count, 2);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let state = limiter.current(&key).await.unwrap();
    assert_eq!(
        state,
        WindowCount {
            count: 0,
            resets_in: Duration::ZERO
        }
    );
    let state = limiter.increment(&key, window).await.unwrap();
    assert_eq!(state.count, 1, "a new window starts from one");
    assert!(
        state.resets_in > Duration::ZERO && state.resets_in <= window,
        "{state:?}"
    );
}

fn key() -> String {
    format!("contract:{:016x}", rand::random::<u64>())
}
