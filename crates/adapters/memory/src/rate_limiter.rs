//! [`InMemoryRateLimiter`]: fixed-window counters in a map.

use crate::SweepSchedule;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tandem_app::ports::{PortError, RateLimiter, WindowCount};
use tokio::time::Instant;

/// Counters held in this process. Uses tokio's clock so tests that pause time drive the
/// windows too. The lock is never held across an `.await`.
#[derive(Debug)]
pub struct InMemoryRateLimiter {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    windows: HashMap<String, Window>,
    sweep: SweepSchedule,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    count: u64,
    ends_at: Instant,
}

impl Window {
    fn state(self, now: Instant) -> WindowCount {
        if self.ends_at > now {
            WindowCount {
                count: self.count,
                resets_in: self.ends_at - now,
            }
        } else {
            WindowCount {
                count: 0,
                resets_in: Duration::ZERO,
            }
        }
    }
}

impl Default for InMemoryRateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryRateLimiter {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                windows: HashMap::new(),
                sweep: SweepSchedule::new(),
            }),
        }
    }

    /// Every update is a single insert, so a lock poisoned by a panic elsewhere is still
    /// consistent.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn increment(&self, key: &str, window: Duration) -> Result<WindowCount, PortError> {
        let now = Instant::now();
        let mut state = self.state();
        let entry = state
            .windows
            .entry(key.to_owned())
            .and_modify(|open| {
                if open.ends_at <= now {
                    *open = Window {
                        count: 0,
                        ends_at: now + window,
                    };
                }
            })
            .or_insert(Window {
                count: 0,
                ends_at: now + window,
            });
        entry.count = entry.count.saturating_add(1);
        let result = entry.state(now);
        if state.sweep.is_due(state.windows.len()) {
            state.windows.retain(|_, open| open.ends_at > now);
            let len = state.windows.len();
            state.sweep.swept(len);
        }
        Ok(result)
    }

    async fn current(&self, key: &str) -> Result<WindowCount, PortError> {
        let now = Instant::now();
        let zero = WindowCount {
            count: 0,
            resets_in: Duration::ZERO,
        };
        Ok(self
            .state()
            .windows
            .get(key)
            .map_or(zero, |open| open.state(now)))
    }

    async fn clear(&self, key: &str) -> Result<(), PortError> {
        self.state().windows.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn windows_follow_tokios_clock() {
        let limiter = InMemoryRateLimiter::new();
        let window = Duration::from_secs(900);
        limiter.increment("k", window).await.unwrap();
        tokio::time::advance(Duration::from_secs(600)).await;
        let state = limiter.increment("k", window).await.unwrap();
        assert_eq!(
            state,
            WindowCount {
                count: 2,
                resets_in: Duration::from_secs(300)
            }
        );

        tokio::time::advance(Duration::from_secs(300)).await;
        assert_eq!(limiter.current("k").await.unwrap().count, 0);
        assert_eq!(limiter.increment("k", window).await.unwrap().count, 1);
    }

    #[tokio::test]
    async fn closed_windows_are_swept_once_the_map_doubles() {
        let limiter = InMemoryRateLimiter::new();
        let window = Duration::from_millis(1);
        for i in 0..SweepSchedule::MIN - 1 {
            limiter.increment(&format!("k{i}"), window).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        limiter
            .increment("live", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(limiter.state().windows.len(), 1);
    }
}
