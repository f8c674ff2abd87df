//! The contexts the use cases run in: one per area (accounts, people, chat, files,
//! notifications, real time, administration, background jobs), each holding only the ports and tunables its use cases
//! use. The server builds them all at once from one set of [`Ports`] ([`AppContext::new`]);
//! an adapter hands each use case its area's context (`&ctx.chat`, `&ctx.auth`, ...).

use crate::integrations::{DeliveryPolicy, EventSubscriptions};
use crate::ports::{
    AccessTokenRepository, BlobStore, ChannelRepository, Clock, EventBus, FileRepository,
    FrameEncoder, IdentityRepository, ImageProcessor, IncomingWebhookRepository, JobQueue,
    MailOutbox, Mailer, MessageRepository, MessageSearch, NotificationRepository, OneTimeCodes,
    OpenIdConnect, OrganizationRepository, PasswordHasher, PresenceStore, RateLimiter,
    RealtimeStats, SecretBox, SessionRepository, SsoRepository, TokenDenylist, TokenService,
    UserRepository,
};
use crate::ports::{OutboundHttp, OutgoingWebhookRepository, SlashCommandRepository};
use crate::realtime::Announcer;
use std::sync::Arc;
use std::time::Duration;

/// Tunables of the authentication use cases, taken from settings.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// How long an access token lives; revocations are kept this long.
    pub access_token_ttl: Duration,
    /// How long a refresh token (a session) lives without being used.
    pub refresh_token_ttl: Duration,
    /// Failed logins for one account from one address within `login_window` before further
    /// attempts from that address wait (also: failed checks of the current password when
    /// changing it).
    pub max_failures_per_account: u64,
    /// Failed logins for one account from all addresses together within `login_window` before
    /// every attempt waits: guessing spread over many addresses.
    pub max_failures_per_account_total: u64,
    /// Failed logins from one address within `login_window` before further attempts wait.
    pub max_failures_per_address: u64,
    pub login_window: Duration,
    /// Sign-up attempts from one address within `registration_window` before further ones
    /// wait.
    pub max_registrations_per_address: u64,
    pub registration_window: Duration,
    /// Whether a new organization lets people with its email domain join by registering.
    pub default_self_signup: bool,
    /// The web app's address, for links in account emails.
    pub base_url: String,
    /// How long the link emailed to an owner whose account was paused by failed logins works.
    pub unlock_link_ttl: Duration,
    /// Whether joining an organization by email domain waits for a proven address, and an
    /// organization claims its founder's domain only once that address is proven. Turning it
    /// off lets anyone who types an address at a domain join (or found) its organization.
    pub require_email_verification: bool,
    /// The domains an organization may claim for sign-ups (lower case; `*.example.com` covers
    /// subdomains). `None`: any domain but public mail providers'.
    pub claimable_domains: Option<Vec<String>>,
    /// How long an emailed address-confirmation link works.
    pub verification_link_ttl: Duration,
    /// How long an emailed password-reset link works.
    pub reset_link_ttl: Duration,
    /// How long an invitation works.
    pub invitation_ttl: Duration,
    /// Account emails (confirmations, resets) one address may be sent per `email_window`,
    /// so nobody can flood someone's inbox through Tandem.
    pub max_account_emails_per_address: u64,
    pub email_window: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_failures_per_account: 5,
            max_failures_per_account_total: 50,
            max_failures_per_address: 50,
            login_window: Duration::from_secs(15 * 60),
            max_registrations_per_address: 20,
            registration_window: Duration::from_secs(3600),
            default_self_signup: true,
            base_url: "http://127.0.0.1:8080".to_owned(),
            unlock_link_ttl: Duration::from_secs(30 * 60),
            require_email_verification: true,
            claimable_domains: None,
            verification_link_ttl: Duration::from_secs(48 * 3600),
            reset_link_ttl: Duration::from_secs(30 * 60),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            max_account_emails_per_address: 5,
            email_window: Duration::from_secs(3600),
        }
    }
}

/// Tunables of the chat use cases, taken from settings.
#[derive(Debug, Clone)]
pub struct ChatPolicy {
    /// The longest message, in characters.
    pub max_message_chars: usize,
    /// Messages one person may send per `message_window` (REST and WebSocket together).
    pub max_messages_per_window: u64,
    pub message_window: Duration,
}

