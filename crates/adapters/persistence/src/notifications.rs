//! The notification centre, notification preferences and the email outbox, over the
//! `notifications`, `notification_settings`, `channel_members` and `mails` tables.
//!
//! Plain SQL written once for both backends (`crate::sql::statement`): multi-row inserts with
//! `ON CONFLICT DO NOTHING` and `RETURNING`, which SQLite (3.35+) and PostgreSQL both speak.

use crate::error::port_error;
use crate::guarded::Guarded;
use crate::sql::{placeholders, statement};
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::{BTreeSet, HashMap};
use tandem_app::ports::{
    EmailRecipient, MailId, MailOutbox, MailStatus, NewNotification, NotificationQuery,
    NotificationRepository, NotificationSender, OutgoingMail, PendingEmails, PortError,
    ReadSelection, StoredMail, StoredNotification, UnreadCounts,
};
use tandem_domain::notification::parse_time_zone;
use tandem_domain::{
    ChannelId, EmailDigest, Language, MemberPreferences, MessageId, NotificationKind,
    NotificationSettings, NotifyLevel, OrganizationId, QuietHours, UserId,
};

/// Rows per `INSERT`: 13 values each, well under both backends' limit on bound values.
const INSERT_BATCH: usize = 500;
/// Ids per `IN (...)` list.
const ID_BATCH: usize = 500;

const PENDING: &str = "pending";

/// What the centre reads of a notification, with its channel's and sender's names.
const SELECT: &str = "
SELECT n.id, n.user_id, n.kind, n.channel_id, c.name AS channel_name, n.message_id, n.seq,
       n.thread_root_id, n.sender_id, u.username AS sender_username,
       u.display_name AS sender_display_name, u.profile_picture AS sender_picture,
       n.excerpt, n.quiet, n.created_at, n.read_at
FROM notifications n
LEFT JOIN channels c ON c.id = n.channel_id
LEFT JOIN users u ON u.id = n.sender_id";

