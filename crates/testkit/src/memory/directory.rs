//! Organizations and users ([`UserRepository`], [`OrganizationRepository`]): the people the
//! chat ports need, with the databases' unique rules on domains, emails and usernames.

use super::{MemoryStore, State, next_id};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    Credentials, NewOrganization, NewUser, OrganizationRepository, PortError, ProfileChanges,
    UniqueField, UserQuery, UserRepository,
};
use tandem_domain::{
    Email, EmailDomain, Organization, OrganizationId, Role, User, UserId, UserStatus, Username,
};

type Port<T> = Result<T, PortError>;

impl State {
    /// Refuses an email or username held by an account other than `except`.
    fn check_unique(
        &self,
        except: Option<UserId>,
        email: Option<&Email>,
        username: Option<&Username>,
    ) -> Port<()> {
        let others = || {
            self.accounts
                .values()
                .map(|account| &account.user)
                .filter(|user| Some(user.id) != except)
        };
        if email.is_some_and(|email| others().any(|user| &user.email == email)) {
            return Err(PortError::Conflict(UniqueField::Email));
        }
        if username.is_some_and(|name| others().any(|user| &user.username == name)) {
            return Err(PortError::Conflict(UniqueField::Username));
        }
        Ok(())
    }

    fn insert_user(&mut self, organization_id: OrganizationId, new: NewUser) -> User {
        let user = User {
            id: UserId::new(next_id(&mut self.last_ids.user)),
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
            email_verified: new.email_verified,
            is_bot: new.bot_owner_id.is_some(),
            bot_owner_id: new.bot_owner_id,
        };
        let account = Credentials {
            user: user.clone(),
            password_hash: new.password_hash,
        };
        self.accounts.insert(user.id, account);
        user
    }

    fn account_mut(&mut self, id: UserId) -> Port<&mut Credentials> {
        self.accounts.get_mut(&id).ok_or(PortError::NotFound)
    }

    fn users_where(&self, keep: impl Fn(&User) -> bool) -> Vec<User> {
        let users = self.accounts.values().map(|account| &account.user);
        users.filter(|user| keep(user)).cloned().collect()
    }

    fn credentials_where(&self, keep: impl Fn(&User) -> bool) -> Option<Credentials> {
        self.accounts.values().find(|a| keep(&a.user)).cloned()
    }
}

impl MemoryStore {
    /// Every organization, by id: for tests to look at what a use case founded.
    pub fn organizations(&self) -> Vec<Organization> {
        self.lock().organizations.values().cloned().collect()
    }
}

#[async_trait]
impl OrganizationRepository for MemoryStore {
    async fn find_active_by_domain(&self, domain: &EmailDomain) -> Port<Option<Organization>> {
        let state = self.lock();
        let claims = |o: &&Organization| o.is_active && o.domain.as_ref() == Some(domain);
        Ok(state.organizations.values().find(claims).cloned())
    }