impl Default for ChatPolicy {
    fn default() -> Self {
        Self {
            max_message_chars: tandem_domain::MessageBody::DEFAULT_MAX_CHARS,
            max_messages_per_window: 60,
            message_window: Duration::from_secs(10),
        }
    }
}

/// Tunables of the background job workers, taken from settings.
#[derive(Debug, Clone)]
pub struct JobPolicy {
    /// Worker loops per node (each runs one job at a time).
    pub workers: usize,
    /// How long an idle worker waits before looking for due jobs again.
    pub poll_interval: Duration,
    /// How long a claimed job is a worker's; a job still running after this may run again.
    pub lease: Duration,
    /// Runs a job gets before it is declared dead; stamped on each job when it is enqueued.
    pub max_attempts: u32,
    /// The first retry's delay; each further retry doubles it, up to an hour.
    pub backoff_base: Duration,
}

impl Default for JobPolicy {
    fn default() -> Self {
        Self {
            workers: 1,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(5 * 60),
            max_attempts: 8,
            backoff_base: Duration::from_secs(5),
        }
    }
}

/// Tunables of file sharing, taken from settings.
#[derive(Debug, Clone)]
pub struct FilesPolicy {
    /// The largest file accepted; an upload stops with 413 as soon as it passes this.
    pub max_file_bytes: u64,
    /// Bytes of live files one person may keep.
    pub user_quota_bytes: u64,
    /// Files one person may upload per `upload_window`.
    pub uploads_per_window: u64,
    pub upload_window: Duration,
    /// Which sniffed types are accepted, and which are shown inline.
    pub accept: tandem_domain::FilePolicy,
    /// The image job's sizes and its decompression-bomb guard.
    pub image: crate::ports::ImageLimits,
    /// Larger images are not processed: they stay plain attachments.
    pub max_image_bytes: u64,
    /// Uploads never shared in a message are removed after this long...
    pub orphan_grace: Duration,
    /// ...by a sweep this often, on the nodes that run job workers.
    pub sweep_interval: Duration,
    /// When set, downloads answer with a redirect to a URL of the blob store valid this long
    /// (S3), after the same authorization.
    pub presigned_downloads: Option<Duration>,
}

impl Default for FilesPolicy {
    fn default() -> Self {
        Self {
            max_file_bytes: 100 * 1024 * 1024,
            user_quota_bytes: 10 * 1024 * 1024 * 1024,
            uploads_per_window: 60,
            upload_window: Duration::from_secs(60),
            accept: tandem_domain::FilePolicy::default(),
            image: crate::ports::ImageLimits {
                max_dimension: 2048,
                thumbnail_dimension: 360,
                max_pixels: 50_000_000,
            },
            max_image_bytes: 50 * 1024 * 1024,
            orphan_grace: Duration::from_secs(24 * 3600),
            sweep_interval: Duration::from_secs(600),
            presigned_downloads: None,
        }
    }
}

/// Tunables of notifications and email, taken from settings.
#[derive(Debug, Clone)]
pub struct NotificationPolicy {
    /// Read notifications are removed this long after they were read.
    pub retention: Duration,
    /// How often a node with job workers looks for emails that have come due (and prunes).
    pub sweep_interval: Duration,
    /// The web app's address, for links in emails (`https://chat.example.com`).
    pub base_url: String,
    /// How much of a message a notification quotes, in characters.
    pub excerpt_chars: usize,
    /// People whose pending emails one page of a sweep reads.
    pub sweep_batch: u64,
    /// Tries of one email before it is recorded as failed for good.
    pub max_mail_attempts: u32,
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(90 * 24 * 3600),
            sweep_interval: Duration::from_secs(30),
            base_url: "http://127.0.0.1:8080".to_owned(),
            excerpt_chars: 200,
            sweep_batch: 200,
            max_mail_attempts: 8,
        }
    }
}

