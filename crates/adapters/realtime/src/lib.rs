//! Tandem's real-time gateway: WebSocket sessions on `/api/v1/ws/chat/{channel_id}`, the wire
//! protocol ([`protocol`]), and the notifier that publishes stored changes to every node.
//!
//! Authentication: `Authorization: Bearer <token>`, or for browsers (which cannot set headers
//! on a WebSocket) a `token` query parameter, which is never logged. Failures close the socket
//! with a code from [`session::close`] and a reason a person can read.

mod commands;
mod encode;
mod notifications;
mod notifier;
pub mod protocol;
pub mod session;

pub use notifier::BusNotifier;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason};
use serde::Deserialize;
use session::{ChatSession, close};
use std::sync::Arc;
use std::time::Duration;
use tandem_app::AppContext;
use tandem_app::auth::{self, AuthError};
use tandem_app::channels::{self, ChatError};
use tandem_app::ports::Topic;
use tandem_domain::{ChannelAccess, ChannelId};

/// The gateway's settings.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// How often the server pings (and renews presence).
    pub heartbeat_interval: Duration,
    /// A connection silent this long (no frame, no pong) is closed.
    pub client_timeout: Duration,
    /// Largest accepted frame, in bytes.
    pub max_frame_bytes: usize,
    /// Frames waiting for a slow client before it is disconnected.
    pub outbound_queue: usize,
    /// How long "typing" lasts without a refresh.
    pub typing_ttl: Duration,
    /// How long a connection counts for presence without a heartbeat.
    pub presence_ttl: Duration,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_secs(15),
            client_timeout: Duration::from_secs(45),
            max_frame_bytes: 64 * 1024,
            outbound_queue: 1024,
            typing_ttl: Duration::from_secs(5),
            presence_ttl: Duration::from_secs(60),
        }
    }
}

/// Registers the WebSocket routes. Call before the `/api/v1` REST scope, which would
/// otherwise claim these paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/ws/chat/{channel_id}", web::get().to(chat));
    cfg.route(
        "/api/v1/ws/notifications/{user_id}",
        web::get().to(notifications_socket),
    );
}

#[derive(Debug, Deserialize)]
struct ConnectQuery {
    token: Option<String>,
    after_seq: Option<i64>,
}

async fn chat(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
    settings: web::Data<GatewaySettings>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let query = web::Query::<ConnectQuery>::from_query(req.query_string())
        .ok()
        .map(web::Query::into_inner);
    let token = bearer(&req).or_else(|| query.as_ref().and_then(|q| q.token.clone()));
    let after_seq = query.as_ref().and_then(|q| q.after_seq);
    let channel_id = path.into_inner().parse::<i64>().ok().map(ChannelId::new);
    let ctx = ctx.into_inner();
    let settings = settings.into_inner();
    actix_web::rt::spawn(async move {
        match open(&ctx, &settings, token, channel_id, after_seq).await {
            Ok((chat, subscription, current_seq)) => {
                chat.run(session, stream, subscription, current_seq, after_seq)
                    .await;
            }
            Err((code, reason)) => {
                let _ = session
                    .close(Some(CloseReason {
                        code: CloseCode::Other(code),
                        description: Some(reason),
                    }))
                    .await;
            }
        }
    });
    Ok(response)
}

type Refusal = (u16, String);

