//! Wiring: picks an adapter for every port from the settings, and builds the HTTP server.

use crate::keys;
use crate::settings::Settings;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{HttpServer, web};
use anyhow::Context;
use secrecy::ExposeSecret;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::SystemClock;
use tandem_app::{AppContext, AuthPolicy};
use tandem_http::HttpMetrics;
use tandem_persistence::Database;

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    local_addr: SocketAddr,
}

impl Application {
    /// Connects every dependency, applies migrations (unless disabled), binds the listener.
    ///
    /// # Errors
    /// When a dependency cannot be reached, a setting is unusable, or the address is taken.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let ctx = web::Data::new(build_context(&settings).await?);
        let listener = TcpListener::bind(settings.addr)
            .with_context(|| format!("binding {}", settings.addr))?;
        let local_addr = listener.local_addr()?;
        let metrics = web::Data::new(HttpMetrics::default());
        let http = tandem_http::HttpSettings {
            json_limit_bytes: settings.http.json_limit_bytes,
            trust_forwarded_headers: settings.http.trust_forwarded_headers,
        };
        let mut server =
            HttpServer::new(move || tandem_http::app(ctx.clone(), metrics.clone(), http.clone()))
                .listen(listener)?
                .shutdown_timeout(settings.http.shutdown_timeout_secs);
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(addr = %local_addr, mode = if settings.is_cluster() { "cluster" } else { "embedded" }, "tandem is listening");
        Ok(Self {
            server: server.run(),
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops the server from outside (tests); SIGINT and SIGTERM do the same for the binary.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; in-flight requests get `http.shutdown_timeout_secs` to finish.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Opens the database (creating the data directory for SQLite) and applies migrations when
/// `migrate` is set.
///
/// # Errors
/// When the database cannot be opened or migrated.
pub async fn open_database(settings: &Settings, migrate: bool) -> anyhow::Result<Database> {
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let database = Database::connect(&settings.database_url())
        .await
        .context("connecting to the database")?;
    if migrate {
        database
            .migrate()
            .await
            .context("applying database migrations")?;
    }
    tracing::info!(backend = database.backend_name(), "database ready");
    Ok(database)
}

/// Builds the use cases' context: one adapter per port, chosen by the settings.
///
/// # Errors
/// When a dependency cannot be reached or a setting is unusable.
pub async fn build_context(settings: &Settings) -> anyhow::Result<AppContext> {
    let signing_key = keys::signing_key(settings)?;
    let database = open_database(settings, settings.migrate_on_start).await?;
    let auth = &settings.auth;
    let access_ttl = Duration::from_secs(auth.access_token_ttl_secs);

    let mut probes = vec![database.readiness_probe()];
    let (denylist, rate_limiter): (
        Arc<dyn tandem_app::ports::TokenDenylist>,
        Arc<dyn tandem_app::ports::RateLimiter>,
    ) = match &settings.redis_url {
        Some(url) => {
            let redis =
                tandem_redis::RedisStores::connect(url.expose_secret(), &settings.redis_namespace)
                    .context("configuring Redis")?;
            probes.push(redis.readiness_probe());
            (redis.denylist(), redis.rate_limiter())
        }
        None => (
            Arc::new(tandem_local::InMemoryTokenDenylist::new()),
            Arc::new(tandem_local::InMemoryRateLimiter::new()),
        ),
    };

    Ok(AppContext {
        users: database.users(),
        organizations: database.organizations(),
        sessions: database.sessions(),
        tokens: Arc::new(
            tandem_security::JwtTokenService::new(&signing_key, access_ttl)
                .context("configuring token signing")?,
        ),
        denylist,
        rate_limiter,
        hasher: Arc::new(
            tandem_security::BcryptPasswordHasher::new(auth.bcrypt_cost)
                .context("configuring password hashing")?,
        ),
        clock: Arc::new(SystemClock),
        probes,
        auth_policy: AuthPolicy {
            access_token_ttl: access_ttl,
            refresh_token_ttl: Duration::from_secs(auth.refresh_token_ttl_secs),
            max_failures_per_account: auth.max_failed_logins_per_account,
            max_failures_per_address: auth.max_failed_logins_per_address,
            login_window: Duration::from_secs(auth.failed_login_window_secs),
            default_self_signup: auth.self_signup,
        },
    })
}
