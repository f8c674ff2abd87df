//! A person's own feed, for the notifications socket: their personal notifications (mentions,
//! direct messages, invitations, unread counts) and their organization's presence changes.
//! Nobody else's: a caller opens only their own.

use super::Envelope;
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
        Ok(Self {
            personal,
            organization,
        })
    }

    /// The next item; `None` once the bus has shut down. Cancel-safe.
    pub async fn next(&mut self) -> Option<PersonalItem> {
        loop {
            let delivery = tokio::select! {
                delivery = self.personal.recv() => delivery,
                delivery = self.organization.recv() => delivery,
            };
            match delivery? {
                Delivery::Payload(bytes) => {
                    if let Some(envelope) = Envelope::open(bytes) {
                        return Some(PersonalItem::Frame(envelope));
                    }
                }
                Delivery::Lagged { .. } => return Some(PersonalItem::Lost),
            }
        }
    }
}