/// Authenticates, subscribes to the channel (before reading its `seq`, so nothing falls
/// between the two), and checks the caller may read it.
async fn open(
    ctx: &Arc<AppContext>,
    settings: &Arc<GatewaySettings>,
    token: Option<String>,
    channel_id: Option<ChannelId>,
    after_seq: Option<i64>,
) -> Result<(ChatSession, tandem_app::ports::Subscription, i64), Refusal> {
    let caller = authenticate(ctx, token).await?;
    let channel_id = channel_id.ok_or((close::NOT_FOUND, "no such channel".to_owned()))?;
    if after_seq.is_some_and(|s| s < 0) {
        return Err((close::FORBIDDEN, "after_seq must be 0 or more".to_owned()));
    }
    let subscription = ctx
        .bus
        .subscribe(&Topic::Channel(channel_id))
        .await
        .map_err(|_| {
            (
                close::UNAVAILABLE,
                "real-time delivery is unavailable; retry shortly".to_owned(),
            )
        })?;
    let actor = caller.actor();
    let (channel, membership) = channels::get_channel(ctx, &actor, channel_id)
        .await
        .map_err(|e| match e {
            ChatError::NotFound(_) => (close::NOT_FOUND, "no such channel".to_owned()),
            ChatError::Port(_) => (
                close::UNAVAILABLE,
                "the channel could not be read; retry shortly".to_owned(),
            ),
            other => (close::FORBIDDEN, other.to_string()),
        })?;
    let access = ChannelAccess {
        actor: &actor,
        channel: &channel,
        membership: membership.as_ref(),
        sanction: None,
        now: ctx.clock.now(),
    };
    let can_post = access.can_post().is_ok();
    let session = ChatSession {
        ctx: ctx.clone(),
        settings: settings.clone(),
        caller,
        channel_id,
        can_post,
    };
    Ok((session, subscription, channel.last_seq))
}

async fn notifications_socket(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
    settings: web::Data<GatewaySettings>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let query = web::Query::<ConnectQuery>::from_query(req.query_string())
        .ok()
        .map(web::Query::into_inner);
    let token = bearer(&req).or_else(|| query.and_then(|q| q.token));
    let owner = path.into_inner().parse::<i64>().ok();
    let (ctx, settings) = (ctx.into_inner(), settings.into_inner());
    actix_web::rt::spawn(async move {
        match open_notifications(&ctx, token, owner).await {
            Ok((caller, personal, organization)) => {
                notifications::NotificationSession {
                    ctx,
                    settings,
                    caller,
                }
                .run(session, stream, personal, organization)
                .await;
            }
            Err((code, reason)) => {
                let _ = session
                    .close(Some(CloseReason {
                        code: CloseCode::Other(code),
                        description: Some(reason),
                    }))
                    .await;
            }
        }
    });
    Ok(response)
}

async fn open_notifications(
    ctx: &Arc<AppContext>,
    token: Option<String>,
    owner: Option<i64>,
) -> Result<
    (
        tandem_app::auth::Authenticated,
        tandem_app::ports::Subscription,
        tandem_app::ports::Subscription,
    ),
    Refusal,
> {
    let caller = authenticate(ctx, token).await?;
    if owner != Some(caller.user.id.get()) {
        return Err((
            close::FORBIDDEN,
            "you can open only your own notifications".to_owned(),
        ));
    }
    let unavailable = |_| {
        (
            close::UNAVAILABLE,
            "real-time delivery is unavailable; retry shortly".to_owned(),
        )
    };
    let personal = ctx
        .bus
        .subscribe(&Topic::User(caller.user.id))
        .await
        .map_err(unavailable)?;
    let organization = ctx
        .bus
        .subscribe(&Topic::Organization(caller.user.organization_id))
        .await
        .map_err(unavailable)?;
    Ok((caller, personal, organization))
}

/// The caller behind a socket's token, or the close code and reason that refuse it.
async fn authenticate(
    ctx: &AppContext,
    token: Option<String>,
) -> Result<tandem_app::auth::Authenticated, Refusal> {
    let token = token.ok_or((
        close::UNAUTHENTICATED,
        "send an access token (Authorization header or ?token=)".to_owned(),
    ))?;
    auth::authenticate(ctx, &token).await.map_err(|e| match e {
        AuthError::Port(_) => (
            close::UNAVAILABLE,
            "authentication is unavailable; retry shortly".to_owned(),
        ),
        other => (close::UNAUTHENTICATED, other.to_string()),
    })
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}
