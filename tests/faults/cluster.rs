//! The processes a scenario owns: its own PostgreSQL and Redis on free ports (so the machine's
//! services stay untouched), and two `tandem serve` nodes sharing them. Everything can be
//! stopped, killed and restarted; dropping the [`Cluster`] kills whatever still runs and removes
//! its directories, also when a test panics (after printing the tail of every log, to show
//! what the servers saw).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The signing key both nodes share (cluster mode requires one).
const JWT_SECRET: &str = "faults-suite-signing-key-0123456789-abcdefghijklmnop";
/// The database the nodes use, on the suite's own PostgreSQL.
const DATABASE: &str = "tandem";
/// Guard on anything that starts: a process that is not up by then is broken.
const START_GUARD: Duration = Duration::from_secs(60);

/// How a cluster is configured.
#[derive(Debug, Clone)]
pub struct Options {
    /// `http.shutdown_timeout_secs` of every node: what SIGTERM grants in-flight work.
    pub shutdown_timeout_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            shutdown_timeout_secs: 10,
        }
    }
}

/// Two nodes on one PostgreSQL and one Redis. Fields drop in order: nodes, then Redis, then
/// PostgreSQL, then the directory they all live in.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub redis: Redis,
    pub postgres: Postgres,
    pub options: Options,
    root: TempRoot,
}

impl Cluster {
    /// Starts PostgreSQL and Redis, creates the nodes' database, then the two nodes one after
    /// the other (the first applies the migrations) and waits until both are ready.
    pub async fn start(options: Options) -> Self {
        let binary = tandem_binary();
        tokio::task::spawn_blocking(sweep_stale_clusters)
            .await
            .expect("the sweep's thread");
        let root = TempRoot::new();
        let postgres = Postgres::init(root.path.join("pg")).await;
        let redis = Redis::start(root.path.join("redis")).await;
        let server_url = format!("postgres://postgres@127.0.0.1:{}/postgres", postgres.port);
        let database_url =
            tandem_persistence::provisioning::create_postgres_database(&server_url, DATABASE)
                .await
                .unwrap_or_else(|e| panic!("creating the nodes' database failed: {e}"));
        let mut cluster = Self {
            nodes: Vec::new(),
            redis,
            postgres,
            options,
            root,
        };
        for index in 0..2 {
            let mut node = Node::new(
                index,
                &binary,
                cluster.root.path.join(format!("node-{index}")),
                &database_url,
                &cluster.redis.url(),
                &cluster.options,
            );
            node.start();
            // In the cluster already, so a panic while waiting still kills it and shows its log.
            cluster.nodes.push(node);
            cluster.nodes[index].wait_ready(START_GUARD).await;
        }
        cluster
    }

    /// The base URL (`http://127.0.0.1:port`) of every node, by index.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.url.clone()).collect()
    }

    /// Waits until every running node answers `/readyz` with 200; returns when that happened.
    pub async fn wait_ready(&mut self, guard: Duration) -> Instant {
        for node in &mut self.nodes {
            if node.is_running() {
                node.wait_ready(guard).await;
            }
        }
        Instant::now()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for node in &self.nodes {
                print_tail(&format!("node {}", node.index), &node.log, 60);
            }
            print_tail("postgres", &self.postgres.log, 20);
            print_tail("redis", &self.redis.log, 20);
        }
    }
}

fn print_tail(what: &str, path: &Path, lines: usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let tail = &all[all.len().saturating_sub(lines)..];
    eprintln!(
        "---- last {} lines of the {what} log ({}) ----\n{}",
        tail.len(),
        path.display(),
        tail.join("\n")
    );
}

/// The `tandem` binary next to the test executable: `target/debug/deps/faults-…` →
/// `target/debug/tandem`.
fn tandem_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps");
    let binary = profile_dir.join("tandem");
    assert!(
        binary.is_file(),
        "the tandem binary is missing at {}: run `cargo build -p tandem-server` first \
         (`cargo nextest run --workspace` builds it)",
        binary.display()
    );
    binary
}

/// A free TCP port on 127.0.0.1 (free when asked: it is released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs a blocking command off the async workers and returns its output.
async fn run(mut command: Command, what: &str) -> Output {
    let what = what.to_owned();
    tokio::task::spawn_blocking(move || {
        command
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{what}: could not run {command:?}: {e}"))
    })
    .await
    .expect("the command's thread")
}

