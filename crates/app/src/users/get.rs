//! Reading one user.

use super::{UserError, load_visible};
use crate::AppContext;
use tandem_domain::{Actor, User, UserId};

/// # Errors
/// `NotFound` for unknown users and users of other organizations.
pub async fn get_user(ctx: &AppContext, actor: &Actor, id: UserId) -> Result<User, UserError> {
    load_visible(ctx, actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestContext;

    #[tokio::test]
    async fn people_see_users_of_their_own_organization_only() {
        let t = TestContext::new();
        let ana = Actor::of(&t.found("ana@acme.io", "ana", "Acme").await.user);
        let bo = t.join("bo@acme.io", "bo").await.user;
        let cy = t.found("cy@globex.io", "cy", "Globex").await.user;

        assert_eq!(get_user(&t.ctx, &ana, bo.id).await.unwrap(), bo);
        for hidden in [cy.id, UserId::new(999)] {
            let result = get_user(&t.ctx, &ana, hidden).await;
            assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
        }
    }
}
