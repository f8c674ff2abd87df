//! The personal socket, `/api/v1/ws/notifications/{user_id}`: mentions, new direct messages,
//! invitations, unread-count changes, and the organization's presence changes, for its owner
//! only. It also keeps its owner "online" while open.

use super::close;
use crate::GatewaySettings;
use crate::drain::{SHUTTING_DOWN, Watch};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Instant;
use tandem_api_types::realtime::ServerFrame;
use tandem_app::AppContext;
use tandem_app::auth::Authenticated;
use tandem_app::ports::{ConnectionKind, OpenConnection};
use tandem_app::realtime::{FeedEnd, PersonalFeed, PersonalItem, PresenceConnection};

pub(super) struct NotificationSession {
    pub ctx: Arc<AppContext>,
    pub settings: Arc<GatewaySettings>,
    pub caller: Authenticated,
}

impl NotificationSession {
    pub async fn run(
        self,
        mut session: Session,
        stream: actix_ws::MessageStream,
        mut feed: PersonalFeed,
        mut draining: Watch,
    ) {
        let max = self.settings.max_frame_bytes;
        let mut frames = stream
            .max_frame_size(max)
            .aggregate_continuations()
            .max_continuation_size(max);
        let user = self.caller.user.clone();
        let realtime = self.ctx.realtime.clone();
        // Open connections on the dashboard count every socket, this one too.
        let _counted = OpenConnection::new(
            realtime.stats.clone(),
            user.organization_id,
            ConnectionKind::WebSocket,
        );
        let presence =
            PresenceConnection::start(&realtime, &user, self.settings.presence_ttl).await;
        let mut last_heard = Instant::now();
        let mut tick = tokio::time::interval(self.settings.heartbeat_interval);
        let mut code: Option<(u16, &str)> = None;
        if session
            .text(
                ServerFrame::NotificationsReady {
                    user_id: user.id.get(),
                }
                .to_json(),
            )
            .await
            .is_err()
        {
            code = Some((1000, ""));
        }
        while code.is_none() {
            let text = tokio::select! {
                item = feed.next() => match item {
                    Ok(item) => Some(forward(item)),
                    Err(FeedEnd::SessionEnded) => {
                        code = Some((close::UNAUTHENTICATED, "the access token expired or was revoked; reconnect with a fresh one"));
                        None
                    }
                    Err(_) => {
                        code = Some((close::UNAVAILABLE, "real-time delivery was interrupted; reconnect"));
                        None
                    }
                },
                frame = frames.next() => {
                    last_heard = Instant::now();
                    match frame {
                        Some(Ok(AggregatedMessage::Text(text))) => Some(answer(&text)),
                        // Keepalive clients expect their pings answered (RFC 6455, 5.5.2).
                        Some(Ok(AggregatedMessage::Ping(payload))) => {
                            if session.pong(&payload).await.is_err() {
                                code = Some((1000, ""));
                            }
                            None
                        }
                        Some(Ok(AggregatedMessage::Pong(_) | AggregatedMessage::Binary(_))) => None,
                        _ => { code = Some((1000, "")); None }
                    }
                }
                () = draining.started() => {
                    code = Some((close::UNAVAILABLE, SHUTTING_DOWN));
                    None
                }
                _ = tick.tick() => {
                    if last_heard.elapsed() > self.settings.client_timeout {
                        code = Some((close::HEARTBEAT_TIMEOUT, "no answer to pings; reconnect"));
                    } else if session.ping(b"tandem").await.is_err() {
                        code = Some((1000, ""));
                    }
                    presence.heartbeat(&realtime).await;
                    None
                }
            };
            if let Some(text) = text {
                // Few and small frames: a client too slow for these is gone.
                if tokio::time::timeout(self.settings.client_timeout, session.text(text))
                    .await
                    .map_or(true, |sent| sent.is_err())
                {
                    code = Some((close::SLOW_CONSUMER, "too slow; reconnect"));
                }
            }
        }
        presence.end(&realtime).await;
        let reason = code.filter(|(c, _)| *c != 1000).map(|(c, r)| CloseReason {
            code: CloseCode::Other(c),
            description: Some(r.to_owned()),
        });
        let _ = session.close(reason).await;
    }
}

/// The text of a frame; lost frames are reported so the client refreshes its counts.
fn forward(item: PersonalItem) -> String {
    match item {
        PersonalItem::Frame(envelope) => envelope.text().to_owned(),
        PersonalItem::Lost => ServerFrame::error(
            None,
            "notifications_lost",
            "some notifications were lost; refresh unread counts with GET /api/v1/channels",
        )
        .to_json(),
    }
}

/// This socket only listens; `ping` is answered, anything else explained.
fn answer(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.get("type").and_then(|t| t.as_str()) == Some("ping") => ServerFrame::Pong.to_json(),
        Ok(_) => ServerFrame::error(None, "unknown_frame_type", "the notifications socket only answers ping; post on the channel socket or the REST API").to_json(),
        Err(error) => ServerFrame::error(None, "malformed_frame", format!("not JSON: {error}")).to_json(),
    }
}
