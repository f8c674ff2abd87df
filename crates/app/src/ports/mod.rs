//! The ports: what the use cases need from the outside world, named by capability and
//! grouped in one file per area, as the contexts group them: accounts, chat, files, jobs,
//! notifications, real time, security, and the system (clock, rate limits, readiness).
//!
//! Each method documents what it returns on each failure. Adapters must honour these
//! contracts exactly; the contract suites of `tandem-testkit` check that they do.

mod access_tokens;
mod accounts;
mod chat;
mod files;
mod identity;
mod jobs;
mod notifications;
mod realtime;
mod security;
mod sso;
mod system;
mod webhooks;

pub use access_tokens::{AccessTokenRepository, NewAccessToken};
pub use accounts::{
    Credentials, NewOrganization, NewRefreshToken, NewUser, OrganizationRepository, ProfileChanges,
    RotateOutcome, SessionRepository, UserQuery, UserRepository,
};
pub use chat::{
    Activity, Appended, ChannelChanges, ChannelRepository, ChannelSummary, HistoryQuery,
    MemberChanges, MembershipChange, MembershipChanged, MessageRepository, MessageSearch,
    NewChannel, NewMessage, NewReport, SearchHit, SearchQuery,
};
pub use files::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, DownloadHeaders, EncodedImage,
    FileRepository, ImageError, ImageLimits, ImageOutcome, ImageProcessor, ImageState, NewFile,
    ProcessedImage, StoredFile,
};
pub use identity::{
    AccountLink, IdentityRepository, Invitation, InvitationStatus, LinkPurpose, NewAccountLink,
    NewInvitation, NewSession, SessionInfo, TwoFactorState,
};
pub use jobs::{ClaimedJob, Job, JobCounts, JobId, JobQueue};
pub use notifications::{
    EmailRecipient, MailError, MailId, MailOutbox, MailStatus, Mailer, NewNotification,
    NotificationQuery, NotificationRepository, NotificationSender, OutgoingMail, PendingEmails,
    ReadSelection, StoredMail, StoredNotification, UnreadCounts,
};
pub use realtime::{
    ChannelChange, ConnectionKind, Delivery, EventBus, FrameEncoder, LatencyPercentiles, NoStats,
    Notification, OpenConnection, PresenceStore, ProcessLoad, RealtimeStats, StatsSnapshot,
    Subscription, Topic,
};
pub use security::{
    AccessClaims, IssuedAccessToken, NewSecret, OneTimeCodes, PasswordHasher, Revocation,
    RevocationStore, Revoked, SecretBox, TokenDenylist, TokenError, TokenService,
    VerifiedAccessToken,
};
pub use sso::{
    AuthorizationRequest, ClientCredentials, IdentityClaims, NewSsoProvider, OidcError,
    OpenIdConnect, ProviderMetadata, SsoAttempt, SsoRepository,
};
pub use system::{
    Admission, Clock, Quota, RateLimiter, ReadinessProbe, RequestThrottle, SystemClock, WindowCount,
};
pub use webhooks::{
    Attempt, IncomingWebhookRepository, NewDelivery, NewIncomingWebhook, NewOutgoingWebhook,
    NewSlashCommand, OutboundError, OutboundHttp, OutboundReply, OutboundRequest,
    OutgoingWebhookRepository, PendingDelivery, SlashCommandRepository, Subscribers,
};

/// An error from any port. Adapters map their native errors into exactly these kinds.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// A uniqueness rule was violated; says which.
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The backing service (database, Redis) cannot be reached right now.
    #[error("{what} is unavailable")]
    Unavailable {
        what: &'static str,
        #[source]
        source: BoxError,
    },
    /// Anything else; a bug or a broken invariant. Logged, never shown to clients.
    #[error("unexpected failure: {0}")]
    Unexpected(#[source] BoxError),
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl PortError {
    pub fn unexpected(error: impl Into<BoxError>) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The unique fields a write may collide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    Email,
    Username,
    OrganizationDomain,
    /// A public or private channel's name within its organization, or a direct channel's
    /// member set.
    ChannelName,
    /// A user's pending report on a message.
    OpenReport,
}

impl std::fmt::Display for UniqueField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Email => "email",
            Self::Username => "username",
            Self::OrganizationDomain => "organization domain",
            Self::ChannelName => "channel name",
            Self::OpenReport => "open report",
        })
    }
}
