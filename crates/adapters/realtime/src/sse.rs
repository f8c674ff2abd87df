//! Server-Sent Events: a channel's activity (`/api/v1/sse/activity/{channel_id}`), a person's
//! notifications (`/api/v1/sse/notifications`) and the admin dashboard
//! (`/api/v1/sse/dashboard`), as `text/event-stream`.
//!
//! Authentication as on the WebSocket: `Authorization: Bearer <token>`, or a `token` query
//! parameter for `EventSource`, which cannot set headers (the request log records paths
//! without their query, so the token is never logged). Failures before the stream starts are
//! ordinary JSON errors; once it has started, the stream ends with an `end` event saying why
//! when that helps the client (token expired, access lost, server trouble).

mod activity_stream;
mod dashboard_stream;
mod notifications_stream;
mod stream;

pub use activity_stream::ActivityReady;
pub use dashboard_stream::{
    DashboardMetricsEvent, HeartbeatEvent, LatencyResponse, ServerLoadResponse,
};
pub use notifications_stream::{NotificationsLost, NotificationsStreamReady};
pub use stream::StreamEnd;

use crate::caller;
use crate::error::Refused;
use crate::{ConnectionsPerUser, Drain, EventStreamSettings};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde::Serialize;
use tandem_api_types::ChannelFrame;
use tandem_api_types::errors::{ApiError, ErrorBody, ErrorCode};
use tandem_app::AppContext;
use tandem_app::admin;
use tandem_app::ports::{ConnectionKind, OpenConnection};
use tandem_app::realtime::{ChannelFeed, PersonalFeed};
use tandem_domain::ChannelId;
use utoipa::{IntoParams, ToSchema};

/// The header an `EventSource` sends when it reconnects: the `id` of the last event it got.
const LAST_EVENT_ID: &str = "last-event-id";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// An access token, for clients that cannot send `Authorization` (`EventSource`). Never
    /// logged.
    pub token: Option<String>,
    /// Replay the channel's events after this seq before going live (a new `EventSource`
    /// resuming where an old one stopped). `Last-Event-ID` wins when both are sent.
    #[param(minimum = 0)]
    pub after_seq: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// An access token, for clients that cannot send `Authorization` (`EventSource`). Never
    /// logged.
    pub token: Option<String>,
}

/// The `data` of an activity stream's events (documentation of the stream's payloads): `ready`
/// first, then one stored change per event, named by its `type`, and `end` when the stream
/// closes for a reason the client can act on.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "describes the stream's payloads in the OpenAPI document only"
)]
pub enum ActivityEvent {
    Ready(ActivityReady),
    Change(Box<ChannelFrame>),
    End(StreamEnd),
}

/// The `data` of the dashboard stream's events (documentation of the stream's payloads).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "describes the stream's payloads in the OpenAPI document only"
)]
pub enum DashboardEvent {
    Metrics(DashboardMetricsEvent),
    Heartbeat(HeartbeatEvent),
    End(StreamEnd),
}

/// Stream a channel's activity: every stored change, in order, as it happens.
///
/// `GET /api/v1/sse/activity/{channel_id}`, for the channel's members and, for public
/// channels, anyone in the organization (who may read its history). Each change is an event
/// named by its type with `id: <seq>` and the WebSocket frame's JSON as data, e.g.
/// `event: chat_message` / `id: 5` / `data: {"type":"chat_message","seq":5,"message":{...}}`.
/// Types: `chat_message`, `message_edited`, `message_deleted`, `reaction_added`,
/// `reaction_removed`, `message_pinned`, `message_unpinned`, `member_joined`, `member_left`,
/// `channel_updated` (see the `ChannelFrame` schema). Typing and presence are not sent.
///
/// The first event is `ready` (`ActivityReady`), whose `id` is the seq events follow from.
/// An `EventSource` that reconnects sends `Last-Event-ID` and gets exactly the events after
/// it, then live ones; a new one can pass `?after_seq=`. A `: keep-alive` comment goes out
/// every 15 seconds. The stream ends when the access token expires (reconnect with a fresh
/// one and `after_seq`), and with an `end` event (`StreamEnd`) when the caller can no
/// longer read the channel. A client too slow to read is disconnected; it resumes the same
/// way.
#[utoipa::path(
    tag = "realtime",
    params(
        ("channel_id" = i64, Path),
        ActivityQuery,
        ("Last-Event-ID" = Option<i64>, Header, nullable = false, minimum = 0, description = "The `id` of the last event received: replay what came after it."),
    ),
    responses(
        (status = 200, description = "The event stream; each event's `data` is one of `ActivityEvent`: `ActivityReady` for `ready`, a `ChannelFrame` for a stored change, `StreamEnd` for `end`", content_type = "text/event-stream", body = ActivityEvent),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such channel for you", body = ErrorBody),
        (status = 422, description = "`Last-Event-ID` or `after_seq` is not a sequence number", body = ErrorBody),
        (status = 429, description = "`too_many_connections`: the caller holds as many sockets and streams as one person may", body = ErrorBody),
        (status = 503, description = "Real-time delivery is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/sse/activity/{channel_id}")]
