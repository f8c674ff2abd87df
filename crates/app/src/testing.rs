//! In-memory fakes of every port in [`AppContext`] and a [`TestContext`] wiring them, for
//! use-case tests. State sits behind plain mutexes; time moves only when a test moves it.

use crate::auth::{self, AuthSession, Authenticated, Register};
use crate::ports::{
    AccessClaims, Clock, Credentials, IssuedAccessToken, NewOrganization, NewRefreshToken, NewUser,
    OrganizationRepository, PasswordHasher, PortError, ProfileChanges, RateLimiter, RotateOutcome,
    SessionRepository, TokenDenylist, TokenError, TokenService, UniqueField, UserQuery,
    UserRepository, VerifiedAccessToken, WindowCount,
};
use crate::{AppContext, AuthPolicy};
use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, TimeDelta, TimeZone, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tandem_domain::{
    Email, EmailDomain, Organization, OrganizationId, OrganizationName, Password, Role, User,
    UserId, UserStatus, Username,
};

mod jobs;
mod no_files;

pub(crate) use jobs::{FakeJobs, JobState};

type Time = DateTime<Utc>;
type Port<T> = Result<T, PortError>;

/// A password every policy accepts.
pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

pub(crate) fn signup(address: &str, username: &str, organization: Option<&str>) -> Register {
    Register {
        email: email(address),
        username: Username::parse(username).unwrap(),
        password: PASSWORD.to_owned(),
        display_name: None,
        organization_name: organization.map(|name| OrganizationName::parse(name).unwrap()),
    }
}

/// The context under test plus handles to its fakes, to inspect their state and move time.
pub(crate) struct TestContext {
    pub ctx: AppContext,
    pub users: Arc<FakeUsers>,
    pub sessions: Arc<FakeSessions>,
    pub tokens: Arc<FakeTokens>,
    pub rate_limiter: Arc<FakeRateLimiter>,
    pub clock: Arc<FakeClock>,
    pub jobs: Arc<FakeJobs>,
}

impl TestContext {
    pub fn new() -> Self {
        Self::with_policy(AuthPolicy::default())
    }

    pub fn with_policy(policy: AuthPolicy) -> Self {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let clock = Arc::new(FakeClock(Mutex::new(start)));
        let (users, sessions) = (Arc::<FakeUsers>::default(), Arc::<FakeSessions>::default());
        let ttl = TimeDelta::from_std(policy.access_token_ttl).unwrap();
        let tokens = Clocked::new(&clock, (ttl, HashMap::new()));
        let rate_limiter = Clocked::new(&clock, HashMap::new());
        let job_policy = crate::JobPolicy::default();
        let jobs = Arc::new(FakeJobs::new(job_policy.max_attempts));
        let ctx = AppContext {
            users: users.clone(),
            organizations: users.clone(),
            sessions: sessions.clone(),
            tokens: tokens.clone(),
            denylist: Clocked::new(&clock, Revocations::default()),
            rate_limiter: rate_limiter.clone(),
            hasher: Arc::new(FakeHasher),
            clock: clock.clone(),
            channels: Arc::new(NoChat),
            messages: Arc::new(NoChat),
            search: Arc::new(NoChat),
            notifier: Arc::new(crate::ports::Silent),
            bus: Arc::new(NoChat),
            presence: Arc::new(NoChat),
            stats: Arc::new(crate::ports::NoStats),
            probes: Vec::new(),
            jobs: jobs.clone(),
            files: Arc::new(no_files::NoFiles),
            blobs: Arc::new(no_files::NoFiles),
            images: Arc::new(no_files::NoFiles),
            auth_policy: policy,
            chat_policy: crate::ChatPolicy::default(),
            job_policy,
            files_policy: crate::FilesPolicy::default(),
        };
        Self {
            ctx,
            users,
            sessions,
            tokens,
            rate_limiter,
            clock,
            jobs,
        }
    }

    /// Registers someone founding `organization` (or joining the one that owns their domain).
    pub async fn found(&self, address: &str, username: &str, organization: &str) -> AuthSession {
        let cmd = signup(address, username, Some(organization));
        auth::register(&self.ctx, cmd).await.unwrap()
    }