/// Every port, as the server wires them: adapters for storage, real time, security and files.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    /// Personal access tokens.
    pub access_tokens: Arc<dyn AccessTokenRepository>,
    /// Incoming webhooks.
    pub webhooks: Arc<dyn IncomingWebhookRepository>,
    /// Outgoing webhooks and their deliveries.
    pub outgoing: Arc<dyn OutgoingWebhookRepository>,
    pub outbound: Arc<dyn OutboundHttp>,
    /// Custom slash commands.
    pub commands: Arc<dyn SlashCommandRepository>,
    pub organizations: Arc<dyn OrganizationRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub search: Arc<dyn MessageSearch>,
    /// Carries serialized frames to every node's live connections.
    pub bus: Arc<dyn EventBus>,
    /// How frames read on the wire (JSON), for what the use cases publish on the bus.
    pub frames: Arc<dyn FrameEncoder>,
    /// Who is connected.
    pub presence: Arc<dyn PresenceStore>,
    /// This node's live connections and delivery latency (the admin dashboard).
    pub stats: Arc<dyn RealtimeStats>,
    pub tokens: Arc<dyn TokenService>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// Two-factor sign-in's one-time codes.
    pub codes: Arc<dyn OneTimeCodes>,
    pub clock: Arc<dyn Clock>,
    /// Durable background work (image processing, blob clean-up), run by the job workers.
    pub jobs: Arc<dyn JobQueue>,
    /// Records of shared files.
    pub files: Arc<dyn FileRepository>,
    /// The bytes of shared files (local directory, S3, memory).
    pub blobs: Arc<dyn BlobStore>,
    /// Thumbnails and web versions of images, without their metadata.
    pub images: Arc<dyn ImageProcessor>,
    /// The notification centre and notification preferences.
    pub notifications: Arc<dyn NotificationRepository>,
    /// Every email, and what became of it.
    pub outbox: Arc<dyn MailOutbox>,
    /// Hands emails to a mail server (or writes them to files).
    pub mailer: Arc<dyn Mailer>,
    /// Account links, invitations, domain claims, sessions.
    pub identity: Arc<dyn IdentityRepository>,
    /// Organizations' single sign-on providers and the sign-ins under way.
    pub sso: Arc<dyn SsoRepository>,
    /// Speaks OpenID Connect to those providers.
    pub oidc: Arc<dyn OpenIdConnect>,
    /// Seals the secrets the database keeps (the providers' client secrets).
    pub secrets: Arc<dyn SecretBox>,
}

/// The tunables of every area, from settings.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    pub auth: AuthPolicy,
    pub chat: ChatPolicy,
    pub jobs: JobPolicy,
    pub files: FilesPolicy,
    pub notifications: NotificationPolicy,
    pub delivery: DeliveryPolicy,
}

/// Accounts: registering, logging in and out, sessions, passwords, organizations, and turning
/// a bearer token into its caller.
#[derive(Clone)]
pub struct AuthContext {
    pub users: Arc<dyn UserRepository>,
    /// Personal access tokens.
    pub access_tokens: Arc<dyn AccessTokenRepository>,
    pub organizations: Arc<dyn OrganizationRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub tokens: Arc<dyn TokenService>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// Two-factor sign-in's one-time codes.
    pub codes: Arc<dyn OneTimeCodes>,
    pub clock: Arc<dyn Clock>,
    /// Ended sessions close their live connections on every node.
    pub announcer: Announcer,
    /// Account emails: stored in the outbox, sent by a job, in the person's language.
    pub outbox: Arc<dyn MailOutbox>,
    pub jobs: Arc<dyn JobQueue>,
    pub notifications: Arc<dyn NotificationRepository>,
    /// Account links, invitations, domain claims, sessions.
    pub identity: Arc<dyn IdentityRepository>,
    pub sso: Arc<dyn SsoRepository>,
    pub oidc: Arc<dyn OpenIdConnect>,
    pub secrets: Arc<dyn SecretBox>,
    /// An accepted invitation joins its channels as the inviter adds people.
    pub chat: Arc<ChatContext>,
    pub policy: AuthPolicy,
}

/// Integrations: incoming webhooks, which post as bots (bot accounts and personal access tokens
/// are the accounts' business).
#[derive(Clone)]
pub struct IntegrationsContext {
    /// A hook's bot is made and retired as any bot.
    pub auth: Arc<AuthContext>,
    /// A hook posts as any member does.
    pub chat: Arc<ChatContext>,
    pub webhooks: Arc<dyn IncomingWebhookRepository>,
    pub outgoing: Arc<dyn OutgoingWebhookRepository>,
    /// Deliveries go out through it, to addresses that may be reached only.
    pub outbound: Arc<dyn OutboundHttp>,
    pub commands: Arc<dyn SlashCommandRepository>,
    /// `/mute` and `/unmute` set the caller's channel preferences.
    pub notifications: Arc<NotificationsContext>,
    /// What the announcer offers changes to; forgotten when hooks change.
    pub subscriptions: Arc<EventSubscriptions>,
    pub delivery: DeliveryPolicy,
    pub clock: Arc<dyn Clock>,
}

