//! Use-case tests of `tandem_app::users::set_status`, on the in-memory fakes.

use std::time::Duration;
use tandem_app::ports::Clock;
use tandem_app::users::*;
use tandem_domain::Denied;
use tandem_domain::{Actor, UserStatus};
use tandem_testkit::fakes::TestContext;

#[tokio::test]
async fn people_set_their_own_status_and_it_records_when() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
    t.clock.advance(Duration::from_secs(90));

    let busy = set_status(&t.ctx.people, &Actor::of(&ana), ana.id, UserStatus::Busy).await;
    let busy = busy.unwrap();
    assert_eq!(
        (busy.status, busy.last_activity),
        (UserStatus::Busy, Some(t.clock.now()))
    );
}

#[tokio::test]
async fn nobody_sets_someone_elses_status() {
    let t = TestContext::new();
    let ana = Actor::of(&t.found("ana@acme.io", "ana", "Acme").await.user);
    let bo = t.join("bo@acme.io", "bo").await.user;
    let cy = t.found("cy@globex.io", "cy", "Globex").await.user;

    let colleague = set_status(&t.ctx.people, &ana, bo.id, UserStatus::Away).await;
    assert!(
        matches!(colleague, Err(UserError::Forbidden(Denied::NotStatusOwner))),
        "even an admin: {colleague:?}"
    );
    let stranger = set_status(&t.ctx.people, &ana, cy.id, UserStatus::Away).await;
    assert!(matches!(stranger, Err(UserError::NotFound)), "{stranger:?}");
}
