//! A live connection lasts as long as the session behind it: it ends when its access token
//! expires, and as soon as that session ends on any node (logout ends the token's session;
//! a password change and a deactivation end them all). Both feeds watch for it, so WebSocket
//! and SSE connections close alike.

use super::FeedEnd;
use crate::RealtimeContext;
use crate::auth::Authenticated;
use crate::ports::{Delivery, PortError, Subscription, Topic};
use std::pin::Pin;
use tokio::time::Sleep;

/// What [`crate::realtime::Announcer::sessions_ended`] says to end every session of a user.
pub(crate) const ALL_SESSIONS: &str = "*";

/// Watches one connection's session.
pub(crate) struct SessionWatch {
    ended: Subscription,
    token_id: String,
    /// One timer for the connection's life, not one per wait: `ended` runs in the feed's
    /// loop, once per frame passed on.
    expiry: Pin<Box<Sleep>>,
}

impl SessionWatch {
    /// Starts watching `caller`'s session.
    ///
    /// # Errors
    /// `Unavailable` when the bus cannot be reached.
    pub(crate) async fn start(
        ctx: &RealtimeContext,
        caller: &Authenticated,
    ) -> Result<Self, PortError> {
        let ended = ctx.bus.subscribe(&Topic::Sessions(caller.user.id)).await?;
        let left = (caller.expires_at - ctx.auth.clock.now())
            .to_std()
            .unwrap_or_default();
        Ok(Self {
            ended,
            token_id: caller.token_id.clone(),
            expiry: Box::pin(tokio::time::sleep(left)),
        })
    }

    /// Resolves when the session has ended (or the bus shut down). Cancel-safe.
    pub(crate) async fn ended(&mut self) -> FeedEnd {
        loop {
            tokio::select! {
                () = self.expiry.as_mut() => return FeedEnd::SessionEnded,
                delivery = self.ended.recv() => match delivery {
                    None => return FeedEnd::Unavailable,
                    Some(Delivery::Payload(bytes)) => {
                        let ends_this = super::Envelope::open(bytes)
                            .is_some_and(|e| e.text() == ALL_SESSIONS || e.text() == self.token_id);
                        if ends_this {
                            return FeedEnd::SessionEnded;
                        }
                    }
                    // A lost announcement: the next request with this token is refused anyway
                    // (the denylist), and the token's expiry still ends the connection.
                    Some(Delivery::Lagged { .. }) => {}
                },
            }
        }
    }
}
