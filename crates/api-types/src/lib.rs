//! What Tandem's interfaces share, so they agree: the JSON shapes of users, channels, messages
//! and channel events (a message looks the same whichever way it arrives), the real-time
//! protocol's frames and their encoder ([`realtime`]), the table of error codes and the mapping
//! from use-case errors ([`errors`]), and the reading of bearer tokens ([`bearer`]). Built from
//! domain and use-case types here, once; no framework and no IO.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::{
    Channel, ChannelEvent, ChannelKind, ChannelRole, Membership, Mention, Message, Role, User,
    UserId, UserStatus,
};
use utoipa::ToSchema;

pub mod bearer;
pub mod errors;
pub mod frames;
pub mod notifications;
pub mod realtime;

pub use frames::ChannelFrame;
pub use notifications::{
    NotificationKindDto, NotificationResponse, NotificationSenderResponse, NotifyLevelDto,
    PriorityDto, UnreadNotificationsResponse,
};

/// A user as every API answer shows it. Never carries password data.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "ana@acme.io")]
    pub email: String,
    #[schema(example = "ana")]
    pub username: String,
    #[schema(example = "Ana García")]
    pub display_name: Option<String>,
    #[schema(example = 7)]
    pub organization_id: i64,
    pub role: RoleDto,
    pub profile_picture: Option<String>,
    pub status: StatusDto,
    pub last_activity: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub is_active: bool,
    /// Whether the owner proved the address is theirs. Someone who joined by their email's
    /// domain sees nothing of the organization until then.
    pub email_verified: bool,
    /// A bot account, run by a program (shown with a "bot" badge).
    pub is_bot: bool,
    /// The person answerable for a bot; `null` for people.
    pub bot_owner_id: Option<i64>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id.get(),
            email: user.email.as_str().to_owned(),
            username: user.username.as_str().to_owned(),
            display_name: user.display_name.map(|d| d.as_str().to_owned()),
            organization_id: user.organization_id.get(),
            role: user.role.into(),
            profile_picture: user.profile_picture.map(|p| p.as_str().to_owned()),
            status: user.status.into(),
            last_activity: user.last_activity,
            created_at: user.created_at,
            is_active: user.is_active,
            email_verified: user.email_verified,
            is_bot: user.is_bot,
            bot_owner_id: user.bot_owner_id.map(UserId::get),
        }
    }
}

/// A role in the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", try_from = "String")]
#[schema(as = Role)]
pub enum RoleDto {
    Admin,
    Moderator,
    Member,
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Moderator => Self::Moderator,
            Role::Member => Self::Member,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Admin => Self::Admin,
            RoleDto::Moderator => Self::Moderator,
            RoleDto::Member => Self::Member,
        }
    }
}

/// What a user shows the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", try_from = "String")]
#[schema(as = UserStatus)]
pub enum StatusDto {
    Online,
    Away,
    Busy,
    Offline,
}

impl From<UserStatus> for StatusDto {
    fn from(status: UserStatus) -> Self {
        match status {
            UserStatus::Online => Self::Online,
            UserStatus::Away => Self::Away,
            UserStatus::Busy => Self::Busy,
            UserStatus::Offline => Self::Offline,
        }
    }
}

// Through a string, so `null` or a number is a type error naming the field (422), where
// serde_json's enum parser would report a syntax error (400).
impl TryFrom<String> for RoleDto {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        value.parse::<Role>().map(Into::into).map_err(|e| e.message)
    }
}

impl TryFrom<String> for StatusDto {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        value
            .parse::<UserStatus>()
            .map(Into::into)
            .map_err(|e| e.message)
    }
}

impl From<StatusDto> for UserStatus {
    fn from(status: StatusDto) -> Self {
        match status {
            StatusDto::Online => Self::Online,
            StatusDto::Away => Self::Away,
            StatusDto::Busy => Self::Busy,
            StatusDto::Offline => Self::Offline,
        }
    }
}

/// A member's role in one channel: `admin`s change the channel's settings, members and roles
/// and post in read-only channels; `moderator`s delete messages and mute members there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", try_from = "String")]
#[schema(as = ChannelRole)]
pub enum ChannelRoleDto {
    Admin,
    Moderator,
    Member,
}

impl TryFrom<String> for ChannelRoleDto {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        value
            .parse::<ChannelRole>()
            .map(Into::into)
            .map_err(|e| e.message)
    }
}

