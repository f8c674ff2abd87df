//! Reading the caller's organization.

use crate::AppContext;
use crate::ports::PortError;
use tandem_domain::{Actor, Organization};

/// # Errors
/// `NotFound` if the organization vanished; `PortError` when storage fails.
pub async fn current_organization(
    ctx: &AppContext,
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
    ctx: &AppContext,
    cmd: CreateOrganization,
) -> Result<(Organization, tandem_domain::User), PortError> {
    use crate::ports::{NewOrganization, NewUser};
    use tandem_domain::{EmailDomain, Role, SubscriptionPlan};

    let domain = EmailDomain::of(&cmd.admin_email);
    let claim = domain.is_claimable()
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
        self_signup: ctx.auth_policy.default_self_signup,
        created_at: now,
    };
    let admin = NewUser {
        email: cmd.admin_email,
        username: cmd.admin_username,
        display_name: None,
        password_hash: ctx.hasher.hash(&cmd.admin_password).await?,
        role: Role::Admin,
        created_at: now,
    };
    ctx.users.create_with_organization(org, admin).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::UniqueField;
    use crate::testing::{PASSWORD, TestContext, email};
    use tandem_domain::{Email, EmailDomain, OrganizationName, Password, Role, Username};

    fn founding(name: &str, admin: &str, username: &str) -> CreateOrganization {
        CreateOrganization {
            name: OrganizationName::parse(name).unwrap(),
            admin_email: email(admin),
            admin_username: Username::parse(username).unwrap(),
            admin_password: Password::parse(PASSWORD, &[]).unwrap(),
        }
    }

    fn domain_of(address: &str) -> Option<EmailDomain> {
        Some(EmailDomain::of(&Email::parse(address).unwrap()))
    }

    #[tokio::test]
    async fn the_current_organization_is_the_callers() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
        let cy = t.found("cy@globex.io", "cy", "Globex").await.user;
        for (user, name) in [(ana, "Acme"), (cy, "Globex")] {
            let org = current_organization(&t.ctx, &Actor::of(&user))
                .await
                .unwrap();
            assert_eq!((org.id, org.name.as_str()), (user.organization_id, name));
        }
    }

    #[tokio::test]
    async fn creating_an_organization_claims_a_claimable_unclaimed_domain() {
        let t = TestContext::new();
        let (org, admin) = create_organization(&t.ctx, founding("Acme", "it@acme.io", "it"))
            .await
            .unwrap();
        assert_eq!(org.domain, domain_of("it@acme.io"));
        assert_eq!((admin.role, admin.organization_id), (Role::Admin, org.id));
        let joined = t.join("bo@acme.io", "bo").await.user;
        assert_eq!(joined.organization_id, org.id);
    }

    #[tokio::test]
    async fn creating_an_organization_never_claims_a_public_or_taken_domain() {
        let t = TestContext::new();
        let acme = t.found("ana@acme.io", "ana", "Acme").await.user;
        let cases = [
            founding("Gmail folks", "it@gmail.com", "it"),
            founding("Acme spin-off", "it@acme.io", "it2"),
        ];
        for cmd in cases {
            let (org, _) = create_organization(&t.ctx, cmd).await.unwrap();
            assert_eq!(org.domain, None, "{}", org.name.as_str());
        }
        let joined = t.join("bo@acme.io", "bo").await.user;
        assert_eq!(
            joined.organization_id, acme.organization_id,
            "acme keeps its domain"
        );
    }

    #[tokio::test]
    async fn a_taken_admin_email_is_a_conflict() {
        let t = TestContext::new();
        t.found("ana@acme.io", "ana", "Acme").await;
        let result = create_organization(&t.ctx, founding("Again", "ana@acme.io", "ana2")).await;
        assert!(
            matches!(result, Err(PortError::Conflict(UniqueField::Email))),
            "{result:?}"
        );
        assert_eq!(t.users.organizations().len(), 1);
    }
}
