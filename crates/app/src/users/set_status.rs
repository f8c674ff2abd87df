//! Setting one's own status (online, away, busy, offline).

use super::{UserError, load_visible};
use crate::AppContext;
use tandem_domain::{Actor, User, UserId, UserStatus, permissions};

/// # Errors
/// `NotFound` outside the organization; `Forbidden` for someone else's status.
pub async fn set_status(
    ctx: &AppContext,
    actor: &Actor,
    id: UserId,
    status: UserStatus,
) -> Result<User, UserError> {
    let target = load_visible(ctx, actor, id).await?;
    permissions::can_set_status(actor, &target)?;
    Ok(ctx
        .users
        .set_status(target.id, status, ctx.clock.now())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::Clock;
    use crate::testing::TestContext;
    use std::time::Duration;
    use tandem_domain::Denied;

    #[tokio::test]
    async fn people_set_their_own_status_and_it_records_when() {
        let t = TestContext::new();
        let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
        t.clock.advance(Duration::from_secs(90));

        let busy = set_status(&t.ctx, &Actor::of(&ana), ana.id, UserStatus::Busy).await;
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

        let colleague = set_status(&t.ctx, &ana, bo.id, UserStatus::Away).await;
        assert!(
            matches!(colleague, Err(UserError::Forbidden(Denied::NotStatusOwner))),
            "even an admin: {colleague:?}"
        );
        let stranger = set_status(&t.ctx, &ana, cy.id, UserStatus::Away).await;
        assert!(matches!(stranger, Err(UserError::NotFound)), "{stranger:?}");
    }
}