/// People: the directory, profiles, roles, statuses, who is online.
#[derive(Clone)]
pub struct PeopleContext {
    /// Deactivating someone ends their sessions and deactivates their bots.
    pub auth: Arc<AuthContext>,
    /// Deactivating someone spares the bots of the hooks they made: those are their channels'.
    pub webhooks: Arc<dyn IncomingWebhookRepository>,
    pub users: Arc<dyn UserRepository>,
    pub presence: Arc<dyn PresenceStore>,
    pub clock: Arc<dyn Clock>,
}

/// Channels and messages: everything stored in a channel's log, and announcing it.
#[derive(Clone)]
pub struct ChatContext {
    pub users: Arc<dyn UserRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub search: Arc<dyn MessageSearch>,
    /// The uploads a message shares, and their clean-up when it is deleted.
    pub files: Arc<dyn FileRepository>,
    pub jobs: Arc<dyn JobQueue>,
    /// The message rate limit.
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// Whether a message needs notifying; reading a channel reads its notifications.
    pub notifications: Arc<dyn NotificationRepository>,
    pub clock: Arc<dyn Clock>,
    /// Tells live clients about stored changes and members about new messages.
    pub announcer: Announcer,
    pub policy: ChatPolicy,
}

/// File sharing: uploads, downloads, images, and sharing them in messages.
#[derive(Clone)]
pub struct FilesContext {
    /// Sharing uploads is sending a message.
    pub chat: Arc<ChatContext>,
    pub files: Arc<dyn FileRepository>,
    pub blobs: Arc<dyn BlobStore>,
    pub images: Arc<dyn ImageProcessor>,
    pub jobs: Arc<dyn JobQueue>,
    /// The upload rate limit.
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
    pub policy: FilesPolicy,
}

/// Real time: who may listen to what, the sequenced channel feed, presence and typing, for
/// the WebSocket and Server-Sent Events transports.
#[derive(Clone)]
pub struct RealtimeContext {
    /// Every connection starts by authenticating its caller.
    pub auth: Arc<AuthContext>,
    /// Channels, their access rules and their logs, which feeds catch up from.
    pub chat: Arc<ChatContext>,
    pub bus: Arc<dyn EventBus>,
    pub frames: Arc<dyn FrameEncoder>,
    pub presence: Arc<dyn PresenceStore>,
    pub stats: Arc<dyn RealtimeStats>,
    pub announcer: Announcer,
}

/// Notifications: the stored centre, preferences, and email (the jobs that create
/// notifications and send emails, and the sweep that decides when an email is due).
#[derive(Clone)]
pub struct NotificationsContext {
    pub notifications: Arc<dyn NotificationRepository>,
    pub users: Arc<dyn UserRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
    /// Who is online, for `@here`.
    pub presence: Arc<dyn PresenceStore>,
    pub outbox: Arc<dyn MailOutbox>,
    pub mailer: Arc<dyn Mailer>,
    pub jobs: Arc<dyn JobQueue>,
    pub clock: Arc<dyn Clock>,
    /// Live notifications on each person's notifications socket.
    pub announcer: Announcer,
    pub policy: NotificationPolicy,
}

/// Administration: the live dashboard.
#[derive(Clone)]
pub struct AdminContext {
    pub messages: Arc<dyn MessageRepository>,
    pub presence: Arc<dyn PresenceStore>,
    pub stats: Arc<dyn RealtimeStats>,
    pub clock: Arc<dyn Clock>,
}

/// The background job queue and its workers (each job kind's handler holds its own area's
/// context).
#[derive(Clone)]
pub struct JobsContext {
    pub jobs: Arc<dyn JobQueue>,
    pub clock: Arc<dyn Clock>,
    pub policy: JobPolicy,
}

