//! Typed settings: defaults, then an optional `tandem.toml`, then environment variables.
//! Unknown keys are an error naming the key; secrets are `SecretString`s and never printed.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The configuration file read when none is named.
pub const DEFAULT_FILE: &str = "tandem.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where to listen (`TANDEM_ADDR`).
    pub addr: SocketAddr,
    /// Embedded mode keeps the database, files and generated keys here (`TANDEM_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL (cluster mode); unset means SQLite in `data_dir`
    /// (`DATABASE_URL`).
    pub database_url: Option<SecretString>,
    /// Selects Redis for revocations and rate limits shared by all nodes (`REDIS_URL`).
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so deployments can share one Redis.
    pub redis_namespace: String,
    /// Apply pending migrations when the server starts.
    pub migrate_on_start: bool,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub chat: ChatSettings,
    pub realtime: RealtimeSettings,
    pub http: HttpSettings,
    pub limits: LimitSettings,
    pub jobs: JobSettings,
    pub files: FilesSettings,
    pub mail: MailSettings,
    pub notifications: NotificationsSettings,
    pub integrations: IntegrationsSettings,
    /// Where file contents live: `backend = "local"` (default: `data_dir/files`), `"s3"` (with
    /// `bucket`, `endpoint`, `region`, `access_key_id`, `secret_access_key`, `allow_http`,
    /// `virtual_hosted`) or `"memory"`.
    #[serde(default)]
    pub storage: tandem_storage::StorageConfig,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilesSettings {
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Bytes of files one person may keep.
    pub user_quota_bytes: u64,
    /// Files one person may upload per `upload_window_secs`.
    pub uploads_per_window: u64,
    pub upload_window_secs: u64,
    /// Media types refused (patterns like `application/x-msdownload` or `video/*`); the
    /// default refuses executables and scripts.
    pub denied_types: Vec<String>,
    /// When not empty, only these media types are accepted.
    pub allowed_types: Vec<String>,
    /// Longest side of the web-sized version of an image, in pixels.
    pub image_max_dimension: u32,
    /// Longest side of a thumbnail, in pixels.
    pub thumbnail_dimension: u32,
    /// Images declaring more pixels are not processed (decompression bombs).
    pub image_max_pixels: u64,
    /// Larger images are not processed; they stay plain attachments.
    pub image_max_bytes: u64,
    /// Uploads never shared in a message are removed after this many seconds.
    pub orphan_grace_secs: u64,
    /// Seconds between sweeps for such uploads.
    pub orphan_sweep_secs: u64,
    /// With S3: answer downloads with a redirect to a URL valid this many seconds (0: stream
    /// them through the server).
    pub presigned_downloads_secs: u64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `info,tandem_http=debug`. `RUST_LOG` wins when set.
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// The HS256 signing key (at least 32 bytes). Generated and kept in `data_dir` in embedded
    /// mode when unset; required in cluster mode so every node signs alike.
    pub jwt_secret: Option<SecretString>,
    /// The key that seals two-factor secrets and identity providers' client secrets in the
    /// database (at least 32 bytes). Generated and kept in `data_dir` in embedded mode when
    /// unset; in cluster mode, when unset, derived from `jwt_secret` (set it to rotate
    /// `jwt_secret` without making those secrets unreadable).
    pub encryption_key: Option<SecretString>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// bcrypt work factor (4–31). Each step doubles the time of a login.
    pub bcrypt_cost: u32,
    /// Failed logins for one account from one address before that address waits.
    pub max_failed_logins_per_account: u64,
    /// Failed logins for one account from every address together before everyone waits.
    pub max_failed_logins_per_account_total: u64,
    pub max_failed_logins_per_address: u64,
    pub failed_login_window_secs: u64,
    /// Sign-up attempts from one client address per hour.
    pub max_registrations_per_address_per_hour: u64,
    /// Whether new organizations let people with their email domain join by registering.
    pub self_signup: bool,
    /// Whether joining an organization by email domain waits until the address is confirmed
    /// (an emailed link), and an organization claims its founder's domain only once the
    /// founder confirms theirs. Off, anyone typing an address at a domain joins its
    /// organization.
    pub require_email_verification: bool,
    /// The email domains organizations may claim for sign-ups, e.g. `["acme.io",
    /// "*.acme.io"]`; unset: any domain but public mail providers'.
    pub claimable_domains: Option<Vec<String>>,
    /// How long an invitation link works.
    pub invitation_ttl_hours: u64,
    /// Account emails (confirmations, password resets, invitations) one address may be sent
    /// per hour.
    pub max_account_emails_per_address_per_hour: u64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    /// The longest message, in characters.
    pub max_message_chars: usize,
    /// Messages one person may send per `message_window_secs`.
    pub max_messages_per_window: u64,
    pub message_window_secs: u64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RealtimeSettings {
    /// Seconds between the server's pings.
    pub heartbeat_interval_secs: u64,
    /// Seconds of silence after which a connection is closed.
    pub client_timeout_secs: u64,
    /// How long "typing" lasts without a refresh, in milliseconds.
    pub typing_ttl_ms: u64,
    /// Frames queued for a slow client before it is disconnected.
    pub outbound_queue: usize,
    /// Largest accepted WebSocket frame, in bytes.
    pub max_frame_bytes: usize,
    /// Milliseconds between the admin dashboard's `metrics` events (SSE).
    pub dashboard_interval_ms: u64,
    /// Seconds between the admin dashboard's `heartbeat` events (SSE).
    pub dashboard_heartbeat_secs: u64,
    /// Seconds between the `: keep-alive` comments of an idle activity stream (SSE).
    pub event_stream_keep_alive_secs: u64,
    /// WebSockets and event streams one person may hold open on one node.
    pub max_connections_per_user: usize,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub json_limit_bytes: usize,
    /// Honour `X-Forwarded-For` for client addresses: only behind a proxy you control.
    pub trust_forwarded_headers: bool,
    /// Seconds in-flight requests get to finish after SIGINT/SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// The built web app (`make web`), served at `/`; relative to the working directory.
    pub web_dir: std::path::PathBuf,
    /// `Strict-Transport-Security: max-age=` this many seconds on answers to requests that
    /// came over HTTPS, as a trusted proxy says (`trust_forwarded_headers`, `X-Forwarded-Proto`;
    /// 0: never sent). Set it once the site is served only over HTTPS.
    pub hsts_max_age_secs: u64,
    /// Web origins (`https://tools.example.com`) whose pages may call the API from a browser.
    /// Empty (the default): only the web app Tandem serves itself.
    pub cors_allowed_origins: Vec<String>,
    /// A bearer token that lets a scraper read `/metrics` from anywhere. Without it,
    /// `/metrics` answers only requests from this machine or a private network that did not
    /// come through a proxy (`TANDEM_HTTP__METRICS_TOKEN`; never logged).
    #[serde(default, skip_serializing)]
    pub metrics_token: Option<SecretString>,
}

/// The general request limiter: budgets of requests, refilled evenly (GCRA), kept in Redis in
/// a cluster. A signed-in person spends their own budget wherever they connect from; requests
/// without a valid token spend their client address's.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Off, no budget is checked (a proxy in front does it, say).
    pub enabled: bool,
    /// A signed-in person, on any route without a stricter budget.
    pub requests_per_minute: u32,
    /// One client address, for requests without a valid access token.
    pub anonymous_requests_per_minute: u32,
    /// One client address, on registering, logging in, unlocking, confirming an address,
    /// resetting a password and answering an invitation. Behind one office NAT everyone
    /// shares it: raise it, or set `http.trust_forwarded_headers` behind your proxy.
    pub sign_in_requests_per_minute: u32,
    /// One person searching messages.
    pub searches_per_minute: u32,
    /// One admin sending invitations.
    pub invitations_per_hour: u32,
}