    /// Registers someone into the organization that owns their email's domain.
    pub async fn join(&self, address: &str, username: &str) -> AuthSession {
        let cmd = signup(address, username, None);
        auth::register(&self.ctx, cmd).await.unwrap()
    }

    pub async fn caller(&self, session: &AuthSession) -> Authenticated {
        let token = &session.access_token.token;
        auth::authenticate(&self.ctx, token).await.unwrap()
    }
}

pub(crate) struct FakeClock(Mutex<Time>);

impl FakeClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += TimeDelta::from_std(by).unwrap();
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Time {
        *self.0.lock().unwrap()
    }
}

/// Organizations and users in one state, so `create_with_organization` is all or nothing.
#[derive(Default)]
pub(crate) struct FakeUsers(Mutex<Directory>);

#[derive(Default)]
struct Directory {
    organizations: Vec<Organization>,
    accounts: Vec<Credentials>,
}

impl Directory {
    fn index(&self, id: UserId) -> Port<usize> {
        let found = self.accounts.iter().position(|a| a.user.id == id);
        found.ok_or(PortError::NotFound)
    }

    /// Refuses an email or username that an account other than `except` holds.
    fn clash(&self, except: Option<UserId>, e: Option<&Email>, n: Option<&Username>) -> Port<()> {
        let users = || self.accounts.iter().map(|a| &a.user);
        let others = || users().filter(|u| Some(u.id) != except);
        if others().any(|u| Some(&u.email) == e) {
            return Err(PortError::Conflict(UniqueField::Email));
        }
        if others().any(|u| Some(&u.username) == n) {
            return Err(PortError::Conflict(UniqueField::Username));
        }
        Ok(())
    }

    fn insert(&mut self, organization_id: OrganizationId, new: NewUser) -> Port<User> {
        self.clash(None, Some(&new.email), Some(&new.username))?;
        let user = User {
            id: UserId::new(self.accounts.len() as i64 + 1),
            email: new.email,
            username: new.username,
            display_name: new.display_name,
            organization_id,
            role: new.role,
            profile_picture: None,
            status: UserStatus::Offline,
            last_activity: None,
            created_at: new.created_at,
            is_active: true,
        };
        let password_hash = new.password_hash;
        self.accounts.push(Credentials {
            user: user.clone(),
            password_hash,
        });
        Ok(user)
    }
}

impl FakeUsers {
    pub fn organizations(&self) -> Vec<Organization> {
        self.0.lock().unwrap().organizations.clone()
    }

    fn find(&self, pick: impl Fn(&User) -> bool) -> Option<Credentials> {
        let directory = self.0.lock().unwrap();
        directory.accounts.iter().find(|a| pick(&a.user)).cloned()
    }

    fn all(&self, pick: impl Fn(&User) -> bool) -> Vec<User> {
        let directory = self.0.lock().unwrap();
        directory
            .accounts
            .iter()
            .filter(|a| pick(&a.user))
            .map(|a| a.user.clone())
            .collect()
    }

    fn update(&self, id: UserId, change: impl FnOnce(&mut Credentials)) -> Port<User> {
        let mut directory = self.0.lock().unwrap();
        let index = directory.index(id)?;
        let account = &mut directory.accounts[index];
        change(account);
        Ok(account.user.clone())
    }
}

#[async_trait]
impl OrganizationRepository for FakeUsers {
    async fn find_active_by_domain(&self, domain: &EmailDomain) -> Port<Option<Organization>> {
        let claims = |o: &&Organization| o.is_active && o.domain.as_ref() == Some(domain);
        Ok(self.organizations().iter().find(claims).cloned())
    }

    async fn find_by_id(&self, id: OrganizationId) -> Port<Option<Organization>> {
        Ok(self.organizations().into_iter().find(|o| o.id == id))
    }
}

