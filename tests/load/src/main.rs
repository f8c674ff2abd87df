//! `tandem-load`: a real-time load tool for Tandem.
//!
//! Registers one organization's users over REST, makes them members of C channels, opens N
//! authenticated WebSockets (each one user in one channel, spread evenly), then either sends
//! chat messages at a given total rate (or as fast as acks allow) and measures end-to-end
//! latency from the send to each member's receipt, or (`--idle`) holds the sockets open and
//! measures the server's resident memory per connection.
//!
//! A benchmark, not a test: it prints figures and asserts nothing. See `docs/performance.md`.

mod conn;
mod procfs;
mod server;
mod setup;
mod stats;

use anyhow::{Context, bail};
use clap::Parser;
use conn::{Plan, Shared, Spec};
use futures_util::{StreamExt, stream};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

#[derive(Debug, Parser)]
#[command(
    name = "tandem-load",
    about = "Real-time load tool for Tandem: many WebSockets, end-to-end latency, server memory",
    after_help = "Run the server with TANDEM_AUTH__BCRYPT_COST=4, \
                  TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION=false, \
                  TANDEM_CHAT__MAX_MESSAGES_PER_WINDOW=1000000000 and \
                  TANDEM_LIMITS__SIGN_IN_REQUESTS_PER_MINUTE=1000000000 (or use --spawn-server), \
                  and raise the open-file limit (ulimit -n) above --connections."
)]
struct Args {
    /// The server's base URL (plain HTTP).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// WebSocket connections to open.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Channels the connections are spread over.
    #[arg(long, default_value_t = 50)]
    channels: usize,
    /// Users to register (default: one per connection); connection i belongs to user
    /// i % users, who is a member of channel (i % users) % channels.
    #[arg(long)]
    users: Option<usize>,
    /// Total messages per second over all senders; 0: each sender sends its next message as
    /// soon as the previous one is acknowledged.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// How many connections send (default: all); the others only receive.
    #[arg(long)]
    senders: Option<usize>,
    /// Seconds measured (after the warm-up).
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Seconds of sending before the measurement starts.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Seconds to wait after the last send for late deliveries.
    #[arg(long, default_value_t = 5.0)]
    drain: f64,
    /// Open and hold the connections without sending; report the server's memory per
    /// connection. Holds for --duration seconds after --settle.
    #[arg(long)]
    idle: bool,
    /// Idle mode: seconds to wait after the last connection opened before reading memory.
    #[arg(long, default_value_t = 5.0)]
    settle: f64,
    /// The server's process id, to read its resident memory and CPU time from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Bind client sockets to these local addresses in turn (e.g. 127.0.0.1,127.0.0.2): one
    /// address has about 28,000 ephemeral ports.
    #[arg(long, value_delimiter = ',')]
    source_addrs: Vec<IpAddr>,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 64)]
    connect_concurrency: usize,
    /// REST calls in flight at once during setup.
    #[arg(long, default_value_t = 16)]
    setup_concurrency: usize,
    /// Characters of each message's content.
    #[arg(long, default_value_t = 64)]
    message_chars: usize,
    /// Start every message with `@channel`, so each one notifies every member of its
    /// channel (stored notifications, written by the job workers off the send path).
    #[arg(long)]
    mention_channel: bool,
    /// Start `--server-bin serve` with a temporary data directory, bcrypt cost 4 and no
    /// message rate limit (unless those variables are set), and stop it at the end. It
    /// inherits the environment: DATABASE_URL and REDIS_URL select PostgreSQL and Redis.
    #[arg(long)]
    spawn_server: bool,
    /// The server binary for --spawn-server.
    #[arg(long, default_value = "target/release/tandem")]
    server_bin: PathBuf,
    /// Keep the spawned server's data directory (and its log).
    #[arg(long)]
    keep_data: bool,
    /// A name for this run in the report (e.g. the backend).
    #[arg(long, default_value = "")]
    label: String,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress messages on stderr.
    #[arg(long)]
    quiet: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tandem-load: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let host = args
        .url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .context("--url must start with http:// (the tool speaks plain HTTP and ws://)")?
        .to_owned();
    if host.contains('/') {
        bail!("--url must be a base URL such as http://127.0.0.1:8080");
    }
    let base = format!("http://{host}");
    let server_addr = tokio::net::lookup_host(&host)
        .await
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    check(&args)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.setup_concurrency)
        .timeout(Duration::from_secs(60))
        .build()?;
    let tag = setup::run_tag();
    let spawned = if args.spawn_server {
        progress(&args, "starting the server");
        Some(server::spawn(&args.server_bin, &host, &base, &http, &tag).await?)
    } else {
        None
    };
    let server_pid = args.server_pid.or(spawned.as_ref().map(|s| s.pid));
    let outcome = bench(&args, &http, &base, host, server_addr, server_pid, &tag).await;
    if let Some(server) = spawned {
        if outcome.is_err() {
            eprintln!(
                "tandem-load: the server's output is in {}",
                server.log.display()
            );
        }
        let keep = args.keep_data || outcome.is_err();
        server.stop(keep).await?;
    }
    let report = outcome?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(())
}