/// The background job workers (image processing, blob clean-up).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// Worker loops per node, each running one job at a time; 0 leaves jobs to other nodes
    /// (`tandem worker`).
    pub workers: usize,
    /// How often an idle worker looks for due jobs, in milliseconds.
    pub poll_interval_ms: u64,
    /// How long a claimed job is its worker's; a job still running after this may run again
    /// elsewhere, so it must be longer than any job takes.
    pub lease_secs: u64,
    /// Runs a job gets before it is kept as dead for operators; applies to jobs enqueued from
    /// now on.
    pub max_attempts: u32,
}

/// The mail server emails go through. Without `smtp_host`, emails are written as `.eml` files
/// under `data_dir/mail` (and the log says where), so nothing is lost on a first start.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The SMTP server (`TANDEM_MAIL__SMTP_HOST`).
    #[serde(default)]
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (default; port 587), `tls` (port 465), or `none` (a relay on the same host).
    pub tls: MailTls,
    #[serde(default)]
    pub username: Option<String>,
    /// Never logged (`TANDEM_MAIL__PASSWORD`).
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The sender: `Tandem <tandem@chat.example.com>`.
    pub from: String,
    /// How long one exchange with the server may take, in seconds.
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTls {
    Tls,
    Starttls,
    None,
}