fn check(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Prefix of every cluster's directory in the temporary directory.
const ROOT_PREFIX: &str = "tandem-faults-";
/// No test runs this long (nextest ends hung ones after two minutes), so a cluster directory
/// this old belongs to a test that was killed before its clean-up.
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Stops and removes what killed tests left behind. Dropping a [`Cluster`] cleans up after a
/// panic, and nextest's kill of a hung test takes the nodes and Redis (its children) with it,
/// but not PostgreSQL: `pg_ctl` starts it in a session of its own.
fn sweep_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(ROOT_PREFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_AFTER));
        if !stale {
            continue;
        }
        let data = entry.path().join("pg").join("data");
        if data.join("postmaster.pid").exists() {
            let _ = postgres_command(&postgres_bin_dir(), "pg_ctl", uid_is_root())
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// The directory every process of a cluster keeps its files in; removed last.
struct TempRoot {
    path: PathBuf,
}

impl TempRoot {
    fn new() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let path = std::env::temp_dir().join(format!("{ROOT_PREFIX}{}", &id[..12]));
        std::fs::create_dir_all(&path).expect("the cluster's directory");
        // PostgreSQL runs as `postgres` when we are root: it must be able to get through.
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("the cluster's directory permissions");
        Self { path }
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

/// `redis-server` without persistence: stopping it loses everything, as a crash would.
pub struct Redis {
    pub port: u16,
    dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Redis {
    async fn start(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).expect("the Redis directory");
        let mut redis = Self {
            port: free_port(),
            log: dir.join("redis.log"),
            dir,
            child: None,
        };
        redis.restart().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it (SIGKILL): its data are gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty, and waits until it answers `PING`.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "Redis is running already");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the Redis log");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the Redis log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "redis-server could not be started ({e}): the fault suite needs it on the PATH \
                     (apt-get install redis-server)"
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + START_GUARD;
        while !self.answers_ping().await {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                print_tail("redis", &self.log, 20);
                panic!("redis-server exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {} within {START_GUARD:?}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn answers_ping(&self) -> bool {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await else {
            return false;
        };
        if stream.write_all(b"PING\r\n").await.is_err() {
            return false;
        }
        let mut answer = [0u8; 7];
        matches!(
            tokio::time::timeout(Duration::from_secs(1), stream.read_exact(&mut answer)).await,
            Ok(Ok(_))
        ) && &answer == b"+PONG\r\n"
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

/// A throwaway PostgreSQL cluster (`initdb` in a temporary directory), trust authentication,
/// superuser `postgres`. Run as the `postgres` user when the tests run as root, since
/// PostgreSQL refuses to run as root.
pub struct Postgres {
    pub port: u16,
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    as_postgres_user: bool,
    running: bool,
}

impl Postgres {
    async fn init(dir: PathBuf) -> Self {
        let bin = postgres_bin_dir();
        std::fs::create_dir_all(&dir).expect("the PostgreSQL directory");
        let as_postgres_user = tokio::task::spawn_blocking(uid_is_root)
            .await
            .expect("the id thread");
        if as_postgres_user {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&dir);
            check(
                &run(chown, "chown").await,
                "handing the PostgreSQL directory to the postgres user (it must exist when the tests run as root)",
            );
        }
        let mut postgres = Self {
            port: free_port(),
            data: dir.join("data"),
            log: dir.join("postgres.log"),
            bin,
            dir,
            as_postgres_user,
            running: false,
        };
        let mut initdb = postgres.command("initdb");
        initdb.arg("-D").arg(&postgres.data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        ]);
        check(&run(initdb, "initdb").await, "initdb");
        postgres.start().await;
        postgres
    }

    fn command(&self, program: &str) -> Command {
        postgres_command(&self.bin, program, self.as_postgres_user)
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub async fn start(&mut self) {
        assert!(!self.running, "PostgreSQL is running already");
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                self.port,
                self.dir.display()
            ))
            .arg("start");
        let output = run(pg_ctl, "pg_ctl start").await;
        if !output.status.success() {
            print_tail("postgres", &self.log, 30);
        }
        check(&output, "pg_ctl start");
        self.running = true;
    }

    /// `pg_ctl stop -m fast`: sessions are ended, the server shuts down cleanly.
    pub async fn stop(&mut self) {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "-t", "60", "stop"]);
        check(&run(pg_ctl, "pg_ctl stop").await, "pg_ctl stop");
        self.running = false;
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A command running the PostgreSQL program `program` of `bin`, through `runuser -u postgres`
/// when `as_postgres_user`.
fn postgres_command(bin: &Path, program: &str, as_postgres_user: bool) -> Command {
    let path = bin.join(program);
    if as_postgres_user {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl`.
fn postgres_bin_dir() -> PathBuf {
    let base = Path::new("/usr/lib/postgresql");
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(base)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server binaries (initdb, pg_ctl) under {}/<version>/bin: the fault \
             suite needs them (apt-get install postgresql-15)",
            base.display()
        )
    })
}

/// Whether the tests run as root (`id -u`).
fn uid_is_root() -> bool {
    let output = Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not run `id -u`: {e}"));
    check(&output, "id -u");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

/// One `tandem serve` process.
pub struct Node {
    pub index: usize,
    pub url: String,
    binary: PathBuf,
    data_dir: PathBuf,
    log: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Node {
    fn new(
        index: usize,
        binary: &Path,
        data_dir: PathBuf,
        database_url: &str,
        redis_url: &str,
        options: &Options,
    ) -> Self {
        std::fs::create_dir_all(&data_dir).expect("the node's data directory");
        let port = free_port();
        let env = [
            ("DATABASE_URL", database_url.to_owned()),
            ("REDIS_URL", redis_url.to_owned()),
            ("TANDEM_ADDR", format!("127.0.0.1:{port}")),
            ("TANDEM_DATA_DIR", data_dir.display().to_string()),
            ("TANDEM_MIGRATE_ON_START", "true".to_owned()),
            ("TANDEM_WORKERS", "2".to_owned()),
            ("TANDEM_AUTH__JWT_SECRET", JWT_SECRET.to_owned()),
            ("TANDEM_AUTH__BCRYPT_COST", "4".to_owned()),
            // People here join by domain and go straight to work; no mail is read.
            (
                "TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION",
                "false".to_owned(),
            ),
            (
                "TANDEM_AUTH__MAX_REGISTRATIONS_PER_ADDRESS_PER_HOUR",
                "100000".to_owned(),
            ),
            (
                "TANDEM_HTTP__SHUTDOWN_TIMEOUT_SECS",
                options.shutdown_timeout_secs.to_string(),
            ),
            // The storm must not be throttled: it tests faults, not rate limits.
            ("TANDEM_CHAT__MAX_MESSAGES_PER_WINDOW", "1000000".to_owned()),
            // Every client signs in from 127.0.0.1; the limiter still runs (and falls back
            // to each node's own budgets while Redis is down), with budgets no storm spends.
            (
                "TANDEM_LIMITS__SIGN_IN_REQUESTS_PER_MINUTE",
                "1000000".to_owned(),
            ),
            (
                "TANDEM_LIMITS__ANONYMOUS_REQUESTS_PER_MINUTE",
                "1000000".to_owned(),
            ),
            ("TANDEM_LIMITS__REQUESTS_PER_MINUTE", "1000000".to_owned()),
            ("TANDEM_LOG__LEVEL", "info".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            index,
            url: format!("http://127.0.0.1:{port}"),
            binary: binary.to_owned(),
            log: data_dir.join("tandem.log"),
            data_dir,
            env,
            child: None,
        }
    }

    /// Spawns `tandem serve` with only the cluster's settings in its environment, in its data
    /// directory (so no stray `tandem.toml` is read).
    fn start(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the node's log");
        let child = Command::new(&self.binary)
            .arg("serve")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.data_dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the node's log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", self.binary.display()));
        self.child = Some(child);
    }

    /// Polls `/readyz` until it answers 200.
    pub async fn wait_ready(&mut self, guard: Duration) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()
            .expect("an HTTP client");
        let deadline = Instant::now() + guard;
        loop {
            if let Some(status) = self.exited() {
                panic!(
                    "node {} exited while waiting for it to be ready: {status}",
                    self.index
                );
            }
            let ready = client
                .get(format!("{}/readyz", self.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "node {} was not ready within {guard:?}",
                self.index
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The exit status, once it has exited.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    pub fn is_running(&mut self) -> bool {
        self.child.is_some() && self.exited().is_none()
    }

    /// `kill -9`: no shutdown at all. Returns when the signal was sent.
    pub fn kill9(&mut self) -> Instant {
        let child = self.child.as_mut().expect("the node runs");
        child.kill().expect("SIGKILL sent");
        let at = Instant::now();
        let _ = child.wait();
        at
    }

    /// SIGTERM: a graceful shutdown. Returns when the signal was sent.
    pub fn sigterm(&mut self) -> Instant {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        let child = self.child.as_ref().expect("the node runs");
        let pid = i32::try_from(child.id()).expect("a pid fits in i32");
        kill(Pid::from_raw(pid), Signal::SIGTERM).expect("SIGTERM sent");
        Instant::now()
    }

    /// Waits up to `guard` for the process to exit; its status and when it was seen gone.
    pub async fn wait_exit(&mut self, guard: Duration) -> Option<(ExitStatus, Instant)> {
        let deadline = Instant::now() + guard;
        loop {
            if let Some(status) = self.exited() {
                return Some((status, Instant::now()));
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
