//! Registering: joining the organization that owns the email's domain, or founding a new one.

use super::login::wait_needed;
use super::session::{self, AuthSession};
use crate::AuthContext;
use crate::ports::{NewOrganization, NewUser, PortError, UniqueField};
use tandem_domain::{
    DisplayName, Email, EmailDomain, OrganizationName, Password, PasswordError, Role,
    SubscriptionPlan, Username,
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
/// See [`RegisterError`].
pub async fn register(ctx: &AuthContext, cmd: Register) -> Result<AuthSession, RegisterError> {
    // Every attempt counts, taken or not: accounts made in bulk, and addresses probed for
    // `email_taken`, are both throttled.
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
    let now = ctx.clock.now();

    let user = match (existing, cmd.organization_name) {
        (Some(org), _) if org.sso_only => {
            return Err(RegisterError::SsoRequired {
                domain: domain.to_string(),
            });
        }
        (Some(org), _) if org.self_signup => {
            let new_user = new_user(
                ctx,
                &cmd.email,
                cmd.username,
                cmd.display_name,
                &password,
                Role::Member,
            )
            .await?;
            ctx.users.create(org.id, new_user).await?
        }
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
        (existing, Some(name)) => {
            // A domain already claimed (by an organization closed to sign-ups) stays with its
            // owner; the new organization then claims none. When addresses must be proven,
            // the founder's domain is claimed only once they prove theirs.
            let claim = (existing.is_none()
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
            let new_user = new_user(
                ctx,
                &cmd.email,
                cmd.username,
                cmd.display_name,
                &password,
                Role::Admin,
            )
            .await?;
            ctx.users.create_with_organization(org, new_user).await?.1
        }
    };
    tracing::info!(user_id = %user.id, organization_id = %user.organization_id, role = user.role.as_str(), "user registered");
    if ctx.policy.require_email_verification {
        super::verification::offer(ctx, &user).await;
    }
    let client = session::ClientInfo::new(cmd.client_address, cmd.user_agent.as_deref());
    Ok(session::start(ctx, user, client).await?)
}

async fn new_user(
    ctx: &AuthContext,
    email: &Email,
    username: Username,
    display_name: Option<DisplayName>,
    password: &Password,
    role: Role,
) -> Result<NewUser, PortError> {
    Ok(NewUser {
        email: email.clone(),
        username,
        display_name,
        password_hash: ctx.hasher.hash(password).await?,
        role,
        created_at: ctx.clock.now(),
        // Proven by the emailed link.
        email_verified: false,
    })
}
