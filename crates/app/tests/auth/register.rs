//! Use-case tests of `tandem_app::auth::register`, on the in-memory fakes.

use tandem_app::AuthPolicy;
use tandem_app::auth::*;
use tandem_app::ports::UniqueField;
use tandem_domain::{EmailDomain, PasswordError, Role};
use tandem_domain::{Organization, OrganizationId};
use tandem_testkit::fakes::{TestContext, email, signup};

async fn organization(t: &TestContext, id: OrganizationId) -> Organization {
    t.ctx
        .auth
        .organizations
        .find_by_id(id)
        .await
        .unwrap()
        .unwrap()
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
    assert_eq!(t.store.organizations().len(), 1);
}

#[tokio::test]
async fn public_mail_domains_never_join_and_never_claim() {
    let t = TestContext::new();
    let ana = t.found("ana@gmail.com", "ana", "Ana's team").await;
    assert_eq!(
        organization(&t, ana.user.organization_id).await.domain,
        None
    );

    let bo = register(&t.ctx.auth, signup("bo@gmail.com", "bo", None)).await;
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
    let result = register(&t.ctx.auth, signup("ana@acme.io", "ana", None)).await;

    assert!(
        matches!(&result, Err(RegisterError::OrganizationNameRequired { domain }) if domain == "acme.io"),
        "{result:?}"
    );
    assert!(t.store.organizations().is_empty());
}

#[tokio::test]
async fn an_organization_closed_to_signups_refuses_newcomers_unless_they_found_their_own() {
    let t = TestContext::with_policy(AuthPolicy {
        default_self_signup: false,
        ..AuthPolicy::default()
    });
    let ana = t.found("ana@acme.io", "ana", "Acme").await;

    let bo = register(&t.ctx.auth, signup("bo@acme.io", "bo", None)).await;
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
        .auth
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
        let result = register(&t.ctx.auth, cmd).await;
        assert!(
            matches!(&result, Err(RegisterError::WeakPassword(e)) if *e == expected),
            "{password:?}: {result:?}"
        );
    }
    assert!(t.store.organizations().is_empty());
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_and_leaves_no_organization_behind() {
    let t = TestContext::new();
    t.found("ana@gmail.com", "ana", "Ana's team").await;
    t.found("bo@acme.io", "bo", "Acme").await;

    let again = register(&t.ctx.auth, signup("ANA@gmail.com", "ana2", Some("Second"))).await;
    assert!(
        matches!(again, Err(RegisterError::Conflict(UniqueField::Email))),
        "{again:?}"
    );
    let joining = register(&t.ctx.auth, signup("bo@acme.io", "bo2", None)).await;
    assert!(
        matches!(joining, Err(RegisterError::Conflict(UniqueField::Email))),
        "{joining:?}"
    );
    let taken_name = register(&t.ctx.auth, signup("cy@globex.io", "ana", Some("Globex"))).await;
    assert!(
        matches!(
            taken_name,
            Err(RegisterError::Conflict(UniqueField::Username))
        ),
        "{taken_name:?}"
    );
    assert_eq!(t.store.organizations().len(), 2);
    t.found("cy@globex.io", "cy", "Globex").await; // the failed attempt did not keep the domain
}

#[tokio::test]
async fn sign_ups_from_one_address_wait_once_over_the_limit_whatever_their_outcome() {
    let t = TestContext::with_policy(tandem_app::AuthPolicy {
        max_registrations_per_address: 2,
        ..tandem_app::AuthPolicy::default()
    });
    let from = |address: &str, cmd: Register| Register {
        client_address: Some(address.to_owned()),
        ..cmd
    };
    register(
        &t.ctx.auth,
        from("10.0.0.1", signup("ana@acme.io", "ana", Some("Acme"))),
    )
    .await
    .unwrap();
    let taken = register(
        &t.ctx.auth,
        from("10.0.0.1", signup("ana@acme.io", "ana2", None)),
    )
    .await;
    assert!(
        matches!(taken, Err(RegisterError::Conflict(_))),
        "{taken:?}"
    );
    let waiting = register(
        &t.ctx.auth,
        from("10.0.0.1", signup("bob@acme.io", "bob", None)),
    )
    .await;
    assert!(
        matches!(waiting, Err(RegisterError::TooManyAttempts { retry_after }) if retry_after > std::time::Duration::ZERO),
        "{waiting:?}"
    );
    register(
        &t.ctx.auth,
        from("10.0.0.2", signup("bob@acme.io", "bob", None)),
    )
    .await
    .unwrap();
    t.clock.advance(std::time::Duration::from_secs(3600));
    register(
        &t.ctx.auth,
        from("10.0.0.1", signup("cy@acme.io", "cy", None)),
    )
    .await
    .unwrap();
}
