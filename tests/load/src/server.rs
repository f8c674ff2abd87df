//! `--spawn-server`: starts `tandem serve` with a temporary data directory and benchmark
//! settings, waits until it answers `/healthz`, and stops it at the end.

use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub struct SpawnedServer {
    child: Child,
    pub pid: u32,
    pub data_dir: PathBuf,
    pub log: PathBuf,
}

/// Variables set for the server unless the environment already has them.
const DEFAULTS: [(&str, &str); 9] = [
    // Registration of thousands of users in seconds.
    ("TANDEM_AUTH__BCRYPT_COST", "4"),
    // All of them from one address.
    (
        "TANDEM_AUTH__MAX_REGISTRATIONS_PER_ADDRESS_PER_HOUR",
        "1000000000",
    ),
    // They join the organization by their email domain and start at once, with no
    // confirmation link to follow.
    ("TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION", "false"),
    // The per-user rate limit would otherwise throttle the benchmark (default 60 per 10 s).
    ("TANDEM_CHAT__MAX_MESSAGES_PER_WINDOW", "1000000000"),
    // The general request limiter stays on (its cost is part of the figures) with budgets
    // that thousands of clients at one address never spend.
    ("TANDEM_LIMITS__ANONYMOUS_REQUESTS_PER_MINUTE", "1000000000"),
    ("TANDEM_LIMITS__REQUESTS_PER_MINUTE", "1000000000"),
    ("TANDEM_LIMITS__SIGN_IN_REQUESTS_PER_MINUTE", "1000000000"),
    ("TANDEM_LOG__LEVEL", "warn"),
    // `--users` below `--connections` gives people many connections each.
    ("TANDEM_REALTIME__MAX_CONNECTIONS_PER_USER", "1000000"),
];

pub async fn spawn(
    bin: &Path,
    addr: &str,
    base_url: &str,
    http: &reqwest::Client,
    tag: &str,
) -> anyhow::Result<SpawnedServer> {
    let data_dir = std::env::temp_dir().join(format!("tandem-load-{tag}"));
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let log = data_dir.join("server.log");
    let log_file =
        std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let mut command = Command::new(bin);
    command
        .arg("serve")
        .env("TANDEM_ADDR", addr)
        .env("TANDEM_DATA_DIR", &data_dir)
        .env("TANDEM_HTTP__SHUTDOWN_TIMEOUT_SECS", "5")
        .stdin(Stdio::null())
        .stdout(Stdio::from(log_file.try_clone()?))
        .stderr(Stdio::from(log_file))
        .kill_on_drop(true);
    for (key, value) in DEFAULTS {
        let overridden = std::env::var_os(key).is_some()
            || (key == "TANDEM_LOG__LEVEL" && std::env::var_os("RUST_LOG").is_some());
        if !overridden {
            command.env(key, value);
        }
    }
    let mut child = command.spawn().with_context(|| {
        format!(
            "starting {} (build it with `cargo build --release -p tandem-server`)",
            bin.display()
        )
    })?;
    let pid = child.id().context("the server exited at once")?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            bail!(
                "the server exited with {status}; its output is in {}",
                log.display()
            );
        }
        let up = http
            .get(format!("{base_url}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if up {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!(
                "the server did not answer /healthz within 60 s; its output is in {}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(SpawnedServer {
        child,
        pid,
        data_dir,
        log,
    })
}

impl SpawnedServer {
    /// SIGTERM, up to 15 s for a graceful stop, then SIGKILL; removes the data directory
    /// (SQLite) unless `keep`.
    pub async fn stop(mut self, keep: bool) -> anyhow::Result<()> {
        let pid = self.pid.to_string();
        let _ = Command::new("kill")
            .args([OsStr::new("-TERM"), OsStr::new(&pid)])
            .status()
            .await;
        let graceful = tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await;
        if graceful.is_err() {
            self.child.kill().await?;
        }
        if !keep {
            std::fs::remove_dir_all(&self.data_dir)
                .with_context(|| format!("removing {}", self.data_dir.display()))?;
        }
        Ok(())
    }
}
