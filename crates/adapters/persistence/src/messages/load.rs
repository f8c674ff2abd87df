//! Reading messages as a viewer sees them: the rows, their mentions, their reactions (counted
//! per emoji, the first few reactors, and whether the viewer is among them) and their
//! attachments. Every
//! read of messages goes through here, search included.

use crate::entities::{message, message_mention};
use crate::error::port_error;
use crate::mapping::{mention_from_columns, message_from_row};
use crate::sql::{placeholders, statement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement,
    Value,
};
use std::collections::HashMap;
use tandem_app::ports::PortError;
use tandem_domain::{Emoji, Mention, Message, Reaction, UserId};

/// How many reactors each emoji names; the count says how many there are in all.
pub(crate) const REACTORS_SHOWN: i64 = 5;

/// Ids per statement, well under both backends' limits on bound parameters.
const CHUNK: usize = 500;

/// The messages with these ids in the order of `ids` (unknown ids are left out, repeated ones
/// appear once), with reactions as `viewer` sees them. Deleted messages come back as
/// tombstones: no content, mentions or reactions. Three statements per [`CHUNK`] ids.
pub(crate) async fn load_messages<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    viewer: i64,
) -> Result<Vec<Message>, PortError> {
    let mut rows: HashMap<i64, message::Model> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let found = message::Entity::find()
            .filter(message::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await
            .map_err(port_error)?;
        rows.extend(found.into_iter().map(|row| (row.id, row)));
    }
    let live: Vec<i64> = rows
        .values()
        .filter(|row| !row.is_deleted)
        .map(|row| row.id)
        .collect();
    let mut mentions = load_mentions(db, &live).await?;
    let mut reactions = load_reactions(db, &live, viewer).await?;
    let mut attachments = crate::files::load_attachments(db, &live).await?;
    let mut messages = Vec::with_capacity(rows.len());
    for id in ids {
        if let Some(row) = rows.remove(id) {
            messages.push(message_from_row(
                row,
                mentions.remove(id).unwrap_or_default(),
                reactions.remove(id).unwrap_or_default(),
                attachments.remove(id).unwrap_or_default(),
            )?);
        }
    }
    Ok(messages)
}

/// Each message's mentions, sorted (users by id, then `@channel`, then `@here`).
async fn load_mentions<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Mention>>, PortError> {
    let mut by_message: HashMap<i64, Vec<Mention>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = message_mention::Entity::find()
            .filter(message_mention::Column::MessageId.is_in(chunk.iter().copied()))
            .order_by_asc(message_mention::Column::Id)
            .all(db)
            .await
            .map_err(port_error)?;
        for row in rows {
            let mention = mention_from_columns(&row.kind, row.user_id)?;
            by_message.entry(row.message_id).or_default().push(mention);
        }
    }
    for mentions in by_message.values_mut() {
        mentions.sort_unstable();
        mentions.dedup();
    }
    Ok(by_message)
}

/// One reactor of one emoji on one message, numbered oldest first within the emoji.
#[derive(Debug, FromQueryResult)]
struct ReactorRow {
    message_id: i64,
    emoji: String,
    user_id: i64,
    /// 1 for the emoji's first reactor.
    reactor_rank: i64,
    /// How many reacted with this emoji.
    reactor_count: i64,
}

/// The reactors of these messages, numbered per emoji oldest first, only the first
/// [`REACTORS_SHOWN`] and the viewer's own; ordered by message, then by when each emoji was
/// first used. Walks the primary key `(message_id, user_id, emoji)`.
pub(crate) fn reactions_statement<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    viewer: i64,
) -> Statement {
    let sql = format!(
        "SELECT message_id, emoji, user_id, reactor_rank, reactor_count FROM (
           SELECT message_id, emoji, user_id,
             ROW_NUMBER() OVER (PARTITION BY message_id, emoji
                                ORDER BY created_at, user_id) AS reactor_rank,
             COUNT(*) OVER (PARTITION BY message_id, emoji) AS reactor_count,
             MIN(created_at) OVER (PARTITION BY message_id, emoji) AS first_at
           FROM message_reactions
           WHERE message_id IN ({})
         ) ranked
         WHERE reactor_rank <= ? OR user_id = ?
         ORDER BY message_id, first_at, emoji, reactor_rank",
        placeholders(ids.len())
    );
    let values = ids
        .iter()
        .map(|id| Value::from(*id))
        .chain([REACTORS_SHOWN.into(), viewer.into()]);
    statement(db, &sql, values)
}

/// Each message's reactions, emoji by emoji in the order they were first used. The database
/// numbers the reactors and returns only the first [`REACTORS_SHOWN`] of each emoji plus the
/// viewer's own, so a message with thousands of reactions costs a few rows.
async fn load_reactions<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    viewer: i64,
) -> Result<HashMap<i64, Vec<Reaction>>, PortError> {
    let mut by_message: HashMap<i64, Vec<Reaction>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let statement = reactions_statement(db, chunk, viewer);
        let rows = ReactorRow::find_by_statement(statement)
            .all(db)
            .await
            .map_err(port_error)?;
        for row in rows {
            let reactions = by_message.entry(row.message_id).or_default();
            if reactions
                .last()
                .is_none_or(|last| last.emoji.as_str() != row.emoji)
            {
                reactions.push(Reaction {
                    emoji: Emoji::from_trusted(row.emoji),
                    count: row.reactor_count,
                    user_ids: Vec::new(),
                    me: false,
                });
            }
            if let Some(reaction) = reactions.last_mut() {
                if row.reactor_rank <= REACTORS_SHOWN {
                    reaction.user_ids.push(UserId::new(row.user_id));
                }
                reaction.me |= row.user_id == viewer;
            }
        }
    }
    Ok(by_message)
}