pub async fn activity(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    settings: web::Data<EventStreamSettings>,
    drain: web::Data<Drain>,
    limits: web::Data<ConnectionsPerUser>,
    path: web::Path<i64>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, Refused> {
    let query = query.into_inner();
    let (caller, held, _) = admit(&req, &ctx, &drain, &limits, query.token).await?;
    let resume_after = resume_point(&req, query.after_seq)?;
    let actor = caller.actor();
    let opened = ChannelFeed::open(
        ctx.realtime.clone(),
        &caller,
        ChannelId::new(path.into_inner()),
        resume_after,
    )
    .await?;
    let settings = settings.get_ref().clone();
    let stats = ctx.realtime.stats.clone();
    let producer = activity_stream::ActivityStream {
        counted: OpenConnection::new(
            stats.clone(),
            actor.organization_id,
            ConnectionKind::EventStream,
        ),
        settings: settings.clone(),
        drain: drain.get_ref().clone(),
        _held: held,
        ready: ActivityReady {
            kind: "ready",
            channel_id: opened.channel.id.get(),
            seq: opened.channel.last_seq,
            user_id: actor.id.get(),
        },
    };
    Ok(stream::respond(&settings, stats, move |sink| {
        producer.run(sink, opened.feed)
    }))
}

/// The `data` of a notifications stream's events (documentation of the stream's payloads):
/// `ready` first, then the notifications socket's frames, each as an event named by its
/// `type`, and `end` when the stream closes for a reason the client can act on.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "describes the stream's payloads in the OpenAPI document only"
)]
pub enum NotificationsEvent {
    Ready(NotificationsStreamReady),
    Frame(Box<tandem_api_types::realtime::ServerFrame>),
    Lost(NotificationsLost),
    End(StreamEnd),
}

/// Stream your notifications: the same frames as the notifications socket, for clients that
/// prefer Server-Sent Events.
///
/// `GET /api/v1/sse/notifications`. First a `ready` event, then one event per frame, named
/// by its `type`: `notification` (one was stored for you), `notifications_read` (some were
/// read on any device: update badges), `mention`, `direct_message`, `channel_invite`,
/// `unread_changed` and `presence`; `notifications_lost` when some were lost (refresh the
/// counts). The stream ends with an `end` event when the access token expires or is
/// revoked: reconnect with a fresh one.
#[utoipa::path(
    tag = "realtime",
    params(TokenQuery),
    responses(
        (status = 200, description = "The event stream; each event's `data` is one of `NotificationsEvent`", content_type = "text/event-stream", body = NotificationsEvent),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 429, description = "`too_many_connections`: the caller holds as many sockets and streams as one person may", body = ErrorBody),
        (status = 503, description = "Real-time delivery is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/sse/notifications")]
pub async fn notifications(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    settings: web::Data<EventStreamSettings>,
    drain: web::Data<Drain>,
    limits: web::Data<ConnectionsPerUser>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, Refused> {
    let (caller, held, _) = admit(&req, &ctx, &drain, &limits, query.into_inner().token).await?;
    let actor = caller.actor();
    let feed = PersonalFeed::open(&ctx.realtime, &caller, Some(actor.id)).await?;
    let settings = settings.get_ref().clone();
    let stats = ctx.realtime.stats.clone();
    let producer = notifications_stream::NotificationsStream {
        counted: OpenConnection::new(
            stats.clone(),
            actor.organization_id,
            ConnectionKind::EventStream,
        ),
        settings: settings.clone(),
        drain: drain.get_ref().clone(),
        _held: held,
        ready: NotificationsStreamReady {
            kind: "ready",
            user_id: actor.id.get(),
        },
    };
    Ok(stream::respond(&settings, stats, move |sink| {
        producer.run(sink, feed)
    }))
}

/// Stream live statistics of your organization (admins only).
///
/// `GET /api/v1/sse/dashboard`. A `metrics` event (`DashboardMetricsEvent`) at once and then
/// every 5 seconds (`realtime.dashboard_interval_ms`): active users, messages per minute,
/// active channels, open WebSocket connections and event streams, delivery latency
/// percentiles and the server's load. Connections, latency and load are those of the node
/// serving the stream. A `heartbeat` event (`HeartbeatEvent`) every 30 seconds. The caller is
/// authenticated again before every `metrics` event: the stream ends with an `end` event when
/// the token expires or is revoked or the caller is no longer an admin.
#[utoipa::path(
    tag = "realtime",
    params(TokenQuery),
    responses(
        (status = 200, description = "The event stream; each event's `data` is one of `DashboardEvent`: a `DashboardMetricsEvent` for `metrics`, a `HeartbeatEvent` for `heartbeat`, `StreamEnd` for `end`", content_type = "text/event-stream", body = DashboardEvent),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 429, description = "`too_many_connections`: the caller holds as many sockets and streams as one person may", body = ErrorBody),
        (status = 503, description = "Presence or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/sse/dashboard")]