#[derive(Debug, FromQueryResult)]
struct NotificationRow {
    id: i64,
    user_id: i64,
    kind: String,
    channel_id: Option<i64>,
    channel_name: Option<String>,
    message_id: Option<i64>,
    seq: Option<i64>,
    thread_root_id: Option<i64>,
    sender_id: Option<i64>,
    sender_username: Option<String>,
    sender_display_name: Option<String>,
    sender_picture: Option<String>,
    excerpt: Option<String>,
    quiet: bool,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl NotificationRow {
    fn into_stored(self) -> Option<StoredNotification> {
        let Some(kind) = NotificationKind::parse(&self.kind) else {
            tracing::warn!(id = self.id, kind = %self.kind, "a stored notification of an unknown kind");
            return None;
        };
        let sender = match (self.sender_id, self.sender_username) {
            (Some(id), Some(username)) => Some(NotificationSender {
                id: UserId::new(id),
                username,
                display_name: self.sender_display_name,
                profile_picture: self.sender_picture,
            }),
            _ => None,
        };
        Some(StoredNotification {
            id: self.id,
            user_id: UserId::new(self.user_id),
            kind,
            channel_id: self.channel_id.map(ChannelId::new),
            channel_name: self.channel_name,
            message_id: self.message_id.map(MessageId::new),
            seq: self.seq,
            thread_root_id: self.thread_root_id.map(MessageId::new),
            sender,
            excerpt: self.excerpt,
            quiet: self.quiet,
            created_at: self.created_at,
            read_at: self.read_at,
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct IdRow {
    id: i64,
}

#[derive(Debug, FromQueryResult)]
struct TotalRow {
    id: i64,
    total: i64,
}

#[derive(Debug, FromQueryResult)]
struct CountsRow {
    unread: i64,
    high_priority: i64,
}

#[derive(Debug, FromQueryResult)]
struct MemberRow {
    user_id: i64,
    notify_level: Option<String>,
    muted: bool,
}

#[derive(Debug, FromQueryResult)]
struct SettingsRow {
    user_id: i64,
    email_enabled: bool,
    email_delay_minutes: i32,
    email_digest: String,
    desktop_enabled: bool,
    dnd_start: Option<String>,
    dnd_end: Option<String>,
    time_zone: String,
    language: String,
    last_email_at: Option<DateTime<Utc>>,
}

impl SettingsRow {
    /// The stored preferences; a value that no longer parses falls back to its default.
    fn settings(&self) -> NotificationSettings {
        let defaults = NotificationSettings::default();
        let time = |t: &Option<String>| t.as_deref().and_then(|t| QuietHours::parse_time(t).ok());
        NotificationSettings {
            email_enabled: self.email_enabled,
            email_delay_minutes: NotificationSettings::check_email_delay(i64::from(
                self.email_delay_minutes,
            ))
            .unwrap_or(defaults.email_delay_minutes),
            email_digest: EmailDigest::parse(&self.email_digest).unwrap_or_default(),
            desktop_enabled: self.desktop_enabled,
            quiet_hours: match (time(&self.dnd_start), time(&self.dnd_end)) {
                (Some(start), Some(end)) => QuietHours::new(start, end).ok(),
                _ => None,
            },
            time_zone: parse_time_zone(&self.time_zone).unwrap_or(defaults.time_zone),
            language: Language::parse(&self.language).unwrap_or_default(),
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct PersonRow {
    id: i64,
    email: String,
    username: String,
    display_name: Option<String>,
    is_active: bool,
}

pub(crate) struct SeaNotificationRepository {
    pub(crate) db: Guarded,
}

#[derive(Debug, FromQueryResult)]
struct InsertedRow {
    id: i64,
    user_id: i64,
    kind: String,
    message_id: Option<i64>,
}

#[derive(Debug, FromQueryResult)]
struct NameRow {
    id: i64,
    name: String,
}

#[derive(Debug, FromQueryResult)]
struct SenderRow {
    id: i64,
    username: String,
    display_name: Option<String>,
    profile_picture: Option<String>,
}

impl SeaNotificationRepository {
    /// The rows `select` (a query ending in `IN`) gives for `ids`, read `ID_BATCH` at a time.
    async fn rows_in<R: FromQueryResult>(
        &self,
        select: &str,
        ids: &[i64],
    ) -> Result<Vec<R>, PortError> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ID_BATCH) {
            let sql = format!("{select} ({})", placeholders(chunk.len()));
            let values = chunk.iter().map(|id| Value::from(*id));
            rows.extend(
                R::find_by_statement(statement(&self.db, &sql, values))
                    .all(&self.db)
                    .await
                    .map_err(port_error)?,
            );
        }
        Ok(rows)
    }

    async fn channel_names(
        &self,
        ids: impl Iterator<Item = ChannelId>,
    ) -> Result<HashMap<ChannelId, String>, PortError> {
        let ids: Vec<i64> = ids
            .map(ChannelId::get)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows: Vec<NameRow> = self
            .rows_in("SELECT id, name FROM channels WHERE id IN", &ids)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (ChannelId::new(row.id), row.name))
            .collect())
    }

    async fn senders(
        &self,
        ids: impl Iterator<Item = UserId>,
    ) -> Result<HashMap<UserId, NotificationSender>, PortError> {
        let ids: Vec<i64> = ids
            .map(UserId::get)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows: Vec<SenderRow> = self
            .rows_in(
                "SELECT id, username, display_name, profile_picture FROM users WHERE id IN",
                &ids,
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let id = UserId::new(row.id);
                let sender = NotificationSender {
                    id,
                    username: row.username,
                    display_name: row.display_name,
                    profile_picture: row.profile_picture,
                };
                (id, sender)
            })
            .collect())
    }

    /// The stored preference rows of `users` (those who changed a default).
    async fn settings_rows(&self, users: &[i64]) -> Result<Vec<SettingsRow>, PortError> {
        let select =
            format!("SELECT {SETTINGS_COLUMNS} FROM notification_settings WHERE user_id IN");
        self.rows_in(&select, users).await
    }
}

fn insert_values(row: &NewNotification) -> [Value; 14] {
    [
        row.user_id.get().into(),
        row.organization_id.get().into(),
        row.kind.as_str().into(),
        row.kind.high_priority().into(),
        row.channel_id.map(ChannelId::get).into(),
        row.message_id.map(MessageId::get).into(),
        row.seq.into(),
        row.thread_root_id.map(MessageId::get).into(),
        row.sender_id.map(UserId::get).into(),
        row.excerpt.clone().into(),
        row.quiet.into(),
        if row.email_due_at.is_some() {
            PENDING
        } else {
            "none"
        }
        .into(),
        row.email_due_at.into(),
        row.created_at.into(),
    ]
}

/// The settings row's values for an upsert: the preferences and the last email.
fn settings_values(
    user: UserId,
    settings: &NotificationSettings,
    last_email_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Vec<Value> {
    let hours = settings.quiet_hours;
    let time = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    vec![
        user.get().into(),
        settings.email_enabled.into(),
        i32::from(settings.email_delay_minutes).into(),
        settings.email_digest.as_str().into(),
        settings.desktop_enabled.into(),
        hours.map(|h| time(h.start)).into(),
        hours.map(|h| time(h.end)).into(),
        settings.time_zone.name().into(),
        settings.language.as_str().into(),
        last_email_at.into(),
        at.into(),
    ]
}

const SETTINGS_COLUMNS: &str = "user_id, email_enabled, email_delay_minutes, email_digest, \
     desktop_enabled, dnd_start, dnd_end, time_zone, language, last_email_at, updated_at";

#[async_trait]
impl NotificationRepository for SeaNotificationRepository {
    async fn insert(&self, rows: &[NewNotification]) -> Result<Vec<StoredNotification>, PortError> {
        // Which stored row is which: (user, kind, message) is unique among what is inserted.
        let mut stored: Vec<(i64, &NewNotification)> = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(INSERT_BATCH) {
            let tuples = vec![format!("({})", placeholders(14)); chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO notifications (user_id, organization_id, kind, high_priority, \
                 channel_id, message_id, seq, thread_root_id, sender_id, excerpt, quiet, \
                 email_state, email_due_at, created_at) VALUES {tuples} \
                 ON CONFLICT (user_id, kind, message_id) DO NOTHING \
                 RETURNING id, user_id, kind, message_id"
            );
            let values = chunk.iter().flat_map(insert_values);
            let inserted = InsertedRow::find_by_statement(statement(&self.db, &sql, values))
                .all(&self.db)
                .await
                .map_err(port_error)?;
            let mut by_key: HashMap<(i64, NotificationKind, Option<i64>), &NewNotification> = chunk
                .iter()
                .map(|row| {
                    let key = (
                        row.user_id.get(),
                        row.kind,
                        row.message_id.map(MessageId::get),
                    );
                    (key, row)
                })
                .collect();
            for row in inserted {
                let kind = NotificationKind::parse(&row.kind);
                if let Some(new) =
                    kind.and_then(|k| by_key.remove(&(row.user_id, k, row.message_id)))
                {
                    stored.push((row.id, new));
                }
            }
        }
        stored.sort_unstable_by_key(|(id, _)| *id);
        // The names the centre shows, read once for every row rather than joined per row.
        let channels = self
            .channel_names(stored.iter().filter_map(|(_, n)| n.channel_id))
            .await?;
        let senders = self
            .senders(stored.iter().filter_map(|(_, n)| n.sender_id))
            .await?;
        Ok(stored
            .into_iter()
            .map(|(id, new)| StoredNotification {
                id,
                user_id: new.user_id,
                kind: new.kind,
                channel_id: new.channel_id,
                channel_name: new.channel_id.and_then(|c| channels.get(&c).cloned()),
                message_id: new.message_id,
                seq: new.seq,
                thread_root_id: new.thread_root_id,
                sender: new.sender_id.and_then(|s| senders.get(&s).cloned()),
                excerpt: new.excerpt.clone(),
                quiet: new.quiet,
                created_at: new.created_at,
                read_at: None,
            })
            .collect())
    }

    async fn list(&self, query: NotificationQuery) -> Result<Vec<StoredNotification>, PortError> {
        let mut sql = format!("{SELECT} WHERE n.user_id = ?");
        let mut values: Vec<Value> = vec![query.user_id.get().into()];
        if query.unread_only {
            sql.push_str(" AND n.read_at IS NULL");
        }
        if let Some(before) = query.before {
            sql.push_str(" AND n.id < ?");
            values.push(before.into());
        }
        sql.push_str(" ORDER BY n.id DESC LIMIT ?");
        values.push(i64::try_from(query.limit).unwrap_or(i64::MAX).into());
        let rows = NotificationRow::find_by_statement(statement(&self.db, &sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)?;
        Ok(rows
            .into_iter()
            .filter_map(NotificationRow::into_stored)
            .collect())
    }

    async fn unread(&self, user: UserId) -> Result<UnreadCounts, PortError> {
        let sql = "SELECT COUNT(*) AS unread, \
                   COALESCE(SUM(CASE WHEN high_priority THEN 1 ELSE 0 END), 0) AS high_priority \
                   FROM notifications WHERE user_id = ? AND read_at IS NULL";
        let row = CountsRow::find_by_statement(statement(&self.db, sql, [user.get().into()]))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        Ok(row.map_or_else(UnreadCounts::default, |row| UnreadCounts {
            unread: u64::try_from(row.unread).unwrap_or_default(),
            high_priority: u64::try_from(row.high_priority).unwrap_or_default(),
        }))
    }

    async fn mark_read(
        &self,
        user: UserId,
        selection: ReadSelection,
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError> {
        // Read before its email went: no email about it.
        let update = "UPDATE notifications SET read_at = ?, \
                      email_state = CASE WHEN email_state = 'pending' THEN 'none' ELSE email_state END \
                      WHERE user_id = ? AND read_at IS NULL";
        let base: [Value; 2] = [at.into(), user.get().into()];
        let mut changed = Vec::new();
        let run = |sql: String, values: Vec<Value>| {
            let db = self.db.clone();
            async move {
                IdRow::find_by_statement(statement(&db, &sql, values))
                    .all(&db)
                    .await
                    .map_err(port_error)
            }
        };
        match selection {
            ReadSelection::Ids(ids) => {
                for chunk in ids.chunks(ID_BATCH) {
                    let sql = format!(
                        "{update} AND id IN ({}) RETURNING id",
                        placeholders(chunk.len())
                    );
                    let values = base
                        .iter()
                        .cloned()
                        .chain(chunk.iter().map(|id| Value::from(*id)));
                    changed.extend(run(sql, values.collect()).await?);
                }
            }
            ReadSelection::UpTo(id) => {
                let sql = format!("{update} AND id <= ? RETURNING id");
                let values = base.iter().cloned().chain([id.into()]).collect();
                changed.extend(run(sql, values).await?);
            }
            ReadSelection::Channel { channel_id, seq } => {
                let sql = format!("{update} AND channel_id = ? AND seq <= ? RETURNING id");
                let values = base
                    .iter()
                    .cloned()
                    .chain([channel_id.get().into(), seq.into()])
                    .collect();
                changed.extend(run(sql, values).await?);
            }
        }
        let mut ids: Vec<i64> = changed.into_iter().map(|row| row.id).collect();
        ids.sort_unstable();
        Ok(ids)
    }

    async fn prune(&self, read_before: DateTime<Utc>) -> Result<u64, PortError> {
        let sql = "DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < ?";
        let result = self
            .db
            .execute_raw(statement(&self.db, sql, [read_before.into()]))
            .await
            .map_err(port_error)?;
        Ok(result.rows_affected())
    }

    async fn member_preferences(
        &self,
        channel: ChannelId,
    ) -> Result<Vec<MemberPreferences>, PortError> {
        let sql = "SELECT user_id, notify_level, muted FROM channel_members WHERE channel_id = ?";
        let rows = MemberRow::find_by_statement(statement(&self.db, sql, [channel.get().into()]))
            .all(&self.db)
            .await
            .map_err(port_error)?;
        Ok(rows
            .into_iter()
            .map(|row| MemberPreferences {
                user_id: UserId::new(row.user_id),
                level: row
                    .notify_level
                    .as_deref()
                    .and_then(NotifyLevel::parse)
                    .unwrap_or_default(),
                muted: row.muted,
            })
            .collect())
    }

    async fn anyone_hears_all(&self, channel: ChannelId) -> Result<bool, PortError> {
        let sql = "SELECT channel_id AS id FROM channel_members \
                   WHERE channel_id = ? AND notify_level = 'all' LIMIT 1";
        let row = IdRow::find_by_statement(statement(&self.db, sql, [channel.get().into()]))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        Ok(row.is_some())
    }

    async fn set_member_preferences(
        &self,
        channel: ChannelId,
        user: UserId,
        level: NotifyLevel,
        muted: bool,
    ) -> Result<(), PortError> {
        let stored = (level != NotifyLevel::Default).then(|| level.as_str());
        let sql = "UPDATE channel_members SET notify_level = ?, muted = ? \
                   WHERE channel_id = ? AND user_id = ?";
        let values = [
            stored.into(),
            muted.into(),
            channel.get().into(),
            user.get().into(),
        ];
        let result = self
            .db
            .execute_raw(statement(&self.db, sql, values))
            .await
            .map_err(port_error)?;
        match result.rows_affected() {
            0 => Err(PortError::NotFound),
            _ => Ok(()),
        }
    }

    async fn moderators(&self, organization: OrganizationId) -> Result<Vec<UserId>, PortError> {
        let sql = "SELECT id FROM users WHERE organization_id = ? AND is_active \
                   AND role IN ('admin', 'moderator') ORDER BY id";
        let rows = IdRow::find_by_statement(statement(&self.db, sql, [organization.get().into()]))
            .all(&self.db)
            .await
            .map_err(port_error)?;
        Ok(rows.into_iter().map(|row| UserId::new(row.id)).collect())
    }

    async fn thread_participants(&self, root: MessageId) -> Result<Vec<UserId>, PortError> {
        let sql = "SELECT user_id AS id FROM messages WHERE id = ? \
                   UNION SELECT user_id AS id FROM messages WHERE reply_to_id = ?";
        let rows = IdRow::find_by_statement(statement(
            &self.db,
            sql,
            [root.get().into(), root.get().into()],
        ))
        .all(&self.db)
        .await
        .map_err(port_error)?;
        Ok(rows.into_iter().map(|row| UserId::new(row.id)).collect())
    }

    async fn settings(&self, user: UserId) -> Result<NotificationSettings, PortError> {
        let rows = self.settings_rows(&[user.get()]).await?;
        Ok(rows.first().map(SettingsRow::settings).unwrap_or_default())
    }

    async fn settings_of(
        &self,
        users: &[UserId],
    ) -> Result<Vec<(UserId, NotificationSettings)>, PortError> {
        let ids: Vec<i64> = users.iter().map(|id| id.get()).collect();
        Ok(self
            .settings_rows(&ids)
            .await?
            .into_iter()
            .map(|row| (UserId::new(row.user_id), row.settings()))
            .collect())
    }

    async fn save_settings(
        &self,
        user: UserId,
        settings: &NotificationSettings,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let sql = format!(
            "INSERT INTO notification_settings ({SETTINGS_COLUMNS}) VALUES ({}) \
             ON CONFLICT (user_id) DO UPDATE SET email_enabled = excluded.email_enabled, \
             email_delay_minutes = excluded.email_delay_minutes, \
             email_digest = excluded.email_digest, desktop_enabled = excluded.desktop_enabled, \
             dnd_start = excluded.dnd_start, dnd_end = excluded.dnd_end, \
             time_zone = excluded.time_zone, language = excluded.language, \
             updated_at = excluded.updated_at",
            placeholders(11)
        );
        let values = settings_values(user, settings, None, at);
        self.db
            .execute_raw(statement(&self.db, &sql, values))
            .await
            .map_err(port_error)?;
        Ok(())
    }

    async fn pending_emails(
        &self,
        now: DateTime<Utc>,
        after: Option<UserId>,
        max_people: u64,
    ) -> Result<Vec<PendingEmails>, PortError> {
        let due = "n.email_state = 'pending' AND n.read_at IS NULL AND n.email_due_at <= ?";
        let sql = format!(
            "SELECT n.user_id AS id FROM notifications n WHERE {due} AND n.user_id > ? \
             GROUP BY n.user_id ORDER BY n.user_id LIMIT ?"
        );
        let values = [
            now.into(),
            after.map_or(0, UserId::get).into(),
            i64::try_from(max_people).unwrap_or(i64::MAX).into(),
        ];
        let people: Vec<i64> = IdRow::find_by_statement(statement(&self.db, &sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(|row| row.id)
            .collect();
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(people.len());
        let ids = || people.iter().map(|id| Value::from(*id));

        // The oldest few of each, and how many there are: a person with thousands costs the
        // sweep a count and twenty rows.
        let sql = format!(
            "SELECT user_id AS id, COUNT(*) AS total FROM notifications n \
             WHERE {due} AND n.user_id IN ({list}) GROUP BY user_id"
        );
        let values = std::iter::once(Value::from(now)).chain(ids());
        let totals: HashMap<i64, i64> =
            TotalRow::find_by_statement(statement(&self.db, &sql, values))
                .all(&self.db)
                .await
                .map_err(port_error)?
                .into_iter()
                .map(|row| (row.id, row.total))
                .collect();
        let ranked = format!(
            "SELECT id FROM (SELECT n.id, ROW_NUMBER() OVER (PARTITION BY n.user_id ORDER BY n.id) AS nth \
             FROM notifications n WHERE {due} AND n.user_id IN ({list})) ranked WHERE nth <= ?"
        );
        let sql = format!("{SELECT} WHERE n.id IN ({ranked}) ORDER BY n.user_id, n.id");
        let shown = i64::try_from(PendingEmails::SHOWN).unwrap_or(i64::MAX);
        let values = std::iter::once(Value::from(now))
            .chain(ids())
            .chain(std::iter::once(Value::from(shown)));
        let mut by_person: HashMap<i64, Vec<StoredNotification>> = HashMap::new();
        for row in NotificationRow::find_by_statement(statement(&self.db, &sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)?
        {
            let user = row.user_id;
            if let Some(stored) = row.into_stored() {
                by_person.entry(user).or_default().push(stored);
            }
        }

        let persons: Vec<PersonRow> = self
            .rows_in(
                // A bot's address is made up: it is never emailed.
                "SELECT id, email, username, display_name, (is_active AND NOT is_bot) AS is_active \
                 FROM users WHERE id IN",
                &people,
            )
            .await?;
        let settings: HashMap<i64, SettingsRow> = self
            .settings_rows(&people)
            .await?
            .into_iter()
            .map(|row| (row.user_id, row))
            .collect();

        let mut pending: Vec<PendingEmails> = persons
            .into_iter()
            .map(|person| {
                let stored = settings.get(&person.id);
                PendingEmails {
                    notifications: by_person.remove(&person.id).unwrap_or_default(),
                    total: totals
                        .get(&person.id)
                        .and_then(|t| u64::try_from(*t).ok())
                        .unwrap_or_default(),
                    recipient: EmailRecipient {
                        user_id: UserId::new(person.id),
                        email: person.email,
                        name: person.display_name.unwrap_or(person.username),
                        settings: stored.map(SettingsRow::settings).unwrap_or_default(),
                        last_email_at: stored.and_then(|row| row.last_email_at),
                        active: person.is_active,
                    },
                }
            })
            .collect();
        pending.sort_by_key(|p| p.recipient.user_id);
        Ok(pending)
    }

    async fn settle_emails(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        emailed: bool,
    ) -> Result<u64, PortError> {
        let txn = begin_write(&self.db).await?;
        let sql = "UPDATE notifications SET email_state = ? \
                   WHERE user_id = ? AND email_state = 'pending' AND read_at IS NULL \
                   AND email_due_at <= ?";
        let state = if emailed { "emailed" } else { "skipped" };
        let values = [state.into(), user.get().into(), now.into()];
        let taken = txn
            .execute_raw(statement(&txn, sql, values))
            .await
            .map_err(port_error)?
            .rows_affected();
        if emailed && taken > 0 {
            let sql = format!(
                "INSERT INTO notification_settings ({SETTINGS_COLUMNS}) VALUES ({}) \
                 ON CONFLICT (user_id) DO UPDATE SET last_email_at = excluded.last_email_at",
                placeholders(11)
            );
            let values = settings_values(user, &NotificationSettings::default(), Some(now), now);
            txn.execute_raw(statement(&txn, &sql, values))
                .await
                .map_err(port_error)?;
        }
        txn.commit().await.map_err(port_error)?;
        Ok(taken)
    }
}

#[derive(Debug, FromQueryResult)]
struct MailRow {
    id: i64,
    user_id: Option<i64>,
    recipient: String,
    recipient_name: Option<String>,
    kind: String,
    subject: String,
    body_text: String,
    body_html: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
}

pub(crate) struct SeaMailOutbox {
    pub(crate) db: Guarded,
}

#[async_trait]
impl MailOutbox for SeaMailOutbox {
    async fn store(&self, mail: &OutgoingMail, at: DateTime<Utc>) -> Result<MailId, PortError> {
        let sql = "INSERT INTO mails (user_id, recipient, recipient_name, kind, subject, \
                   body_text, body_html, status, attempts, created_at) \
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?) RETURNING id";
        let values = [
            mail.user_id.map(UserId::get).into(),
            mail.to.clone().into(),
            mail.to_name.clone().into(),
            mail.kind.clone().into(),
            mail.subject.clone().into(),
            mail.text.clone().into(),
            mail.html.clone().into(),
            at.into(),
        ];
        let row = IdRow::find_by_statement(statement(&self.db, sql, values))
            .one(&self.db)
            .await
            .map_err(port_error)?
            .ok_or_else(|| PortError::unexpected("storing an email returned no id"))?;
        Ok(MailId(row.id))
    }

    async fn find(&self, id: MailId) -> Result<Option<StoredMail>, PortError> {
        let sql = "SELECT id, user_id, recipient, recipient_name, kind, subject, body_text, \
                   body_html, status, attempts, last_error FROM mails WHERE id = ?";
        let row = MailRow::find_by_statement(statement(&self.db, sql, [id.0.into()]))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        Ok(row.map(|row| StoredMail {
            id: MailId(row.id),
            mail: OutgoingMail {
                kind: row.kind,
                user_id: row.user_id.map(UserId::new),
                to: row.recipient,
                to_name: row.recipient_name,
                subject: row.subject,
                text: row.body_text,
                html: row.body_html,
            },
            status: match row.status.as_str() {
                "sent" => MailStatus::Sent,
                "failed" => MailStatus::Failed,
                _ => MailStatus::Queued,
            },
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
            last_error: row.last_error,
        }))
    }

    async fn record_attempt(
        &self,
        id: MailId,
        status: MailStatus,
        error: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let sent_at = (status == MailStatus::Sent).then_some(at);
        let sql = "UPDATE mails SET status = ?, attempts = attempts + 1, last_error = ?, \
                   sent_at = ? WHERE id = ?";
        let values = [
            status.as_str().into(),
            error.map(str::to_owned).into(),
            sent_at.into(),
            id.0.into(),
        ];
        let result = self
            .db
            .execute_raw(statement(&self.db, sql, values))
            .await
            .map_err(port_error)?;
        match result.rows_affected() {
            0 => Err(PortError::NotFound),
            _ => Ok(()),
        }
    }
}
