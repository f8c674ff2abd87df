//! Tandem's domain: entities, value objects and the permission rules over them.
//!
//! Nothing here performs IO or knows about frameworks; every type that crosses a boundary is
//! parsed once (`Email::parse`, `Username::parse`, ...) and trusted afterwards.

pub mod access_token;
pub mod attachment;
pub mod channel;
pub mod event;
pub mod file;
pub mod ids;
pub mod message;
pub mod notification;
pub mod organization;
pub mod outgoing;
pub mod password;
pub mod permissions;
pub mod slash;
pub mod sso;
pub mod text;
pub mod user;
pub mod webhook;

pub use access_token::{AccessToken, TokenName, TokenScope};
pub use attachment::Attachment;
pub use channel::{
    Channel, ChannelAccess, ChannelAction, ChannelDenied, ChannelDescription, ChannelKind,
    ChannelName, ChannelRole, Membership, Sanction, Standing,
};
pub use event::{ChannelEvent, ChannelEventKind};
pub use file::{
    Disposition, FileKind, FileName, FileNameError, FilePolicy, FileRefusal, ImageFormat, Sniffed,
    sniff,
};
pub use ids::{
    AccessTokenId, ChannelId, DeliveryId, FileId, IncomingWebhookId, MessageId, OrganizationId,
    OutgoingWebhookId, ReportId, SlashCommandId, SsoProviderId, UserId,
};
pub use message::{
    ClientMsgId, Emoji, Mention, MentionTargets, Message, MessageBody, MessageReport, MessageType,
    Reaction, ReportReason, ReportStatus,
};
pub use notification::{
    EmailDigest, Language, MemberPreferences, NotificationKind, NotificationSettings, NotifyLevel,
    QuietHours, Recipient,
};
pub use organization::{
    EmailDomain, Organization, OrganizationName, SubscriptionPlan, TwoFactorPolicy,
};
pub use outgoing::{Delivery, DeliveryStatus, EndpointUrl, OutgoingWebhook, trigger_word};
pub use password::{Password, PasswordError};
pub use permissions::{Actor, Denied};
pub use slash::{BUILT_IN_COMMANDS, CommandTrigger, SlashCommand, invocation};
pub use sso::{ClientId, IssuerUrl, ProviderLabel, SsoProvider};
pub use user::{DisplayName, Email, ProfilePicture, Role, User, UserStatus, Username};
pub use webhook::{HookAttachment, HookField, HookName, IncomingWebhook, hook_message};

/// Why a piece of user input was refused. `code` is stable and machine readable; `message`
/// is written for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidInput {
    pub code: &'static str,
    pub message: String,
}

impl InvalidInput {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
