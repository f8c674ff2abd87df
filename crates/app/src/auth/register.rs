//! Registering: joining the organization that owns the email's domain, or founding a new one.
//!
//! Where addresses must be proven (the default), signing up answers the same whether or not
//! the address already has an account: a new account is emailed its confirmation link, and the
//! owner of an existing one is told that someone tried, with a link to choose a new password.
//! Nobody learns from the answer who has an account. The new account signs in with its
//! password like any other (`POST /auth/login`).

use super::login::wait_needed;
use super::session::{self, AuthSession};
use crate::AuthContext;
use crate::ports::{NewOrganization, NewUser, PortError, UniqueField};
use tandem_domain::{
    DisplayName, Email, EmailDomain, OrganizationId, OrganizationName, Password, PasswordError,
    Role, SubscriptionPlan, User, Username,
};

#[derive(Debug, Clone)]
pub struct Register {
    pub email: Email,
    pub username: Username,
    /// Checked against the password policy here, where the username and email are known.
    pub password: String,
    pub display_name: Option<DisplayName>,
    /// Used only when no active organization with self-signup owns the email's domain.
    pub organization_name: Option<OrganizationName>,
    /// The client's address, for throttling; `None` when unknown.
    pub client_address: Option<String>,
    /// The `User-Agent` header, which the new session shows.
    pub user_agent: Option<String>,
}

/// What signing up did.
#[derive(Debug)]
pub enum Registered {
    /// The account was made and is signed in: the settings ask no proof of addresses.
    SignedIn(Box<AuthSession>),
    /// A link is on its way to the address. Either the account was made and waits for its
    /// owner to confirm it, or the address already had an account, whose owner is told so:
    /// the caller cannot tell which.
    ConfirmationSent,
}

impl Registered {
    /// The new session, when signing up signed in.
    pub fn signed_in(self) -> Option<AuthSession> {
        match self {
            Self::SignedIn(session) => Some(*session),
            Self::ConfirmationSent => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the password {0}")]
    WeakPassword(#[from] PasswordError),
    #[error("no organization uses the domain {domain}: give an organization_name to create one")]
    OrganizationNameRequired { domain: String },
    #[error(
        "the organization that owns {domain} does not accept sign-ups: ask an admin for an invitation"
    )]
    SignupDisabled { domain: String },
    #[error(
        "the organization that owns {domain} signs people in through its identity provider: use its sign-in button"
    )]
    SsoRequired { domain: String },
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    #[error("too many sign-ups from this address; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: std::time::Duration },
    #[error(transparent)]
    Port(PortError),
}

impl From<PortError> for RegisterError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => Self::Conflict(field),
            other => Self::Port(other),
        }
    }
}

