//! [`RedisPresenceStore`]: live connections as expiring sorted-set members, shared by every
//! node.
//!
//! Keys, under the namespace:
//! - `presence:user:{user}`: a sorted set of the user's connection ids, scored by when each
//!   expires (milliseconds since the epoch);
//! - `presence:user-org:{user}`: the organization the user's connections belong to;
//! - `presence:org:{org}`: a sorted set of the organization's users with a connection, scored
//!   by when their latest connection expires.
//!
//! Every operation is one Lua script, so concurrent nodes see each change whole. Scripts read
//! the time from Redis (`TIME`), so nodes whose clocks disagree still agree on who is online.
//! Expired members are pruned whenever they are read, and every key expires with its last
//! member, so nothing outlives the connections it describes.

use crate::{Redis, from_redis};
use async_trait::async_trait;
use deadpool_redis::redis::Script;
use std::sync::LazyLock;
use std::time::Duration;
use tandem_app::ports::{PortError, PresenceStore};
use tandem_domain::{OrganizationId, UserId};

/// Shared head of every script: `now` in milliseconds by Redis's clock, and `settle`, which
/// brings the user-org key and the organization's set in line with the user's connections
/// (`KEYS[1]` user set, `KEYS[2]` user-org key; `org_prefix .. org` names an organization set).
const PRELUDE: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function settle(user, org_prefix)
    local org = redis.call('GET', KEYS[2])
    local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
    if #latest == 0 then
        redis.call('DEL', KEYS[1], KEYS[2])
        if org then
            redis.call('ZREM', org_prefix .. org, user)
        end
        return
    end
    local expires_at = tonumber(latest[2])
    local ttl = expires_at - now
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
    if org then
        local org_key = org_prefix .. org
        redis.call('ZADD', org_key, expires_at, user)
        if redis.call('PTTL', org_key) < ttl then
            redis.call('PEXPIRE', org_key, ttl)
        end
    end
end
";

/// `ARGV`: connection id, ttl (ms), user id, organization id, organization-set prefix.
/// Returns 1 when the user came online.
static CONNECT: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local came_online = redis.call('ZCARD', KEYS[1]) == 0
        local previous = redis.call('GET', KEYS[2])
        if previous and previous ~= ARGV[4] then
            redis.call('ZREM', ARGV[5] .. previous, ARGV[3])
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('SET', KEYS[2], ARGV[4])
        settle(ARGV[3], ARGV[5])
        if came_online then return 1 else return 0 end
        ",
    )
});

/// `ARGV`: connection id, ttl (ms), user id, organization-set prefix. Returns 1 when the
/// connection was live (and now lives on).
static HEARTBEAT: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local live = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if live then
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        end
        settle(ARGV[3], ARGV[4])
        if live then return 1 else return 0 end
        ",
    )
});

/// `ARGV`: connection id, user id, organization-set prefix. Returns 1 when this removed the
/// user's last live connection.
static DISCONNECT: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        local remaining = redis.call('ZCARD', KEYS[1])
        settle(ARGV[2], ARGV[3])
        if removed == 1 and remaining == 0 then return 1 else return 0 end
        ",
    )
});

/// Returns 1 when the user set `KEYS[1]` has a live connection.
static IS_ONLINE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
        if redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf') > 0 then return 1 else return 0 end
        ",
    )
});

/// `KEYS[1]`: an organization set. Prunes it and returns its users.
static ONLINE_USERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        return redis.call('ZRANGE', KEYS[1], 0, -1)
        ",
    )
});

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

/// Presence shared by every node through Redis.
pub struct RedisPresenceStore {
    redis: Redis,
}

impl RedisPresenceStore {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn user_key(&self, user_id: UserId) -> String {
        self.redis.key("presence:user", user_id)
    }

    fn user_org_key(&self, user_id: UserId) -> String {
        self.redis.key("presence:user-org", user_id)
    }

    fn org_key(&self, organization_id: OrganizationId) -> String {
        self.redis.key("presence:org", organization_id)
    }

    /// What `org_key` puts before the id, for scripts that find the organization themselves.
    fn org_prefix(&self) -> String {
        self.redis.key("presence:org", "")
    }
}

/// Redis refuses a zero expiry; a connection meant to live for centuries is a bug, capped at
/// a year rather than overflowing the scores.
fn millis(ttl: Duration) -> u64 {
    const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;
    u64::try_from(ttl.as_millis())
        .unwrap_or(YEAR_MS)
        .clamp(1, YEAR_MS)
}

#[async_trait]
impl PresenceStore for RedisPresenceStore {
    async fn connect(
        &self,
        user_id: UserId,
        organization_id: OrganizationId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError> {
        let mut connection = self.redis.connection().await?;
        CONNECT
            .key(self.user_key(user_id))
            .key(self.user_org_key(user_id))
            .arg(connection_id)
            .arg(millis(ttl))
            .arg(user_id.get())
            .arg(organization_id.get())
            .arg(self.org_prefix())
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn heartbeat(
        &self,
        user_id: UserId,
        connection_id: &str,
        ttl: Duration,
    ) -> Result<bool, PortError> {
        let mut connection = self.redis.connection().await?;
        HEARTBEAT
            .key(self.user_key(user_id))
            .key(self.user_org_key(user_id))
            .arg(connection_id)
            .arg(millis(ttl))
            .arg(user_id.get())
            .arg(self.org_prefix())
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn disconnect(&self, user_id: UserId, connection_id: &str) -> Result<bool, PortError> {
        let mut connection = self.redis.connection().await?;
        DISCONNECT
            .key(self.user_key(user_id))
            .key(self.user_org_key(user_id))
            .arg(connection_id)
            .arg(user_id.get())
            .arg(self.org_prefix())
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn is_online(&self, user_id: UserId) -> Result<bool, PortError> {
        let mut connection = self.redis.connection().await?;
        IS_ONLINE
            .key(self.user_key(user_id))
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn online_users(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<UserId>, PortError> {
        let mut connection = self.redis.connection().await?;
        let ids: Vec<i64> = ONLINE_USERS
            .key(self.org_key(organization_id))
            .invoke_async(&mut connection)
            .await
            .map_err(from_redis)?;
        let mut users: Vec<UserId> = ids.into_iter().map(UserId::new).collect();
        users.sort_unstable();
        Ok(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_become_whole_milliseconds_redis_accepts() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(1500)), 1);
        assert_eq!(millis(Duration::from_secs(30)), 30_000);
        assert_eq!(millis(Duration::MAX), 365 * 24 * 3600 * 1000);
    }
}
