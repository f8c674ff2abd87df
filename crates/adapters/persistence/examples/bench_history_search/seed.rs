//! The benchmark's data: an organization, its users and channels, and many messages of
//! Zipf-distributed English words with some Japanese and Chinese, bulk-inserted.

use crate::{Options, Result, SEARCHES};
use chrono::{DateTime, Duration as TimeDelta, SubsecRound, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait,
    Value,
};
use std::time::Duration;
use tandem_app::ports::{NewChannel, NewOrganization, NewUser};
use tandem_domain::{
    ChannelId, ChannelKind, ChannelName, Email, EmailDomain, OrganizationId, OrganizationName,
    Role, SubscriptionPlan, UserId, Username,
};
use tandem_persistence::Database;

/// Rows per INSERT statement (8 bound values each, under SQLite's 32,766) and per transaction.
const ROWS_PER_STATEMENT: usize = 1_000;
const ROWS_PER_TRANSACTION: usize = 10_000;
pub(crate) const USERS: usize = 50;
/// One message in this many carries the rare word.
const RARE_EVERY: u64 = 10_000;
pub(crate) const RARE_WORD: &str = "xylophone";

/// Words by frequency rank (Zipf: the k-th is picked with weight 1/k), split on whitespace.
const WORDS: &str = "\
    the to and a is we on for it in meeting this that you can be with I will have are at do \
     not please today tomorrow thanks review build release team deployment just update check \
     ticket customer bug fix branch merge test tests staging production server client API \
     design docs PR latency dashboard alert incident postmortem deploying deployed sprint \
     planning retro standup lunch coffee office remote call notes agenda budget invoice \
     contract roadmap feature flag rollout rollback migration database index query cache queue \
     worker cluster node memory disk network timeout retry error warning log metrics trace \
     profile benchmark results numbers graph chart slide deck demo friday monday weekend \
     holiday vacation onboarding hiring interview candidate offer quarter goals OKR sync async \
     blocked unblocked done ship shipping shipped ready soon later maybe definitely agree \
     disagree idea proposal draft final approved rejected pending waiting redeploy employment \
     analytics";

/// About one message in twenty is Japanese or Chinese, written without spaces.
const CJK: &[&str] = &[
    "明日の会議は10時です",
    "来週の打ち合わせを予定しました",
    "資料を共有します",
    "了解しました、ありがとうございます",
    "本番環境へのデプロイは金曜日です",
    "今天的会议改到下午三点",
    "请确认一下部署计划",
    "会議室を予約しました",
    "打ち合わせの議事録を送ります",
    "障害の原因を調査中です",
];