impl From<ChannelRole> for ChannelRoleDto {
    fn from(role: ChannelRole) -> Self {
        match role {
            ChannelRole::Admin => Self::Admin,
            ChannelRole::Moderator => Self::Moderator,
            ChannelRole::Member => Self::Member,
        }
    }
}

impl From<ChannelRoleDto> for ChannelRole {
    fn from(role: ChannelRoleDto) -> Self {
        match role {
            ChannelRoleDto::Admin => Self::Admin,
            ChannelRoleDto::Moderator => Self::Moderator,
            ChannelRoleDto::Member => Self::Member,
        }
    }
}

/// A channel's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum ChannelType {
    Public,
    Private,
    Direct,
}

impl TryFrom<String> for ChannelType {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        value
            .parse::<ChannelKind>()
            .map(Into::into)
            .map_err(|e| e.message)
    }
}

impl From<ChannelKind> for ChannelType {
    fn from(kind: ChannelKind) -> Self {
        match kind {
            ChannelKind::Public => Self::Public,
            ChannelKind::Private => Self::Private,
            ChannelKind::Direct => Self::Direct,
        }
    }
}

impl From<ChannelType> for ChannelKind {
    fn from(kind: ChannelType) -> Self {
        match kind {
            ChannelType::Public => Self::Public,
            ChannelType::Private => Self::Private,
            ChannelType::Direct => Self::Direct,
        }
    }
}

/// A channel as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelResponse {
    pub id: i64,
    #[schema(example = "general")]
    pub name: String,
    pub description: Option<String>,
    pub organization_id: i64,
    #[serde(rename = "type")]
    pub kind: ChannelType,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub is_archived: bool,
    /// An announcement channel: only its admins post; everyone may read and react.
    pub read_only: bool,
    /// The sequence number of the channel's latest event. Catch up with
    /// `GET /channels/{id}/events?after_seq=N`.
    pub last_seq: i64,
    pub is_member: bool,
    /// How far the caller has read (members only).
    pub last_read_seq: Option<i64>,
    /// How much of the channel the caller hears about (members only): `default` is all for
    /// direct conversations and mentions for channels.
    pub notification_level: Option<NotifyLevelDto>,
    /// Muted by the caller: no unread badge except for mentions (members only).
    pub muted: Option<bool>,
    /// The caller's role in the channel (members only).
    pub role: Option<ChannelRoleDto>,
    /// Until when a channel moderator keeps the caller from posting and reacting here
    /// (members only; `null` when not muted).
    pub posting_muted_until: Option<DateTime<Utc>>,
}

impl ChannelResponse {
    pub fn new(channel: Channel, membership: Option<&Membership>) -> Self {
        Self {
            id: channel.id.get(),
            name: channel.name.as_str().to_owned(),
            description: channel.description.map(|d| d.as_str().to_owned()),
            organization_id: channel.organization_id.get(),
            kind: channel.kind.into(),
            created_by: channel.created_by.get(),
            created_at: channel.created_at,
            is_archived: channel.is_archived,
            read_only: channel.read_only,
            last_seq: channel.last_seq,
            is_member: membership.is_some(),
            last_read_seq: membership.map(|m| m.last_read_seq),
            notification_level: membership.map(|m| m.notify_level.into()),
            muted: membership.map(|m| m.muted),
            role: membership.map(|m| m.role.into()),
            posting_muted_until: membership.and_then(|m| m.posting_muted_until),
        }
    }
}

/// Who a message mentions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MentionResponse {
    /// A member of the channel, by id.
    User { user_id: i64 },
    /// `@channel`: every member.
    Channel,
    /// `@here`: every member who is around.
    Here,
}

/// One emoji's reactions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionResponse {
    #[schema(example = "👍")]
    pub emoji: String,
    pub count: i64,
    /// Some of the people who reacted, oldest first.
    pub user_ids: Vec<i64>,
    /// Whether the caller is among them.
    pub me: bool,
}

