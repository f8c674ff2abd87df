//! `/api/v1/notifications` (the notification centre) and the notification preferences:
//! `/api/v1/users/me/notification-settings` and `/api/v1/channels/{id}/notification-settings`.

use crate::dto::notifications::{
    ChannelNotificationSettingsRequest, ChannelNotificationSettingsResponse,
    ListNotificationsQuery, MarkNotificationsReadRequest, NotificationPageResponse,
    NotificationSettingsResponse, UpdateNotificationSettingsRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json};
use actix_web::{get, post, put, web};
use tandem_api_types::{NotificationResponse, UnreadNotificationsResponse};
use tandem_app::AppContext;
use tandem_app::notifications::{self, SettingsChanges};
use tandem_app::ports::ReadSelection;
use tandem_domain::ChannelId;

/// Your notifications, newest first, a page at a time, with your unread counts.
#[utoipa::path(
    tag = "notifications",
    params(ListNotificationsQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPageResponse),
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
    query: web::Query<ListNotificationsQuery>,
) -> Result<web::Json<NotificationPageResponse>, ApiError> {
    let actor = caller.actor();
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(50).clamp(1, notifications::MAX_PAGE);
    let page = notifications::list(
        &ctx.notifications,
        &actor,
        query.unread_only,
        query.before,
        limit,
    )
    .await?;
    let counts = notifications::unread(&ctx.notifications, &actor).await?;
    let full = u64::try_from(page.len()).unwrap_or(u64::MAX) >= limit;
    let next_cursor = page.last().filter(|_| full).map(|n| n.id);
    Ok(web::Json(NotificationPageResponse {
        notifications: page.into_iter().map(NotificationResponse::from).collect(),
        next_cursor,
        unread: counts.unread,
        high_priority: counts.high_priority,
    }))
}

/// How many of your notifications are unread (and how many of those are mentions).
#[utoipa::path(
    tag = "notifications",
    responses((status = 200, description = "Your unread counts", body = UnreadNotificationsResponse)),
    security(("bearer" = []))
)]
#[get("/notifications/unread_count")]
pub async fn unread_count(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<UnreadNotificationsResponse>, ApiError> {
    let counts = notifications::unread(&ctx.notifications, &caller.actor()).await?;
    Ok(web::Json(counts.into()))
}

/// Mark notifications read, by id or every one up to an id. Your other devices hear of it
/// (`notifications_read` on the notifications socket) and update their badges.
#[utoipa::path(
    tag = "notifications",
    request_body = MarkNotificationsReadRequest,
    responses(
        (status = 200, description = "What is left unread", body = UnreadNotificationsResponse),
        (status = 422, description = "Neither or both of ids and up_to, or too many ids", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/notifications/read")]
pub async fn mark_read(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<MarkNotificationsReadRequest>,
) -> Result<web::Json<UnreadNotificationsResponse>, ApiError> {
    let selection = match body.into_inner() {
        MarkNotificationsReadRequest {
            ids: Some(ids),
            up_to: None,
        } => ReadSelection::Ids(ids),
        MarkNotificationsReadRequest {
            ids: None,
            up_to: Some(up_to),
        } => ReadSelection::UpTo(up_to),
        _ => {
            return Err(ApiError::field(
                "ids",
                "invalid_selection",
                "give either ids (a list) or up_to (an id), not both and not neither",
            ));
        }
    };
    let counts = notifications::mark_read(&ctx.notifications, &caller.actor(), selection).await?;
    Ok(web::Json(counts.into()))
}

/// Your notification preferences.
#[utoipa::path(
    tag = "notifications",
    responses((status = 200, description = "Your preferences", body = NotificationSettingsResponse)),
    security(("bearer" = []))
)]
#[get("/users/me/notification-settings")]
pub async fn get_settings(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<NotificationSettingsResponse>, ApiError> {
    let settings = notifications::get_settings(&ctx.notifications, &caller.actor()).await?;
    let now = ctx.notifications.clock.now();
    Ok(web::Json(NotificationSettingsResponse::new(&settings, now)))
}

/// Change your notification preferences; fields left out keep their value.
#[utoipa::path(
    tag = "notifications",
    request_body = UpdateNotificationSettingsRequest,
    responses(
        (status = 200, description = "Your preferences", body = NotificationSettingsResponse),
        (status = 422, description = "A value out of range, an unknown time zone, a time that is not HH:MM, or do-not-disturb with one end", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/users/me/notification-settings")]
pub async fn update_settings(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<UpdateNotificationSettingsRequest>,
) -> Result<web::Json<NotificationSettingsResponse>, ApiError> {
    let body = body.into_inner();
    let changes = SettingsChanges {
        email_enabled: body.email_enabled,
        email_delay_minutes: body.email_delay_minutes,
        email_digest: body.email_digest.map(Into::into),
        desktop_enabled: body.desktop_enabled,
        dnd_start: body.dnd_start,
        dnd_end: body.dnd_end,
        time_zone: body.time_zone,
        language: body.language.map(Into::into),
    };
    let settings =
        notifications::update_settings(&ctx.notifications, &caller.actor(), changes).await?;
    let now = ctx.notifications.clock.now();
    Ok(web::Json(NotificationSettingsResponse::new(&settings, now)))
}

/// Your preferences for a channel you are a member of: all messages, mentions only, or
/// nothing, and mute; fields left out keep their value.
#[utoipa::path(
    tag = "notifications",
    params(("channel_id" = i64, Path)),
    request_body = ChannelNotificationSettingsRequest,
    responses(
        (status = 200, description = "Your preferences for the channel", body = ChannelNotificationSettingsResponse),
        (status = 404, description = "No such channel, or you are not a member", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/channels/{channel_id}/notification-settings")]
pub async fn set_channel_settings(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<ChannelNotificationSettingsRequest>,
) -> Result<web::Json<ChannelNotificationSettingsResponse>, ApiError> {
    let channel_id = ChannelId::new(path.into_inner());
    let body = body.into_inner();
    let chosen = notifications::set_channel_preferences(
        &ctx.notifications,
        &caller.actor(),
        channel_id,
        body.level.map(Into::into),
        body.muted,
    )
    .await?;
    Ok(web::Json(ChannelNotificationSettingsResponse {
        channel_id: channel_id.get(),
        level: chosen.level.into(),
        muted: chosen.muted,
    }))
}
