//! WebSockets: a channel's socket ([`chat`]) and the personal notifications socket
//! ([`notifications`]), on the real-time core. Failures to open close the socket with a code
//! from [`close`] and a reason a person can read.

mod chat;
mod commands;
mod notifications;

use crate::caller::{self, Refusal};
use crate::drain::SHUTTING_DOWN;
use crate::limits::{Held, TOO_MANY};
use crate::{ConnectionsPerUser, Drain, GatewaySettings};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Session};
use serde::Deserialize;
use tandem_app::AppContext;
use tandem_app::channels::ChatError;
use tandem_app::realtime::{ChannelFeed, PersonalFeed};
use tandem_domain::{ChannelId, UserId};

/// Close codes of the protocol (4000–4999 are the application's).
pub mod close {
    pub const UNAUTHENTICATED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const NOT_FOUND: u16 = 4404;
    pub const SLOW_CONSUMER: u16 = 4408;
    pub const HEARTBEAT_TIMEOUT: u16 = 4410;
    pub const TOO_MANY_CONNECTIONS: u16 = 4429;
    pub const UNAVAILABLE: u16 = 4503;
}

#[derive(Debug, Deserialize)]
struct ConnectQuery {
    token: Option<String>,
    after_seq: Option<i64>,
}

fn connect_query(req: &HttpRequest) -> Option<ConnectQuery> {
    web::Query::<ConnectQuery>::from_query(req.query_string())
        .ok()
        .map(web::Query::into_inner)
}

/// `GET /api/v1/ws/chat/{channel_id}`: a channel's socket.
pub(crate) async fn chat(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
    settings: web::Data<GatewaySettings>,
    drain: web::Data<Drain>,
    limits: web::Data<ConnectionsPerUser>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let Some(session) = unless_draining(&drain, session) else {
        return Ok(response);
    };
    let query = connect_query(&req);
    let after_seq = query.as_ref().and_then(|q| q.after_seq);
    let token = caller::token(&req, query.and_then(|q| q.token));
    let channel_id = path.into_inner().parse::<i64>().ok().map(ChannelId::new);
    let (ctx, settings) = (ctx.into_inner(), settings.into_inner());
    actix_web::rt::spawn(async move {
        let opened = open_chat(&ctx, token, channel_id, after_seq)
            .await
            .and_then(|(caller, opened)| {
                let held = hold(&limits, caller.user.id)?;
                Ok((caller, opened, held))
            });
        match opened {
            Ok((caller, opened, _held)) => {
                chat::ChatSession::new(ctx, settings, caller, opened)
                    .run(session, stream, drain.watch())
                    .await;
            }
            Err(refusal) => refuse(session, refusal).await,
        }
    });
    Ok(response)
}

/// While the node shuts down, closes a new socket at once (4503) and gives `None`.
fn unless_draining(drain: &Drain, session: Session) -> Option<Session> {
    if !drain.is_draining() {
        return Some(session);
    }
    actix_web::rt::spawn(refuse(
        session,
        (close::UNAVAILABLE, SHUTTING_DOWN.to_owned()),
    ));
    None
}

/// A place among `user`'s open connections, or the refusal of one too many (4429).
fn hold(limits: &ConnectionsPerUser, user: UserId) -> Result<Held, Refusal> {
    limits
        .open(user)
        .ok_or((close::TOO_MANY_CONNECTIONS, TOO_MANY.to_owned()))
}

/// Authenticates and opens the channel's feed (subscribed before the channel's `seq` is read,
/// so nothing falls between the two).
async fn open_chat(
    ctx: &std::sync::Arc<AppContext>,
    token: caller::Token,
    channel_id: Option<ChannelId>,
    after_seq: Option<i64>,
) -> Result<
    (
        tandem_app::auth::Authenticated,
        tandem_app::realtime::OpenedFeed,
    ),
    Refusal,
> {
    let caller = caller::authenticate(ctx, &token)
        .await
        .map_err(|error| caller::refused(&error))?;
    let channel_id = channel_id.ok_or((close::NOT_FOUND, "no such channel".to_owned()))?;
    let opened = ChannelFeed::open(ctx.realtime.clone(), &caller, channel_id, after_seq)
        .await
        .map_err(|error| match error {
            ChatError::NotFound(_) => (close::NOT_FOUND, "no such channel".to_owned()),
            ChatError::Invalid { .. } => {
                (close::FORBIDDEN, "after_seq must be 0 or more".to_owned())
            }
            ChatError::Port(_) => (
                close::UNAVAILABLE,
                "real-time delivery is unavailable; retry shortly".to_owned(),
            ),
            other => (close::FORBIDDEN, other.to_string()),
        })?;
    Ok((caller, opened))
}

/// `GET /api/v1/ws/notifications/{user_id}`: the caller's own notifications.
pub(crate) async fn notifications(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    ctx: web::Data<AppContext>,
    settings: web::Data<GatewaySettings>,
    drain: web::Data<Drain>,
    limits: web::Data<ConnectionsPerUser>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let Some(session) = unless_draining(&drain, session) else {
        return Ok(response);
    };
    let token = caller::token(&req, connect_query(&req).and_then(|q| q.token));
    let owner = path.into_inner().parse::<i64>().ok().map(UserId::new);
    let (ctx, settings) = (ctx.into_inner(), settings.into_inner());
    actix_web::rt::spawn(async move {
        let opened = async {
            let caller = caller::authenticate(&ctx, &token)
                .await
                .map_err(|error| caller::refused(&error))?;
            let feed = PersonalFeed::open(&ctx.realtime, &caller, owner)
                .await
                .map_err(refusal)?;
            let held = hold(&limits, caller.user.id)?;
            Ok::<_, Refusal>((caller, feed, held))
        };
        match opened.await {
            Ok((caller, feed, _held)) => {
                notifications::NotificationSession {
                    ctx,
                    settings,
                    caller,
                }
                .run(session, stream, feed, drain.watch())
                .await;
            }
            Err(refusal) => refuse(session, refusal).await,
        }
    });
    Ok(response)
}

/// The close of a socket whose feed could not be opened.
fn refusal(error: ChatError) -> Refusal {
    match error {
        ChatError::NotFound(_) => (close::NOT_FOUND, "no such channel".to_owned()),
        ChatError::Invalid { .. } => (close::FORBIDDEN, "after_seq must be 0 or more".to_owned()),
        ChatError::Port(_) => (
            close::UNAVAILABLE,
            "real-time delivery is unavailable; retry shortly".to_owned(),
        ),
        other => (close::FORBIDDEN, other.to_string()),
    }
}

async fn refuse(session: Session, (code, reason): Refusal) {
    let _ = session
        .close(Some(CloseReason {
            code: CloseCode::Other(code),
            description: Some(reason),
        }))
        .await;
}