/// A message. Deleted messages keep their place with `is_deleted` and no content.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub id: i64,
    /// Markdown. Render it safely: it is user input, stored verbatim.
    pub content: String,
    pub channel_id: i64,
    pub user_id: i64,
    #[schema(example = "text")]
    pub message_type: String,
    /// The thread's root, for replies.
    pub reply_to_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub is_deleted: bool,
    /// The channel sequence number of the message's creation.
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub mentions: Vec<MentionResponse>,
    pub reactions: Vec<ReactionResponse>,
    pub reply_count: i64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub pinned_at: Option<DateTime<Utc>>,
    /// Files shared with the message (`file` and `image` messages), in upload order.
    pub attachments: Vec<AttachmentResponse>,
}

/// A shared file. Fetch it (and its thumbnail) with the access token, as a header or, for
/// `<img src>`, a `token` query parameter.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    pub id: i64,
    /// The uploaded name, cleaned of paths and control characters.
    pub filename: String,
    /// `/api/v1/files/{id}`
    #[schema(example = "/api/v1/files/42")]
    pub file_url: String,
    /// Bytes.
    pub file_size: u64,
    /// Read from the content, not taken from the upload's claim.
    #[schema(example = "image/png")]
    pub mime_type: String,
    /// Pixels, once the image is processed.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `/api/v1/files/{id}/thumbnail`, once the image is processed.
    pub thumbnail_url: Option<String>,
    /// `/api/v1/files/{id}/preview`: web-sized, without the original's metadata; once the
    /// image is processed.
    pub preview_url: Option<String>,
    /// Whether browsers may show it in the page (safe images); anything else downloads.
    pub inline: bool,
}

impl From<tandem_domain::Attachment> for AttachmentResponse {
    fn from(a: tandem_domain::Attachment) -> Self {
        let file_url = format!("/api/v1/files/{}", a.id);
        Self {
            id: a.id.get(),
            thumbnail_url: a.has_thumbnail.then(|| format!("{file_url}/thumbnail")),
            preview_url: a.has_thumbnail.then(|| format!("{file_url}/preview")),
            filename: a.filename,
            file_url,
            file_size: a.size,
            mime_type: a.media_type,
            width: a.width,
            height: a.height,
            inline: a.inline,
        }
    }
}

impl From<Message> for MessageResponse {
    fn from(m: Message) -> Self {
        Self {
            id: m.id.get(),
            content: m.content,
            channel_id: m.channel_id.get(),
            user_id: m.user_id.get(),
            message_type: m.message_type.as_str().to_owned(),
            reply_to_id: m.reply_to_id.map(|id| id.get()),
            created_at: m.created_at,
            edited_at: m.edited_at,
            is_deleted: m.is_deleted,
            seq: m.seq,
            client_msg_id: m.client_msg_id.map(|c| c.as_str().to_owned()),
            mentions: m
                .mentions
                .into_iter()
                .map(|mention| match mention {
                    Mention::User(id) => MentionResponse::User { user_id: id.get() },
                    Mention::Channel => MentionResponse::Channel,
                    Mention::Here => MentionResponse::Here,
                })
                .collect(),
            reactions: m
                .reactions
                .into_iter()
                .map(|r| ReactionResponse {
                    emoji: r.emoji.as_str().to_owned(),
                    count: r.count,
                    user_ids: r.user_ids.iter().map(|u| u.get()).collect(),
                    me: r.me,
                })
                .collect(),
            reply_count: m.reply_count,
            last_reply_at: m.last_reply_at,
            pinned_at: m.pinned_at,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// One entry of a channel's change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub seq: i64,
    /// `message_created`, `message_edited`, `message_deleted`, `reaction_added`,
    /// `reaction_removed`, `message_pinned`, `message_unpinned`, `member_joined`, `member_left`,
    /// `channel_updated`.
    #[serde(rename = "type")]
    #[schema(example = "message_created")]
    pub kind: String,
    pub channel_id: i64,
    pub actor_id: i64,
    pub message_id: Option<i64>,
    pub user_id: Option<i64>,
    pub emoji: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ChannelEvent> for EventResponse {
    fn from(e: ChannelEvent) -> Self {
        Self {
            seq: e.seq,
            kind: e.kind.as_str().to_owned(),
            channel_id: e.channel_id.get(),
            actor_id: e.actor_id.get(),
            message_id: e.message_id.map(|m| m.get()),
            user_id: e.user_id.map(|u| u.get()),
            emoji: e.emoji.map(|e| e.as_str().to_owned()),
            created_at: e.created_at,
        }
    }
}
