//! The job workers as an operator runs them, with the real binary on an embedded SQLite
//! database: a job enqueued before a restart runs after it (and `/metrics` counts it while it
//! waits), and `tandem worker` runs jobs without serving HTTP and stops cleanly. Jobs are
//! enqueued and counted through the library, on the same database file, as the server's own
//! use cases would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_app::JobsContext;
use tandem_app::ports::{Job, JobCounts};
use tandem_server::{Settings, startup};

const BIN: &str = env!("CARGO_BIN_EXE_tandem");

/// A scratch working directory (the server keeps its data in `./data`), removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tandem-jobs-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The server's job queue over this directory's database, as this process sees it.
    async fn context(&self) -> Arc<JobsContext> {
        let settings = Settings::from_overrides(json!({ "data_dir": self.0.join("data") }))
            .expect("test settings");
        startup::build_context(&settings).await.unwrap().ctx.jobs
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `tandem <args>` in `dir` with none of the caller's settings, idle workers polling often.
fn tandem(dir: &Path, args: &[&str], workers: usize) -> Child {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("TANDEM_") || ["DATABASE_URL", "REDIS_URL", "RUST_LOG"].contains(&&*key)
        {
            command.env_remove(key);
        }
    }
    command
        .args(args)
        .env("TANDEM_JOBS__WORKERS", workers.to_string())
        .env("TANDEM_JOBS__POLL_INTERVAL_MS", "50")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn serve(dir: &Path, port: u16, workers: usize) -> Child {
    tandem(
        dir,
        &["serve", "--addr", &format!("127.0.0.1:{port}")],
        workers,
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_until_healthy(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("tandem exited early with {status}");
        }
        let url = format!("http://127.0.0.1:{port}/healthz");
        if reqwest::get(url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tandem did not become healthy within 60 s");
}

/// SIGTERM, then the exit status (within 30 s).
async fn terminate(child: &mut Child) -> ExitStatus {
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
        assert!(Instant::now() < deadline, "tandem did not stop within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until nothing is queued or running any more; the counts then.
async fn until_settled(ctx: &JobsContext, child: &mut Child) -> JobCounts {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let counts = ctx.jobs.counts().await.unwrap();
        if counts.queued == 0 && counts.running == 0 {
            return counts;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("tandem exited with {status} while jobs were left: {counts:?}");
        }
        assert!(Instant::now() < deadline, "jobs still waiting: {counts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn blobs() -> Job {
    Job::DeleteBlobs {
        keys: vec!["files/2026/03/gone".to_owned()],
    }
}

#[tokio::test]
async fn a_job_enqueued_before_a_restart_runs_after_it() {
    let scratch = Scratch::new();
    let port = free_port();
    // An HTTP-only node first: the job waits, durable, with nobody to run it.
    let mut server = serve(&scratch.0, port, 0);
    wait_until_healthy(port, &mut server).await;
    let ctx = scratch.context().await;
    tandem_app::jobs::enqueue(&ctx, blobs()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("background_jobs{state=\"queued\"} 1\n"),
        "{metrics}"
    );
    assert!(terminate(&mut server).await.success());
    let waiting = ctx.jobs.counts().await.unwrap();
    assert_eq!((waiting.queued, waiting.running), (1, 0), "{waiting:?}");

    let mut server = serve(&scratch.0, port, 1);
    wait_until_healthy(port, &mut server).await;
    // Run: done (removed) or given up (dead); either way no longer waiting.
    until_settled(&ctx, &mut server).await;
    assert!(terminate(&mut server).await.success());
}

#[tokio::test]
async fn tandem_worker_runs_jobs_without_http_and_stops_on_sigterm() {
    let scratch = Scratch::new();
    let ctx = scratch.context().await;
    tandem_app::jobs::enqueue(&ctx, blobs()).await.unwrap();

    let mut worker = tandem(&scratch.0, &["worker"], 2);
    until_settled(&ctx, &mut worker).await;
    tandem_app::jobs::enqueue(&ctx, Job::ProcessImage { file_id: 1 })
        .await
        .unwrap();
    until_settled(&ctx, &mut worker).await;
    assert!(terminate(&mut worker).await.success(), "a clean stop");
}

#[test]
fn tandem_worker_without_workers_refuses_to_start() {
    let scratch = Scratch::new();
    let output = Command::new(BIN)
        .current_dir(&scratch.0)
        .arg("worker")
        .env("TANDEM_JOBS__WORKERS", "0")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("jobs.workers is 0"), "{stderr}");
}
