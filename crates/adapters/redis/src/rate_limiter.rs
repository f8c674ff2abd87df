//! [`RedisRateLimiter`]: fixed-window counters as expiring Redis integers.

use crate::{Redis, from_redis};
use async_trait::async_trait;
use deadpool_redis::redis::{self, Script};
use std::sync::LazyLock;
use std::time::Duration;
use tandem_app::ports::{PortError, RateLimiter, WindowCount};

/// Counts a hit and opens the window on the first one, atomically, so concurrent hits on many
/// nodes are all counted and exactly one of them starts the window. A counter found without an
/// expiry (which only a crash between two commands could leave) gets one rather than living
/// forever.
static INCREMENT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local count = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            ttl = tonumber(ARGV[1])
        end
        return {count, ttl}
        ",
    )
});

/// Counters shared by every node through Redis.
pub struct RedisRateLimiter {
    redis: Redis,
}

impl RedisRateLimiter {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn key(&self, key: &str) -> String {
        self.redis.key("ratelimit", key)
    }
}

fn window_count(count: u64, pttl: i64) -> WindowCount {
    match u64::try_from(pttl) {
        Ok(ms) if count > 0 && ms > 0 => WindowCount {
            count,
            resets_in: Duration::from_millis(ms),
        },
        _ => WindowCount {
            count: 0,
            resets_in: Duration::ZERO,
        },
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn increment(&self, key: &str, window: Duration) -> Result<WindowCount, PortError> {
        // Redis refuses a zero expiry, and a window shorter than a millisecond means nothing.
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut connection = self.redis.connection().await?;
        let (count, pttl): (u64, i64) = INCREMENT
            .key(self.key(key))
            .arg(window_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)?;
        Ok(window_count(count, pttl))
    }

    async fn current(&self, key: &str) -> Result<WindowCount, PortError> {
        let key = self.key(key);
        let mut connection = self.redis.connection().await?;
        let (count, pttl): (Option<u64>, i64) = redis::pipe()
            .atomic()
            .cmd("GET")
            .arg(&key)
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .map_err(from_redis)?;
        Ok(window_count(count.unwrap_or(0), pttl))
    }

    async fn clear(&self, key: &str) -> Result<(), PortError> {
        let mut connection = self.redis.connection().await?;
        redis::cmd("DEL")
            .arg(self.key(key))
            .query_async::<()>(&mut connection)
            .await
            .map_err(from_redis)
    }
}
