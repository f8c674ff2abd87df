//! Presence from live connections: a person is online while at least one of their
//! connections (sockets, on any node) lives. The first connection announces them online to
//! their organization, the last one's end announces them offline, and heartbeats keep a
//! connection alive in the presence store (a node that dies takes its connections with it
//! when their time runs out).

use crate::RealtimeContext;
use std::time::Duration;
use tandem_domain::User;

/// One live connection, counted for presence while it lives. End it with [`Self::end`].
pub struct PresenceConnection {
    user: User,
    id: String,
    ttl: Duration,
}

impl PresenceConnection {
    /// Records a new connection of `user`, alive for `ttl` without a heartbeat, and announces
    /// them online when it is their first. A presence store that cannot be reached is logged:
    /// the connection works, presence is just not told.
    pub async fn start(ctx: &RealtimeContext, user: &User, ttl: Duration) -> Self {
        let connection = Self {
            user: user.clone(),
            id: uuid_like(),
            ttl,
        };
        match ctx
            .presence
            .connect(user.id, user.organization_id, &connection.id, ttl)
            .await
        {
            Ok(true) => ctx.announcer.presence_changed(user, true).await,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "presence unavailable"),
        }
        connection
    }

    /// Keeps the connection alive another `ttl`; records it again when it had expired
    /// meanwhile (a long pause of this node, a presence store that restarted).
    pub async fn heartbeat(&self, ctx: &RealtimeContext) {
        let (user, presence) = (&self.user, &ctx.presence);
        if let Ok(false) = presence.heartbeat(user.id, &self.id, self.ttl).await {
            let _ = presence
                .connect(user.id, user.organization_id, &self.id, self.ttl)
                .await;
        }
    }

    /// Forgets the connection, and announces its owner offline when it was their last.
    pub async fn end(self, ctx: &RealtimeContext) {
        match ctx.presence.disconnect(self.user.id, &self.id).await {
            Ok(true) => ctx.announcer.presence_changed(&self.user, false).await,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "presence unavailable"),
        }
    }
}

/// A connection id unique per user: 128 random bits in hex.
fn uuid_like() -> String {
    format!("{:032x}", rand::random::<u128>())
}
