//! Storage ports for channels, membership, messages, the channel event log, reports and search.
//!
//! Every write that changes a channel appends events with the channel's next sequence numbers
//! in the same transaction, so the log and the data never disagree.

use super::PortError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_domain::{
    Channel, ChannelDescription, ChannelEvent, ChannelId, ChannelKind, ChannelName, ChannelRole,
    ClientMsgId, Emoji, Membership, Mention, Message, MessageBody, MessageId, MessageReport,
    MessageType, OrganizationId, ReportReason, UserId,
};

#[derive(Debug, Clone)]
pub struct NewChannel {
    pub organization_id: OrganizationId,
    pub name: ChannelName,
    pub description: Option<ChannelDescription>,
    pub kind: ChannelKind,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// Everyone who starts as a member, the creator included.
    pub members: Vec<UserId>,
    /// Those of `members` who start as the channel's admins.
    pub admins: Vec<UserId>,
    /// Only the channel's admins post.
    pub read_only: bool,
}

/// A channel as listed for one user.
#[derive(Debug, Clone)]
pub struct ChannelSummary {
    pub channel: Channel,
    pub is_member: bool,
    pub member_count: i64,
    /// Messages after the user's read marker, not written by them, not deleted (0 for non-members).
    pub unread_count: i64,
    /// Of those, the ones that mention the user, `@channel` or `@here`.
    pub unread_mentions: i64,
    /// The member's notification preferences for the channel (the defaults for non-members).
    pub notify_level: tandem_domain::NotifyLevel,
    pub muted: bool,
    /// The user's role in the channel (members only).
    pub role: Option<ChannelRole>,
    /// Until when a channel moderator keeps the user from posting (members only).
    pub posting_muted_until: Option<DateTime<Utc>>,
}

/// Changes to a channel; `None` leaves a field alone, `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct ChannelChanges {
    pub name: Option<ChannelName>,
    pub description: Option<Option<ChannelDescription>>,
    pub is_archived: Option<bool>,
    pub read_only: Option<bool>,
}

impl ChannelChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.is_archived.is_none()
            && self.read_only.is_none()
    }
}

/// Changes to one member's say in a channel; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChanges {
    pub role: Option<ChannelRole>,
    /// `Some(None)` lifts a mute.
    pub posting_muted_until: Option<Option<DateTime<Utc>>>,
}

/// A membership change, with the system message that announces it ("ana joined").
#[derive(Debug, Clone)]
pub struct MembershipChange {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    /// Who did it (the user themselves when joining or leaving).
    pub actor_id: UserId,
    pub at: DateTime<Utc>,
    pub announcement: Option<MessageBody>,
}

/// What a membership change wrote: its events in order, and the announcement if any.
#[derive(Debug, Clone)]
pub struct MembershipChanged {
    pub events: Vec<ChannelEvent>,
    pub announcement: Option<Message>,
}

#[async_trait]
pub trait ChannelRepository: Send + Sync {
    /// Creates the channel and its members, with a `MemberJoined` event per member.
    ///
    /// # Errors
    /// `Conflict(ChannelName)` when the organization already has a channel of that name
    /// (direct channels included: their names are their member sets).
    async fn create(&self, channel: NewChannel) -> Result<Channel, PortError>;

    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_by_id(&self, id: ChannelId) -> Result<Option<Channel>, PortError>;