fn check(args: &Args) -> anyhow::Result<()> {
    if args.connections == 0 || args.channels == 0 {
        bail!("--connections and --channels must be positive");
    }
    let users = args.users.unwrap_or(args.connections);
    if users == 0 || users > args.connections {
        bail!("--users must be between 1 and --connections");
    }
    if args.channels > users {
        bail!("--channels must not exceed the number of users");
    }
    if !(args.rate >= 0.0 && args.rate.is_finite()) {
        bail!("--rate must be 0 or more");
    }
    if args.duration <= 0.0 || args.warmup < 0.0 || args.drain < 0.0 || args.settle < 0.0 {
        bail!("--duration must be positive; --warmup, --drain and --settle 0 or more");
    }
    if args.senders.is_some_and(|s| s == 0 || s > args.connections) {
        bail!("--senders must be between 1 and --connections");
    }
    if let Some(limit) = procfs::open_files_limit() {
        let needed = args.connections as u64 + 64;
        if limit < needed {
            bail!(
                "{} connections need about {needed} open files, the limit is {limit}: \
                 raise it with `ulimit -n {needed}` (the server needs as many)",
                args.connections
            );
        }
    }
    let per_address = 28_000;
    let addresses = args.source_addrs.len().max(1);
    if args.connections > per_address * addresses {
        eprintln!(
            "tandem-load: warning: {} connections from {addresses} source address(es) may run out \
             of ephemeral ports (about {per_address} each): add --source-addrs 127.0.0.1,127.0.0.2,...",
            args.connections
        );
    }
    Ok(())
}

fn progress(args: &Args, message: &str) {
    if !args.quiet {
        eprintln!("tandem-load: {message}");
    }
}

/// Milliseconds with a microsecond resolution, for the report.
#[derive(Debug, Serialize)]
struct Latency {
    samples: u64,
    mean_ms: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
}

