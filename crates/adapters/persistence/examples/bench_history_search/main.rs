//! Seeds a large organization and times history pages and searches through the ports, on
//! SQLite (a file in a temporary directory) and PostgreSQL (a fresh database, dropped after).
//! Not a test: it asserts nothing about time and prints a Markdown report.
//!
//! ```text
//! cargo run --release -p tandem-persistence --example bench_history_search -- \
//!     [--messages 1000000] [--channels 100] [--reps 50] [--backend both|sqlite|postgres] \
//!     [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--keep]
//! ```
//!
//! The PostgreSQL server defaults to `TEST_DATABASE_URL`. See `docs/performance.md`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool whose output is its report"
)]

mod seed;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use seed::{RARE_WORD, USERS, raw_connection, seed};
use std::error::Error;
use std::time::{Duration, Instant};
use tandem_app::ports::{HistoryQuery, SearchQuery};
use tandem_persistence::Database;
use tandem_persistence::provisioning::{create_postgres_database, drop_postgres_database};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

struct Options {
    messages: u64,
    channels: usize,
    reps: usize,
    sqlite: bool,
    postgres: Option<String>,
    keep: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = options()?;
    println!(
        "# {} messages, {} channels, {} users, {} repetitions per query\n",
        options.messages, options.channels, USERS, options.reps
    );
    if options.sqlite {
        let dir = std::env::temp_dir().join(format!("tandem-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("bench.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let outcome = run("SQLite", &url, &options).await;
        if options.keep {
            eprintln!("kept {}", path.display());
        } else {
            std::fs::remove_dir_all(&dir)?;
        }
        outcome?;
    }
    if let Some(server) = &options.postgres {
        let name = format!("tandem_bench_{}", std::process::id());
        let url = create_postgres_database(server, &name).await?;
        let outcome = run("PostgreSQL", &url, &options).await;
        if options.keep {
            eprintln!("kept database {name}");
        } else {
            drop_postgres_database(server, &name).await?;
        }
        outcome?;
    }
    Ok(())
}

fn options() -> Result<Options> {
    let mut options = Options {
        messages: 1_000_000,
        channels: 100,
        reps: 50,
        sqlite: true,
        postgres: None,
        keep: false,
    };
    #[allow(
        clippy::disallowed_methods,
        reason = "a developer tool, configured like the tests"
    )]
    let mut server = std::env::var("TEST_DATABASE_URL").ok();
    let mut backend = "both".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--messages" => options.messages = value()?.replace('_', "").parse()?,
            "--channels" => options.channels = value()?.parse()?,
            "--reps" => options.reps = value()?.parse()?,
            "--backend" => backend = value()?,
            "--postgres" => server = Some(value()?),
            "--keep" => options.keep = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    options.sqlite = matches!(backend.as_str(), "both" | "sqlite");
    if matches!(backend.as_str(), "both" | "postgres") {
        options.postgres = Some(server.ok_or("PostgreSQL needs --postgres or TEST_DATABASE_URL")?);
    }
    if options.channels == 0 || options.reps == 0 {
        return Err("--channels and --reps must be positive".into());
    }
    Ok(options)
}

const SEARCHES: &[(&str, &str)] = &[
    ("common word", "meeting"),
    ("very common word", "the"),
    ("rare word", RARE_WORD),
    ("partial word", "deplo"),
    ("two words", "deployment friday"),
    ("CJK, 2 characters", "会議"),
    ("CJK, 5 characters", "打ち合わせ"),
];

