//! Registering: joining the organization that owns the email's domain, or founding a new one.

use super::session::{self, AuthSession};
use crate::AppContext;
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
    #[error("{0} is already taken")]
    Conflict(UniqueField),
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
pub async fn register(ctx: &AppContext, cmd: Register) -> Result<AuthSession, RegisterError> {
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
            // owner; the new organization then claims none.
            let claim = (existing.is_none() && domain.is_claimable()).then_some(domain);
            let org = NewOrganization {
                name,
                domain: claim,
                subscription_plan: SubscriptionPlan::Free,
                self_signup: ctx.auth_policy.default_self_signup,
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
    Ok(session::start(ctx, user).await?)
}

async fn new_user(
    ctx: &AppContext,
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthPolicy;
    use crate::testing::{TestContext, email, signup};
    use tandem_domain::{Organization, OrganizationId};

    async fn organization(t: &TestContext, id: OrganizationId) -> Organization {
        t.ctx.organizations.find_by_id(id).await.unwrap().unwrap()
    }

    fn domain(address: &str) -> EmailDomain {
        EmailDomain::of(&email(address))
    }

    #[tokio::test]
    async fn founding_an_organization_makes_an_admin_and_claims_the_email_domain() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;

        assert_eq!(ana.user.role, Role::Admin);
        let acme = organization(&t, ana.user.organization_id).await;
        assert_eq!(acme.name.as_str(), "Acme");
        assert_eq!(acme.domain, Some(domain("ana@acme.io")));
        assert!(acme.self_signup && acme.is_active);
        assert_eq!(
            t.caller(&ana).await.user.id,
            ana.user.id,
            "the session works"
        );
    }

    #[tokio::test]
    async fn a_second_person_with_the_same_domain_joins_as_a_member() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await;
        let bo = t.join("bo@ACME.io", "bo").await;
        // An organization name is ignored when the domain's organization accepts sign-ups.
        let cy = t.found("cy@acme.io", "cy", "Cy's own").await;

        for member in [&bo.user, &cy.user] {
            assert_eq!(member.organization_id, ana.user.organization_id);
            assert_eq!(member.role, Role::Member);
        }
        assert_eq!(t.users.organizations().len(), 1);
    }

    #[tokio::test]
    async fn public_mail_domains_never_join_and_never_claim() {
        let t = TestContext::new();
        let ana = t.found("ana@gmail.com", "ana", "Ana's team").await;
        assert_eq!(
            organization(&t, ana.user.organization_id).await.domain,
            None
        );

        let bo = register(&t.ctx, signup("bo@gmail.com", "bo", None)).await;
        assert!(
            matches!(&bo, Err(RegisterError::OrganizationNameRequired { domain }) if domain == "gmail.com"),
            "{bo:?}"
        );
        let bo = t.found("bo@gmail.com", "bo", "Bo's team").await;
        assert_ne!(bo.user.organization_id, ana.user.organization_id);
        assert_eq!(bo.user.role, Role::Admin);
        assert_eq!(organization(&t, bo.user.organization_id).await.domain, None);
    }

    #[tokio::test]
    async fn an_unknown_domain_without_an_organization_name_is_refused() {
        let t = TestContext::new();
        let result = register(&t.ctx, signup("ana@acme.io", "ana", None)).await;

        assert!(
            matches!(&result, Err(RegisterError::OrganizationNameRequired { domain }) if domain == "acme.io"),
            "{result:?}"
        );
        assert!(t.users.organizations().is_empty());
    }

    #[tokio::test]
    async fn an_organization_closed_to_signups_refuses_newcomers_unless_they_found_their_own() {
        let t = TestContext::with_policy(AuthPolicy {
            default_self_signup: false,
            ..AuthPolicy::default()
        });
        let ana = t.found("ana@acme.io", "ana", "Acme").await;

        let bo = register(&t.ctx, signup("bo@acme.io", "bo", None)).await;
        assert!(
            matches!(&bo, Err(RegisterError::SignupDisabled { domain }) if domain == "acme.io"),
            "{bo:?}"
        );
        let bo = t.found("bo@acme.io", "bo", "Bo's side project").await;
        assert_ne!(bo.user.organization_id, ana.user.organization_id);
        assert_eq!(bo.user.role, Role::Admin);
        assert_eq!(organization(&t, bo.user.organization_id).await.domain, None);
        let owner = t
            .ctx
            .organizations
            .find_active_by_domain(&domain("x@acme.io"))
            .await;
        assert_eq!(
            owner.unwrap().unwrap().id,
            ana.user.organization_id,
            "acme keeps its domain"
        );
    }

    #[tokio::test]
    async fn weak_passwords_are_refused_before_anything_is_created() {
        let t = TestContext::new();
        let cases = [
            ("short1!", PasswordError::TooShort),
            ("Password123", PasswordError::TooWeak),
            ("ana.garcia99", PasswordError::TooWeak),
            (&*"x1".repeat(40), PasswordError::TooLong),
        ];
        for (password, expected) in cases {
            let cmd = Register {
                password: password.to_owned(),
                ..signup("ana.garcia@acme.io", "ana.garcia", Some("Acme"))
            };
            let result = register(&t.ctx, cmd).await;
            assert!(
                matches!(&result, Err(RegisterError::WeakPassword(e)) if *e == expected),
                "{password:?}: {result:?}"
            );
        }
        assert!(t.users.organizations().is_empty());
    }

    #[tokio::test]
    async fn a_duplicate_email_is_a_conflict_and_leaves_no_organization_behind() {
        let t = TestContext::new();
        t.found("ana@gmail.com", "ana", "Ana's team").await;
        t.found("bo@acme.io", "bo", "Acme").await;

        let again = register(&t.ctx, signup("ANA@gmail.com", "ana2", Some("Second"))).await;
        assert!(
            matches!(again, Err(RegisterError::Conflict(UniqueField::Email))),
            "{again:?}"
        );
        let joining = register(&t.ctx, signup("bo@acme.io", "bo2", None)).await;
        assert!(
            matches!(joining, Err(RegisterError::Conflict(UniqueField::Email))),
            "{joining:?}"
        );
        let taken_name = register(&t.ctx, signup("cy@globex.io", "ana", Some("Globex"))).await;
        assert!(
            matches!(
                taken_name,
                Err(RegisterError::Conflict(UniqueField::Username))
            ),
            "{taken_name:?}"
        );
        assert_eq!(t.users.organizations().len(), 2);
        t.found("cy@globex.io", "cy", "Globex").await; // the failed attempt did not keep the domain
    }
}
