//! `/api/v1/messages`: one message, its thread, edits, deletes, reactions, pins, reports, and search.

use crate::dto::auth::field;
use crate::dto::chat::{
    EditMessageRequest, HasFilter, MessageResponse, ReactionRequest, ReportRequest, ReportResponse,
    SearchParams, SearchResponse, ThreadQuery, ThreadResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json, validated};
use actix_web::{HttpResponse, delete, get, post, put, web};
use tandem_app::AppContext;
use tandem_app::messages::{self, SearchRequest};
use tandem_domain::{ChannelId, Emoji, MessageId, ReportReason, UserId};

/// Search the messages you may read: public channels of your organization and channels you
/// are in. Ranked, with highlighted snippets. Any text is a valid query.
#[utoipa::path(tag = "messages", params(SearchParams), responses(
    (status = 200, description = "Results, best first", body = SearchResponse),
    (status = 422, description = "Empty query", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/messages/search")]
pub async fn search(
    ctx: web::Data<AppContext>,
    caller: Caller,
    query: web::Query<SearchParams>,
) -> Result<web::Json<SearchResponse>, ApiError> {
    let query = query.into_inner();
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(20).clamp(1, 50);
    let request = SearchRequest {
        text: query.q,
        channel_id: query.channel_id.map(ChannelId::new),
        author_id: query.user_id.map(UserId::new),
        before: query.before,
        after: query.after,
        has_file: matches!(query.has, Some(HasFilter::File)),
        offset: Some(offset),
        limit: Some(limit),
    };
    let hits = messages::search_messages(&ctx.chat, &caller.actor(), request).await?;
    Ok(web::Json(SearchResponse::new(hits, offset, limit)))
}

/// One message.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), responses(
    (status = 200, description = "The message", body = MessageResponse),
    (status = 404, description = "No such message for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/messages/{message_id}")]
pub async fn get(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    Ok(web::Json(
        messages::get_message(
            &ctx.chat,
            &caller.actor(),
            MessageId::new(path.into_inner()),
        )
        .await?
        .into(),
    ))
}

/// Edit your message.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), request_body = EditMessageRequest, responses(
    (status = 200, description = "The edited message", body = MessageResponse),
    (status = 403, description = "Not your message, or you may no longer post here", body = ErrorBody),
    (status = 404, description = "No such message for you", body = ErrorBody),
    (status = 422, description = "Invalid content", body = ErrorBody),
), security(("bearer" = [])))]
#[put("/messages/{message_id}")]
pub async fn edit(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<EditMessageRequest>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    let message = messages::edit_message(
        &ctx.chat,
        &caller.actor(),
        MessageId::new(path.into_inner()),
        &body.content,
    )
    .await?;
    Ok(web::Json(message.into()))
}

/// Delete a message: the author, the channel's managers, moderators and admins. The tombstone
/// keeps its place.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), responses(
    (status = 200, description = "The tombstone", body = MessageResponse),
    (status = 403, description = "Not allowed", body = ErrorBody),
    (status = 404, description = "No such message for you", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/messages/{message_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    Ok(web::Json(
        messages::delete_message(
            &ctx.chat,
            &caller.actor(),
            MessageId::new(path.into_inner()),
        )
        .await?
        .into(),
    ))
}

/// A thread: the root message and its replies, oldest first. Naming a reply opens its thread.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path), ThreadQuery), responses(
    (status = 200, description = "The thread", body = ThreadResponse),
    (status = 404, description = "No such message for you", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/messages/{message_id}/thread")]
pub async fn thread(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<ThreadQuery>,
) -> Result<web::Json<ThreadResponse>, ApiError> {
    let (root, replies) = messages::thread(
        &ctx.chat,
        &caller.actor(),
        MessageId::new(path.into_inner()),
        query.after_seq,
        query.limit,
    )
    .await?;
    Ok(web::Json(ThreadResponse {
        root: root.into(),
        replies: replies.into_iter().map(Into::into).collect(),
    }))
}

/// React with an emoji (once per person per emoji; again changes nothing).
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), request_body = ReactionRequest, responses(
    (status = 200, description = "The message with its reactions", body = MessageResponse),
    (status = 403, description = "Not a member, or archived", body = ErrorBody),
    (status = 404, description = "No such message for you", body = ErrorBody),
    (status = 422, description = "Not an emoji", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/messages/{message_id}/reactions")]
pub async fn react(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<ReactionRequest>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    let emoji = validated(body.into_inner())?.emoji()?;
    let message = messages::set_reaction(
        &ctx.chat,
        &caller.actor(),
        MessageId::new(path.into_inner()),
        &emoji,
        true,
    )
    .await?;
    Ok(web::Json(message.into()))
}

/// Take back your reaction (the emoji percent-encoded in the path).
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path), ("emoji" = String, Path, example = "👍")), responses(
    (status = 200, description = "The message with its reactions", body = MessageResponse),
    (status = 404, description = "No such message for you", body = ErrorBody),
    (status = 422, description = "`invalid_emoji`: not an emoji or a known shortcode", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/messages/{message_id}/reactions/{emoji}")]
pub async fn unreact(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<(i64, String)>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    let (id, emoji) = path.into_inner();
    let emoji = field("emoji", Emoji::parse(&emoji))?;
    let message = messages::set_reaction(
        &ctx.chat,
        &caller.actor(),
        MessageId::new(id),
        &emoji,
        false,
    )
    .await?;
    Ok(web::Json(message.into()))
}

/// Pin a message to its channel.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), responses(
    (status = 200, description = "The pinned message", body = MessageResponse),
    (status = 403, description = "Not a member, or archived", body = ErrorBody),
    (status = 404, description = "No such message for you", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/messages/{message_id}/pin")]
pub async fn pin(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    Ok(web::Json(
        messages::set_pinned(
            &ctx.chat,
            &caller.actor(),
            MessageId::new(path.into_inner()),
            true,
        )
        .await?
        .into(),
    ))
}

/// Unpin it.
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), responses(
    (status = 200, description = "The message", body = MessageResponse),
    (status = 404, description = "No such message for you", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/messages/{message_id}/pin")]
pub async fn unpin(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<MessageResponse>, ApiError> {
    Ok(web::Json(
        messages::set_pinned(
            &ctx.chat,
            &caller.actor(),
            MessageId::new(path.into_inner()),
            false,
        )
        .await?
        .into(),
    ))
}

/// Report a message to the moderators (one pending report per person per message).
#[utoipa::path(tag = "messages", params(("message_id" = i64, Path)), request_body = ReportRequest, responses(
    (status = 201, description = "Reported", body = ReportResponse),
    (status = 403, description = "Your own message", body = ErrorBody),
    (status = 404, description = "No such message for you", body = ErrorBody),
    (status = 409, description = "`already_reported`", body = ErrorBody),
    (status = 422, description = "Missing reason", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/messages/{message_id}/report")]
pub async fn report(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<ReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let reason = field("reason", ReportReason::parse(&body.reason))?;
    let report = messages::report_message(
        &ctx.chat,
        &caller.actor(),
        MessageId::new(path.into_inner()),
        reason,
    )
    .await?;
    Ok(HttpResponse::Created().json(ReportResponse::from(report)))
}
