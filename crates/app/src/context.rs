//! The bundle of ports a use case may call, built once by the server.

use crate::ports::{
    ChannelRepository, Clock, EventBus, JobQueue, MessageRepository, MessageSearch, Notifier,
    OrganizationRepository, PasswordHasher, PresenceStore, RateLimiter, ReadinessProbe,
    RealtimeStats, SessionRepository, TokenDenylist, TokenService, UserRepository,
};
use std::sync::Arc;
use std::time::Duration;

/// Tunables of the authentication use cases, taken from settings.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// How long an access token lives; revocations are kept this long.
    pub access_token_ttl: Duration,
    /// How long a refresh token (a session) lives without being used.
    pub refresh_token_ttl: Duration,
    /// Failed logins for one account within `login_window` before further attempts wait.
    pub max_failures_per_account: u64,
    /// Failed logins from one address within `login_window` before further attempts wait.
    pub max_failures_per_address: u64,
    pub login_window: Duration,
    /// Whether a new organization lets people with its email domain join by registering.
    pub default_self_signup: bool,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_failures_per_account: 5,
            max_failures_per_address: 50,
            login_window: Duration::from_secs(15 * 60),
            default_self_signup: true,
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

#[derive(Clone)]
pub struct AppContext {
    pub users: Arc<dyn UserRepository>,
    pub organizations: Arc<dyn OrganizationRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub search: Arc<dyn MessageSearch>,
    /// Announces stored channel changes to live clients.
    pub notifier: Arc<dyn Notifier>,
    /// Carries serialized frames to every node's live connections.
    pub bus: Arc<dyn EventBus>,
    /// Who is connected.
    pub presence: Arc<dyn PresenceStore>,
    /// This node's live connections and delivery latency (the admin dashboard).
    pub stats: Arc<dyn RealtimeStats>,
    pub tokens: Arc<dyn TokenService>,
    pub denylist: Arc<dyn TokenDenylist>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub clock: Arc<dyn Clock>,
    /// Everything `/readyz` must find reachable (database, Redis).
    pub probes: Vec<Arc<dyn ReadinessProbe>>,
    /// Durable background work (image processing, blob clean-up), run by the job workers.
    pub jobs: Arc<dyn JobQueue>,
    /// Records of shared files.
    pub files: Arc<dyn crate::ports::FileRepository>,
    /// The bytes of shared files (local directory, S3, memory).
    pub blobs: Arc<dyn crate::ports::BlobStore>,
    /// Thumbnails and web versions of images, without their metadata.
    pub images: Arc<dyn crate::ports::ImageProcessor>,
    pub auth_policy: AuthPolicy,
    pub chat_policy: ChatPolicy,
    pub job_policy: JobPolicy,
    pub files_policy: FilesPolicy,
}