/// The notification centre and the emails about it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsSettings {
    /// The web app's public address, for links in emails.
    pub base_url: String,
    /// How often nodes with job workers look for emails that have come due, in milliseconds.
    pub email_sweep_interval_ms: u64,
    /// Read notifications are removed this many days after they were read.
    pub retention_days: u64,
}

/// Outgoing webhooks: where deliveries may go, and how hard they are tried.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationsSettings {
    /// Hosts deliveries may reach even at a loopback, private or link-local address: `host`
    /// (any port) or `host:port`. Empty by default: only public addresses.
    pub allowed_hosts: Vec<String>,
    /// Whether public addresses may be reached at all; off, only `allowed_hosts` are (a closed
    /// network).
    pub allow_public_addresses: bool,
    /// How long one delivery may take, connecting to the last byte read, in seconds.
    pub delivery_timeout_secs: u64,
    /// How much of an endpoint's answer is read, in bytes.
    pub max_response_bytes: usize,
    /// Tries per delivery, the first included, with the job queue's backoff between them.
    pub max_delivery_attempts: u32,
    /// Failed deliveries in a row that turn a webhook off (an admin turns it on again).
    pub disable_after_failures: u32,
}

/// The defaults, as a document figment can layer the file and environment over.
#[derive(Serialize)]
struct Defaults {
    addr: &'static str,
    data_dir: &'static str,
    redis_namespace: &'static str,
    migrate_on_start: bool,
    log: LogSettings,
    auth: AuthDefaults,
    chat: ChatSettings,
    realtime: RealtimeSettings,
    http: HttpSettings,
    limits: LimitSettings,
    jobs: JobSettings,
    files: FilesSettings,
    mail: MailDefaults,
    notifications: NotificationsSettings,
    integrations: IntegrationsSettings,
}

#[derive(Serialize)]
struct MailDefaults {
    smtp_port: u16,
    tls: MailTls,
    from: &'static str,
    timeout_secs: u64,
}

#[derive(Serialize)]
struct AuthDefaults {
    access_token_ttl_secs: u64,
    refresh_token_ttl_secs: u64,
    bcrypt_cost: u32,
    max_failed_logins_per_account: u64,
    max_failed_logins_per_account_total: u64,
    max_failed_logins_per_address: u64,
    failed_login_window_secs: u64,
    max_registrations_per_address_per_hour: u64,
    self_signup: bool,
    require_email_verification: bool,
    claimable_domains: Option<Vec<String>>,
    invitation_ttl_hours: u64,
    max_account_emails_per_address_per_hour: u64,
}

