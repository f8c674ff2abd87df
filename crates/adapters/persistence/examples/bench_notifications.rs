//! Times the notification store where it works hardest: `@channel` in a channel of 1,000
//! members (999 rows per message, written in batches by the `notify_message` job), then the
//! reads every badge and centre makes (unread counts, a page of the centre, reading a channel).
//! On SQLite (a file in a temporary directory) and PostgreSQL (a fresh database, dropped
//! after). Not a test: it asserts nothing about time and prints a Markdown report.
//!
//! ```text
//! cargo run --release -p tandem-persistence --example bench_notifications -- \
//!     [--members 1000] [--messages 200] [--backend both|sqlite|postgres] \
//!     [--postgres postgres://postgres@127.0.0.1:5432/postgres]
//! ```
//!
//! The PostgreSQL server defaults to `TEST_DATABASE_URL`. See `docs/performance.md`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a command-line tool whose output is its report"
)]

use chrono::Utc;
use std::error::Error;
use std::time::{Duration, Instant};
use tandem_app::ports::{
    Appended, NewChannel, NewMessage, NewNotification, NewOrganization, NewUser, NotificationQuery,
    ReadSelection,
};
use tandem_domain::{
    ChannelKind, ChannelName, Email, EmailDomain, Mention, MessageBody, MessageType,
    NotificationKind, OrganizationName, Role, SubscriptionPlan, UserId, Username,
};
use tandem_persistence::Database;
use tandem_persistence::provisioning::{create_postgres_database, drop_postgres_database};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

