//! In-memory fakes of the ports, and a [`TestContext`] wiring them with the reference
//! [`MemoryStore`] into every area's context, for use-case tests. State sits behind plain
//! mutexes; time moves only when a test moves it.

mod bus;
mod frames;
mod jobs;
mod no_access_tokens;
mod no_files;
mod no_identity;
mod no_notifications;
mod no_sso;
mod no_webhooks;

pub use bus::{FakeBus, FakePresence};
pub use frames::PlainFrames;
pub use jobs::{FakeJobs, JobState};

use crate::memory::MemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, TimeDelta, TimeZone, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tandem_app::auth::{self, AuthSession, Authenticated, Register};
use tandem_app::ports::{
    AccessClaims, Clock, IssuedAccessToken, NewRefreshToken, PasswordHasher, PortError,
    RateLimiter, RotateOutcome, SessionRepository, TokenDenylist, TokenError, TokenService,
    VerifiedAccessToken, WindowCount,
};
use tandem_app::{AppContext, AuthPolicy, Policies, Ports};
use tandem_domain::{Email, OrganizationName, Password, UserId, Username};

type Time = DateTime<Utc>;
type Port<T> = Result<T, PortError>;

/// A password every policy accepts.
pub const PASSWORD: &str = "violet harbor kettle";

pub fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

pub fn signup(address: &str, username: &str, organization: Option<&str>) -> Register {
    Register {
        client_address: None,
        user_agent: None,
        email: email(address),
        username: Username::parse(username).unwrap(),
        password: PASSWORD.to_owned(),
        display_name: None,
        organization_name: organization.map(|name| OrganizationName::parse(name).unwrap()),
    }
}

/// The contexts under test plus handles to their fakes, to inspect their state and move time.
pub struct TestContext {
    pub ctx: AppContext,
    /// Organizations, users, channels, messages and file records.
    pub store: Arc<MemoryStore>,
    pub sessions: Arc<FakeSessions>,
    pub tokens: Arc<FakeTokens>,
    pub rate_limiter: Arc<FakeRateLimiter>,
    pub clock: Arc<FakeClock>,
    pub jobs: Arc<FakeJobs>,
    /// Everything published, by topic.
    pub bus: Arc<FakeBus>,
    pub presence: Arc<FakePresence>,
}

impl Default for TestContext {
    fn default() -> Self {
        Self::new()
    }
}

impl TestContext {
    /// Default policies, except that joining by email domain needs no proven address:
    /// these tests are about what people do once in (verification is tested black-box).
    pub fn new() -> Self {
        Self::with_policy(AuthPolicy::default())
    }

    /// `policy`, except that joining by email domain needs no proven address.
    pub fn with_policy(policy: AuthPolicy) -> Self {
        Self::with_policies(Policies {
            auth: policy,
            ..Policies::default()
        })
    }

    /// `policies`, except that joining by email domain needs no proven address.
    pub fn with_policies(mut policies: Policies) -> Self {
        policies.auth.require_email_verification = false;
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let clock = Arc::new(FakeClock(Mutex::new(start)));
        let store = Arc::new(MemoryStore::new());
        let sessions = Arc::<FakeSessions>::default();
        let ttl = TimeDelta::from_std(policies.auth.access_token_ttl).unwrap();
        let tokens = Clocked::new(&clock, (ttl, HashMap::new()));
        let rate_limiter = Clocked::new(&clock, HashMap::new());
        let jobs = Arc::new(FakeJobs::new(policies.jobs.max_attempts));
        let bus = Arc::new(FakeBus::default());
        let presence = Arc::new(FakePresence::default());
        let ports = Ports {
            users: store.clone(),
            access_tokens: Arc::new(no_access_tokens::NoAccessTokens),
            webhooks: Arc::new(no_webhooks::NoWebhooks),
            outgoing: Arc::new(no_webhooks::NoOutgoingWebhooks),
            outbound: Arc::new(no_webhooks::NoOutbound),
            commands: Arc::new(no_webhooks::NoSlashCommands),
            organizations: store.clone(),
            sessions: sessions.clone(),
            channels: store.clone(),
            messages: store.clone(),
            search: store.clone(),
            bus: bus.clone(),
            frames: Arc::new(PlainFrames),
            presence: presence.clone(),
            stats: Arc::new(tandem_app::ports::NoStats),
            tokens: tokens.clone(),
            denylist: Clocked::new(&clock, Revocations::default()),
            rate_limiter: rate_limiter.clone(),
            hasher: Arc::new(FakeHasher),
            codes: Arc::new(FakeCodes),
            clock: clock.clone(),
            jobs: jobs.clone(),
            files: store.clone(),
            blobs: Arc::new(no_files::NoFiles),
            images: Arc::new(no_files::NoFiles),
            notifications: Arc::new(no_notifications::NoNotifications),
            outbox: Arc::new(no_notifications::NoNotifications),
            mailer: Arc::new(no_notifications::NoNotifications),
            identity: Arc::new(no_identity::NoIdentity::default()),
            sso: Arc::new(no_sso::NoSso),
            oidc: Arc::new(no_sso::NoSso),
            secrets: Arc::new(no_sso::NoSso),
        };
        Self {
            ctx: AppContext::new(ports, policies),
            store,
            sessions,
            tokens,
            rate_limiter,
            clock,
            jobs,
            bus,
            presence,
        }
    }

