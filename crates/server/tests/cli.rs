//! The `tandem` binary as an operator meets it: zero-configuration start, `create-admin`,
//! `migrate`, `openapi`, JSON logs, graceful shutdown, and clear startup errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

/// A scratch working directory, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tandem-cli-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// `tandem` in `dir` with none of the caller's Tandem, database or Redis settings.
fn tandem(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("TANDEM_")
            || key == "DATABASE_URL"
            || key == "REDIS_URL"
            || key == "RUST_LOG"
        {
            command.env_remove(key);
        }
    }
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn wait_until_healthy(base: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("tandem exited early with {status}");
        }
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tandem did not become healthy within 60 s");
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "tandem did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn login(client: &reqwest::Client, base: &str, email: &str, password: &str) -> (u16, Value) {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_newcomer_starts_tandem_with_no_configuration_and_logs_in_as_the_created_admin() {
    let scratch = Scratch::new();
    let created = tandem(&scratch.0)
        .args(["create-admin", "--email", "ana@acme.io", "--org", "Acme"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", stderr_of(&created));
    let stdout = String::from_utf8(created.stdout).unwrap();
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown once; change it after logging in): "))
        .expect("password printed")
        .to_owned();
    assert!(password.len() >= 16);
    assert!(
        scratch.0.join("data/tandem.db").exists() && scratch.0.join("data/jwt-secret").exists()
    );

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = tandem(&scratch.0)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("TANDEM_LOG__FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_healthy(&base, &mut server).await;
    let client = reqwest::Client::new();
    let (status, body) = login(&client, &base, "ana@acme.io", &password).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "admin");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let me = client
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(&token)
        .header("x-request-id", "cli-test-42")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);

    let status = terminate(&mut server);
    assert!(status.success(), "SIGTERM is a clean stop, got {status}");
    let output = server.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stdout);
    let line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["span"]["request_id"] == "cli-test-42" && l["status"] == 200)
        .unwrap_or_else(|| panic!("a JSON log line for the request: {logs}"));
    assert_eq!(line["route"], "/api/v1/auth/me");
    assert!(
        !logs.contains(&password) && !logs.contains(&token),
        "secrets never reach the logs"
    );

    // The signing key persisted: a token from before the restart still works.
    let mut server = tandem(&scratch.0)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_healthy(&base, &mut server).await;
    let me = client
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    assert!(terminate(&mut server).success());
}

#[test]
fn configuration_mistakes_stop_startup_with_a_message_naming_them() {
    let scratch = Scratch::new();
    let typo = tandem(&scratch.0)
        .arg("serve")
        .env("TANDEM_ADRR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(stderr_of(&typo).contains("adrr"), "{}", stderr_of(&typo));

    std::fs::write(scratch.0.join("tandem.toml"), "[auth]\nbcrypt_cots = 10\n").unwrap();
    let file_typo = tandem(&scratch.0).arg("serve").output().unwrap();
    assert!(!file_typo.status.success());
    assert!(
        stderr_of(&file_typo).contains("bcrypt_cots"),
        "{}",
        stderr_of(&file_typo)
    );
    std::fs::remove_file(scratch.0.join("tandem.toml")).unwrap();

    let missing = tandem(&scratch.0)
        .args(["--config", "nowhere.toml", "serve"])
        .output()
        .unwrap();
    assert!(
        stderr_of(&missing).contains("nowhere.toml"),
        "{}",
        stderr_of(&missing)
    );

    let cluster = tandem(&scratch.0)
        .arg("serve")
        .env(
            "DATABASE_URL",
            "postgres://tandem:hunter2@127.0.0.1:1/tandem",
        )
        .output()
        .unwrap();
    assert!(!cluster.status.success());
    let message = stderr_of(&cluster);
    assert!(
        message.contains("jwt_secret is required in cluster mode"),
        "{message}"
    );
    assert!(
        !message.contains("hunter2"),
        "the database password is never printed: {message}"
    );

    let short = tandem(&scratch.0)
        .arg("serve")
        .env("TANDEM_AUTH__JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert!(
        stderr_of(&short).contains("at least 32 bytes"),
        "{}",
        stderr_of(&short)
    );
    assert!(
        !scratch.0.join("data/tandem.db").exists(),
        "nothing was created by failed starts"
    );
}

#[test]
fn migrate_prepares_a_fresh_database_and_is_idempotent() {
    let scratch = Scratch::new();
    for _ in 0..2 {
        let output = tandem(&scratch.0)
            .arg("migrate")
            .env("TANDEM_DATA_DIR", "store")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
    }
    assert!(scratch.0.join("store/tandem.db").exists());
}

/// What `tandem openapi <args>` prints, which must be the committed `openapi/<file>`.
fn printed_as_committed(args: &[&str], file: &str) -> Value {
    let output = Command::new(BIN)
        .arg("openapi")
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let path = format!("{}/../../openapi/{file}", env!("CARGO_MANIFEST_DIR"));
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        printed == committed,
        "openapi/{file} is stale: run `make openapi`"
    );
    printed
}

#[test]
fn the_openapi_command_prints_the_committed_document() {
    printed_as_committed(&[], "openapi.json");
}

#[test]
fn the_realtime_schemas_match_the_committed_document() {
    let printed = printed_as_committed(&["--realtime"], "realtime.json");
    let schemas = &printed["components"]["schemas"];
    for name in ["ClientFrame", "ServerFrame"] {
        assert!(schemas.get(name).is_some(), "{name} is documented");
    }
}

#[test]
fn the_asyncapi_document_matches_the_committed_one() {
    let printed = printed_as_committed(&["--asyncapi"], "asyncapi.json");
    assert_eq!(printed["asyncapi"], "3.0.0");
    for channel in ["chat", "notifications", "activityStream"] {
        assert!(
            printed["channels"].get(channel).is_some(),
            "{channel} is described"
        );
    }
}
