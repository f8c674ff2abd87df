//! The black-box test harness: starts the real `tandem` server on a random port and talks to
//! it over HTTP, like any client would.
//!
//! Every test runs twice: on a fresh SQLite file with in-process stores (the embedded default),
//! and on a fresh PostgreSQL database with Redis (cluster mode). The second needs
//! `TEST_DATABASE_URL` and `TEST_REDIS_URL`; without them those tests fail and say so, so a
//! run without the services can never pass silently. `make test-embedded` runs the first half only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod clock;
pub mod conformance;
pub mod files;
pub mod receiver;
pub mod s3;
pub mod smtp;
pub mod sse;
pub mod ws;

use actix_web::dev::ServerHandle;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use tandem_server::{Application, Settings};

/// The signing key of every test server, so tests can forge and expire tokens knowingly.
pub const JWT_SECRET: &str = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const PASSWORD: &str = "violet harbor kettle";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in a temporary directory, in-process denylist and rate limiter.
    Sqlite,
    /// A fresh PostgreSQL database and a fresh Redis key namespace.
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    handle: ServerHandle,
    shutdown: tandem_server::Shutdown,
    data_dir: PathBuf,
    postgres: Option<(String, String)>,
    /// The settings it was started with, for [`TestApp::restarted`].
    settings: Value,
    /// Whether dropping it removes its data (not when a restarted server took them over).
    owns_data: bool,
    /// The server's time: [`clock::ShiftedClock::advance`] moves it forward.
    pub clock: std::sync::Arc<clock::ShiftedClock>,
}

/// Starts a server on `backend` with `overrides` applied to the test settings.
pub async fn spawn_app_with(backend: Backend, overrides: Value) -> TestApp {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let data_dir = std::env::temp_dir().join(format!("tandem-test-{id}"));
    let mut settings = json!({
        "addr": "127.0.0.1:0",
        "data_dir": data_dir,
        "workers": 2,
        // Every person of a test signs up from 127.0.0.1. Joining by email domain needs no
        // confirmed address here, as most suites are about what people do once in;
        // `tests/api/identity.rs` runs with the default (confirmation required).
        "auth": {
            "bcrypt_cost": 4,
            "jwt_secret": JWT_SECRET,
            "max_registrations_per_address_per_hour": 100_000,
            "require_email_verification": false,
        },
        "http": { "shutdown_timeout_secs": 1 },
        // The limiter runs with budgets a suite never spends; `tests/api/limits.rs` sets small
        // ones.
        "limits": {
            "requests_per_minute": 1_000_000,
            "anonymous_requests_per_minute": 1_000_000,
            "sign_in_requests_per_minute": 1_000_000,
            "searches_per_minute": 1_000_000,
            "invitations_per_hour": 1_000_000,
        },
        "realtime": { "typing_ttl_ms": 1000 },
        // Webhooks and commands reach only the loopback receivers a test allows: a suite sends
        // nothing anywhere else.
        "integrations": { "allow_public_addresses": false },
    });
    let mut postgres = None;
    if backend == Backend::Postgres {
        let server = required_env("TEST_DATABASE_URL");
        let redis = required_env("TEST_REDIS_URL");
        let name = format!("tandem_test_{id}");
        let url = tandem_persistence::provisioning::create_postgres_database(&server, &name)
            .await
            .unwrap_or_else(|e| {
                panic!("creating a test database on TEST_DATABASE_URL failed: {e}")
            });
        settings["database_url"] = json!(url);
        settings["redis_url"] = json!(redis);
        settings["redis_namespace"] = json!(format!("tandem-test-{id}"));
        postgres = Some((server, name));
    }
    merge(&mut settings, overrides);
    start(backend, settings, data_dir, postgres).await
}

async fn start(
    backend: Backend,
    settings: Value,
    data_dir: PathBuf,
    postgres: Option<(String, String)>,
) -> TestApp {
    let parsed = Settings::from_overrides(settings.clone()).expect("test settings are valid");
    let clock = std::sync::Arc::new(clock::ShiftedClock::default());
    let app = Application::build_with_clock(parsed, clock.clone())
        .await
        .expect("the server starts");
    let address = format!("http://{}", app.local_addr());
    let handle = app.handle();
    let shutdown = app.shutdown();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        backend,
        handle,
        shutdown,
        data_dir,
        postgres,
        settings,
        owns_data: true,
        clock,
    }
}

impl TestApp {
    /// Stops this server and starts another on the same database, data directory and
    /// settings (with `overrides`), on a new port: a restart.
    pub async fn restarted(mut self, overrides: Value) -> TestApp {
        self.handle.stop(true).await;
        self.owns_data = false;
        let mut settings = self.settings.clone();
        merge(&mut settings, overrides);
        start(
            self.backend,
            settings,
            self.data_dir.clone(),
            self.postgres.take(),
        )
        .await
    }

    /// Another node of the same cluster (PostgreSQL and Redis only): the same database, Redis
    /// namespace and settings, its own port and data directory. Declare it after this one,
    /// so it is dropped first.
    pub async fn second_node(&self) -> TestApp {
        assert_eq!(
            self.backend,
            Backend::Postgres,
            "only a server on PostgreSQL and Redis has other nodes"
        );
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("tandem-test-{id}"));
        let mut settings = self.settings.clone();
        settings["data_dir"] = json!(data_dir);
        start(self.backend, settings, data_dir, None).await
    }

    /// Stops the server as SIGTERM does (returns once it stopped).
    pub async fn shut_down(&self) {
        self.shutdown.graceful().await;
    }

    /// Where this server keeps its SQLite file and local blobs.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The server's database, opened directly, to check what it stores.
    pub async fn database(&self) -> tandem_persistence::Database {
        let url = self.settings["database_url"].as_str().map_or_else(
            || {
                format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("tandem.db").display()
                )
            },
            str::to_owned,
        );
        tandem_persistence::Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("opening the test server's database: {e}"))
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, json!({})).await
}

