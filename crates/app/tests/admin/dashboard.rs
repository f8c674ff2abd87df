//! Use-case tests of `tandem_app::admin::dashboard`, on the in-memory fakes.

use tandem_app::admin::*;
use tandem_domain::Actor;
use tandem_testkit::fakes::TestContext;

#[tokio::test]
async fn only_admins_see_the_dashboard() {
    let t = TestContext::new();
    t.found("ana@acme.io", "ana", "Acme").await;
    let bob = t.join("bob@acme.io", "bob").await.user;
    let refused = dashboard_metrics(&t.ctx.admin, &Actor::of(&bob)).await;
    assert!(
        matches!(refused, Err(AdminError::Forbidden(_))),
        "{refused:?}"
    );
}