/// Every area's context, built once by the server from its ports.
#[derive(Clone)]
pub struct AppContext {
    pub auth: Arc<AuthContext>,
    pub integrations: Arc<IntegrationsContext>,
    pub people: Arc<PeopleContext>,
    pub chat: Arc<ChatContext>,
    pub files: Arc<FilesContext>,
    pub realtime: Arc<RealtimeContext>,
    pub notifications: Arc<NotificationsContext>,
    pub admin: Arc<AdminContext>,
    pub jobs: Arc<JobsContext>,
}

impl AppContext {
    /// Hands each area the ports it uses.
    pub fn new(ports: Ports, policies: Policies) -> Self {
        let subscriptions = Arc::new(EventSubscriptions::new(
            ports.outgoing.clone(),
            ports.jobs.clone(),
            ports.clock.clone(),
        ));
        let announcer = Announcer::new(ports.bus.clone(), ports.frames.clone())
            .with_subscriptions(subscriptions.clone());
        let chat = Arc::new(ChatContext {
            users: ports.users.clone(),
            channels: ports.channels.clone(),
            messages: ports.messages.clone(),
            search: ports.search,
            files: ports.files.clone(),
            jobs: ports.jobs.clone(),
            rate_limiter: ports.rate_limiter.clone(),
            notifications: ports.notifications.clone(),
            clock: ports.clock.clone(),
            announcer: announcer.clone(),
            policy: policies.chat,
        });
        let auth = Arc::new(AuthContext {
            users: ports.users.clone(),
            access_tokens: ports.access_tokens,
            organizations: ports.organizations,
            sessions: ports.sessions,
            tokens: ports.tokens,
            denylist: ports.denylist,
            rate_limiter: ports.rate_limiter.clone(),
            hasher: ports.hasher,
            codes: ports.codes,
            clock: ports.clock.clone(),
            announcer: announcer.clone(),
            outbox: ports.outbox.clone(),
            jobs: ports.jobs.clone(),
            notifications: ports.notifications.clone(),
            identity: ports.identity,
            sso: ports.sso,
            oidc: ports.oidc,
            secrets: ports.secrets,
            chat: chat.clone(),
            policy: policies.auth,
        });
        let people = Arc::new(PeopleContext {
            auth: auth.clone(),
            webhooks: ports.webhooks.clone(),
            users: ports.users.clone(),
            presence: ports.presence.clone(),
            clock: ports.clock.clone(),
        });
        let notifications = Arc::new(NotificationsContext {
            notifications: ports.notifications.clone(),
            users: ports.users,
            channels: ports.channels,
            messages: ports.messages.clone(),
            presence: ports.presence.clone(),
            outbox: ports.outbox,
            mailer: ports.mailer,
            jobs: ports.jobs.clone(),
            clock: ports.clock.clone(),
            announcer: announcer.clone(),
            policy: policies.notifications,
        });
        let integrations = Arc::new(IntegrationsContext {
            auth: auth.clone(),
            chat: chat.clone(),
            webhooks: ports.webhooks,
            outgoing: ports.outgoing,
            outbound: ports.outbound,
            commands: ports.commands,
            notifications: notifications.clone(),
            subscriptions,
            delivery: policies.delivery,
            clock: ports.clock.clone(),
        });
        let files = Arc::new(FilesContext {
            chat: chat.clone(),
            files: ports.files,
            blobs: ports.blobs,
            images: ports.images,
            jobs: ports.jobs.clone(),
            rate_limiter: ports.rate_limiter,
            clock: ports.clock.clone(),
            policy: policies.files,
        });
        let realtime = Arc::new(RealtimeContext {
            auth: auth.clone(),
            chat: chat.clone(),
            bus: ports.bus,
            frames: ports.frames,
            presence: ports.presence.clone(),
            stats: ports.stats.clone(),
            announcer,
        });
        let admin = Arc::new(AdminContext {
            messages: ports.messages,
            presence: ports.presence,
            stats: ports.stats,
            clock: ports.clock.clone(),
        });
        let jobs = Arc::new(JobsContext {
            jobs: ports.jobs,
            clock: ports.clock,
            policy: policies.jobs,
        });
        Self {
            auth,
            integrations,
            people,
            chat,
            files,
            realtime,
            notifications,
            admin,
            jobs,
        }
    }
}