    async fn find_by_id(&self, id: OrganizationId) -> Port<Option<Organization>> {
        Ok(self.lock().organizations.get(&id).cloned())
    }
}

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create_with_organization(
        &self,
        org: NewOrganization,
        user: NewUser,
    ) -> Port<(Organization, User)> {
        let mut state = self.lock();
        let claimed = |o: &Organization| org.domain.is_some() && o.domain == org.domain;
        if state.organizations.values().any(claimed) {
            return Err(PortError::Conflict(UniqueField::OrganizationDomain));
        }
        state.check_unique(None, Some(&user.email), Some(&user.username))?;
        let organization = Organization {
            id: OrganizationId::new(next_id(&mut state.last_ids.organization)),
            name: org.name,
            domain: org.domain,
            subscription_plan: org.subscription_plan,
            self_signup: org.self_signup,
            two_factor_policy: tandem_domain::TwoFactorPolicy::default(),
            sso_only: false,
            access_tokens_enabled: true,
            created_at: org.created_at,
            is_active: true,
        };
        state
            .organizations
            .insert(organization.id, organization.clone());
        let user = state.insert_user(organization.id, user);
        Ok((organization, user))
    }

    async fn create(&self, organization_id: OrganizationId, user: NewUser) -> Port<User> {
        let mut state = self.lock();
        if !state.organizations.contains_key(&organization_id) {
            return Err(PortError::NotFound);
        }
        state.check_unique(None, Some(&user.email), Some(&user.username))?;
        Ok(state.insert_user(organization_id, user))
    }

    async fn find_by_id(&self, id: UserId) -> Port<Option<User>> {
        Ok(self.lock().accounts.get(&id).map(|a| a.user.clone()))
    }

    async fn find_many(&self, organization_id: OrganizationId, ids: &[UserId]) -> Port<Vec<User>> {
        let state = self.lock();
        Ok(state.users_where(|u| u.organization_id == organization_id && ids.contains(&u.id)))
    }

    async fn find_by_usernames(
        &self,
        organization_id: OrganizationId,
        usernames: &[String],
    ) -> Port<Vec<User>> {
        let state = self.lock();
        Ok(state.users_where(|u| {
            u.organization_id == organization_id
                && u.is_active
                && usernames.iter().any(|name| name == u.username.as_str())
        }))
    }

    async fn find_credentials_by_email(&self, email: &Email) -> Port<Option<Credentials>> {
        Ok(self.lock().credentials_where(|u| &u.email == email))
    }

    async fn find_credentials_by_username(&self, name: &Username) -> Port<Option<Credentials>> {
        Ok(self.lock().credentials_where(|u| &u.username == name))
    }

    async fn list(&self, q: &UserQuery) -> Port<Vec<User>> {
        let state = self.lock();
        let mut users = state.users_where(|u| {
            u.organization_id == q.organization_id
                && q.after.is_none_or(|after| u.id > after)
                && (q.include_inactive || u.is_active)
                && (!q.present_only || u.status != UserStatus::Offline)
                && (!q.bots_only || u.is_bot)
        });
        users.truncate(usize::try_from(q.limit).unwrap_or(usize::MAX));
        Ok(users)
    }

    async fn count_active_admins(&self, organization_id: OrganizationId) -> Port<u64> {
        let state = self.lock();
        let admins = state.users_where(|u| {
            u.organization_id == organization_id && u.role == Role::Admin && u.is_active
        });
        Ok(admins.len() as u64)
    }

    async fn update_profile(&self, id: UserId, changes: &ProfileChanges) -> Port<User> {
        let mut state = self.lock();
        state.account_mut(id)?;
        state.check_unique(Some(id), changes.email.as_ref(), changes.username.as_ref())?;
        let user = &mut state.account_mut(id)?.user;
        let changes = changes.clone();
        if let Some(email) = changes.email {
            user.email = email;
        }
        if let Some(username) = changes.username {
            user.username = username;
        }
        if let Some(display_name) = changes.display_name {
            user.display_name = display_name;
        }
        if let Some(picture) = changes.profile_picture {
            user.profile_picture = picture;
        }
        user.role = changes.role.unwrap_or(user.role);
        user.is_active = changes.is_active.unwrap_or(user.is_active);
        Ok(user.clone())
    }

    async fn set_status(&self, id: UserId, status: UserStatus, at: DateTime<Utc>) -> Port<User> {
        let mut state = self.lock();
        let user = &mut state.account_mut(id)?.user;
        (user.status, user.last_activity) = (status, Some(at));
        Ok(user.clone())
    }

    async fn touch(&self, id: UserId, at: DateTime<Utc>) -> Port<()> {
        self.lock().account_mut(id)?.user.last_activity = Some(at);
        Ok(())
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Port<()> {
        self.lock().account_mut(id)?.password_hash = password_hash.to_owned();
        Ok(())
    }
}