    /// The channel of that name in the organization (how direct channels are found again).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_by_name(
        &self,
        organization_id: OrganizationId,
        name: &ChannelName,
    ) -> Result<Option<Channel>, PortError>;

    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn membership(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
    ) -> Result<Option<Membership>, PortError>;

    /// The public channels of the organization and every channel the user is a member of, by
    /// name, with unread counts. Archived channels are included.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn list_for_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Result<Vec<ChannelSummary>, PortError>;

    /// Members by user id, keyset-paged after `after`.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn members(
        &self,
        channel_id: ChannelId,
        after: Option<UserId>,
        limit: u64,
    ) -> Result<Vec<Membership>, PortError>;

    /// Applies `changes` with one `ChannelUpdated` event (and the announcement, if any).
    ///
    /// # Errors
    /// `NotFound`; `Conflict(ChannelName)` for a taken name.
    async fn update(
        &self,
        id: ChannelId,
        changes: &ChannelChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
        announcement: Option<MessageBody>,
    ) -> Result<(Channel, MembershipChanged), PortError>;

    /// Deletes the channel with its messages, members and events.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete(&self, id: ChannelId) -> Result<(), PortError>;

    /// Adds a member: `MemberJoined`, then the announcement's `MessageCreated`. `Ok(None)` when
    /// the user already is a member (nothing written).
    ///
    /// # Errors
    /// `NotFound` for an unknown channel.
    async fn add_member(
        &self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError>;

    /// Removes a member: the announcement's `MessageCreated`, then `MemberLeft`. `Ok(None)` when
    /// the user is not a member.
    ///
    /// # Errors
    /// `NotFound` for an unknown channel.
    async fn remove_member(
        &self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError>;

    /// Changes a member's role or mute, with one `MemberUpdated` event naming them.
    ///
    /// # Errors
    /// `NotFound` when the user is not a member.
    async fn update_member(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        changes: &MemberChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Membership, ChannelEvent), PortError>;

    /// Moves the member's read marker forward to `seq` (clamped to the channel's last event;
    /// never backwards). Returns the membership as stored.
    ///
    /// # Errors
    /// `NotFound` when the user is not a member.
    async fn mark_read(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        seq: i64,
    ) -> Result<Membership, PortError>;
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    pub content: MessageBody,
    pub message_type: MessageType,
    /// The thread root (already resolved: a reply to a reply names the root).
    pub reply_to_id: Option<MessageId>,
    pub client_msg_id: Option<ClientMsgId>,
    /// Resolved mentions: only members of the channel.
    pub mentions: Vec<Mention>,
    /// Uploads to share with the message, in order: each is the sender's, in this channel,
    /// and not attached yet (the use case checked; the store re-checks in the transaction).
    pub attachments: Vec<tandem_domain::FileId>,
    pub created_at: DateTime<Utc>,
}

/// The outcome of appending a message.
#[derive(Debug, Clone)]
pub enum Appended {
    Created {
        message: Message,
        event: ChannelEvent,
    },
    /// The author already used this `client_msg_id` in this channel: the stored message.
    Existing(Message),
}

/// A page of a channel's top-level messages (thread replies excluded).
#[derive(Debug, Clone, Copy)]
pub struct HistoryQuery {
    pub channel_id: ChannelId,
    /// Messages with a smaller seq, newest first (the default, from the end, when both are `None`).
    pub before_seq: Option<i64>,
    /// Messages with a greater seq, oldest first.
    pub after_seq: Option<i64>,
    pub limit: u64,
    /// Whose reactions count as `me`.
    pub viewer: UserId,
}

#[derive(Debug, Clone)]
pub struct NewReport {
    pub message_id: MessageId,
    pub reported_by: UserId,
    pub reason: ReportReason,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait MessageRepository: Send + Sync {
    /// Stores a message: the next seq, the row, its mentions, the thread root's reply count and
    /// last reply time, and a `MessageCreated` event, in one transaction. A `client_msg_id` the
    /// author already used in the channel returns `Existing` and writes nothing; this holds
    /// across concurrent calls and across nodes (a unique index decides).
    ///
    /// # Errors
    /// `NotFound` when the channel does not exist.
    async fn append(&self, message: NewMessage) -> Result<Appended, PortError>;

    /// A message with its reactions as `viewer` sees them; deleted ones too (as tombstones).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find(&self, id: MessageId, viewer: UserId) -> Result<Option<Message>, PortError>;

    /// The message `author` stored in `channel_id` under `key` (the idempotency key of
    /// [`Self::append`]), as its author sees it; `None` when they stored none under it.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_by_client_msg_id(
        &self,
        channel_id: ChannelId,
        author: UserId,
        key: &ClientMsgId,
    ) -> Result<Option<Message>, PortError>;

    /// Several messages by id (any order), as [`Self::find`].
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn find_many(&self, ids: &[MessageId], viewer: UserId)
    -> Result<Vec<Message>, PortError>;

    /// Replaces the content and mentions, sets `edited_at`, appends `MessageEdited`.
    ///
    /// # Errors
    /// `NotFound` for an unknown or deleted message.
    async fn edit(
        &self,
        id: MessageId,
        content: MessageBody,
        mentions: Vec<Mention>,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError>;

    /// Soft-deletes: `is_deleted`, content emptied, mentions, reactions and pin dropped, the
    /// root's reply count decreased; appends `MessageDeleted`.
    ///
    /// # Errors
    /// `NotFound` for an unknown or already deleted message.
    async fn delete(
        &self,
        id: MessageId,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError>;

    /// Adds one user's emoji to a message with `ReactionAdded`; `Ok(None)` when already there.
    ///
    /// # Errors
    /// `NotFound` for an unknown or deleted message.
    async fn add_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError>;

    /// Removes it with `ReactionRemoved`; `Ok(None)` when it was not there.
    ///
    /// # Errors
    /// `NotFound` for an unknown message.
    async fn remove_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError>;

    /// Pins or unpins with `MessagePinned` / `MessageUnpinned`; `Ok(None)` when already so.
    ///
    /// # Errors
    /// `NotFound` for an unknown or deleted message.
    async fn set_pinned(
        &self,
        id: MessageId,
        pinned: bool,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError>;

    /// A page of top-level messages, see [`HistoryQuery`]. Deleted messages keep their place.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn history(&self, query: HistoryQuery) -> Result<Vec<Message>, PortError>;

    /// A thread's replies after `after_seq`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn replies(
        &self,
        root: MessageId,
        after_seq: Option<i64>,
        limit: u64,
        viewer: UserId,
    ) -> Result<Vec<Message>, PortError>;

    /// The channel's pinned messages, most recently pinned first.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn pinned(
        &self,
        channel_id: ChannelId,
        viewer: UserId,
    ) -> Result<Vec<Message>, PortError>;

    /// The channel's events with seq greater than `after_seq`, in order, at most `limit`.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn events_after(
        &self,
        channel_id: ChannelId,
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<ChannelEvent>, PortError>;

    /// Files a pending report.
    ///
    /// # Errors
    /// `Conflict(OpenReport)` when this user already has a pending report on this message.
    async fn report(&self, report: NewReport) -> Result<MessageReport, PortError>;

    /// How much people of `organization_id` wrote from `since` on: messages created at or
    /// after `since` in any of its channels (replies and since-deleted messages included,
    /// system announcements not), and how many channels they went to. Reads an index on
    /// `(channel_id, created_at)`, so its cost follows the window, not the history.
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only.
    async fn activity_since(
        &self,
        organization_id: OrganizationId,
        since: DateTime<Utc>,
    ) -> Result<Activity, PortError>;
}

/// What [`MessageRepository::activity_since`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    pub messages: u64,
    /// Channels with at least one of those messages.
    pub active_channels: u64,
}

/// A full-text search over the messages a user may read.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub organization_id: OrganizationId,
    /// Results are limited to public channels of the organization and channels this user is a
    /// member of.
    pub viewer: UserId,
    /// What the user typed: words, partial words, any script. Operators and quotes are taken
    /// as plain text; nothing in it can cause an error.
    pub text: String,
    pub channel_id: Option<ChannelId>,
    pub author_id: Option<UserId>,
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
    /// Only messages of type `file` or `image`.
    pub has_file: bool,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub message: Message,
    /// An excerpt of the content around the best match (plain text, at most ~200 characters).
    pub snippet: String,
    /// Matched ranges within `snippet`, as character offsets `[start, end)`.
    pub highlights: Vec<(usize, usize)>,
    /// Higher is better; comparable within one result list only.
    pub rank: f64,
}

#[async_trait]
pub trait MessageSearch: Send + Sync {
    /// Matching, non-deleted messages, best first, at most `query.limit` after `query.offset`.
    ///
    /// Adapters may rank only the newest few thousand matches the viewer may read (the
    /// persistence adapter ranks 5,000), so a very common term stays fast on millions of
    /// messages; an older, better match is then found by narrowing the query (channel,
    /// author, dates).
    ///
    /// # Errors
    /// `Unavailable` / `Unexpected` only: no query text is ever an error.
    async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, PortError>;
}