async fn run(label: &str, url: &str, options: &Options) -> Result<()> {
    println!("## {label}\n");
    let db = Database::connect(url).await?;
    db.migrate().await?;
    let raw = raw_connection(url).await?;

    let started = Instant::now();
    let seeded = seed(&db, &raw, options).await?;
    let seeding = started.elapsed();
    let started = Instant::now();
    analyze(&raw).await?;
    let analyzing = started.elapsed();
    let size = database_size(&raw, url).await?;
    println!(
        "- seeding: {:.1} s ({:.0} messages/s), then ANALYZE {:.1} s",
        seeding.as_secs_f64(),
        options.messages as f64 / seeding.as_secs_f64(),
        analyzing.as_secs_f64()
    );
    println!("- database size: {:.0} MiB\n", size as f64 / 1_048_576.0);

    println!("| query | matching messages | first page | p50 | p95 |");
    println!("|---|---:|---:|---:|---:|");
    let messages = db.messages();
    let mut round = 0usize;
    let deep = (seeded.last_seq / 10).max(2);
    for (name, before_seq) in [
        ("history: latest 50".to_owned(), None),
        (
            format!("history: 50 before seq {deep} (90 % back)"),
            Some(deep),
        ),
    ] {
        let (timings, page) = time(options.reps, || {
            round += 1;
            let channel_id = seeded.channels[round % seeded.channels.len()];
            let messages = messages.clone();
            async move {
                let page = messages
                    .history(HistoryQuery {
                        channel_id,
                        before_seq,
                        after_seq: None,
                        limit: 50,
                        viewer: seeded.viewer,
                    })
                    .await?;
                Ok(page.len())
            }
        })
        .await?;
        report(&name, "", page, &timings);
    }
    let search = db.search();
    for (name, text) in SEARCHES {
        let matching = seeded
            .occurrences
            .iter()
            .find(|(term, _)| term == text)
            .map_or(String::new(), |(_, n)| n.to_string());
        let (timings, page) = time(options.reps, || {
            let search = search.clone();
            let query = SearchQuery {
                organization_id: seeded.organization_id,
                viewer: seeded.viewer,
                text: (*text).to_owned(),
                channel_id: None,
                author_id: None,
                before: None,
                after: None,
                has_file: false,
                offset: 0,
                limit: 20,
            };
            async move { Ok(search.search(&query).await?.len()) }
        })
        .await?;
        report(
            &format!("search: {name} `{text}`"),
            &matching,
            page,
            &timings,
        );
    }
    let (timings, page) = time(options.reps, || {
        let search = search.clone();
        let query = SearchQuery {
            organization_id: seeded.organization_id,
            viewer: seeded.viewer,
            text: "meeting".to_owned(),
            channel_id: Some(seeded.channels[0]),
            author_id: None,
            before: None,
            after: None,
            has_file: false,
            offset: 0,
            limit: 20,
        };
        async move { Ok(search.search(&query).await?.len()) }
    })
    .await?;
    report("search: common word in one channel", "", page, &timings);
    println!();
    raw.close().await?;
    db.close().await?;
    Ok(())
}

/// Runs `call` a few times to warm caches, then `reps` times on the clock.
async fn time<F, Fut>(reps: usize, mut call: F) -> Result<(Vec<Duration>, usize)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize>>,
{
    for _ in 0..3 {
        call().await?;
    }
    let mut timings = Vec::with_capacity(reps);
    let mut size = 0;
    for _ in 0..reps {
        let started = Instant::now();
        size = call().await?;
        timings.push(started.elapsed());
    }
    timings.sort_unstable();
    Ok((timings, size))
}

fn report(name: &str, matching: &str, page: usize, timings: &[Duration]) {
    let at = |fraction: f64| {
        let index = ((timings.len() as f64 * fraction).ceil() as usize).clamp(1, timings.len());
        timings[index - 1].as_secs_f64() * 1000.0
    };
    println!(
        "| {name} | {matching} | {page} | {:.1} ms | {:.1} ms |",
        at(0.50),
        at(0.95)
    );
}

/// Fresh planner statistics, as a maintained database would have.
async fn analyze(raw: &DatabaseConnection) -> Result<()> {
    match raw.get_database_backend() {
        DbBackend::Postgres => raw.execute_unprepared("VACUUM ANALYZE").await?,
        _ => {
            raw.execute_unprepared("ANALYZE").await?;
            raw.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?
        }
    };
    Ok(())
}

async fn database_size(raw: &DatabaseConnection, url: &str) -> Result<u64> {
    if raw.get_database_backend() == DbBackend::Postgres {
        let row = raw
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_database_size(current_database())",
            ))
            .await?
            .ok_or("no row")?;
        return Ok(u64::try_from(row.try_get_by_index::<i64>(0)?)?);
    }
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default();
    let mut size = std::fs::metadata(path)?.len();
    if let Ok(wal) = std::fs::metadata(format!("{path}-wal")) {
        size += wal.len();
    }
    Ok(size)
}