struct Options {
    members: usize,
    messages: usize,
    sqlite: bool,
    postgres: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = options()?;
    println!(
        "# `@channel` in a channel of {} members, {} messages\n",
        options.members, options.messages
    );
    if options.sqlite {
        let dir = std::env::temp_dir().join(format!("tandem-bench-n-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        let outcome = run("SQLite", &url, &options).await;
        std::fs::remove_dir_all(&dir)?;
        outcome?;
    }
    if let Some(server) = &options.postgres {
        let name = format!("tandem_bench_n_{}", std::process::id());
        let url = create_postgres_database(server, &name).await?;
        let outcome = run("PostgreSQL", &url, &options).await;
        drop_postgres_database(server, &name).await?;
        outcome?;
    }
    Ok(())
}

fn options() -> Result<Options> {
    let mut options = Options {
        members: 1000,
        messages: 200,
        sqlite: true,
        postgres: {
            #[allow(
                clippy::disallowed_methods,
                reason = "a developer tool, configured like the tests"
            )]
            std::env::var("TEST_DATABASE_URL").ok()
        },
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--members" => options.members = value()?.parse()?,
            "--messages" => options.messages = value()?.parse()?,
            "--postgres" => options.postgres = Some(value()?),
            "--backend" => match value()?.as_str() {
                "sqlite" => options.postgres = None,
                "postgres" => options.sqlite = false,
                "both" => {}
                other => return Err(format!("unknown backend {other}").into()),
            },
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(options)
}

async fn run(label: &str, url: &str, options: &Options) -> Result<()> {
    let db = Database::connect(url).await?;
    db.migrate().await?;
    let (users, channels, messages, notifications) =
        (db.users(), db.channels(), db.messages(), db.notifications());
    let now = Utc::now();
    let person = |n: usize| NewUser {
        email: Email::parse(&format!("p{n}@bench.io")).unwrap(),
        username: Username::parse(&format!("p{n:05}")).unwrap(),
        display_name: None,
        password_hash: "not a real hash".to_owned(),
        role: Role::Member,
        created_at: now,
        email_verified: true,
        bot_owner_id: None,
    };
    let (org, founder) = users
        .create_with_organization(
            NewOrganization {
                name: OrganizationName::parse("Bench").unwrap(),
                domain: Some(EmailDomain::of(&Email::parse("p0@bench.io").unwrap())),
                subscription_plan: SubscriptionPlan::Free,
                self_signup: true,
                created_at: now,
            },
            person(0),
        )
        .await?;
    let mut members = vec![founder.id];
    for n in 1..options.members {
        members.push(users.create(org.id, person(n)).await?.id);
    }
    let channel = channels
        .create(NewChannel {
            organization_id: org.id,
            name: ChannelName::parse("all-hands").unwrap(),
            description: None,
            kind: ChannelKind::Public,
            created_by: founder.id,
            created_at: now,
            members: members.clone(),
            admins: Vec::new(),
            read_only: false,
        })
        .await?;

    // The messages first: this measures the job's writes, not the sender's.
    let mut sent = Vec::new();
    for n in 0..options.messages {
        let appended = messages
            .append(NewMessage {
                channel_id: channel.id,
                user_id: founder.id,
                content: MessageBody::parse(&format!("@channel update {n}"), 4000).unwrap(),
                message_type: MessageType::Text,
                reply_to_id: None,
                client_msg_id: None,
                mentions: vec![Mention::Channel],
                attachments: Vec::new(),
                created_at: Utc::now(),
            })
            .await?;
        let Appended::Created { message, .. } = appended else {
            return Err("a message was not created".into());
        };
        sent.push(message);
    }

    let mut per_message = Vec::new();
    let started = Instant::now();
    for message in &sent {
        let rows: Vec<NewNotification> = members[1..]
            .iter()
            .map(|user_id| NewNotification {
                user_id: *user_id,
                organization_id: org.id,
                kind: NotificationKind::Mention,
                channel_id: Some(channel.id),
                message_id: Some(message.id),
                seq: Some(message.seq),
                thread_root_id: None,
                sender_id: Some(founder.id),
                excerpt: Some(message.content.clone()),
                quiet: false,
                email_due_at: Some(message.created_at),
                created_at: message.created_at,
            })
            .collect();
        let one = Instant::now();
        let stored = notifications.insert(&rows).await?;
        per_message.push(one.elapsed());
        assert_eq!(stored.len(), rows.len());
    }
    let total = started.elapsed();
    let rows = sent.len() * (members.len() - 1);

    let reader = members[members.len() / 2];
    let unread = time(50, || async {
        notifications.unread(reader).await.unwrap();
    })
    .await;
    let page = time(50, || async {
        let query = NotificationQuery {
            user_id: reader,
            unread_only: false,
            before: None,
            limit: 50,
        };
        notifications.list(query).await.unwrap();
    })
    .await;
    let mut readers = members[1..].iter().copied().cycle();
    let mut read_channel = Vec::new();
    for _ in 0..50 {
        let user: UserId = readers.next().unwrap();
        let one = Instant::now();
        let read = notifications
            .mark_read(
                user,
                ReadSelection::Channel {
                    channel_id: channel.id,
                    seq: i64::MAX,
                },
                Utc::now(),
            )
            .await?;
        read_channel.push(one.elapsed());
        assert_eq!(read.len(), sent.len());
    }
    read_channel.sort();

    per_message.sort();
    println!("## {label}\n");
    println!("| what | figure |\n|---|---|");
    println!(
        "| notifications stored | {rows} rows in {:.2} s: **{:.0} rows/s** |",
        total.as_secs_f64(),
        rows as f64 / total.as_secs_f64()
    );
    println!(
        "| one `@channel` ({} rows) | p50 {} · p95 {} |",
        members.len() - 1,
        ms(percentile(&per_message, 50)),
        ms(percentile(&per_message, 95))
    );
    println!(
        "| unread count of a person with {} notifications | p50 {} · p95 {} |",
        sent.len(),
        ms(percentile(&unread, 50)),
        ms(percentile(&unread, 95))
    );
    println!(
        "| a page of 50 of the centre | p50 {} · p95 {} |",
        ms(percentile(&page, 50)),
        ms(percentile(&page, 95))
    );
    println!(
        "| reading the channel (marks {} read) | p50 {} · p95 {} |\n",
        sent.len(),
        ms(percentile(&read_channel, 50)),
        ms(percentile(&read_channel, 95))
    );
    db.close().await?;
    Ok(())
}

async fn time<F, Fut>(reps: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        f().await;
    }
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let one = Instant::now();
        f().await;
        times.push(one.elapsed());
    }
    times.sort();
    times
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
