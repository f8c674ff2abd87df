//! One id type per entity, so a user id can never be passed where an organization id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies an organization (a tenant).
    OrganizationId
);
id_type!(
    /// Identifies a channel (public, private or direct).
    ChannelId
);
id_type!(
    /// Identifies a message.
    MessageId
);
id_type!(
    /// Identifies a report of a message to the moderators.
    ReportId
);
id_type!(
    /// Identifies a shared file (an attachment, or an upload not yet attached).
    FileId
);
id_type!(
    /// Identifies an organization's single sign-on (OpenID Connect) provider.
    SsoProviderId
);
id_type!(
    /// Identifies a personal access token.
    AccessTokenId
);
id_type!(
    /// Identifies an incoming webhook.
    IncomingWebhookId
);
id_type!(
    /// Identifies an outgoing webhook (an event subscription).
    OutgoingWebhookId
);
id_type!(
    /// Identifies one delivery of an event to an outgoing webhook.
    DeliveryId
);
id_type!(
    /// Identifies a custom slash command.
    SlashCommandId
);