/// # Errors
/// See [`RegisterError`]. `Conflict(Email)` only where addresses need no proof: otherwise a
/// taken address gets [`Registered::ConfirmationSent`] like a free one.
pub async fn register(ctx: &AuthContext, cmd: Register) -> Result<Registered, RegisterError> {
    // Every attempt counts, taken or not: accounts made in bulk, and addresses probed, are
    // both throttled.
    if let Some(address) = &cmd.client_address {
        let key = format!("registrations:address:{address}");
        let limit = ctx.policy.max_registrations_per_address;
        if let Some(retry_after) = wait_needed(ctx, &key, limit).await? {
            return Err(RegisterError::TooManyAttempts { retry_after });
        }
        ctx.rate_limiter
            .increment(&key, ctx.policy.registration_window)
            .await?;
    }
    let password = Password::parse(
        &cmd.password,
        &[cmd.username.as_str(), cmd.email.local_part()],
    )?;
    let domain = EmailDomain::of(&cmd.email);
    let existing = if domain.is_claimable() {
        ctx.organizations.find_active_by_domain(&domain).await?
    } else {
        None
    };
    // Decided before the address is looked at: what depends on the domain alone (who owns
    // it, whether it takes sign-ups) may be said; whether this one address has an account
    // may not.
    let plan = match (existing, cmd.organization_name) {
        (Some(org), _) if org.sso_only => {
            return Err(RegisterError::SsoRequired {
                domain: domain.to_string(),
            });
        }
        (Some(org), _) if org.self_signup => Plan::Join(org.id),
        (Some(_), None) => {
            return Err(RegisterError::SignupDisabled {
                domain: domain.to_string(),
            });
        }
        (None, None) => {
            return Err(RegisterError::OrganizationNameRequired {
                domain: domain.to_string(),
            });
        }
        (existing, Some(name)) => Plan::Found {
            name,
            domain_owned: existing.is_some(),
        },
    };
    if ctx.policy.require_email_verification
        && let Some(found) = ctx.users.find_credentials_by_email(&cmd.email).await?
    {
        return already_registered(ctx, &found.user, &cmd.username, &password).await;
    }

    let role = match plan {
        Plan::Join(_) => Role::Member,
        Plan::Found { .. } => Role::Admin,
    };
    let now = ctx.clock.now();
    let new_user = NewUser {
        email: cmd.email.clone(),
        username: cmd.username,
        display_name: cmd.display_name,
        password_hash: ctx.hasher.hash(&password).await?,
        role,
        created_at: now,
        // Proven by the emailed link.
        email_verified: false,
        bot_owner_id: None,
    };
    let user = match plan {
        Plan::Join(organization) => ctx.users.create(organization, new_user).await?,
        Plan::Found { name, domain_owned } => {
            // A domain already claimed (by an organization closed to sign-ups) stays with its
            // owner; the new organization then claims none. When addresses must be proven,
            // the founder's domain is claimed only once they prove theirs.
            let claim = (!domain_owned
                && !ctx.policy.require_email_verification
                && super::links::may_claim(&ctx.policy, &domain))
            .then_some(domain);
            let org = NewOrganization {
                name,
                domain: claim,
                subscription_plan: SubscriptionPlan::Free,
                self_signup: ctx.policy.default_self_signup,
                created_at: now,
            };
            ctx.users.create_with_organization(org, new_user).await?.1
        }
    };
    tracing::info!(user_id = %user.id, organization_id = %user.organization_id, role = user.role.as_str(), "user registered");
    if ctx.policy.require_email_verification {
        super::verification::offer(ctx, &user).await;
        return Ok(Registered::ConfirmationSent);
    }
    let client = session::ClientInfo::new(cmd.client_address, cmd.user_agent.as_deref());
    let session = session::start(ctx, user, client).await?;
    Ok(Registered::SignedIn(Box::new(session)))
}

/// Where a sign-up goes, decided from the domain.
enum Plan {
    Join(OrganizationId),
    Found {
        name: OrganizationName,
        domain_owned: bool,
    },
}

/// Someone signed up with an address that has an account. The answer is a free address's:
/// `username_taken` if the username is someone's (as making the account would have said),
/// otherwise "a link is on its way", after about the time hashing a new password takes. The
/// owner is emailed that someone tried, with a link to choose a new password should it have
/// been them, within the address's allowance of account emails.
async fn already_registered(
    ctx: &AuthContext,
    owner: &User,
    username: &Username,
    password: &Password,
) -> Result<Registered, RegisterError> {
    if ctx
        .users
        .find_credentials_by_username(username)
        .await?
        .is_some()
    {
        return Err(RegisterError::Conflict(UniqueField::Username));
    }
    ctx.hasher.waste_time(password).await;
    if owner.is_active && super::links::within_email_allowance(ctx, owner.email.as_str()).await? {
        super::reset::tell_of_sign_up_attempt(ctx, owner).await?;
    }
    tracing::info!(user_id = %owner.id, "sign-up with an address that has an account; its owner was told");
    Ok(Registered::ConfirmationSent)
}