/// What the seeding made: the ids to query with, and how often each searched term occurs.
pub(crate) struct Seeded {
    pub(crate) organization_id: OrganizationId,
    pub(crate) viewer: UserId,
    pub(crate) channels: Vec<ChannelId>,
    /// The highest seq in each channel (history pages start from there).
    pub(crate) last_seq: i64,
    pub(crate) occurrences: Vec<(&'static str, u64)>,
}

/// An organization with `USERS` users and `channels` channels: nine in ten public, the rest
/// private, the viewer a member of every other private one. Then the messages, written
/// straight into the table in big transactions (ids and seqs assigned here), through the
/// same triggers and generated columns as every write.
pub(crate) async fn seed(
    db: &Database,
    raw: &DatabaseConnection,
    options: &Options,
) -> Result<Seeded> {
    let now = Utc::now().trunc_subsecs(3);
    let tag = format!("{:08x}", rand::random::<u32>());
    let (organization, viewer) = db
        .users()
        .create_with_organization(
            NewOrganization {
                name: OrganizationName::parse("Bench")?,
                domain: Some(EmailDomain::of(&Email::parse(&format!(
                    "it@bench-{tag}.io"
                ))?)),
                subscription_plan: SubscriptionPlan::Pro,
                self_signup: false,
                created_at: now,
            },
            new_user(&tag, 0, Role::Admin, now)?,
        )
        .await?;
    let mut users = vec![viewer.id];
    for i in 1..USERS {
        let user = db
            .users()
            .create(organization.id, new_user(&tag, i, Role::Member, now)?)
            .await?;
        users.push(user.id);
    }
    let mut channels = Vec::with_capacity(options.channels);
    for i in 0..options.channels {
        let private = i % 10 == 9;
        let members = if private && i % 20 == 19 {
            vec![users[1]]
        } else {
            users.clone()
        };
        let channel = db
            .channels()
            .create(NewChannel {
                organization_id: organization.id,
                name: ChannelName::parse(&format!("channel-{i}"))?,
                description: None,
                kind: if private {
                    ChannelKind::Private
                } else {
                    ChannelKind::Public
                },
                created_by: members[0],
                created_at: now,
                members,
                admins: Vec::new(),
                read_only: false,
            })
            .await?;
        channels.push(channel.id);
    }

    let mut rng = StdRng::seed_from_u64(7);
    let vocabulary: Vec<&str> = WORDS.split_whitespace().collect();
    let zipf = Zipf::new(vocabulary.len());
    let mut counts = vec![0u64; SEARCHES.len()];
    let first_id: i64 = raw
        .query_one_raw(Statement::from_string(
            raw.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) + 1 FROM messages",
        ))
        .await?
        .ok_or("no row")?
        .try_get_by_index(0)?;
    let start_time = now - TimeDelta::days(365);
    let step_ms = (365 * 24 * 3600 * 1000) / options.messages.max(1) as i64;
    let per_channel = options.messages.div_ceil(options.channels as u64) as i64;
    let mut written = 0u64;
    let progress_every = (options.messages / 10).max(1);
    while written < options.messages {
        let transaction = raw.begin().await?;
        let in_transaction = (options.messages - written).min(ROWS_PER_TRANSACTION as u64);
        let mut done = 0u64;
        while done < in_transaction {
            let rows = (in_transaction - done).min(ROWS_PER_STATEMENT as u64);
            let mut values: Vec<Value> = Vec::with_capacity(rows as usize * 8);
            for row in 0..rows {
                let n = written + done + row;
                let id = first_id + n as i64;
                let channel = channels[(n % channels.len() as u64) as usize];
                let seq = (n / channels.len() as u64) as i64 + 1;
                let content = text(&mut rng, &vocabulary, &zipf, n);
                let lower = content.to_lowercase();
                for (count, (_, term)) in counts.iter_mut().zip(SEARCHES) {
                    if term.split(' ').all(|t| lower.contains(t)) {
                        *count += 1;
                    }
                }
                // One in twenty is a thread reply to a message a few hundred back.
                let reply_to = (seq > 50 && rng.random_ratio(1, 20)).then(|| {
                    let back = rng.random_range(1..50) * channels.len() as i64;
                    id - back
                });
                let kind = if rng.random_ratio(1, 50) {
                    "file"
                } else {
                    "text"
                };
                let at = start_time + TimeDelta::milliseconds(step_ms * n as i64);
                values.extend([
                    id.into(),
                    channel.get().into(),
                    users[rng.random_range(0..users.len())].get().into(),
                    content.into(),
                    kind.into(),
                    reply_to.into(),
                    at.into(),
                    seq.into(),
                ]);
            }
            transaction
                .execute_raw(insert_statement(raw.get_database_backend(), values))
                .await?;
            done += rows;
        }
        transaction.commit().await?;
        written += in_transaction;
        if written.is_multiple_of(progress_every) || written == options.messages {
            eprintln!("  seeded {written} messages");
        }
    }
    if raw.get_database_backend() == DbBackend::Postgres {
        // The ids were given explicitly: move the identity past them for later appends.
        raw.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages))",
        )
        .await?;
    }
    raw.execute_unprepared(
        "UPDATE channels SET last_seq = COALESCE((SELECT MAX(seq) FROM messages \
         WHERE messages.channel_id = channels.id), 0)",
    )
    .await?;
    Ok(Seeded {
        organization_id: organization.id,
        viewer: viewer.id,
        channels,
        last_seq: per_channel,
        occurrences: SEARCHES
            .iter()
            .zip(counts)
            .map(|((_, term), count)| (*term, count))
            .collect(),
    })
}

fn insert_statement(backend: DbBackend, values: Vec<Value>) -> Statement {
    const COLUMNS: usize = 8;
    let mut sql = String::from(
        "INSERT INTO messages (id, channel_id, user_id, content, message_type, reply_to_id, \
         created_at, seq, is_deleted, reply_count) VALUES ",
    );
    for row in 0..values.len() / COLUMNS {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..COLUMNS {
            if column > 0 {
                sql.push(',');
            }
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${}", row * COLUMNS + column + 1)),
                _ => sql.push('?'),
            }
        }
        sql.push_str(", FALSE, 0)");
    }
    Statement::from_sql_and_values(backend, sql, values)
}

/// A chat line: mostly 3–20 Zipf-distributed words, sometimes a Japanese or Chinese sentence.
fn text(rng: &mut StdRng, vocabulary: &[&str], zipf: &Zipf, n: u64) -> String {
    let mut words: Vec<&str> = Vec::with_capacity(24);
    if rng.random_ratio(1, 20) {
        words.push(CJK[rng.random_range(0..CJK.len())]);
    } else {
        for _ in 0..rng.random_range(3..=20) {
            words.push(vocabulary[zipf.sample(rng)]);
        }
    }
    if n % RARE_EVERY == RARE_EVERY / 2 {
        words.push(RARE_WORD);
    }
    let mut text = words.join(" ");
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    text
}

struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|k| {
                total += 1.0 / k as f64;
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.cumulative.len() - 1)
    }
}

fn new_user(tag: &str, i: usize, role: Role, at: DateTime<Utc>) -> Result<NewUser> {
    Ok(NewUser {
        email: Email::parse(&format!("user{i}@bench-{tag}.io"))?,
        username: Username::parse(&format!("user{i}-{tag}"))?,
        display_name: None,
        password_hash: "not-a-hash".to_owned(),
        role,
        created_at: at,
        email_verified: true,
        bot_owner_id: None,
    })
}

/// A second pool for the bulk writes, configured like the adapter's.
pub(crate) async fn raw_connection(url: &str) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
        });
    Ok(sea_orm::Database::connect(options).await?)
}
