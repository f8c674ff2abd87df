//! `/api/v1/channels`: channels, membership, read markers, history, pins and the change log.

use crate::dto::auth::field;
use crate::dto::chat::{
    AddMemberRequest, ChannelListResponse, ChannelResponse, CreateChannelRequest,
    EventPageResponse, EventsQuery, HistoryQueryParams, MarkReadRequest, MemberPageResponse,
    MemberResponse, MemberRoleRequest, MembersQuery, MessageListResponse, MessageResponse,
    MuteMemberRequest, ReadMarkerResponse, SendMessageRequest, UpdateChannelRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json, OptionalJson, validated};
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use tandem_app::AppContext;
use tandem_app::channels::{self, Created};
use tandem_app::messages::{self, History, SendMessage};
use tandem_domain::{ChannelId, ClientMsgId, MessageId, UserId};

/// Your channels and the organization's public ones, by name, with unread counts.
#[utoipa::path(tag = "channels", responses(
    (status = 200, description = "The channels you can see", body = ChannelListResponse),
    (status = 401, description = "Not authenticated", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<ChannelListResponse>, ApiError> {
    Ok(web::Json(
        channels::list_channels(&ctx.chat, &caller.actor())
            .await?
            .into(),
    ))
}

/// Create a channel, or open a direct conversation.
///
/// `type: direct` with `member_ids` returns the existing conversation of the same people (200)
/// or creates it (201).
#[utoipa::path(tag = "channels", request_body = CreateChannelRequest, responses(
    (status = 201, description = "Created", body = ChannelResponse),
    (status = 200, description = "The direct conversation these people already have", body = ChannelResponse),
    (status = 404, description = "A member is not in your organization", body = ErrorBody),
    (status = 409, description = "`channel_name_taken`", body = ErrorBody),
    (status = 422, description = "Invalid fields", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels")]
pub async fn create(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<CreateChannelRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = validated(body.into_inner())?.into_command()?;
    let actor = caller.actor();
    Ok(
        match channels::create_channel(&ctx.chat, &actor, command).await? {
            Created::New(channel) => {
                let (channel, membership) =
                    channels::get_channel(&ctx.chat, &actor, channel.id).await?;
                HttpResponse::Created().json(ChannelResponse::new(channel, membership.as_ref()))
            }
            Created::Existing(channel) => {
                let (channel, membership) =
                    channels::get_channel(&ctx.chat, &actor, channel.id).await?;
                HttpResponse::Ok().json(ChannelResponse::new(channel, membership.as_ref()))
            }
        },
    )
}

/// One channel. Private and direct channels you are not in are 404.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "The channel", body = ChannelResponse),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}")]
pub async fn get(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let (channel, membership) = channels::get_channel(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
    )
    .await?;
    Ok(web::Json(ChannelResponse::new(
        channel,
        membership.as_ref(),
    )))
}

/// Rename, describe, archive or unarchive (the creator and organization admins).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), request_body = UpdateChannelRequest, responses(
    (status = 200, description = "The channel as stored", body = ChannelResponse),
    (status = 403, description = "Not a manager of this channel", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 409, description = "`channel_name_taken`", body = ErrorBody),
), security(("bearer" = [])))]
#[put("/channels/{channel_id}")]
pub async fn update(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<UpdateChannelRequest>,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let changes = validated(body.into_inner())?.into_changes()?;
    updated(&ctx, &caller, ChannelId::new(path.into_inner()), changes).await
}

async fn updated(
    ctx: &AppContext,
    caller: &Caller,
    id: ChannelId,
    changes: tandem_app::ports::ChannelChanges,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let actor = caller.actor();
    channels::update_channel(&ctx.chat, &actor, id, changes).await?;
    let (channel, membership) = channels::get_channel(&ctx.chat, &actor, id).await?;
    Ok(web::Json(ChannelResponse::new(
        channel,
        membership.as_ref(),
    )))
}

