//! Reading the caller's organization.

use crate::AuthContext;
use crate::ports::PortError;
use tandem_domain::{Actor, Organization, TwoFactorPolicy};

/// # Errors
/// `NotFound` if the organization vanished; `PortError` when storage fails.
pub async fn current_organization(
    ctx: &AuthContext,
    actor: &Actor,
) -> Result<Organization, PortError> {
    ctx.organizations
        .find_by_id(actor.organization_id)
        .await?
        .ok_or(PortError::NotFound)
}

/// A new organization with its first admin, as the operator's `create-admin` command makes it.
#[derive(Debug, Clone)]
pub struct CreateOrganization {
    pub name: tandem_domain::OrganizationName,
    pub admin_email: tandem_domain::Email,
    pub admin_username: tandem_domain::Username,
    pub admin_password: tandem_domain::Password,
}

/// Founds an organization with `cmd`'s admin. The email's domain is claimed for self-signup when
/// it is not a public mail provider's and no active organization has it.
///
/// # Errors
/// `Conflict` when the email, username or domain is taken; `PortError` when storage fails.
pub async fn create_organization(
    ctx: &AuthContext,
    cmd: CreateOrganization,
) -> Result<(Organization, tandem_domain::User), PortError> {
    use crate::ports::{NewOrganization, NewUser};
    use tandem_domain::{EmailDomain, Role, SubscriptionPlan};

    let domain = EmailDomain::of(&cmd.admin_email);
    let claim = crate::auth::may_claim(&ctx.policy, &domain)
        && ctx
            .organizations
            .find_active_by_domain(&domain)
            .await?
            .is_none();
    let now = ctx.clock.now();
    let org = NewOrganization {
        name: cmd.name,
        domain: claim.then_some(domain),
        subscription_plan: SubscriptionPlan::Free,
        self_signup: ctx.policy.default_self_signup,
        created_at: now,
    };
    let admin = NewUser {
        email: cmd.admin_email,
        username: cmd.admin_username,
        display_name: None,
        password_hash: ctx.hasher.hash(&cmd.admin_password).await?,
        role: Role::Admin,
        created_at: now,
        email_verified: true,
        bot_owner_id: None,
    };
    ctx.users.create_with_organization(org, admin).await
}

/// What an admin may change of their organization.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrganizationChanges {
    /// Whether people at its domain may join by signing up.
    pub self_signup: Option<bool>,
    /// Who must sign in with a second factor. Applies to each person's next sign-in or token
    /// refresh (within the access token's lifetime).
    pub two_factor_policy: Option<TwoFactorPolicy>,
    /// Whether members sign in through the organization's identity provider only.
    pub sso_only: Option<bool>,
    /// Whether its people may make and use personal access tokens. Turned off, tokens stop
    /// working at once and their connections close; turned on again, they work again.
    pub access_tokens_enabled: Option<bool>,
}

/// Why organization settings were not changed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    /// Single sign-on only needs a provider to sign in through.
    #[error("add an identity provider before making single sign-on the only way in")]
    NoSsoProvider,
}

impl From<crate::ports::PortError> for SettingsError {
    fn from(error: crate::ports::PortError) -> Self {
        Self::Admin(error.into())
    }
}

/// An admin changes their organization's settings.
///
/// # Errors
/// `Forbidden` for non-admins; `Port` when storage fails.
pub async fn update_organization(
    ctx: &AuthContext,
    actor: &Actor,
    changes: OrganizationChanges,
) -> Result<Organization, SettingsError> {
    if !actor.is_admin() {
        return Err(
            crate::admin::AdminError::Forbidden("change the organization's settings").into(),
        );
    }
    let org = actor.organization_id;
    let mut organization = None;
    if let Some(open) = changes.self_signup {
        organization = Some(ctx.identity.set_self_signup(org, open).await?);
        tracing::info!(organization_id = %org, by = %actor.id, self_signup = open, "organization settings changed");
    }
    if let Some(policy) = changes.two_factor_policy {
        organization = Some(ctx.identity.set_two_factor_policy(org, policy).await?);
        tracing::info!(organization_id = %org, by = %actor.id, two_factor_policy = policy.as_str(), "organization settings changed");
    }
    if let Some(sso_only) = changes.sso_only {
        if sso_only && ctx.sso.providers(org).await?.is_empty() {
            return Err(SettingsError::NoSsoProvider);
        }
        organization = Some(ctx.identity.set_sso_only(org, sso_only).await?);
        tracing::info!(organization_id = %org, by = %actor.id, sso_only, "organization settings changed");
    }
    if let Some(enabled) = changes.access_tokens_enabled {
        organization = Some(ctx.identity.set_access_tokens_enabled(org, enabled).await?);
        if !enabled {
            crate::auth::disconnect_people_tokens(ctx, org).await?;
        }
        tracing::info!(organization_id = %org, by = %actor.id, access_tokens_enabled = enabled, "organization settings changed");
    }
    match organization {
        Some(organization) => Ok(organization),
        None => Ok(current_organization(ctx, actor).await?),
    }
}
