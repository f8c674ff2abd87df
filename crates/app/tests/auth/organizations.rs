//! Use-case tests of `tandem_app::organizations`, on the in-memory fakes.

use tandem_app::organizations::*;
use tandem_app::ports::PortError;
use tandem_app::ports::UniqueField;
use tandem_domain::Actor;
use tandem_domain::{Email, EmailDomain, OrganizationName, Password, Role, Username};
use tandem_testkit::fakes::{PASSWORD, TestContext, email};

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
        let org = current_organization(&t.ctx.auth, &Actor::of(&user))
            .await
            .unwrap();
        assert_eq!((org.id, org.name.as_str()), (user.organization_id, name));
    }
}

#[tokio::test]
async fn creating_an_organization_claims_a_claimable_unclaimed_domain() {
    let t = TestContext::new();
    let (org, admin) = create_organization(&t.ctx.auth, founding("Acme", "it@acme.io", "it"))
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
        let (org, _) = create_organization(&t.ctx.auth, cmd).await.unwrap();
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
    let result = create_organization(&t.ctx.auth, founding("Again", "ana@acme.io", "ana2")).await;
    assert!(
        matches!(result, Err(PortError::Conflict(UniqueField::Email))),
        "{result:?}"
    );
    assert_eq!(t.store.organizations().len(), 1);
}