    /// Registers someone founding `organization` (or joining the one that owns their domain).
    pub async fn found(&self, address: &str, username: &str, organization: &str) -> AuthSession {
        let cmd = signup(address, username, Some(organization));
        let registered = auth::register(&self.ctx.auth, cmd).await.unwrap();
        registered
            .signed_in()
            .expect("the fakes ask no proof of addresses")
    }

    /// Registers someone into the organization that owns their email's domain.
    pub async fn join(&self, address: &str, username: &str) -> AuthSession {
        let cmd = signup(address, username, None);
        let registered = auth::register(&self.ctx.auth, cmd).await.unwrap();
        registered
            .signed_in()
            .expect("the fakes ask no proof of addresses")
    }

    pub async fn caller(&self, session: &AuthSession) -> Authenticated {
        let token = &session.access_token.token;
        auth::authenticate(&self.ctx.auth, token).await.unwrap()
    }
}

pub struct FakeClock(Mutex<Time>);

impl FakeClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += TimeDelta::from_std(by).unwrap();
    }
}

impl TestContext {
    /// An empty denylist on this context's clock: another node's copy, or a Redis that
    /// restarted.
    pub fn new_denylist(&self) -> Arc<FakeDenylist> {
        Clocked::new(&self.clock, Revocations::default())
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Time {
        *self.0.lock().unwrap()
    }
}

#[derive(Default)]
pub struct FakeSessions(Mutex<Sessions>);

#[derive(Default)]
struct Sessions {
    tokens: HashMap<String, StoredToken>,
    revoked_families: HashSet<String>,
}

#[derive(Clone)]
struct StoredToken {
    user_id: UserId,
    family: String,
    expires_at: Time,
    spent: bool,
}

impl FakeSessions {
    /// The families of `user_id` that have not been revoked (expiry aside).
    pub fn live_families(&self, user_id: UserId) -> HashSet<String> {
        let state = self.0.lock().unwrap();
        let mine = state.tokens.values().filter(|t| t.user_id == user_id);
        let live = mine.filter(|t| !state.revoked_families.contains(&t.family));
        live.map(|t| t.family.clone()).collect()
    }
}

#[async_trait]
impl SessionRepository for FakeSessions {
    async fn create(&self, t: NewRefreshToken) -> Port<()> {
        let (user_id, family, expires_at) = (t.user_id, t.family, t.expires_at);
        let token = StoredToken {
            user_id,
            family,
            expires_at,
            spent: false,
        };
        self.0.lock().unwrap().tokens.insert(t.token_hash, token);
        Ok(())
    }

    async fn rotate(&self, old: &str, new: &str, now: Time, until: Time) -> Port<RotateOutcome> {
        let mut state = self.0.lock().unwrap();
        let Some(token) = state.tokens.get(old).cloned() else {
            return Ok(RotateOutcome::Invalid);
        };
        if state.revoked_families.contains(&token.family) || token.expires_at <= now {
            return Ok(RotateOutcome::Invalid);
        }
        let user_id = token.user_id;
        if token.spent {
            state.revoked_families.insert(token.family);
            return Ok(RotateOutcome::Reused { user_id });
        }
        state.tokens.get_mut(old).unwrap().spent = true;
        let successor = StoredToken {
            expires_at: until,
            ..token
        };
        state.tokens.insert(new.to_owned(), successor);
        Ok(RotateOutcome::Rotated { user_id })
    }

    async fn revoke_family_of(&self, hash: &str, user_id: UserId, _now: Time) -> Port<bool> {
        let mut state = self.0.lock().unwrap();
        match state.tokens.get(hash) {
            Some(token) if token.user_id == user_id => {
                let family = token.family.clone();
                Ok(state.revoked_families.insert(family))
            }
            _ => Ok(false),
        }
    }

    async fn revoke_all_for_user(&self, user_id: UserId, _now: Time) -> Port<u64> {
        let families = self.live_families(user_id);
        let revoked = families.len() as u64;
        self.0.lock().unwrap().revoked_families.extend(families);
        Ok(revoked)
    }
}

/// A fake whose entries age on the fake clock.
pub struct Clocked<S> {
    clock: Arc<FakeClock>,
    state: Mutex<S>,
}

impl<S> Clocked<S> {
    fn new(clock: &Arc<FakeClock>, state: S) -> Arc<Self> {
        Arc::new(Self {
            clock: Arc::clone(clock),
            state: Mutex::new(state),
        })
    }

    fn lock(&self) -> (MutexGuard<'_, S>, Time) {
        (self.state.lock().unwrap(), self.clock.now())
    }
}

/// Revoked token ids, and each user's latest cutoff, with the times they are kept until.
#[derive(Default)]
pub struct Revocations {
    tokens: HashMap<String, Time>,
    cutoffs: HashMap<UserId, (Time, Time)>,
}

pub type FakeDenylist = Clocked<Revocations>;

#[async_trait]
impl TokenDenylist for FakeDenylist {
    async fn revoke(&self, token_id: &str, expires_at: Time) -> Port<()> {
        let (mut state, _) = self.lock();
        let until = state
            .tokens
            .entry(token_id.to_owned())
            .or_insert(expires_at);
        *until = (*until).max(expires_at);
        Ok(())
    }

