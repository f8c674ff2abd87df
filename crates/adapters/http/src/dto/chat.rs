//! Bodies of `/api/v1/channels/*` and `/api/v1/messages/*`.

use super::auth::field;
use super::checks;
use super::users::UserResponse;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
pub use tandem_api_types::{
    ChannelResponse, ChannelRoleDto, ChannelType, EventResponse, MentionResponse, MessageResponse,
    ReactionResponse,
};
use tandem_app::ports::{ChannelChanges, ChannelSummary, SearchHit};
use tandem_domain::{
    ChannelDescription, ChannelName, Emoji, Membership, Message, MessageReport, User,
};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// A channel in the caller's list, with unread counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelListItem {
    #[serde(flatten)]
    pub channel: ChannelResponse,
    pub member_count: i64,
    /// Messages after the caller's read marker, not their own (0 when not a member).
    pub unread_count: i64,
    /// Of those, the ones mentioning the caller, `@channel` or `@here`.
    pub unread_mentions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelListResponse {
    pub channels: Vec<ChannelListItem>,
}

impl From<Vec<ChannelSummary>> for ChannelListResponse {
    fn from(list: Vec<ChannelSummary>) -> Self {
        let channels = list
            .into_iter()
            .map(|s| {
                let mut channel = ChannelResponse::new(s.channel, None);
                channel.is_member = s.is_member;
                if s.is_member {
                    channel.notification_level = Some(s.notify_level.into());
                    channel.muted = Some(s.muted);
                    channel.role = s.role.map(Into::into);
                    channel.posting_muted_until = s.posting_muted_until;
                }
                ChannelListItem {
                    channel,
                    member_count: s.member_count,
                    unread_count: s.unread_count,
                    unread_mentions: s.unread_mentions,
                }
            })
            .collect();
        Self { channels }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannelRequest {
    /// Required for public and private channels: 1–80 letters, digits, `-`, `_`, `.`.
    #[validate(custom(function = "checks::channel_name"))]
    #[schema(example = "design-team", min_length = 1, max_length = 80)]
    pub name: Option<String>,
    /// At most 250 characters.
    #[validate(custom(function = "checks::channel_description"))]
    #[schema(max_length = 250)]
    pub description: Option<String>,
    /// Defaults to `public`.
    #[serde(rename = "type", default = "default_type")]
    pub kind: ChannelType,
    /// Direct conversations: the other people (1–7). Private channels: people to add.
    #[serde(default)]
    pub member_ids: Vec<i64>,
    /// An announcement channel, where only the channel's admins post (not for direct
    /// conversations). Defaults to `false`.
    #[serde(default)]
    pub read_only: bool,
}

fn default_type() -> ChannelType {
    ChannelType::Public
}

impl CreateChannelRequest {
    /// # Errors
    /// `validation_failed` when a field does not parse.
    pub fn into_command(self) -> Result<tandem_app::channels::CreateChannel, ApiError> {
        Ok(tandem_app::channels::CreateChannel {
            name: self
                .name
                .as_deref()
                .map(|n| field("name", ChannelName::parse(n)))
                .transpose()?,
            description: self
                .description
                .as_deref()
                .map(|d| field("description", ChannelDescription::parse(d)))
                .transpose()?,
            kind: self.kind.into(),
            member_ids: self
                .member_ids
                .into_iter()
                .map(tandem_domain::UserId::new)
                .collect(),
            read_only: self.read_only,
        })
    }
}

/// Changes to a channel; absent fields stay, `null` clears the description.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannelRequest {
    /// 1–80 letters, digits, `-`, `_`, `.`, of one alphabet; not starting with `dm-`.
    #[validate(custom(function = "checks::channel_name"))]
    #[schema(example = "design-team", min_length = 1, max_length = 80)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "checks::double_option")]
    #[validate(custom(function = "checks::channel_description"))]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub is_archived: Option<bool>,
    /// Only the channel's admins post (an announcement channel).
    pub read_only: Option<bool>,
}

impl UpdateChannelRequest {
    /// # Errors
    /// `validation_failed` when a field does not parse.
    pub fn into_changes(self) -> Result<ChannelChanges, ApiError> {
        Ok(ChannelChanges {
            name: self
                .name
                .as_deref()
                .map(|n| field("name", ChannelName::parse(n)))
                .transpose()?,
            description: self
                .description
                .map(|d| {
                    d.as_deref()
                        .map(|d| field("description", ChannelDescription::parse(d)))
                        .transpose()
                })
                .transpose()?,
            is_archived: self.is_archived,
            read_only: self.read_only,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    pub user_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    pub user: UserResponse,
    pub joined_at: DateTime<Utc>,
    /// Their role in the channel.
    pub role: ChannelRoleDto,
    /// Until when a channel moderator keeps them from posting here (`null`: not muted).
    pub posting_muted_until: Option<DateTime<Utc>>,
}

impl MemberResponse {
    pub fn new(membership: &Membership, user: User) -> Self {
        Self {
            user: user.into(),
            joined_at: membership.joined_at,
            role: membership.role.into(),
            posting_muted_until: membership.posting_muted_until,
        }
    }
}

/// A member's new role in the channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRoleRequest {
    pub role: ChannelRoleDto,
}

/// How long to keep a member from posting and reacting in the channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MuteMemberRequest {
    /// 1 to 43200 (30 days).
    #[schema(minimum = 1, maximum = 43200, example = 60)]
    pub minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPageResponse {
    pub members: Vec<MemberResponse>,
    /// Pass as `after` for the next page; `null` on the last one.
    pub next_cursor: Option<i64>,
}

impl MemberPageResponse {
    pub fn new(members: Vec<(Membership, User)>, limit: u64) -> Self {
        let next_cursor = (members.len() as u64 >= limit)
            .then(|| members.last().map(|(m, _)| m.user_id.get()))
            .flatten();
        Self {
            members: members
                .into_iter()
                .map(|(m, u)| MemberResponse::new(&m, u))
                .collect(),
            next_cursor,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    pub after: Option<i64>,
    /// 1–200, default 100; a larger value is read as 200.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Read up to this sequence number; the channel's latest when absent.
    pub seq: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadMarkerResponse {
    pub channel_id: i64,
    pub last_read_seq: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageListResponse {
    pub messages: Vec<MessageResponse>,
}

impl From<Vec<Message>> for MessageListResponse {
    fn from(messages: Vec<Message>) -> Self {
        Self {
            messages: messages.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// Markdown, 1–4000 characters (`chat.max_message_chars`). `@username`, `@channel` and
    /// `@here` mention.
    #[schema(
        example = "Standup in 5 minutes, @channel",
        min_length = 1,
        max_length = 4000
    )]
    pub content: String,
    /// Reply in the thread of this message.
    pub reply_to_id: Option<i64>,
    /// Your idempotency key (e.g. a UUID): sending again with the same key returns the stored
    /// message instead of a duplicate.
    #[validate(custom(function = "checks::client_msg_id"))]
    #[schema(
        pattern = r"^[A-Za-z0-9._:-]{1,64}$",
        example = "5f0c2b1e-9d4a-4c1e-8f7e-2a6d3c9b1f00"
    )]
    pub client_msg_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageRequest {
    pub content: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQueryParams {
    /// Messages before this seq, newest first.
    pub before_seq: Option<i64>,
    /// Messages after this seq, oldest first.
    pub after_seq: Option<i64>,
    /// 1–100, default 50; a larger value is read as 100.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThreadQuery {
    pub after_seq: Option<i64>,
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadResponse {
    pub root: MessageResponse,
    pub replies: Vec<MessageResponse>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactionRequest {
    /// A unicode emoji (`👍`) or a shortcode (`:thumbsup:`).
    #[validate(custom(function = "checks::emoji"))]
    #[schema(example = "👍")]
    pub emoji: String,
}

impl ReactionRequest {
    /// # Errors
    /// `validation_failed` for something that is not an emoji.
    pub fn emoji(&self) -> Result<Emoji, ApiError> {
        field("emoji", Emoji::parse(&self.emoji))
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// Why the moderators should look at it: 1–1000 characters, line breaks but no other
    /// control characters.
    #[validate(custom(function = "checks::report_reason"))]
    #[schema(
        max_length = 1000,
        pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x09\x0B-\x1F\x7F-\x9F]*$"
    )]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    pub id: i64,
    pub message_id: i64,
    pub reported_by: i64,
    pub reason: String,
    /// `pending`, `resolved` or `dismissed`.
    pub status: String,
    pub reviewed_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<MessageReport> for ReportResponse {
    fn from(r: MessageReport) -> Self {
        Self {
            id: r.id.get(),
            message_id: r.message_id.get(),
            reported_by: r.reported_by.get(),
            reason: r.reason.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            reviewed_by: r.reviewed_by.map(|u| u.get()),
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// What to look for: words, parts of words, any language (more than blanks; read up to its
    /// first 256 characters).
    #[param(pattern = r"\S")]
    pub q: String,
    pub channel_id: Option<i64>,
    /// Only messages by this person.
    pub user_id: Option<i64>,
    /// Only messages created before this time (RFC 3339).
    pub before: Option<DateTime<Utc>>,
    /// Only messages created after this time (RFC 3339).
    pub after: Option<DateTime<Utc>>,
    /// `file`: only messages with files.
    pub has: Option<HasFilter>,
    #[serde(default, deserialize_with = "checks::count")]
    pub offset: Option<u64>,
    /// 1–50, default 20; a larger value is read as 50.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HasFilter {
    File,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    pub message: MessageResponse,
    /// Plain text around the best match.
    pub snippet: String,
    /// Matched ranges in `snippet`, as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
    pub rank: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<SearchResult>,
    /// Pass as `offset` for more; `null` when this was the last page.
    pub next_offset: Option<u64>,
}

impl SearchResponse {
    pub fn new(hits: Vec<SearchHit>, offset: u64, limit: u64) -> Self {
        let next_offset = (hits.len() as u64 >= limit).then_some(offset + hits.len() as u64);
        let results = hits
            .into_iter()
            .map(|h| SearchResult {
                message: h.message.into(),
                snippet: h.snippet,
                highlights: h.highlights.into_iter().map(|(s, e)| [s, e]).collect(),
                rank: h.rank,
            })
            .collect();
        Self {
            results,
            next_offset,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The last seq you have; 0 for the whole log.
    #[param(minimum = 0)]
    pub after_seq: i64,
    /// 1–500, default 500; a larger value is read as 500.
    #[serde(default, deserialize_with = "checks::count")]
    pub limit: Option<u64>,
}

/// A page of the log with the current state of every message it names.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPageResponse {
    pub events: Vec<EventResponse>,
    pub messages: Vec<MessageResponse>,
    /// The channel's latest seq; ask again after the last event's seq while it is below this.
    pub last_seq: i64,
}

/// The parts of `POST /channels/{channel_id}/files` (`multipart/form-data`). The files are the
/// parts that carry a filename, in order, whatever their name; the handler reads every part as
/// it streams in, so this type only describes the body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The files: 1 to 10, none empty.
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1, max_items = 10)]
    pub file: Vec<String>,
    /// The message's text (Markdown, as for a message).
    #[schema(nullable = false, max_length = 4000)]
    pub caption: Option<String>,
    /// Your idempotency key, as for a message.
    #[schema(nullable = false, pattern = r"^[A-Za-z0-9._:-]{1,64}$")]
    pub client_msg_id: Option<String>,
    /// Share the files as a reply in this message's thread.
    #[schema(nullable = false)]
    pub reply_to_id: Option<i64>,
}
