//! [`RedisTokenDenylist`]: one expiring key per revoked token and one per user cutoff.

use crate::{Redis, from_redis};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_redis::redis::{self, Script};
use std::sync::LazyLock;
use tandem_app::ports::{PortError, Revoked, TokenDenylist};
use tandem_domain::UserId;

/// Sets a user's cutoff, keeping whichever cutoff is later and whichever expiry is later: two
/// nodes may revoke at once, and the earlier call may arrive last. Cutoffs are microseconds
/// since the epoch, exact in Lua's doubles until the year 2255.
static SET_CUTOFF: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local cutoff = ARGV[1]
        local current = redis.call('GET', KEYS[1])
        if current and tonumber(current) > tonumber(cutoff) then
            cutoff = current
        end
        if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[2]) then
            redis.call('SET', KEYS[1], cutoff, 'KEEPTTL')
        else
            redis.call('SET', KEYS[1], cutoff, 'PX', ARGV[2])
        end
        return 1
        ",
    )
});

/// Revocations shared by every node through Redis; Redis expires the entries itself.
pub struct RedisTokenDenylist {
    redis: Redis,
}

impl RedisTokenDenylist {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn token_key(&self, token_id: &str) -> String {
        self.redis.key("denylist:token", token_id)
    }

    fn user_key(&self, user_id: UserId) -> String {
        self.redis.key("denylist:user", user_id)
    }

    /// Present while this Redis holds every revocation in force: set once it was filled, gone
    /// with everything else when Redis restarts empty.
    fn complete_key(&self) -> String {
        self.redis.key("denylist", "complete")
    }
}

/// Milliseconds from now until `until`, or `None` when that is already past (nothing to keep).
fn millis_until(until: DateTime<Utc>) -> Option<i64> {
    Some((until - Utc::now()).num_milliseconds()).filter(|ms| *ms > 0)
}

#[async_trait]
impl TokenDenylist for RedisTokenDenylist {
    async fn revoke(&self, token_id: &str, expires_at: DateTime<Utc>) -> Result<(), PortError> {
        let Some(ttl) = millis_until(expires_at) else {
            return Ok(());
        };
        let mut connection = self.redis.connection().await?;
        redis::cmd("SET")
            .arg(self.token_key(token_id))
            .arg(1)
            .arg("PX")
            .arg(ttl)
            .query_async::<()>(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn revoke_user_tokens(
        &self,
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let Some(ttl) = millis_until(keep_until) else {
            return Ok(());
        };
        let mut connection = self.redis.connection().await?;
        SET_CUTOFF
            .key(self.user_key(user_id))
            .arg(cutoff.timestamp_micros())
            .arg(ttl)
            .invoke_async::<()>(&mut connection)
            .await
            .map_err(from_redis)
    }

    async fn is_revoked(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        Ok(self.check(token_id, user_id, issued_at).await?.revoked)
    }

    /// One `MGET` of the token's key, the user's cutoff and the completeness marker.
    async fn check(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<Revoked, PortError> {
        let mut connection = self.redis.connection().await?;
        let (token, cutoff, complete): (Option<i64>, Option<i64>, Option<i64>) = redis::cmd("MGET")
            .arg(self.token_key(token_id))
            .arg(self.user_key(user_id))
            .arg(self.complete_key())
            .query_async(&mut connection)
            .await
            .map_err(from_redis)?;
        let revoked_by_cutoff = cutoff.is_some_and(|cutoff| issued_at.timestamp_micros() <= cutoff);
        Ok(Revoked {
            revoked: token.is_some() || revoked_by_cutoff,
            complete: complete.is_some(),
        })
    }

    async fn mark_complete(&self) -> Result<(), PortError> {
        let mut connection = self.redis.connection().await?;
        redis::cmd("SET")
            .arg(self.complete_key())
            .arg(1)
            .query_async::<()>(&mut connection)
            .await
            .map_err(from_redis)
    }
}
