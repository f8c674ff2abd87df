//! Tandem's real-time transports, thin layers over the core in [`tandem_app::realtime`]:
//!
//! - WebSockets ([`ws`]): `/api/v1/ws/chat/{channel_id}` (a channel's feed, typing, and
//!   commands: post, edit, delete, react) and `/api/v1/ws/notifications/{user_id}` (the
//!   caller's notifications and their organization's presence);
//! - Server-Sent Events ([`sse`]): `/api/v1/sse/activity/{channel_id}` (a channel's stored
//!   changes) and `/api/v1/sse/dashboard` (live figures for admins).
//!
//! They parse frames, write bytes and keep time; who may listen, order, gaps, presence and
//! typing are the core's rules, and errors use the API's one table of codes.
//!
//! Authentication: `Authorization: Bearer <token>`, or for browsers (which cannot set headers
//! on a WebSocket or an `EventSource`) a `token` query parameter, which is never logged.

pub mod asyncapi;
mod caller;
mod drain;
mod error;
mod limits;
pub mod sse;
pub mod ws;

use actix_web::web;
use std::time::Duration;

pub use drain::Drain;
pub use limits::ConnectionsPerUser;

/// The transports' settings.
#[derive(Debug, Clone, Default)]
pub struct RealtimeSettings {
    pub sockets: GatewaySettings,
    pub streams: EventStreamSettings,
    /// Started when the node shuts down: every connection then closes at once.
    pub drain: Drain,
    /// Sockets and event streams one person may hold open on this node.
    pub connections_per_user: ConnectionsPerUser,
}

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

/// The event streams' settings.
#[derive(Debug, Clone)]
pub struct EventStreamSettings {
    /// How often an idle stream sends a keep-alive comment.
    pub keep_alive: Duration,
    /// How often the dashboard sends its figures.
    pub dashboard_interval: Duration,
    /// How often the dashboard sends a heartbeat.
    pub dashboard_heartbeat: Duration,
    /// Events waiting for a slow client.
    pub queue: usize,
    /// How long a stream waits for a slow client to make room before it ends.
    pub slow_client_timeout: Duration,
    /// How long clients wait before reconnecting (`retry:`).
    pub retry: Duration,
}

impl Default for EventStreamSettings {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            dashboard_interval: Duration::from_secs(5),
            dashboard_heartbeat: Duration::from_secs(30),
            queue: 1024,
            slow_client_timeout: Duration::from_secs(10),
            retry: Duration::from_secs(2),
        }
    }
}

/// Registers the real-time routes and their settings. Call before the `/api/v1` REST scope,
/// which would otherwise claim these paths.
pub fn configure(cfg: &mut web::ServiceConfig, settings: RealtimeSettings) {
    cfg.app_data(web::Data::new(settings.sockets))
        .app_data(web::Data::new(settings.streams))
        .app_data(web::Data::new(settings.drain))
        .app_data(web::Data::new(settings.connections_per_user))
        .route("/api/v1/ws/chat/{channel_id}", web::get().to(ws::chat))
        .route(
            "/api/v1/ws/notifications/{user_id}",
            web::get().to(ws::notifications),
        )
        .service(sse::activity)
        .service(sse::notifications)
        .service(sse::dashboard);
}

/// The part of the OpenAPI document these routes add: the event streams (WebSockets are
/// described by the real-time protocol's own document, `openapi/realtime.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;

    #[derive(OpenApi)]
    #[openapi(
        paths(sse::activity, sse::notifications, sse::dashboard),
        components(schemas(
            sse::ActivityEvent,
            sse::ActivityReady,
            sse::NotificationsEvent,
            sse::NotificationsStreamReady,
            sse::NotificationsLost,
            sse::DashboardEvent,
            sse::HeartbeatEvent,
            sse::StreamEnd
        ))
    )]
    struct EventStreams;

    let mut document = EventStreams::openapi();
    tandem_api_types::realtime::channel_frames_as_sent(&mut document);
    document
}
