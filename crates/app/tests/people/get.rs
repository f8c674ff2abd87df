//! Use-case tests of `tandem_app::users::get`, on the in-memory fakes.

use tandem_app::users::*;
use tandem_domain::{Actor, UserId};
use tandem_testkit::fakes::TestContext;

#[tokio::test]
async fn people_see_users_of_their_own_organization_only() {
    let t = TestContext::new();
    let ana = Actor::of(&t.found("ana@acme.io", "ana", "Acme").await.user);
    let bo = t.join("bo@acme.io", "bo").await.user;
    let cy = t.found("cy@globex.io", "cy", "Globex").await.user;

    assert_eq!(get_user(&t.ctx.people, &ana, bo.id).await.unwrap(), bo);
    for hidden in [cy.id, UserId::new(999)] {
        let result = get_user(&t.ctx.people, &ana, hidden).await;
        assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
    }
}