#[async_trait]
impl UserRepository for FakeUsers {
    async fn create_with_organization(
        &self,
        org: NewOrganization,
        user: NewUser,
    ) -> Port<(Organization, User)> {
        let mut directory = self.0.lock().unwrap();
        let orgs = &directory.organizations;
        if org.domain.is_some() && orgs.iter().any(|o| o.domain == org.domain) {
            return Err(PortError::Conflict(UniqueField::OrganizationDomain));
        }
        let organization = Organization {
            id: OrganizationId::new(orgs.len() as i64 + 1),
            name: org.name,
            domain: org.domain,
            subscription_plan: org.subscription_plan,
            self_signup: org.self_signup,
            created_at: org.created_at,
            is_active: true,
        };
        let user = directory.insert(organization.id, user)?;
        directory.organizations.push(organization.clone());
        Ok((organization, user))
    }

    async fn create(&self, organization_id: OrganizationId, user: NewUser) -> Port<User> {
        let mut directory = self.0.lock().unwrap();
        if !directory
            .organizations
            .iter()
            .any(|o| o.id == organization_id)
        {
            return Err(PortError::NotFound);
        }
        directory.insert(organization_id, user)
    }

    async fn find_by_id(&self, id: UserId) -> Port<Option<User>> {
        Ok(self.find(|u| u.id == id).map(|c| c.user))
    }

    async fn find_many(&self, organization_id: OrganizationId, ids: &[UserId]) -> Port<Vec<User>> {
        Ok(self.all(|u| u.organization_id == organization_id && ids.contains(&u.id)))
    }

    async fn find_by_usernames(
        &self,
        organization_id: OrganizationId,
        usernames: &[String],
    ) -> Port<Vec<User>> {
        Ok(self.all(|u| {
            u.organization_id == organization_id
                && u.is_active
                && usernames.iter().any(|n| n == u.username.as_str())
        }))
    }

    async fn find_credentials_by_email(&self, email: &Email) -> Port<Option<Credentials>> {
        Ok(self.find(|u| &u.email == email))
    }

    async fn find_credentials_by_username(&self, name: &Username) -> Port<Option<Credentials>> {
        Ok(self.find(|u| &u.username == name))
    }

    async fn list(&self, q: &UserQuery) -> Port<Vec<User>> {
        let directory = self.0.lock().unwrap();
        let users = directory.accounts.iter().map(|a| &a.user).filter(|u| {
            u.organization_id == q.organization_id
                && q.after.is_none_or(|after| u.id > after)
                && (q.include_inactive || u.is_active)
                && (!q.present_only || u.status != UserStatus::Offline)
        });
        Ok(users.take(q.limit as usize).cloned().collect())
    }

    async fn count_active_admins(&self, organization_id: OrganizationId) -> Port<u64> {
        let directory = self.0.lock().unwrap();
        let users = directory.accounts.iter().map(|a| &a.user);
        let admin = |u: &&User| u.organization_id == organization_id && u.role == Role::Admin;
        Ok(users.filter(admin).filter(|u| u.is_active).count() as u64)
    }

    async fn update_profile(&self, id: UserId, changes: &ProfileChanges) -> Port<User> {
        {
            let directory = self.0.lock().unwrap();
            directory.index(id)?;
            directory.clash(Some(id), changes.email.as_ref(), changes.username.as_ref())?;
        }
        let changes = changes.clone();
        self.update(id, |Credentials { user: u, .. }| {
            u.email = changes.email.unwrap_or(u.email.clone());
            u.username = changes.username.unwrap_or(u.username.clone());
            u.display_name = changes.display_name.unwrap_or(u.display_name.clone());
            u.profile_picture = changes.profile_picture.unwrap_or(u.profile_picture.clone());
            u.role = changes.role.unwrap_or(u.role);
            u.is_active = changes.is_active.unwrap_or(u.is_active);
        })
    }

    async fn set_status(&self, id: UserId, status: UserStatus, at: Time) -> Port<User> {
        self.update(id, |a| {
            (a.user.status, a.user.last_activity) = (status, Some(at))
        })
    }