fn defaults() -> Defaults {
    Defaults {
        addr: "127.0.0.1:8080",
        data_dir: "./data",
        redis_namespace: "tandem",
        migrate_on_start: true,
        log: LogSettings {
            format: LogFormat::Text,
            level: "info".to_owned(),
        },
        auth: AuthDefaults {
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            bcrypt_cost: 12,
            max_failed_logins_per_account: 5,
            max_failed_logins_per_account_total: 50,
            max_failed_logins_per_address: 50,
            failed_login_window_secs: 15 * 60,
            max_registrations_per_address_per_hour: 20,
            self_signup: true,
            require_email_verification: true,
            claimable_domains: None,
            invitation_ttl_hours: 7 * 24,
            max_account_emails_per_address_per_hour: 5,
        },
        chat: ChatSettings {
            max_message_chars: 4000,
            max_messages_per_window: 60,
            message_window_secs: 10,
        },
        realtime: RealtimeSettings {
            heartbeat_interval_secs: 15,
            client_timeout_secs: 45,
            typing_ttl_ms: 5000,
            outbound_queue: 1024,
            max_frame_bytes: 64 * 1024,
            dashboard_interval_ms: 5000,
            dashboard_heartbeat_secs: 30,
            event_stream_keep_alive_secs: 15,
            max_connections_per_user: 50,
        },
        http: HttpSettings {
            json_limit_bytes: 1024 * 1024,
            trust_forwarded_headers: false,
            shutdown_timeout_secs: 30,
            web_dir: "web/dist".into(),
            hsts_max_age_secs: 0,
            cors_allowed_origins: Vec::new(),
            metrics_token: None,
        },
        limits: LimitSettings {
            enabled: true,
            requests_per_minute: 600,
            anonymous_requests_per_minute: 300,
            sign_in_requests_per_minute: 60,
            searches_per_minute: 60,
            invitations_per_hour: 200,
        },
        jobs: JobSettings {
            workers: 1,
            poll_interval_ms: 1000,
            lease_secs: 5 * 60,
            max_attempts: 8,
        },
        files: FilesSettings {
            max_file_bytes: 100 * 1024 * 1024,
            user_quota_bytes: 10 * 1024 * 1024 * 1024,
            uploads_per_window: 60,
            upload_window_secs: 60,
            denied_types: tandem_domain::FilePolicy::default().denied,
            allowed_types: Vec::new(),
            image_max_dimension: 2048,
            thumbnail_dimension: 360,
            image_max_pixels: 50_000_000,
            image_max_bytes: 50 * 1024 * 1024,
            orphan_grace_secs: 24 * 3600,
            orphan_sweep_secs: 600,
            presigned_downloads_secs: 0,
        },
        mail: MailDefaults {
            smtp_port: 587,
            tls: MailTls::Starttls,
            from: "Tandem <tandem@localhost>",
            timeout_secs: 30,
        },
        notifications: NotificationsSettings {
            base_url: "http://127.0.0.1:8080".to_owned(),
            email_sweep_interval_ms: 30_000,
            retention_days: 90,
        },
        integrations: IntegrationsSettings {
            allowed_hosts: Vec::new(),
            allow_public_addresses: true,
            delivery_timeout_secs: 10,
            max_response_bytes: 64 * 1024,
            max_delivery_attempts: 5,
            disable_after_failures: 10,
        },
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Defaults → `file` (when it exists; `tandem.toml` is looked for when none is named) →
    /// `TANDEM_*` variables (`__` separates sections: `TANDEM_AUTH__BCRYPT_COST`) →
    /// `DATABASE_URL`, `REDIS_URL`.
    ///
    /// # Errors
    /// A message naming the offending key and where it came from.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(defaults()));
        match file {
            Some(path) if !path.exists() => {
                return Err(SettingsError::Invalid(format!(
                    "the configuration file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            // Only the working directory's file: no search up the tree for a stray one.
            None if Path::new(DEFAULT_FILE).exists() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE))
            }
            None => {}
        }
        let figment = figment
            .merge(Env::prefixed("TANDEM_").split("__").ignore(&["config"]))
            .merge(Env::raw().only(&["DATABASE_URL", "REDIS_URL"]));
        Self::from_figment(figment)
    }

    /// Settings from defaults plus explicit overrides, ignoring files and the environment
    /// (tests and embedding).
    ///
    /// # Errors
    /// As [`Settings::load`].
    pub fn from_overrides(overrides: impl Serialize) -> Result<Self, SettingsError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(defaults())).merge(Serialized::defaults(overrides)),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Self = figment
            .extract()
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        tandem_mail::parse_from(&self.mail.from).map_err(SettingsError::Invalid)?;
        let base = &self.notifications.base_url;
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SettingsError::Invalid(format!(
                "notifications.base_url must be the web app's address, like https://chat.example.com (got {base:?})"
            )));
        }
        if self.notifications.email_sweep_interval_ms == 0 {
            return Err(SettingsError::Invalid(
                "notifications.email_sweep_interval_ms must be at least 1".to_owned(),
            ));
        }
        if !(4..=31).contains(&self.auth.bcrypt_cost) {
            return Err(SettingsError::Invalid(
                "auth.bcrypt_cost must be between 4 and 31".to_owned(),
            ));
        }
        if self.auth.access_token_ttl_secs == 0 || self.auth.refresh_token_ttl_secs == 0 {
            return Err(SettingsError::Invalid(
                "auth token lifetimes must be positive".to_owned(),
            ));
        }
        if !(1..=100_000).contains(&self.chat.max_message_chars) {
            return Err(SettingsError::Invalid(
                "chat.max_message_chars must be between 1 and 100000".to_owned(),
            ));
        }
        let rt = &self.realtime;
        if rt.heartbeat_interval_secs == 0
            || rt.client_timeout_secs <= rt.heartbeat_interval_secs
            || rt.outbound_queue == 0
            || rt.max_frame_bytes < 1024
        {
            return Err(SettingsError::Invalid(
                "realtime: heartbeat_interval_secs must be positive and below client_timeout_secs; outbound_queue positive; max_frame_bytes at least 1024".to_owned(),
            ));
        }
        if rt.dashboard_interval_ms < 100
            || rt.dashboard_heartbeat_secs == 0
            || rt.event_stream_keep_alive_secs == 0
        {
            return Err(SettingsError::Invalid(
                "realtime: dashboard_interval_ms must be at least 100; dashboard_heartbeat_secs and event_stream_keep_alive_secs positive".to_owned(),
            ));
        }
        let limits = &self.limits;
        if [
            limits.requests_per_minute,
            limits.anonymous_requests_per_minute,
            limits.sign_in_requests_per_minute,
            limits.searches_per_minute,
            limits.invitations_per_hour,
        ]
        .contains(&0)
        {
            return Err(SettingsError::Invalid(
                "limits: every budget must be at least 1 (set limits.enabled = false to turn the limiter off)".to_owned(),
            ));
        }
        for origin in &self.http.cors_allowed_origins {
            let trimmed = origin.trim_end_matches('/');
            // What a browser sends as `Origin`: a scheme, a host, maybe a port, nothing else.
            let is_origin = trimmed.parse::<actix_web::http::Uri>().is_ok_and(|uri| {
                matches!(uri.scheme_str(), Some("http" | "https"))
                    && uri.authority().is_some_and(|a| !a.host().is_empty())
                    && uri.path_and_query().is_none_or(|p| p.as_str() == "/")
                    && !trimmed.contains('@')
            });
            if !is_origin {
                return Err(SettingsError::Invalid(format!(
                    "http.cors_allowed_origins takes origins like https://tools.example.com, without a path (got {origin:?})"
                )));
            }
        }
        let integrations = &self.integrations;
        if integrations.delivery_timeout_secs == 0
            || integrations.max_delivery_attempts == 0
            || integrations.disable_after_failures == 0
        {
            return Err(SettingsError::Invalid(
                "integrations.delivery_timeout_secs, max_delivery_attempts and \
                 disable_after_failures must be at least 1"
                    .to_owned(),
            ));
        }
        if self.http.json_limit_bytes < 1024 {
            return Err(SettingsError::Invalid(
                "http.json_limit_bytes must be at least 1024".to_owned(),
            ));
        }
        let jobs = &self.jobs;
        if jobs.poll_interval_ms < 10 || jobs.lease_secs == 0 || jobs.max_attempts == 0 {
            return Err(SettingsError::Invalid(
                "jobs: poll_interval_ms must be at least 10; lease_secs and max_attempts positive"
                    .to_owned(),
            ));
        }
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
            {
                return Err(SettingsError::Invalid(
                    "database_url must start with postgres://, postgresql:// or sqlite:".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// Cluster mode: shared PostgreSQL or Redis, hence several nodes that must agree on keys.
    pub fn is_cluster(&self) -> bool {
        self.redis_url.is_some()
            || self
                .database_url
                .as_ref()
                .is_some_and(|u| u.expose_secret().starts_with("postgres"))
    }

    /// The database to use: the configured one, or SQLite inside `data_dir`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tandem.db").display()
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail returns its own (large) error type
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_give_an_embedded_server_on_localhost() {
        Jail::expect_with(|_| {
            let settings = Settings::load(None).expect("defaults load");
            assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
            assert!(!settings.is_cluster());
            assert!(settings.database_url().ends_with("data/tandem.db?mode=rwc"));
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "tandem.toml",
                "addr = \"0.0.0.0:9000\"\n[auth]\nbcrypt_cost = 10\n",
            )?;
            jail.set_env("TANDEM_AUTH__BCRYPT_COST", "11");
            jail.set_env("DATABASE_URL", "postgres://u:p@db/tandem");
            let settings = Settings::load(None).expect("loads");
            assert_eq!(settings.addr.port(), 9000);
            assert_eq!(settings.auth.bcrypt_cost, 11);
            assert!(settings.is_cluster());
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        Jail::expect_with(|jail| {
            jail.create_file("tandem.toml", "[auth]\nbcrypt_cots = 10\n")?;
            let error = Settings::load(None).expect_err("typo refused").to_string();
            assert!(error.contains("bcrypt_cots"), "{error}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("TANDEM_ADRR", "0.0.0.0:1");
            let error = Settings::load(None).expect_err("typo refused").to_string();
            assert!(error.contains("adrr"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env(
                "TANDEM_AUTH__JWT_SECRET",
                "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t",
            );
            jail.set_env("DATABASE_URL", "postgres://user:hunter2@db/tandem");
            jail.set_env("TANDEM_HTTP__METRICS_TOKEN", "scr4pe-scr4pe-scr4pe");
            jail.set_env(
                "TANDEM_AUTH__ENCRYPTION_KEY",
                "s3al-s3al-s3al-s3al-s3al-s3al-s3al",
            );
            let settings = Settings::load(None).expect("loads");
            let shown = format!("{settings:?}");
            assert!(
                !shown.contains("s3cr3t")
                    && !shown.contains("s3al")
                    && !shown.contains("hunter2")
                    && !shown.contains("scr4pe"),
                "{shown}"
            );
            Ok(())
        });
    }

    #[test]
    fn request_budgets_and_cors_origins_are_checked_at_startup() {
        Jail::expect_with(|jail| {
            jail.set_env("TANDEM_LIMITS__SEARCHES_PER_MINUTE", "0");
            let error = Settings::load(None).expect_err("a zero budget").to_string();
            assert!(error.contains("limits.enabled = false"), "{error}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            for bad in [
                "https://tools.example.com/app",
                "https://tools example.com",
                "https://",
                "ftp://tools.example.com",
                "tools.example.com",
            ] {
                jail.create_file(
                    "tandem.toml",
                    &format!("[http]\ncors_allowed_origins = [{bad:?}]\n"),
                )?;
                let error = Settings::load(None).expect_err(bad).to_string();
                assert!(error.contains("without a path"), "{bad}: {error}");
            }
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.create_file(
                "tandem.toml",
                "[http]\ncors_allowed_origins = [\"https://tools.example.com\"]\n[limits]\nsign_in_requests_per_minute = 5\n",
            )?;
            let settings = Settings::load(None).expect("loads");
            assert_eq!(settings.limits.sign_in_requests_per_minute, 5);
            assert_eq!(
                settings.http.cors_allowed_origins,
                ["https://tools.example.com"]
            );
            Ok(())
        });
    }

    #[test]
    fn job_workers_are_configured_in_their_own_section() {
        use std::time::Duration;
        Jail::expect_with(|jail| {
            jail.create_file("tandem.toml", "[jobs]\nworkers = 3\nlease_secs = 60\n")?;
            jail.set_env("TANDEM_JOBS__POLL_INTERVAL_MS", "250");
            let settings = Settings::load(None).expect("loads");
            let policy = crate::jobs::policy(&settings.jobs);
            assert_eq!((policy.workers, policy.max_attempts), (3, 8));
            assert_eq!(policy.poll_interval, Duration::from_millis(250));
            assert_eq!(policy.lease, Duration::from_secs(60));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("TANDEM_JOBS__LEASE_SECS", "0");
            let error = Settings::load(None).expect_err("refused").to_string();
            assert!(error.contains("lease_secs"), "{error}");
            Ok(())
        });
    }
}