    async fn revoke_user_tokens(&self, user_id: UserId, cutoff: Time, keep: Time) -> Port<()> {
        let (mut state, _) = self.lock();
        let entry = state.cutoffs.entry(user_id).or_insert((cutoff, keep));
        *entry = (entry.0.max(cutoff), entry.1.max(keep));
        Ok(())
    }

    async fn is_revoked(&self, token_id: &str, user_id: UserId, issued_at: Time) -> Port<bool> {
        let (state, now) = self.lock();
        let by_id = state.tokens.get(token_id).is_some_and(|until| *until > now);
        let cutoff = state.cutoffs.get(&user_id);
        Ok(by_id || cutoff.is_some_and(|(cut, until)| *until > now && issued_at <= *cut))
    }
}

/// Fixed windows: `(count, end of window)` per key.
pub type FakeRateLimiter = Clocked<HashMap<String, (u64, Time)>>;

fn window((count, ends_at): (u64, Time), now: Time) -> WindowCount {
    match (ends_at - now).to_std() {
        Ok(resets_in) if !resets_in.is_zero() => WindowCount { count, resets_in },
        _ => WindowCount {
            count: 0,
            resets_in: Duration::ZERO,
        },
    }
}

#[async_trait]
impl RateLimiter for FakeRateLimiter {
    async fn increment(&self, key: &str, length: Duration) -> Port<WindowCount> {
        let (mut windows, now) = self.lock();
        let open = windows.entry(key.to_owned()).or_insert((0, now));
        if open.1 <= now {
            *open = (0, now + TimeDelta::from_std(length).unwrap());
        }
        open.0 += 1;
        Ok(window(*open, now))
    }

    async fn current(&self, key: &str) -> Port<WindowCount> {
        let (windows, now) = self.lock();
        Ok(window(windows.get(key).copied().unwrap_or((0, now)), now))
    }

    async fn clear(&self, key: &str) -> Port<()> {
        self.lock().0.remove(key);
        Ok(())
    }
}

/// `hashed:` + the password; `verify` compares.
pub struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Port<String> {
        Ok(format!("hashed:{}", password.expose()))
    }

    async fn verify(&self, password: &Password, hash: &str) -> Port<bool> {
        Ok(hash.strip_prefix("hashed:") == Some(password.expose()))
    }

    async fn waste_time(&self, _password: &Password) {}
}

/// Opaque tokens (`access-1`, ...) mapped to what they say, with the lifetime they get. Issue
/// times have the millisecond precision of real tokens.
pub type FakeTokens = Clocked<(TimeDelta, HashMap<String, VerifiedAccessToken>)>;

impl FakeTokens {
    /// Makes `token` expire now, as if its lifetime had run out.
    pub fn expire(&self, token: &str) {
        let (mut issued, now) = self.lock();
        issued.1.get_mut(token).unwrap().expires_at = now;
    }
}

impl TokenService for FakeTokens {
    fn issue(&self, claims: &AccessClaims) -> Port<IssuedAccessToken> {
        let (mut state, now) = self.lock();
        let (ttl, issued) = &mut *state;
        let serial = issued.len() + 1;
        let (token, token_id) = (format!("access-{serial}"), format!("jti-{serial}"));
        let expires_at = now + *ttl;
        let claims = claims.clone();
        let verified = VerifiedAccessToken {
            claims,
            token_id: token_id.clone(),
            issued_at: now.trunc_subsecs(3),
            expires_at,
        };
        issued.insert(token.clone(), verified);
        let expires_in = ttl.num_seconds();
        Ok(IssuedAccessToken {
            token,
            token_id,
            expires_at,
            expires_in,
        })
    }

    fn verify(&self, token: &str) -> Result<VerifiedAccessToken, TokenError> {
        let (state, now) = self.lock();
        let verified = state.1.get(token).ok_or(TokenError::Invalid)?;
        if verified.expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(verified.clone())
    }
}

/// One-time codes for use-case tests: the code of step `n` is `n` in six digits, and the
/// secret is ignored. Real codes are tested in `tandem-crypto` and black-box.
#[derive(Debug, Default, Clone, Copy)]
pub struct FakeCodes;

impl tandem_app::ports::OneTimeCodes for FakeCodes {
    fn new_secret(&self) -> tandem_app::ports::NewSecret {
        tandem_app::ports::NewSecret {
            shown: "FAKESECRETFAKESECRETFAKESECRET22".to_owned(),
            stored: "sealed:FAKESECRETFAKESECRETFAKESECRET22".to_owned(),
        }
    }

    fn matching_step(
        &self,
        _secret: &str,
        code: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<i64> {
        let step = at.timestamp() / 30;
        (step - 1..=step + 1).find(|candidate| format!("{:06}", candidate % 1_000_000) == code)
    }
}
