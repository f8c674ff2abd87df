//! The in-memory reference implementation of the chat storage ports: one [`MemoryStore`]
//! holds organizations, users, channels, messages, their event logs and file records behind
//! one mutex, and implements every port over them.
//!
//! It follows the SQL adapters of `tandem-persistence` rule for rule (seqs, events, tombstones,
//! unread counts, foreign keys that turn into `NotFound`) and passes the same contract suites,
//! so a use-case test can run on it instead of a database. One lock makes every write atomic
//! like a transaction: each write checks everything that can fail before changing anything,
//! so an error leaves the store as it was.
//!
//! Where it differs: it serves one process (the SQL adapters' idempotency and seqs also hold
//! across nodes); search ranks by whole words, then by how often the terms occur, without
//! the databases' bm25 or `ts_rank`, and tells words apart by Unicode letters and digits;
//! refresh tokens are not in it (they are no chat storage).
//!
//! ```
//! use std::sync::Arc;
//! use tandem_app::ports::{ChannelRepository, MessageRepository};
//! use tandem_testkit::memory::MemoryStore;
//!
//! let store = Arc::new(MemoryStore::default());
//! let channels: Arc<dyn ChannelRepository> = store.clone();
//! let messages: Arc<dyn MessageRepository> = store;
//! ```

mod channels;
mod directory;
mod files;
mod log;
mod marks;
mod membership;
mod messages;
mod reading;
mod search;
mod snippet;
mod writing;

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tandem_app::ports::{Credentials, PortError, StoredFile};
use tandem_domain::{
    Channel, ChannelEvent, ChannelId, ClientMsgId, Emoji, FileId, Membership, Mention, MessageId,
    MessageReport, MessageType, Organization, OrganizationId, UserId,
};

/// Every port of the chat storage over one in-process state. Hand out `Arc<MemoryStore>` as
/// each `Arc<dyn Port>`; clones of the `Arc` share the data.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Poisoning would take a panic inside the store, whose writes check everything before
    /// changing anything: the data behind a poisoned lock is still whole, so carry on.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The tables. Ids come from one counter per table and start at 1, like the databases'.
#[derive(Debug, Default)]
struct State {
    organizations: BTreeMap<OrganizationId, Organization>,
    accounts: BTreeMap<UserId, Credentials>,
    channels: BTreeMap<ChannelId, ChannelRow>,
    messages: BTreeMap<MessageId, MessageRow>,
    reports: Vec<MessageReport>,
    files: BTreeMap<FileId, FileRow>,
    last_ids: LastIds,
}

#[derive(Debug, Default)]
struct LastIds {
    organization: i64,
    user: i64,
    channel: i64,
    message: i64,
    report: i64,
    file: i64,
}

/// A channel with what belongs to it alone: members, the event log and the index of its
/// messages. `channel.last_seq` is always `events.len()`: event `n` sits at `events[n - 1]`.
#[derive(Debug)]
struct ChannelRow {
    channel: Channel,
    members: BTreeMap<UserId, Membership>,
    events: Vec<ChannelEvent>,
    /// Every message of the channel, replies included, by seq.
    by_seq: BTreeMap<i64, MessageId>,
    /// The unique rule on `(author, client_msg_id)` within the channel.
    client_ids: HashMap<(UserId, ClientMsgId), MessageId>,
}

/// A message as stored. A deleted one keeps its row with the content emptied, as the SQL
/// adapters keep theirs.
#[derive(Debug, Clone)]
struct MessageRow {
    id: MessageId,
    channel_id: ChannelId,
    user_id: UserId,
    content: String,
    message_type: MessageType,
    reply_to_id: Option<MessageId>,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
    is_deleted: bool,
    seq: i64,
    client_msg_id: Option<ClientMsgId>,
    /// Sorted and without duplicates.
    mentions: Vec<Mention>,
    /// In the order they were added.
    reactions: Vec<ReactionRow>,
    reply_count: i64,
    last_reply_at: Option<DateTime<Utc>>,
    pinned_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct ReactionRow {
    user_id: UserId,
    emoji: Emoji,
    created_at: DateTime<Utc>,
}

/// A file record; `removed` is the SQL adapters' `deleted_at`: the row stays until forgotten.
#[derive(Debug, Clone)]
struct FileRow {
    file: StoredFile,
    /// Its place among the files of its message.
    position: usize,
    removed: bool,
}

impl State {
    fn channel(&self, id: ChannelId) -> Result<&ChannelRow, PortError> {
        self.channels.get(&id).ok_or(PortError::NotFound)
    }

    fn channel_mut(&mut self, id: ChannelId) -> Result<&mut ChannelRow, PortError> {
        self.channels.get_mut(&id).ok_or(PortError::NotFound)
    }

    fn message(&self, id: MessageId) -> Result<&MessageRow, PortError> {
        self.messages.get(&id).ok_or(PortError::NotFound)
    }

    fn message_mut(&mut self, id: MessageId) -> Result<&mut MessageRow, PortError> {
        self.messages.get_mut(&id).ok_or(PortError::NotFound)
    }

    /// A message that is not deleted, for the writes that refuse tombstones.
    fn live_message(&self, id: MessageId) -> Result<&MessageRow, PortError> {
        self.message(id)
            .ok()
            .filter(|row| !row.is_deleted)
            .ok_or(PortError::NotFound)
    }

    /// Where the databases' foreign keys say `NotFound` (a member, a reporter).
    fn known_user(&self, id: UserId) -> Result<(), PortError> {
        if self.accounts.contains_key(&id) {
            Ok(())
        } else {
            Err(PortError::NotFound)
        }
    }

    /// Where the databases' foreign keys fail with a constraint error the adapters do not
    /// translate (an author, a reactor): a caller's bug, so `Unexpected`.
    fn existing_author(&self, id: UserId) -> Result<(), PortError> {
        self.known_user(id)
            .map_err(|_| PortError::unexpected(format!("user {id} does not exist")))
    }
}

/// The next id of a table.
fn next_id(last: &mut i64) -> i64 {
    *last += 1;
    *last
}