impl From<&stats::Histogram> for Latency {
    fn from(h: &stats::Histogram) -> Self {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Self {
            samples: h.count(),
            mean_ms: h.mean() / 1000.0,
            p50_ms: ms(h.quantile(0.50)),
            p90_ms: ms(h.quantile(0.90)),
            p99_ms: ms(h.quantile(0.99)),
            p999_ms: ms(h.quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    label: String,
    mode: &'static str,
    url: String,
    users: usize,
    channels: usize,
    connections_requested: usize,
    connections_open: u64,
    connect_failures: u64,
    connect_failure_reasons: BTreeMap<String, u64>,
    connect_secs: f64,
    connect_latency: Latency,
    register_secs: f64,
    join_secs: f64,
    /// Load mode.
    load: Option<LoadFigures>,
    /// Idle mode.
    idle: Option<IdleFigures>,
    send_errors: u64,
    error_frames: BTreeMap<String, u64>,
    disconnects: u64,
    disconnect_reasons: BTreeMap<String, u64>,
    server_rss_before_kib: Option<u64>,
    server_rss_after_kib: Option<u64>,
    client_rss_kib: Option<u64>,
    cpu: procfs::CpuUse,
    cores: usize,
    /// The machine's 1-minute load average before the connections opened.
    load_average_before: Option<f64>,
}

#[derive(Debug, Serialize)]
struct LoadFigures {
    /// `None`: as fast as acks allow.
    target_rate: Option<f64>,
    senders: usize,
    warmup_secs: f64,
    duration_secs: f64,
    sent: u64,
    sent_per_sec: f64,
    acked: u64,
    acked_per_sec: f64,
    ack_latency: Latency,
    deliveries: u64,
    deliveries_expected: u64,
    deliveries_per_sec: f64,
    delivery_latency: Latency,
    /// Deliveries to connections that do not send (only with --senders below --connections).
    listener_delivery_latency: Latency,
    ack_timeouts: u64,
}

#[derive(Debug, Serialize)]
struct IdleFigures {
    held_secs: f64,
    server_rss_after_connect_kib: Option<u64>,
    server_rss_per_connection_kib: Option<f64>,
    client_rss_per_connection_kib: Option<f64>,
}

#[allow(clippy::too_many_arguments)]
async fn bench(
    args: &Args,
    http: &reqwest::Client,
    base: &str,
    host: String,
    server: SocketAddr,
    server_pid: Option<u32>,
    tag: &str,
) -> anyhow::Result<Report> {
    let users = args.users.unwrap_or(args.connections);
    progress(
        args,
        &format!(
            "registering {users} users, creating {} channels (run tag {tag})",
            args.channels
        ),
    );
    let world = setup::Setup {
        http,
        base,
        tag,
        users,
        channels: args.channels,
        concurrency: args.setup_concurrency,
        quiet: args.quiet,
    }
    .run()
    .await?;
    progress(
        args,
        &format!(
            "setup done: registration {:.1} s, channels and joins {:.1} s",
            world.register_secs, world.join_secs
        ),
    );

    let channel_index: BTreeMap<i64, usize> = world
        .channel_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let senders = if args.idle {
        0
    } else {
        args.senders.unwrap_or(args.connections)
    };
    let specs: Vec<Spec> = (0..args.connections)
        .map(|i| {
            let member = &world.members[i % world.members.len()];
            Spec {
                index: i,
                token: member.token.clone(),
                channel_id: member.channel_id,
                channel_index: channel_index.get(&member.channel_id).copied().unwrap_or(0),
                source: (!args.source_addrs.is_empty())
                    .then(|| args.source_addrs[i % args.source_addrs.len()]),
                sender_index: (i < senders).then_some(i),
            }
        })
        .collect();

    let shared = Arc::new(Shared {
        clock: stats::Clock::new(),
        stats: stats::Stats::default(),
        window: stats::Window::default(),
        channel_open: (0..world.channel_ids.len())
            .map(|_| AtomicU64::new(0))
            .collect(),
        stopping: AtomicBool::new(false),
        content: content(args.message_chars, args.mention_channel),
        server,
        host,
    });
    let (plan_tx, plan_rx) = watch::channel::<Option<Plan>>(None);

    // Give the server a moment to finish the setup's writes before the baseline.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let server_rss_before = server_pid.and_then(|pid| procfs::rss_kib(Some(pid)));
    let client_rss_before = procfs::rss_kib(None);
    let load_average_before = procfs::load_average();

    progress(args, &format!("opening {} connections", args.connections));
    let connect_started = Instant::now();
    let mut tasks = JoinSet::new();
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    let mut opened = 0usize;
    let mut attempts = stream::iter(specs)
        .map(|spec| {
            let shared = shared.clone();
            async move {
                let started = shared.clock.now_micros();
                let result = conn::connect(&shared, &spec).await;
                if result.is_ok() {
                    let took = shared.clock.now_micros().saturating_sub(started);
                    shared.stats.connect_latency.record(took);
                }
                (spec, result)
            }
        })
        .buffer_unordered(args.connect_concurrency.max(1));
    while let Some((spec, result)) = attempts.next().await {
        match result {
            Ok(socket) => {
                tasks.spawn(conn::run(shared.clone(), spec, socket, plan_rx.clone()));
                opened += 1;
                if opened.is_multiple_of(1000) {
                    progress(args, &format!("  {opened} open"));
                }
            }
            Err(error) => {
                shared.stats.connect_failures.fetch_add(1, Relaxed);
                let reason = format!("{error:#}");
                let reason: String = reason.chars().take(160).collect();
                *failures.entry(reason).or_default() += 1;
            }
        }
    }
    drop(attempts);
    let connect_secs = connect_started.elapsed().as_secs_f64();
    progress(
        args,
        &format!(
            "{opened} connections open in {connect_secs:.1} s, {} failed",
            shared.stats.connect_failures.load(Relaxed)
        ),
    );
    if opened == 0 {
        let first = failures.keys().next().cloned().unwrap_or_default();
        bail!("no connection could be opened: {first}");
    }

    let mut cpu = procfs::CpuUse::default();
    let (load, idle) = if args.idle {
        tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
        let after_connect = server_pid.and_then(|pid| procfs::rss_kib(Some(pid)));
        progress(
            args,
            &format!("holding {opened} idle connections for {} s", args.duration),
        );
        let meter = procfs::CpuMeter::start(server_pid);
        tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
        cpu = meter.stop();
        let per = |before: Option<u64>, after: Option<u64>| {
            Some((after? as f64 - before? as f64) / opened as f64)
        };
        let idle = IdleFigures {
            held_secs: args.duration,
            server_rss_after_connect_kib: after_connect,
            server_rss_per_connection_kib: per(server_rss_before, after_connect),
            client_rss_per_connection_kib: per(client_rss_before, procfs::rss_kib(None)),
        };
        (None, Some(idle))
    } else {
        let load = drive(
            args,
            &shared,
            &plan_tx,
            senders.min(opened),
            server_pid,
            &mut cpu,
        )
        .await;
        (Some(load), None)
    };

    let server_rss_after = server_pid.and_then(|pid| procfs::rss_kib(Some(pid)));
    let client_rss = procfs::rss_kib(None);
    shared.stopping.store(true, Relaxed);
    tasks.shutdown().await;

    let stats = &shared.stats;
    let lock_map = |m: &std::sync::Mutex<BTreeMap<String, u64>>| {
        m.lock().map(|m| m.clone()).unwrap_or_default()
    };
    Ok(Report {
        label: args.label.clone(),
        mode: if args.idle { "idle" } else { "load" },
        url: base.to_owned(),
        users,
        channels: args.channels,
        connections_requested: args.connections,
        connections_open: opened as u64,
        connect_failures: stats.connect_failures.load(Relaxed),
        connect_failure_reasons: failures,
        connect_secs,
        connect_latency: Latency::from(&stats.connect_latency),
        register_secs: world.register_secs,
        join_secs: world.join_secs,
        load,
        idle,
        send_errors: stats.send_errors.load(Relaxed),
        error_frames: lock_map(&stats.error_frames),
        disconnects: stats.disconnects.load(Relaxed),
        disconnect_reasons: lock_map(&stats.close_reasons),
        server_rss_before_kib: server_rss_before,
        server_rss_after_kib: server_rss_after,
        client_rss_kib: client_rss,
        cpu,
        cores: procfs::cores(),
        load_average_before,
    })
}

/// Publishes the plan, waits out the warm-up and the measurement, then the drain.
async fn drive(
    args: &Args,
    shared: &Shared,
    plan_tx: &watch::Sender<Option<Plan>>,
    senders: usize,
    server_pid: Option<u32>,
    cpu: &mut procfs::CpuUse,
) -> LoadFigures {
    let period = (args.rate > 0.0).then(|| Duration::from_secs_f64(senders as f64 / args.rate));
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let micros_at = |at: Instant| {
        let from_now = at.saturating_duration_since(Instant::now());
        shared.clock.now_micros() + u64::try_from(from_now.as_micros()).unwrap_or(0)
    };
    shared.window.start.store(micros_at(measure_from), Relaxed);
    shared.window.end.store(micros_at(end), Relaxed);
    let _ = plan_tx.send(Some(Plan {
        start,
        end,
        period,
        senders,
    }));
    progress(
        args,
        &format!(
            "sending: {} from {senders} senders, {} s warm-up, {} s measured",
            match period {
                Some(_) => format!("{} msg/s", args.rate),
                None => "as fast as acks allow".to_owned(),
            },
            args.warmup,
            args.duration
        ),
    );
    tokio::time::sleep_until(measure_from).await;
    let meter = procfs::CpuMeter::start(server_pid);
    tokio::time::sleep_until(end).await;
    *cpu = meter.stop();
    // Late deliveries of messages sent inside the window still count.
    let stats = &shared.stats;
    let drain_until = Instant::now() + Duration::from_secs_f64(args.drain);
    while Instant::now() < drain_until {
        let expected = stats.expected_deliveries.load(Relaxed);
        let acked = stats.acked_in_window.load(Relaxed);
        let sent = stats.sent_in_window.load(Relaxed);
        if acked >= sent && stats.delivered_in_window.load(Relaxed) >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = stats.sent_in_window.load(Relaxed);
    let acked = stats.acked_in_window.load(Relaxed);
    let deliveries = stats.delivered_in_window.load(Relaxed);
    LoadFigures {
        target_rate: (args.rate > 0.0).then_some(args.rate),
        senders,
        warmup_secs: args.warmup,
        duration_secs: args.duration,
        sent,
        sent_per_sec: sent as f64 / args.duration,
        acked,
        acked_per_sec: acked as f64 / args.duration,
        ack_latency: Latency::from(&stats.ack_latency),
        deliveries,
        deliveries_expected: stats.expected_deliveries.load(Relaxed),
        deliveries_per_sec: deliveries as f64 / args.duration,
        delivery_latency: Latency::from(&stats.delivery_latency),
        listener_delivery_latency: Latency::from(&stats.listener_delivery_latency),
        ack_timeouts: stats.ack_timeouts.load(Relaxed),
    }
}

/// A message body of `chars` plain characters (no JSON escaping needed), after `@channel `
/// when `mention_channel`.
fn content(chars: usize, mention_channel: bool) -> String {
    let words = "load test message lorem ipsum dolor sit amet ";
    let body: String = words.chars().cycle().take(chars.max(1)).collect();
    if mention_channel {
        format!("@channel {body}")
    } else {
        body
    }
}

fn write_text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let kib =
        |v: Option<u64>| v.map_or("-".to_owned(), |v| format!("{:.1} MiB", v as f64 / 1024.0));
    let pct = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.0} %"));
    let label = if r.label.is_empty() { "" } else { &r.label };
    writeln!(out, "tandem-load {} {label} against {}", r.mode, r.url)?;
    writeln!(
        out,
        "  setup: {} users, {} channels; registration {:.1} s, channels and joins {:.1} s",
        r.users, r.channels, r.register_secs, r.join_secs
    )?;
    writeln!(
        out,
        "  connections: {} of {} open in {:.1} s (connect to ready p50 {:.1} ms, p99 {:.1} ms), {} failed",
        r.connections_open,
        r.connections_requested,
        r.connect_secs,
        r.connect_latency.p50_ms,
        r.connect_latency.p99_ms,
        r.connect_failures
    )?;
    for (reason, count) in &r.connect_failure_reasons {
        writeln!(out, "    {count} × {reason}")?;
    }
    if let Some(load) = &r.load {
        let target = load
            .target_rate
            .map_or("as fast as acks allow".to_owned(), |r| format!("{r} msg/s"));
        writeln!(
            out,
            "  offered: {target} from {} senders; measured {} s after {} s warm-up",
            load.senders, load.duration_secs, load.warmup_secs
        )?;
        writeln!(
            out,
            "  sent {} ({:.1}/s), acked {} ({:.1}/s), ack timeouts {}",
            load.sent, load.sent_per_sec, load.acked, load.acked_per_sec, load.ack_timeouts
        )?;
        writeln!(
            out,
            "  delivered {} of {} expected ({:.0} deliveries/s)",
            load.deliveries, load.deliveries_expected, load.deliveries_per_sec
        )?;
        let mut rows = vec![
            ("send → ack", &load.ack_latency),
            ("send → each member", &load.delivery_latency),
        ];
        if load.listener_delivery_latency.samples > 0 {
            rows.push(("→ listen-only ones", &load.listener_delivery_latency));
        }
        for (name, l) in rows {
            writeln!(
                out,
                "  {name:<19} p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  p99.9 {:>8.2} ms  max {:>8.2} ms",
                l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms
            )?;
        }
    }
    if let Some(idle) = &r.idle {
        writeln!(
            out,
            "  held {} s; server RSS {} before, {} after connecting, {} at the end",
            idle.held_secs,
            kib(r.server_rss_before_kib),
            kib(idle.server_rss_after_connect_kib),
            kib(r.server_rss_after_kib)
        )?;
        writeln!(
            out,
            "  per connection: server {}, this tool {}",
            idle.server_rss_per_connection_kib
                .map_or("-".to_owned(), |v| format!("{v:.1} KiB")),
            idle.client_rss_per_connection_kib
                .map_or("-".to_owned(), |v| format!("{v:.1} KiB"))
        )?;
    } else {
        writeln!(
            out,
            "  server RSS {} before connecting, {} at the end",
            kib(r.server_rss_before_kib),
            kib(r.server_rss_after_kib)
        )?;
    }
    writeln!(
        out,
        "  errors: {} send errors, {} error frames {:?}, {} disconnects {:?}",
        r.send_errors,
        r.error_frames.values().sum::<u64>(),
        r.error_frames,
        r.disconnects,
        r.disconnect_reasons
    )?;
    writeln!(
        out,
        "  CPU while measuring ({} cores = {} %): server {}, this tool {}, whole machine {}; tool RSS {}; load average before {}",
        r.cores,
        r.cores * 100,
        pct(r.cpu.server_pct),
        pct(r.cpu.client_pct),
        pct(r.cpu.machine_pct),
        kib(r.client_rss_kib),
        r.load_average_before
            .map_or("-".to_owned(), |l| format!("{l:.2}"))
    )?;
    Ok(())
}