    async fn touch(&self, id: UserId, at: Time) -> Port<()> {
        self.update(id, |a| a.user.last_activity = Some(at))
            .map(drop)
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Port<()> {
        self.update(id, |a| a.password_hash = password_hash.to_owned())
            .map(drop)
    }
}

/// Refresh tokens by hash. A family is revoked as a whole; each live family has exactly one
/// unspent token.
#[derive(Default)]
pub(crate) struct FakeSessions(Mutex<Sessions>);

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
pub(crate) struct Clocked<S> {
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
pub(crate) struct Revocations {
    tokens: HashMap<String, Time>,
    cutoffs: HashMap<UserId, (Time, Time)>,
}

pub(crate) type FakeDenylist = Clocked<Revocations>;

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
pub(crate) type FakeRateLimiter = Clocked<HashMap<String, (u64, Time)>>;

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
pub(crate) struct FakeHasher;

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
pub(crate) type FakeTokens = Clocked<(TimeDelta, HashMap<String, VerifiedAccessToken>)>;

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

/// The storage fakes pass the contract suite every persistence adapter must pass.
#[cfg(feature = "contract")]
#[tokio::test]
async fn the_fake_repositories_meet_the_storage_contract() {
    let (users, sessions) = (Arc::<FakeUsers>::default(), Arc::<FakeSessions>::default());
    crate::contract::repositories::run_all(users.clone(), users, sessions).await;
}

/// The chat ports, for the account and user use-case tests, which never reach them: any call
/// is a test failure with a clear message. Chat use cases are tested black-box on both
/// databases (`tests/api`).
struct NoChat;

fn not_faked<T>() -> Port<T> {
    Err(PortError::unexpected(
        "the chat ports are not faked in these tests",
    ))
}

#[async_trait]
impl crate::ports::ChannelRepository for NoChat {
    async fn create(&self, _: crate::ports::NewChannel) -> Port<tandem_domain::Channel> {
        not_faked()
    }
    async fn find_by_id(
        &self,
        _: tandem_domain::ChannelId,
    ) -> Port<Option<tandem_domain::Channel>> {
        not_faked()
    }
    async fn find_by_name(
        &self,
        _: OrganizationId,
        _: &tandem_domain::ChannelName,
    ) -> Port<Option<tandem_domain::Channel>> {
        not_faked()
    }
    async fn membership(
        &self,
        _: tandem_domain::ChannelId,
        _: UserId,
    ) -> Port<Option<tandem_domain::Membership>> {
        not_faked()
    }
    async fn list_for_user(
        &self,
        _: OrganizationId,
        _: UserId,
    ) -> Port<Vec<crate::ports::ChannelSummary>> {
        not_faked()
    }
    async fn members(
        &self,
        _: tandem_domain::ChannelId,
        _: Option<UserId>,
        _: u64,
    ) -> Port<Vec<tandem_domain::Membership>> {
        not_faked()
    }
    async fn update(
        &self,
        _: tandem_domain::ChannelId,
        _: &crate::ports::ChannelChanges,
        _: UserId,
        _: DateTime<Utc>,
        _: Option<tandem_domain::MessageBody>,
    ) -> Port<(tandem_domain::Channel, crate::ports::MembershipChanged)> {
        not_faked()
    }
    async fn delete(&self, _: tandem_domain::ChannelId) -> Port<()> {
        not_faked()
    }
    async fn add_member(
        &self,
        _: crate::ports::MembershipChange,
    ) -> Port<Option<crate::ports::MembershipChanged>> {
        not_faked()
    }
    async fn remove_member(
        &self,
        _: crate::ports::MembershipChange,
    ) -> Port<Option<crate::ports::MembershipChanged>> {
        not_faked()
    }
    async fn mark_read(
        &self,
        _: tandem_domain::ChannelId,
        _: UserId,
        _: i64,
    ) -> Port<tandem_domain::Membership> {
        not_faked()
    }
}

#[async_trait]
impl crate::ports::MessageRepository for NoChat {
    async fn append(&self, _: crate::ports::NewMessage) -> Port<crate::ports::Appended> {
        not_faked()
    }
    async fn find(
        &self,
        _: tandem_domain::MessageId,
        _: UserId,
    ) -> Port<Option<tandem_domain::Message>> {
        not_faked()
    }
    async fn find_many(
        &self,
        _: &[tandem_domain::MessageId],
        _: UserId,
    ) -> Port<Vec<tandem_domain::Message>> {
        not_faked()
    }
    async fn edit(
        &self,
        _: tandem_domain::MessageId,
        _: tandem_domain::MessageBody,
        _: Vec<tandem_domain::Mention>,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Port<(tandem_domain::Message, tandem_domain::ChannelEvent)> {
        not_faked()
    }
    async fn delete(
        &self,
        _: tandem_domain::MessageId,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Port<(tandem_domain::Message, tandem_domain::ChannelEvent)> {
        not_faked()
    }
    async fn add_reaction(
        &self,
        _: tandem_domain::MessageId,
        _: UserId,
        _: &tandem_domain::Emoji,
        _: DateTime<Utc>,
    ) -> Port<Option<tandem_domain::ChannelEvent>> {
        not_faked()
    }
    async fn remove_reaction(
        &self,
        _: tandem_domain::MessageId,
        _: UserId,
        _: &tandem_domain::Emoji,
        _: DateTime<Utc>,
    ) -> Port<Option<tandem_domain::ChannelEvent>> {
        not_faked()
    }
    async fn set_pinned(
        &self,
        _: tandem_domain::MessageId,
        _: bool,
        _: UserId,
        _: DateTime<Utc>,
    ) -> Port<Option<tandem_domain::ChannelEvent>> {
        not_faked()
    }
    async fn history(&self, _: crate::ports::HistoryQuery) -> Port<Vec<tandem_domain::Message>> {
        not_faked()
    }
    async fn replies(
        &self,
        _: tandem_domain::MessageId,
        _: Option<i64>,
        _: u64,
        _: UserId,
    ) -> Port<Vec<tandem_domain::Message>> {
        not_faked()
    }
    async fn pinned(
        &self,
        _: tandem_domain::ChannelId,
        _: UserId,
    ) -> Port<Vec<tandem_domain::Message>> {
        not_faked()
    }
    async fn events_after(
        &self,
        _: tandem_domain::ChannelId,
        _: i64,
        _: u64,
    ) -> Port<Vec<tandem_domain::ChannelEvent>> {
        not_faked()
    }
    async fn report(&self, _: crate::ports::NewReport) -> Port<tandem_domain::MessageReport> {
        not_faked()
    }
    async fn activity_since(
        &self,
        _: OrganizationId,
        _: DateTime<Utc>,
    ) -> Port<crate::ports::Activity> {
        not_faked()
    }
}

#[async_trait]
impl crate::ports::MessageSearch for NoChat {
    async fn search(&self, _: &crate::ports::SearchQuery) -> Port<Vec<crate::ports::SearchHit>> {
        not_faked()
    }
}

#[async_trait]
impl crate::ports::EventBus for NoChat {
    async fn publish(&self, _: &crate::ports::Topic, _: Arc<[u8]>) -> Port<()> {
        not_faked()
    }
    async fn subscribe(&self, _: &crate::ports::Topic) -> Port<crate::ports::Subscription> {
        not_faked()
    }
}

#[async_trait]
impl crate::ports::PresenceStore for NoChat {
    async fn connect(
        &self,
        _: UserId,
        _: OrganizationId,
        _: &str,
        _: std::time::Duration,
    ) -> Port<bool> {
        not_faked()
    }
    async fn heartbeat(&self, _: UserId, _: &str, _: std::time::Duration) -> Port<bool> {
        not_faked()
    }
    async fn disconnect(&self, _: UserId, _: &str) -> Port<bool> {
        not_faked()
    }
    async fn is_online(&self, _: UserId) -> Port<bool> {
        not_faked()
    }
    async fn online_users(&self, _: OrganizationId) -> Port<Vec<UserId>> {
        not_faked()
    }
}
