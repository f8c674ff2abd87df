//! A person's own feed, for the notifications socket: their personal notifications (mentions,
//! direct messages, invitations, unread counts) and their organization's presence changes.
//! Nobody else's: a caller opens only their own, and it ends with their session.

use super::session::SessionWatch;
use super::{Envelope, FeedEnd};
use crate::RealtimeContext;
use crate::auth::Authenticated;
use crate::channels::ChatError;
use crate::ports::{Delivery, Subscription, Topic};
use tandem_domain::UserId;

/// What a personal feed yields.
#[derive(Debug)]
pub enum PersonalItem {
    /// A notification or a presence change.
    Frame(Envelope),
    /// Some were lost (the bus lagged or reconnected): the client should refresh its unread
    /// counts.
    Lost,
}

/// A personal feed in progress.
pub struct PersonalFeed {
    personal: Subscription,
    organization: Subscription,
    session: SessionWatch,
}

impl PersonalFeed {
    /// Opens `owner`'s feed for `caller`, who must be them.
    ///
    /// # Errors
    /// `Forbidden` for someone else's feed, `Port` when the bus cannot be reached.
    pub async fn open(
        ctx: &RealtimeContext,
        caller: &Authenticated,
        owner: Option<UserId>,
    ) -> Result<Self, ChatError> {
        let user = &caller.user;
        if owner != Some(user.id) {
            return Err(ChatError::Forbidden(
                "you can open only your own notifications".to_owned(),
            ));
        }
        let personal = ctx.bus.subscribe(&Topic::User(user.id)).await?;
        let organization = ctx
            .bus
            .subscribe(&Topic::Organization(user.organization_id))
            .await?;
        let session = SessionWatch::start(ctx, caller).await?;
        Ok(Self {
            personal,
            organization,
            session,
        })
    }

    /// The next item. Cancel-safe.
    ///
    /// # Errors
    /// `Unavailable` once the bus has shut down, `SessionEnded` when the caller's session did.
    pub async fn next(&mut self) -> Result<PersonalItem, FeedEnd> {
        loop {
            let delivery = tokio::select! {
                delivery = self.personal.recv() => delivery,
                delivery = self.organization.recv() => delivery,
                end = self.session.ended() => return Err(end),
            };
            match delivery.ok_or(FeedEnd::Unavailable)? {
                Delivery::Payload(bytes) => {
                    if let Some(envelope) = Envelope::open(bytes) {
                        return Ok(PersonalItem::Frame(envelope));
                    }
                }
                Delivery::Lagged { .. } => return Ok(PersonalItem::Lost),
            }
        }
    }
}