/// Archive: the channel becomes read-only and stays searchable.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "Archived", body = ChannelResponse),
    (status = 403, description = "Not a manager", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/archive")]
pub async fn archive(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let changes = tandem_app::ports::ChannelChanges {
        is_archived: Some(true),
        ..Default::default()
    };
    updated(&ctx, &caller, ChannelId::new(path.into_inner()), changes).await
}

/// Unarchive.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "Unarchived", body = ChannelResponse),
    (status = 403, description = "Not a manager", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/unarchive")]
pub async fn unarchive(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let changes = tandem_app::ports::ChannelChanges {
        is_archived: Some(false),
        ..Default::default()
    };
    updated(&ctx, &caller, ChannelId::new(path.into_inner()), changes).await
}

/// Delete a channel and everything in it (the creator and organization admins).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Not a manager, or a direct conversation", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/channels/{channel_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    channels::delete_channel(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Join a public channel (joining twice changes nothing).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "You are a member", body = ChannelResponse),
    (status = 403, description = "Archived, or a direct conversation", body = ErrorBody),
    (status = 404, description = "No such channel for you (private channels need an invitation)", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/join")]
pub async fn join(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<ChannelResponse>, ApiError> {
    let (actor, id) = (caller.actor(), ChannelId::new(path.into_inner()));
    channels::join_channel(&ctx.chat, &actor, id).await?;
    let (channel, membership) = channels::get_channel(&ctx.chat, &actor, id).await?;
    Ok(web::Json(ChannelResponse::new(
        channel,
        membership.as_ref(),
    )))
}

/// Leave a channel (leaving twice changes nothing). Direct conversations cannot be left.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), responses(
    (status = 204, description = "You are not a member"),
    (status = 403, description = "A direct conversation", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/leave")]
pub async fn leave(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    channels::leave_channel(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The channel's members, by user id, a page at a time.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path), MembersQuery), responses(
    (status = 200, description = "Members", body = MemberPageResponse),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}/members")]
pub async fn members(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<MembersQuery>,
) -> Result<web::Json<MemberPageResponse>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 200);
    let members = channels::list_members(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
        query.after.map(UserId::new),
        Some(limit),
    )
    .await?;
    Ok(web::Json(MemberPageResponse::new(members, limit)))
}

/// Add someone of your organization (members of public and private channels may).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), request_body = AddMemberRequest, responses(
    (status = 204, description = "They are a member"),
    (status = 403, description = "Not allowed (archived, direct conversation, not a member)", body = ErrorBody),
    (status = 404, description = "No such channel or user", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/members")]
pub async fn add_member(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    channels::add_member(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
        UserId::new(body.user_id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove someone (channel admins and organization admins; anyone may remove themselves).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path), ("user_id" = i64, Path)), responses(
    (status = 204, description = "They are not a member"),
    (status = 403, description = "Not a channel admin", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/channels/{channel_id}/members/{user_id}")]
pub async fn remove_member(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (channel_id, user_id) = path.into_inner();
    channels::remove_member(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(channel_id),
        UserId::new(user_id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Make a member a channel admin, a moderator or a plain member (channel admins and
/// organization admins). Announced to the channel's listeners as `member_updated`.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path), ("user_id" = i64, Path)), request_body = MemberRoleRequest, responses(
    (status = 200, description = "The member as they are now", body = MemberResponse),
    (status = 403, description = "Not a channel admin, or a direct conversation", body = ErrorBody),
    (status = 404, description = "No such channel for you, or they are not a member", body = ErrorBody),
    (status = 422, description = "Not a role", body = ErrorBody),
), security(("bearer" = [])))]
#[patch("/channels/{channel_id}/members/{user_id}")]
pub async fn set_member_role(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: Json<MemberRoleRequest>,
) -> Result<web::Json<MemberResponse>, ApiError> {
    let (channel_id, user_id) = path.into_inner();
    let (membership, user) = channels::set_member_role(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(channel_id),
        UserId::new(user_id),
        body.into_inner().role.into(),
    )
    .await?;
    Ok(web::Json(MemberResponse::new(&membership, user)))
}

/// Keep a member from posting, reacting and pinning in the channel for a while (channel
/// moderators and admins, organization moderators and admins; only people with less say in the
/// channel than you). Muting again replaces the end.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path), ("user_id" = i64, Path)), request_body = MuteMemberRequest, responses(
    (status = 200, description = "The member as they are now", body = MemberResponse),
    (status = 403, description = "Not a moderator here, or they have as much say as you", body = ErrorBody),
    (status = 404, description = "No such channel for you, or they are not a member", body = ErrorBody),
    (status = 422, description = "`out_of_range` minutes", body = ErrorBody),
), security(("bearer" = [])))]
#[put("/channels/{channel_id}/members/{user_id}/mute")]
pub async fn mute_member(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: Json<MuteMemberRequest>,
) -> Result<web::Json<MemberResponse>, ApiError> {
    let (channel_id, user_id) = path.into_inner();
    let (membership, user) = channels::mute_member(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(channel_id),
        UserId::new(user_id),
        chrono::Duration::minutes(body.minutes.clamp(0, i64::from(i32::MAX))),
    )
    .await?;
    Ok(web::Json(MemberResponse::new(&membership, user)))
}

/// Lift a member's mute in the channel (channel moderators and admins, organization
/// moderators and admins).
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path), ("user_id" = i64, Path)), responses(
    (status = 200, description = "The member as they are now", body = MemberResponse),
    (status = 403, description = "Not a moderator here", body = ErrorBody),
    (status = 404, description = "No such channel for you, or they are not a member", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/channels/{channel_id}/members/{user_id}/mute")]
pub async fn unmute_member(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<MemberResponse>, ApiError> {
    let (channel_id, user_id) = path.into_inner();
    let (membership, user) = channels::unmute_member(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(channel_id),
        UserId::new(user_id),
    )
    .await?;
    Ok(web::Json(MemberResponse::new(&membership, user)))
}

/// Move your read marker (to the latest event when `seq` is absent); it never moves back.
#[utoipa::path(tag = "channels", params(("channel_id" = i64, Path)), request_body(content = Option<MarkReadRequest>), responses(
    (status = 200, description = "Your read marker", body = ReadMarkerResponse),
    (status = 403, description = "Not a member", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/read")]
pub async fn mark_read(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: OptionalJson<MarkReadRequest>,
) -> Result<web::Json<ReadMarkerResponse>, ApiError> {
    let seq = body.0.and_then(|b| b.seq);
    let membership = channels::mark_read(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
        seq,
    )
    .await?;
    Ok(web::Json(ReadMarkerResponse {
        channel_id: membership.channel_id.get(),
        last_read_seq: membership.last_read_seq,
    }))
}

/// A page of the channel's messages (thread replies are in their thread).
///
/// Newest first by default and with `before_seq`; oldest first with `after_seq`. Stable while
/// people post: pages are cut by sequence number, not by offset.
#[utoipa::path(tag = "messages", params(("channel_id" = i64, Path), HistoryQueryParams), responses(
    (status = 200, description = "Messages", body = MessageListResponse),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 422, description = "`conflicting_cursors`: `before_seq` and `after_seq` together", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}/messages")]
pub async fn history(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<HistoryQueryParams>,
) -> Result<web::Json<MessageListResponse>, ApiError> {
    let page = History {
        before_seq: query.before_seq,
        after_seq: query.after_seq,
        limit: query.limit,
    };
    Ok(web::Json(
        messages::message_history(
            &ctx.chat,
            &caller.actor(),
            ChannelId::new(path.into_inner()),
            page,
        )
        .await?
        .into(),
    ))
}

/// Post a message. With a `client_msg_id` already used by you in this channel, answers 200
/// with the stored message instead of posting it twice.
#[utoipa::path(tag = "messages", params(("channel_id" = i64, Path)), request_body = SendMessageRequest, responses(
    (status = 201, description = "Posted", body = MessageResponse),
    (status = 200, description = "Already posted with this client_msg_id", body = MessageResponse),
    (status = 403, description = "Not a member, archived, or muted", body = ErrorBody),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 422, description = "Empty, too long, control characters, or a bad reply_to_id", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/channels/{channel_id}/messages")]
pub async fn send(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<SendMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let command = SendMessage {
        channel_id: ChannelId::new(path.into_inner()),
        content: body.content,
        reply_to_id: body.reply_to_id.map(MessageId::new),
        client_msg_id: body
            .client_msg_id
            .as_deref()
            .map(|c| field("client_msg_id", ClientMsgId::parse(c)))
            .transpose()?,
        attachments: Vec::new(),
    };
    let sent = messages::send_message(&ctx.chat, &caller.actor(), command).await?;
    let mut response = if sent.event.is_some() {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(MessageResponse::from(sent.message)))
}

/// The channel's pinned messages, most recently pinned first.
#[utoipa::path(tag = "messages", params(("channel_id" = i64, Path)), responses(
    (status = 200, description = "Pinned messages", body = MessageListResponse),
    (status = 404, description = "No such channel for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}/pins")]
pub async fn pins(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<MessageListResponse>, ApiError> {
    Ok(web::Json(
        messages::pinned_messages(
            &ctx.chat,
            &caller.actor(),
            ChannelId::new(path.into_inner()),
        )
        .await?
        .into(),
    ))
}

/// The channel's change log after `after_seq`, in order: every message created, edited and
/// deleted, reaction, pin, member change and channel update, with the current state of the
/// messages it names. A client that was away catches up exactly by asking again after the last
/// event it got, until it reaches `last_seq`.
#[utoipa::path(tag = "messages", params(("channel_id" = i64, Path), EventsQuery), responses(
    (status = 200, description = "Events", body = EventPageResponse),
    (status = 404, description = "No such channel for you", body = ErrorBody),
    (status = 422, description = "`invalid_cursor`: a negative `after_seq`", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/channels/{channel_id}/events")]
pub async fn events(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<EventsQuery>,
) -> Result<web::Json<EventPageResponse>, ApiError> {
    let page = messages::channel_events(
        &ctx.chat,
        &caller.actor(),
        ChannelId::new(path.into_inner()),
        query.after_seq,
        query.limit,
    )
    .await?;
    Ok(web::Json(EventPageResponse {
        events: page.events.into_iter().map(Into::into).collect(),
        messages: page.messages.into_iter().map(Into::into).collect(),
        last_seq: page.last_seq,
    }))
}
