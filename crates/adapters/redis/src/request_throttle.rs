//! [`RedisRequestThrottle`]: request budgets shared by every node, kept in Redis.

use crate::{Redis, from_redis};
use async_trait::async_trait;
use deadpool_redis::redis::Script;
use std::sync::LazyLock;
use std::time::Duration;
use tandem_app::ports::{Admission, PortError, Quota, RequestThrottle};

/// The Generic Cell Rate Algorithm as one atomic step inside Redis, on Redis's own clock so
/// that nodes whose clocks disagree still share one budget. The state is the key's
/// "theoretical arrival time" (`tat`, microseconds): where the budget's refill stands. A
/// request is allowed when `tat` is no further than `limit` intervals ahead of now; allowing it
/// moves `tat` one interval on. A refused request changes nothing. The key expires once the
/// budget is whole again, so idle clients cost no memory.
///
/// `KEYS[1]`: the budget's key; `ARGV[1]`: the limit; `ARGV[2]`: the emission interval (µs).
/// Returns `{allowed (0/1), remaining, reset_after µs, retry_after µs}`.
static ADMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local limit = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local new_tat = tat + interval
        local allow_at = new_tat - limit * interval
        if allow_at > now then
            return {0, 0, tat - now, allow_at - now}
        end
        local ttl_ms = math.max(1, math.ceil((new_tat - now) / 1000))
        redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
        return {1, math.floor((now - allow_at) / interval), new_tat - now, 0}
        ",
    )
});

/// Budgets shared by every node through Redis.
pub struct RedisRequestThrottle {
    redis: Redis,
}

impl RedisRequestThrottle {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl RequestThrottle for RedisRequestThrottle {
    async fn admit(&self, key: &str, quota: Quota) -> Result<Admission, PortError> {
        if quota.limit == 0 || quota.period.is_zero() {
            return Err(PortError::unexpected(
                "a request quota needs a limit and a period above zero",
            ));
        }
        let interval_us = u64::try_from(quota.emission_interval().as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let mut connection = self.redis.connection().await?;
        let (allowed, remaining, reset_us, retry_us): (u8, u32, u64, u64) = ADMIT
            .key(self.redis.key("throttle", key))
            .arg(quota.limit)
            .arg(interval_us)
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)?;
        Ok(Admission {
            allowed: allowed == 1,
            remaining: remaining.min(quota.limit),
            reset_after: Duration::from_micros(reset_us),
            retry_after: (allowed != 1).then(|| Duration::from_micros(retry_us.max(1))),
        })
    }
}