#[allow(clippy::disallowed_methods)]
fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the PostgreSQL + Redis half of the suite needs it (make test sets it to the local \
             services; run `make test-embedded` for the SQLite half only)"
        )
    })
}

/// Merges `overrides` into `base`, object by object (settings overrides).
pub fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Object(base), Value::Object(overrides)) => {
            for (key, value) in overrides {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (slot, value) => *slot = value,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let postgres = self.postgres.take();
        if self.owns_data {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
        // Drop cannot await: stop the server and drop the database on a thread of its own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                handle.stop(false).await;
                if let Some((server, name)) = postgres {
                    let _ =
                        tandem_persistence::provisioning::drop_postgres_database(&server, &name)
                            .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// A registered user and their tokens.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub username: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Session {
    /// From the body of a registration or a login.
    pub fn from_body(body: &Value) -> Self {
        Self {
            id: body["user"]["id"].as_i64().expect("user.id"),
            organization_id: body["user"]["organization_id"]
                .as_i64()
                .expect("user.organization_id"),
            email: body["user"]["email"]
                .as_str()
                .expect("user.email")
                .to_owned(),
            username: body["user"]["username"]
                .as_str()
                .expect("user.username")
                .to_owned(),
            access_token: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh_token: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        self.request(method, path, token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(Method::POST, path, token, body).await
    }

    /// Registers `username` at `domain`, founding `org` when nobody owns the domain.
    pub async fn register(&self, username: &str, domain: &str, org: Option<&str>) -> Session {
        let mut body = json!({ "email": format!("{username}@{domain}"), "username": username, "password": PASSWORD });
        if let Some(org) = org {
            body["organization_name"] = json!(org);
        }
        let response = self.post_json("/api/v1/auth/register", None, &body).await;
        let (status, body) = status_and_json(response).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "registering {username}@{domain}: {body}"
        );
        Session::from_body(&body)
    }

    /// An organization `org` at `domain` with an admin and a member.
    pub async fn organization(&self, domain: &str, org: &str) -> (Session, Session) {
        let admin = self
            .register(
                &format!("admin-{}", domain.replace('.', "-")),
                domain,
                Some(org),
            )
            .await;
        let member = self
            .register(
                &format!("member-{}", domain.replace('.', "-")),
                domain,
                None,
            )
            .await;
        (admin, member)
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            None,
            &json!({ "email": login, "password": password }),
        )
        .await
    }

    pub async fn login_ok(&self, login: &str) -> Session {
        let (status, body) = status_and_json(self.login(login, PASSWORD).await).await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        Session::from_body(&body)
    }
}

impl TestApp {
    /// GET that must succeed; returns the body.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let (status, body) = status_and_json(self.get(path, Some(token)).await).await;
        assert!(status.is_success(), "GET {path}: {status} {body}");
        body
    }

    /// A request with a JSON body that must succeed; returns the body (`null` for 204).
    pub async fn send_ok(&self, method: Method, path: &str, token: &str, body: &Value) -> Value {
        let (status, answer) = status_and_json(
            self.send_json(method.clone(), path, Some(token), body)
                .await,
        )
        .await;
        assert!(
            status.is_success(),
            "{method} {path} {body}: {status} {answer}"
        );
        answer
    }

    pub async fn post_ok(&self, path: &str, token: &str, body: &Value) -> Value {
        self.send_ok(Method::POST, path, token, body).await
    }

    /// Creates a channel of `kind` ("public" or "private") named `name`.
    pub async fn channel(&self, token: &str, name: &str, kind: &str) -> i64 {
        let body = self
            .post_ok(
                "/api/v1/channels",
                token,
                &json!({ "name": name, "type": kind }),
            )
            .await;
        body["id"].as_i64().expect("channel id")
    }

    pub async fn join(&self, token: &str, channel: i64) {
        self.post_ok(
            &format!("/api/v1/channels/{channel}/join"),
            token,
            &json!({}),
        )
        .await;
    }

    /// Posts `content` and returns the stored message.
    pub async fn say(&self, token: &str, channel: i64, content: &str) -> Value {
        self.post_ok(
            &format!("/api/v1/channels/{channel}/messages"),
            token,
            &json!({ "content": content }),
        )
        .await
    }
}

pub async fn status_and_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

/// Asserts the response is an error with `status` and `code`, in the one error shape.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    let (actual, body) = status_and_json(response).await;
    assert_eq!(
        actual, status,
        "expected {status} {code}, got {actual}: {body}"
    );
    assert_eq!(body["code"], code, "expected code {code}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "an error needs a message: {body}"
    );
    body
}

/// Declares each listed `async fn name(app: TestApp)` as two tests, `sqlite::name` and
/// `postgres::name`, each with a fresh server.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::spawn_app($crate::Backend::Sqlite).await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::spawn_app($crate::Backend::Postgres).await).await;
                }
            )+
        }
    };
}

/// Declares each listed `async fn name(backend: Backend)` as two tests,
/// `on_backend::sqlite::name` and `on_backend::postgres::name`, for tests that start their
/// own servers (with their own settings, or several).
#[macro_export]
macro_rules! on_every_backend_by_value {
    ($($name:ident),+ $(,)?) => {
        mod on_backend {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::super::$name($crate::Backend::Sqlite).await;
                    }
                )+
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::super::$name($crate::Backend::Postgres).await;
                    }
                )+
            }
        }
    };
}