pub async fn dashboard(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    settings: web::Data<EventStreamSettings>,
    drain: web::Data<Drain>,
    limits: web::Data<ConnectionsPerUser>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, Refused> {
    let (caller, held, token) =
        admit(&req, &ctx, &drain, &limits, query.into_inner().token).await?;
    let actor = caller.actor();
    let stats = ctx.realtime.stats.clone();
    // Counted before the first reading, so that reading includes this stream.
    let counted = OpenConnection::new(
        stats.clone(),
        actor.organization_id,
        ConnectionKind::EventStream,
    );
    let first = admin::dashboard_metrics(&ctx.admin, &actor).await?;
    let settings = settings.get_ref().clone();
    let producer = dashboard_stream::DashboardStream {
        ctx: ctx.into_inner(),
        settings: settings.clone(),
        drain: drain.get_ref().clone(),
        _held: held,
        token: token.unwrap_or_default(),
        counted,
        first,
    };
    Ok(stream::respond(&settings, stats, move |sink| {
        producer.run(sink)
    }))
}

/// Lets a stream open: on a node that is not shutting down, for a caller whose token
/// (`Authorization`, else the `token` parameter) is good, with a free place among their open
/// connections. Returns the caller, their place, and the token (the dashboard checks it again).
async fn admit(
    req: &HttpRequest,
    ctx: &AppContext,
    drain: &Drain,
    limits: &ConnectionsPerUser,
    query_token: Option<String>,
) -> Result<
    (
        tandem_app::auth::Authenticated,
        crate::limits::Held,
        Option<String>,
    ),
    Refused,
> {
    refuse_while_draining(drain)?;
    let token = caller::token(req, query_token);
    let caller = caller::authenticate(ctx, &token).await?;
    let held = hold(limits, &caller)?;
    Ok((caller, held, token.ok().flatten()))
}

/// A place among the caller's open connections.
fn hold(
    limits: &ConnectionsPerUser,
    caller: &tandem_app::auth::Authenticated,
) -> Result<crate::limits::Held, ApiError> {
    limits
        .open(caller.user.id)
        .ok_or_else(|| ApiError::new(ErrorCode::TooManyConnections, crate::limits::TOO_MANY))
}

/// A node that is shutting down opens no new stream: the client retries, and another node
/// answers.
fn refuse_while_draining(drain: &Drain) -> Result<(), ApiError> {
    if drain.is_draining() {
        return Err(ApiError::new(
            ErrorCode::ShuttingDown,
            crate::drain::SHUTTING_DOWN,
        ));
    }
    Ok(())
}

/// Where to resume: `Last-Event-ID` (an `EventSource` reconnecting), else `after_seq`.
fn resume_point(req: &HttpRequest, after_seq: Option<i64>) -> Result<Option<i64>, ApiError> {
    let invalid = |field: &str| {
        ApiError::field(
            field,
            "invalid_cursor",
            "must be 0 or the id of an event of this stream",
        )
    };
    let header = match req.headers().get(LAST_EVENT_ID) {
        None => None,
        Some(value) => {
            let text = value.to_str().map_err(|_| invalid("Last-Event-ID"))?.trim();
            // An empty header means "no event yet" to EventSource.
            if text.is_empty() {
                None
            } else {
                let seq = text.parse::<i64>().map_err(|_| invalid("Last-Event-ID"))?;
                Some(seq)
            }
        }
    };
    // Both are checked, though the header wins: a request is refused for what it says wrong,
    // whichever part would have been used.
    if header.is_some_and(|seq| seq < 0) {
        return Err(invalid("Last-Event-ID"));
    }
    if after_seq.is_some_and(|seq| seq < 0) {
        return Err(invalid("after_seq"));
    }
    Ok(header.or(after_seq))
}
