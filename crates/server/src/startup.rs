//! Wiring: picks an adapter for every port from the settings, and builds the HTTP server.

use crate::jobs::JobWorkers;
use crate::keys;
use crate::settings::Settings;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{HttpServer, web};
use anyhow::Context;
use secrecy::ExposeSecret;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::auth::DurableDenylist;
use tandem_app::ports::SystemClock;
use tandem_app::resilience::{FallbackRateLimiter, FallbackRequestThrottle};
use tandem_app::{
    AppContext, AuthPolicy, ChatPolicy, FilesPolicy, NotificationPolicy, Policies, Ports,
};
use tandem_http::HttpMetrics;
use tandem_persistence::Database;

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    local_addr: SocketAddr,
    /// Tells open sockets and event streams the node is stopping.
    drain: tandem_realtime::Drain,
    /// Started with the server, stopped after it.
    jobs: JobWorkers,
}

impl Application {
    /// Connects every dependency, applies migrations (unless disabled), binds the listener.
    ///
    /// # Errors
    /// When a dependency cannot be reached, a setting is unusable, or the address is taken.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with the use cases reading time from `clock` (tests move it
    /// forward to make delayed emails and digests come due without waiting).
    ///
    /// # Errors
    /// As [`Application::build`].
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn tandem_app::ports::Clock>,
    ) -> anyhow::Result<Self> {
        let Wired {
            ctx,
            probes,
            throttle,
        } = build_context_with_clock(&settings, clock).await?;
        let jobs = JobWorkers::new(
            &ctx,
            Duration::from_secs(settings.http.shutdown_timeout_secs),
        );
        let listener = TcpListener::bind(settings.addr)
            .with_context(|| format!("binding {}", settings.addr))?;
        let local_addr = listener.local_addr()?;
        let metrics = web::Data::new(HttpMetrics::default());
        let rt = &settings.realtime;
        let drain = tandem_realtime::Drain::new();
        let realtime = tandem_realtime::RealtimeSettings {
            drain: drain.clone(),
            connections_per_user: tandem_realtime::ConnectionsPerUser::new(
                rt.max_connections_per_user,
            ),
            sockets: tandem_realtime::GatewaySettings {
                heartbeat_interval: Duration::from_secs(rt.heartbeat_interval_secs),
                client_timeout: Duration::from_secs(rt.client_timeout_secs),
                max_frame_bytes: rt.max_frame_bytes,
                outbound_queue: rt.outbound_queue,
                typing_ttl: Duration::from_millis(rt.typing_ttl_ms),
                ..tandem_realtime::GatewaySettings::default()
            },
            streams: tandem_realtime::EventStreamSettings {
                keep_alive: Duration::from_secs(rt.event_stream_keep_alive_secs),
                dashboard_interval: Duration::from_millis(rt.dashboard_interval_ms),
                dashboard_heartbeat: Duration::from_secs(rt.dashboard_heartbeat_secs),
                queue: rt.outbound_queue,
                ..tandem_realtime::EventStreamSettings::default()
            },
        };
        let http = tandem_http::HttpSettings {
            json_limit_bytes: settings.http.json_limit_bytes,
            trust_forwarded_headers: settings.http.trust_forwarded_headers,
            web_dir: settings.http.web_dir.clone(),
            limits: tandem_http::limits::RequestLimits {
                policy: limit_policy(&settings.limits),
                throttle,
            },
            security: browser_security(&settings),
        };
        let ctx = web::Data::new(ctx);
        let mut server = HttpServer::new(move || {
            let realtime = realtime.clone();
            let beside = tandem_http::Beside {
                configure: move |cfg: &mut web::ServiceConfig| {
                    tandem_realtime::configure(cfg, realtime);
                },
                document: tandem_realtime::openapi(),
            };
            tandem_http::app(
                ctx.clone(),
                metrics.clone(),
                probes.clone(),
                http.clone(),
                beside,
            )
        })
        .listen(listener)?
        // SIGINT and SIGTERM are ours (see `run_until_stopped`): the connections are told first.
        .disable_signals()
        .shutdown_timeout(settings.http.shutdown_timeout_secs);
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(addr = %local_addr, mode = if settings.is_cluster() { "cluster" } else { "embedded" }, "tandem is listening");
        Ok(Self {
            server: server.run(),
            local_addr,
            drain,
            jobs,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops the server from outside, at once (tests).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Stops the server from outside the way SIGINT and SIGTERM do.
    pub fn shutdown(&self) -> Shutdown {
        Shutdown {
            server: self.server.handle(),
            drain: self.drain.clone(),
        }
    }

    /// Serves, and runs `jobs.workers` job workers, until stopped (SIGINT, SIGTERM or
    /// [`Shutdown::graceful`]); in-flight requests, then the jobs in hand, get
    /// `http.shutdown_timeout_secs` each to finish.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let shutdown = self.shutdown();
        let jobs = self.jobs.start();
        let signals = tokio::spawn(async move {
            if crate::jobs::stop_signal().await.is_ok() {
                shutdown.graceful().await;
            }
        });
        let served = self.server.await;
        signals.abort();
        jobs.stop().await;
        served
    }
}

/// A graceful stop, as on SIGTERM.
#[derive(Clone)]
pub struct Shutdown {
    server: ServerHandle,
    drain: tandem_realtime::Drain,
}

impl Shutdown {
    /// Stops taking connections; tells every socket and event stream, which answer what they
    /// have received and close at once (4503, `shutting_down`) so their clients move to
    /// another node; lets requests in flight finish; then returns.
    pub async fn graceful(&self) {
        tracing::info!("shutting down: closing sockets and streams, finishing requests");
        self.drain.start();
        self.server.stop(true).await;
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

/// The use cases' contexts, and what `/readyz` checks.
pub struct Wired {
    pub ctx: AppContext,
    pub probes: tandem_http::Probes,
    /// The general request limiter's budgets.
    pub throttle: Arc<dyn tandem_app::ports::RequestThrottle>,
}

/// Builds the use cases' contexts: one adapter per port, chosen by the settings.
///
/// # Errors
/// When a dependency cannot be reached or a setting is unusable.
pub async fn build_context(settings: &Settings) -> anyhow::Result<Wired> {
    build_context_with_clock(settings, Arc::new(SystemClock)).await
}

/// [`build_context`] with time read from `clock`.
///
/// # Errors
/// As [`build_context`].
pub async fn build_context_with_clock(
    settings: &Settings,
    clock: Arc<dyn tandem_app::ports::Clock>,
) -> anyhow::Result<Wired> {
    let signing_key = keys::signing_key(settings)?;
    let encryption_key = keys::encryption_key(settings, &signing_key)?;
    let database = open_database(settings, settings.migrate_on_start).await?;
    let auth = &settings.auth;
    let access_ttl = Duration::from_secs(auth.access_token_ttl_secs);

    let mut probes = vec![database.readiness_probe()];
    let mut circuits = vec![database.circuit()];
    // Shared state across requests and nodes: in this process, or in Redis for a cluster.
    let stores = match &settings.redis_url {
        Some(url) => {
            let redis =
                tandem_redis::RedisStores::connect(url.expose_secret(), &settings.redis_namespace)
                    .context("configuring Redis")?;
            // The bus's listener belongs on this long-lived runtime, not on an HTTP worker's.
            redis.start_event_bus();
            probes.push(redis.readiness_probe());
            circuits.push(redis.circuit());
            Stores {
                denylist: Some(redis.denylist()),
                // Without Redis, each node enforces the limits on what it sees.
                rate_limiter: Arc::new(FallbackRateLimiter::new(
                    redis.rate_limiter(),
                    Arc::new(tandem_memory::InMemoryRateLimiter::new()),
                    redis.circuit(),
                )),
                throttle: Arc::new(FallbackRequestThrottle::new(
                    redis.request_throttle(),
                    Arc::new(tandem_memory::InMemoryRequestThrottle::new()),
                    redis.circuit(),
                )),
                bus: redis.event_bus(),
                presence: redis.presence(),
            }
        }
        None => Stores {
            denylist: None,
            rate_limiter: Arc::new(tandem_memory::InMemoryRateLimiter::new()),
            throttle: Arc::new(tandem_memory::InMemoryRequestThrottle::new()),
            bus: Arc::new(tandem_memory::InMemoryEventBus::new()),
            presence: Arc::new(tandem_memory::InMemoryPresenceStore::new()),
        },
    };

    // Revocations live in the database; each node keeps a copy, Redis spreads new ones.
    let denylist = DurableDenylist::load(
        database.revocations(),
        Arc::new(tandem_memory::InMemoryTokenDenylist::new()),
        stores.denylist,
    )
    .await
    .context("reading revoked access tokens")?;
    denylist.keep_in_sync();

    let ports = Ports {
        users: database.users(),
        access_tokens: database.access_tokens(),
        webhooks: database.webhooks(),
        outgoing: database.outgoing_webhooks(),
        commands: database.slash_commands(),
        outbound: Arc::new(tandem_outbound::HttpOutbound::new(
            tandem_outbound::OutboundSettings {
                allowed_hosts: settings.integrations.allowed_hosts.clone(),
                allow_public_addresses: settings.integrations.allow_public_addresses,
                timeout: Duration::from_secs(settings.integrations.delivery_timeout_secs),
                max_response_bytes: settings.integrations.max_response_bytes,
            },
        )),
        organizations: database.organizations(),
        sessions: database.sessions(),
        channels: database.channels(),
        messages: database.messages(),
        search: database.search(),
        bus: stores.bus,
        frames: Arc::new(tandem_api_types::realtime::JsonFrames),
        presence: stores.presence,
        // Per node in every mode: each process counts its own connections and deliveries.
        stats: Arc::new(tandem_memory::InMemoryRealtimeStats::new()),
        tokens: Arc::new(
            tandem_crypto::JwtTokenService::new(&signing_key, access_ttl)
                .context("configuring token signing")?,
        ),
        denylist,
        rate_limiter: stores.rate_limiter,
        codes: Arc::new(
            tandem_crypto::TotpCodes::new(&encryption_key)
                .context("configuring two-factor sealing")?,
        ),
        hasher: Arc::new(
            tandem_crypto::BcryptPasswordHasher::new(auth.bcrypt_cost)
                .context("configuring password hashing")?,
        ),
        clock,
        jobs: database.jobs(settings.jobs.max_attempts),
        files: database.files(),
        blobs: tandem_storage::open(&settings.storage, &settings.data_dir)
            .await
            .context("opening the file store")?,
        images: Arc::new(tandem_storage::ImageReencoder),
        notifications: database.notifications(),
        outbox: database.outbox(),
        mailer: mailer(settings)?,
        identity: database.identity(),
        sso: database.sso(),
        oidc: Arc::new(
            tandem_oidc::HttpOpenIdConnect::new(Duration::from_secs(10))
                .context("configuring the OpenID Connect client")?,
        ),
        secrets: Arc::new(
            tandem_crypto::Sealer::new(&encryption_key, "tandem identity provider client secret")
                .context("configuring secret sealing")?,
        ),
    };
    let policies = Policies {
        auth: AuthPolicy {
            access_token_ttl: access_ttl,
            refresh_token_ttl: Duration::from_secs(auth.refresh_token_ttl_secs),
            max_failures_per_account: auth.max_failed_logins_per_account,
            max_failures_per_account_total: auth.max_failed_logins_per_account_total,
            max_failures_per_address: auth.max_failed_logins_per_address,
            login_window: Duration::from_secs(auth.failed_login_window_secs),
            max_registrations_per_address: auth.max_registrations_per_address_per_hour,
            registration_window: Duration::from_secs(3600),
            default_self_signup: auth.self_signup,
            base_url: settings.notifications.base_url.clone(),
            require_email_verification: auth.require_email_verification,
            claimable_domains: auth
                .claimable_domains
                .as_ref()
                .map(|domains| domains.iter().map(|d| d.trim().to_lowercase()).collect()),
            invitation_ttl: Duration::from_secs(auth.invitation_ttl_hours.max(1) * 3600),
            max_account_emails_per_address: auth.max_account_emails_per_address_per_hour,
            email_window: Duration::from_secs(3600),
            ..AuthPolicy::default()
        },
        chat: ChatPolicy {
            max_message_chars: settings.chat.max_message_chars,
            max_messages_per_window: settings.chat.max_messages_per_window,
            message_window: Duration::from_secs(settings.chat.message_window_secs.max(1)),
        },
        jobs: crate::jobs::policy(&settings.jobs),
        files: files_policy(&settings.files),
        notifications: NotificationPolicy {
            retention: Duration::from_secs(settings.notifications.retention_days * 24 * 3600),
            sweep_interval: Duration::from_millis(settings.notifications.email_sweep_interval_ms),
            base_url: settings.notifications.base_url.clone(),
            max_mail_attempts: settings.jobs.max_attempts,
            ..NotificationPolicy::default()
        },
        delivery: tandem_app::integrations::DeliveryPolicy {
            max_attempts: settings.integrations.max_delivery_attempts,
            disable_after_failures: settings.integrations.disable_after_failures,
        },
    };
    Ok(Wired {
        ctx: AppContext::new(ports, policies),
        probes: tandem_http::Probes {
            checks: probes,
            circuits,
        },
        throttle: stores.throttle,
    })
}

/// SMTP when a server is configured, `.eml` files under `data_dir/mail` otherwise.
fn mailer(settings: &Settings) -> anyhow::Result<Arc<dyn tandem_app::ports::Mailer>> {
    let mail = &settings.mail;
    let from = tandem_mail::parse_from(&mail.from).map_err(anyhow::Error::msg)?;
    Ok(match &mail.smtp_host {
        Some(host) => {
            let smtp = tandem_mail::SmtpSettings {
                host: host.clone(),
                port: mail.smtp_port,
                tls: match mail.tls {
                    crate::settings::MailTls::Tls => tandem_mail::TlsMode::Tls,
                    crate::settings::MailTls::Starttls => tandem_mail::TlsMode::StartTls,
                    crate::settings::MailTls::None => tandem_mail::TlsMode::None,
                },
                username: mail.username.clone(),
                password: mail.password.clone(),
                timeout: Duration::from_secs(mail.timeout_secs.max(1)),
            };
            tracing::info!(host = %host, port = mail.smtp_port, tls = ?mail.tls, "emails go through SMTP");
            Arc::new(tandem_mail::SmtpMailer::new(&smtp, from).map_err(anyhow::Error::msg)?)
        }
        None => {
            let dir = settings.data_dir.join("mail");
            tracing::info!(dir = %dir.display(), "no mail server configured (mail.smtp_host): emails are written there as .eml files");
            Arc::new(tandem_mail::FileMailer::new(dir, from))
        }
    })
}

fn files_policy(files: &crate::settings::FilesSettings) -> FilesPolicy {
    FilesPolicy {
        max_file_bytes: files.max_file_bytes,
        user_quota_bytes: files.user_quota_bytes,
        uploads_per_window: files.uploads_per_window,
        upload_window: Duration::from_secs(files.upload_window_secs.max(1)),
        accept: tandem_domain::FilePolicy {
            denied: files.denied_types.clone(),
            allowed: files.allowed_types.clone(),
        },
        image: tandem_app::ports::ImageLimits {
            max_dimension: files.image_max_dimension,
            thumbnail_dimension: files.thumbnail_dimension,
            max_pixels: files.image_max_pixels,
        },
        max_image_bytes: files.image_max_bytes,
        orphan_grace: Duration::from_secs(files.orphan_grace_secs),
        sweep_interval: Duration::from_secs(files.orphan_sweep_secs.max(1)),
        presigned_downloads: (files.presigned_downloads_secs > 0)
            .then(|| Duration::from_secs(files.presigned_downloads_secs)),
    }
}

/// The adapters holding state shared by requests (and, with Redis, by nodes).
struct Stores {
    /// Redis's, when there is one: the database keeps every revocation either way.
    denylist: Option<Arc<dyn tandem_app::ports::TokenDenylist>>,
    rate_limiter: Arc<dyn tandem_app::ports::RateLimiter>,
    throttle: Arc<dyn tandem_app::ports::RequestThrottle>,
    bus: Arc<dyn tandem_app::ports::EventBus>,
    presence: Arc<dyn tandem_app::ports::PresenceStore>,
}

fn limit_policy(limits: &crate::settings::LimitSettings) -> tandem_http::limits::LimitPolicy {
    use tandem_app::ports::Quota;
    tandem_http::limits::LimitPolicy {
        enabled: limits.enabled,
        person: Quota::per_minute(limits.requests_per_minute),
        address: Quota::per_minute(limits.anonymous_requests_per_minute),
        sign_in: Quota::per_minute(limits.sign_in_requests_per_minute),
        search: Quota::per_minute(limits.searches_per_minute),
        invitations: Quota::per_hour(limits.invitations_per_hour),
    }
}

fn browser_security(settings: &Settings) -> tandem_http::security::BrowserSecurity {
    let http = &settings.http;
    tandem_http::security::BrowserSecurity {
        hsts_max_age_secs: (http.hsts_max_age_secs > 0).then_some(http.hsts_max_age_secs),
        cors_allowed_origins: http.cors_allowed_origins.clone(),
        media_origins: media_origins(settings),
        metrics_token: http
            .metrics_token
            .as_ref()
            .map(|token| token.expose_secret().to_owned()),
    }
}

/// Where the browser loads files from besides Tandem itself: the bucket, when downloads are
/// redirected to presigned URLs.
fn media_origins(settings: &Settings) -> Vec<String> {
    let tandem_storage::StorageConfig::S3 {
        bucket,
        endpoint,
        region,
        virtual_hosted,
        ..
    } = &settings.storage
    else {
        return Vec::new();
    };
    if settings.files.presigned_downloads_secs == 0 {
        return Vec::new();
    }
    let origin = match endpoint {
        Some(endpoint) => {
            let endpoint = endpoint.trim_end_matches('/');
            match (virtual_hosted, endpoint.split_once("://")) {
                (true, Some((scheme, host))) => format!("{scheme}://{bucket}.{host}"),
                _ => endpoint.to_owned(),
            }
        }
        None => {
            format!("https://{bucket}.s3.{region}.amazonaws.com https://s3.{region}.amazonaws.com")
        }
    };
    vec![origin]
}
