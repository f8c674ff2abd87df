//! Redis adapters for clusters: every node shares one Redis, so a revocation or a failed login
//! counted on one node is seen by all of them, an event published on one node reaches the
//! subscribers on every node, and presence counts connections on all nodes.
//!
//! Every key starts with the namespace given to [`RedisStores::connect`], so several
//! deployments (or test runs) can share one Redis without seeing each other's entries.

mod denylist;
mod event_bus;
mod presence;
mod rate_limiter;
mod request_throttle;

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncConnectionConfig, ErrorKind, RedisError, ServerErrorKind};
use deadpool_redis::{Connection, Manager, Pool, PoolError, Runtime};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{
    EventBus, PortError, PresenceStore, RateLimiter, ReadinessProbe, RequestThrottle, TokenDenylist,
};
use tandem_app::resilience::{Circuit, Probe};

pub use denylist::RedisTokenDenylist;
pub use event_bus::RedisEventBus;
pub use presence::RedisPresenceStore;
pub use rate_limiter::RedisRateLimiter;
pub use request_throttle::RedisRequestThrottle;

/// How long any step may take before Redis counts as unavailable. A request waiting on Redis
/// holds a client, so failing within seconds beats hanging until the client gives up.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How often a node that lost Redis tries it again; until one answers, calls fail at once.
const PROBE_EVERY: Duration = Duration::from_millis(250);

/// The Redis-backed ports, sharing one connection pool.
#[derive(Clone)]
pub struct RedisStores {
    redis: Redis,
    /// One per node (per `connect`), shared by every clone: it owns the node's pub/sub
    /// connection.
    bus: RedisEventBus,
}

impl RedisStores {
    /// Builds the pool. Connections open lazily, so an unreachable Redis shows up on first use
    /// (and in the readiness probe), not here.
    ///
    /// # Errors
    /// `Unexpected` when `url` is not a valid Redis URL (the error never repeats the URL: it
    /// may hold a password).
    pub fn connect(url: &str, namespace: &str) -> Result<Self, PortError> {
        let connection = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        let manager = Manager::new_with_config(url, connection)
            .map_err(|e| PortError::unexpected(format!("invalid redis URL: {e}")))?;
        let pool = Pool::builder(manager)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .recycle_timeout(Some(TIMEOUT))
            .build()
            .map_err(PortError::unexpected)?;
        let redis = Redis {
            pool,
            namespace: namespace.into(),
            circuit: Circuit::new("redis", PROBE_EVERY),
        };
        // The event bus listens on a connection of its own: one in pub/sub mode can do
        // nothing else, so it cannot come from the pool.
        let client = redis::Client::open(url)
            .map_err(|e| PortError::unexpected(format!("invalid redis URL: {e}")))?;
        Ok(Self {
            bus: RedisEventBus::new(redis.clone(), client),
            redis,
        })
    }

    pub fn denylist(&self) -> Arc<dyn TokenDenylist> {
        Arc::new(RedisTokenDenylist::new(self.redis.clone()))
    }

    pub fn rate_limiter(&self) -> Arc<dyn RateLimiter> {
        Arc::new(RedisRateLimiter::new(self.redis.clone()))
    }

    pub fn request_throttle(&self) -> Arc<dyn RequestThrottle> {
        Arc::new(RedisRequestThrottle::new(self.redis.clone()))
    }

    /// This node's event bus; every call returns a handle to the same one.
    pub fn event_bus(&self) -> Arc<dyn EventBus> {
        Arc::new(self.bus.clone())
    }

    /// Starts the event bus's listener (the task that owns the node's pub/sub connection) on
    /// the current tokio runtime. Optional: the first `subscribe` starts it otherwise, on
    /// whichever runtime that call runs. Call it from the server's main runtime so the task
    /// does not live on a worker's. Does nothing when the listener runs already, or outside a
    /// runtime.
    pub fn start_event_bus(&self) {
        self.bus.start();
    }

    pub fn presence(&self) -> Arc<dyn PresenceStore> {
        Arc::new(RedisPresenceStore::new(self.redis.clone()))
    }

    /// The node's circuit for Redis: open while Redis cannot be reached, when every call fails
    /// at once instead of waiting for a timeout (see `tandem_app::resilience`).
    pub fn circuit(&self) -> Arc<Circuit> {
        Arc::clone(&self.redis.circuit)
    }

    /// Answers `/readyz` with a `PING`.
    pub fn readiness_probe(&self) -> Arc<dyn ReadinessProbe> {
        Arc::new(RedisProbe {
            redis: self.redis.clone(),
        })
    }
}

/// Shows the namespace only: the pool's configuration holds the URL and maybe a password.
impl fmt::Debug for RedisStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStores")
            .field("namespace", &self.redis.namespace)
            .finish_non_exhaustive()
    }
}

/// The pool, the key prefix and the circuit, shared by every adapter.
#[derive(Clone)]
struct Redis {
    pool: Pool,
    namespace: Arc<str>,
    circuit: Arc<Circuit>,
}

impl Redis {
    fn key(&self, kind: &str, id: impl fmt::Display) -> String {
        format!("{}{kind}:{id}", self.namespace)
    }

    /// A pooled connection; at once `Unavailable` while the circuit is open. A connection
    /// that cannot be had opens it.
    async fn connection(&self) -> Result<Connection, PortError> {
        if self.circuit.is_open() {
            return Err(self.circuit.refuse());
        }
        let got = self.pool.get().await.map_err(from_pool);
        if let Err(error) = &got {
            self.circuit.failed(error, &self.probe());
        }
        got
    }

    /// A `PING` on a new pooled connection, which the circuit runs until Redis answers.
    fn probe(&self) -> Probe {
        let pool = self.pool.clone();
        Arc::new(move || {
            let pool = pool.clone();
            Box::pin(async move { ping(&mut pool.get().await.map_err(from_pool)?).await })
        })
    }
}

/// One round trip: whether Redis answers on `connection`.
async fn ping(connection: &mut Connection) -> Result<(), PortError> {
    redis::cmd("PING")
        .query_async::<String>(connection)
        .await
        .map(drop)
        .map_err(from_redis)
}

struct RedisProbe {
    redis: Redis,
}

#[async_trait]
impl ReadinessProbe for RedisProbe {
    fn name(&self) -> &'static str {
        "redis"
    }

    /// Messages are stored and delivered on each node without Redis (see the crate's docs).
    fn essential(&self) -> bool {
        false
    }

    async fn check(&self) -> Result<(), PortError> {
        ping(&mut self.redis.connection().await?).await
    }
}

fn unavailable(source: impl Into<tandem_app::ports::BoxError>) -> PortError {
    PortError::Unavailable {
        what: "redis",
        source: source.into(),
    }
}

fn from_pool(error: PoolError) -> PortError {
    match error {
        PoolError::Backend(error) => from_redis(error),
        PoolError::Timeout(_) | PoolError::Closed => unavailable(error),
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
            PortError::unexpected(error)
        }
    }
}

/// Network trouble and a server that cannot serve right now are `Unavailable`; a reply we did
/// not expect or a script error is a bug, so `Unexpected`.
fn from_redis(error: RedisError) -> PortError {
    let cannot_serve = matches!(
        error.kind(),
        ErrorKind::Io
            | ErrorKind::AuthenticationFailed
            | ErrorKind::ClusterConnectionNotFound
            | ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            )
    );
    if cannot_serve {
        unavailable(error)
    } else {
        PortError::unexpected(error)
    }
}
