//! Listing the people of the caller's organization, a page at a time.

use crate::AppContext;
use crate::ports::{PortError, UserQuery};
use tandem_domain::{Actor, User, UserId};

#[derive(Debug, Clone, Default)]
pub struct ListUsers {
    /// Continue after this id (the previous page's `next_cursor`).
    pub after: Option<UserId>,
    /// Page size; clamped to 1..=100, default 50.
    pub limit: Option<u64>,
    /// Include deactivated accounts (admins only; ignored for others).
    pub include_inactive: bool,
    /// Only people whose status is not offline.
    pub present_only: bool,
}

#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<UserId>,
}

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

/// # Errors
/// `PortError` when storage fails.
pub async fn list_users(
    ctx: &AppContext,
    actor: &Actor,
    request: ListUsers,
) -> Result<UserPage, PortError> {
    let limit = request.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    // One extra row tells whether another page exists without a count query.
    let mut users = ctx
        .users
        .list(&UserQuery {
            organization_id: actor.organization_id,
            after: request.after,
            limit: limit + 1,
            include_inactive: request.include_inactive && actor.is_admin(),
            present_only: request.present_only,
        })
        .await?;
    let has_more = users.len() as u64 > limit;
    users.truncate(limit as usize);
    let next_cursor = if has_more {
        users.last().map(|u| u.id)
    } else {
        None
    };
    Ok(UserPage { users, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{Clock, NewUser, ProfileChanges};
    use crate::testing::{TestContext, email};
    use tandem_domain::{Role, UserStatus, Username};

    /// An organization with its admin and `members` more people; returns the admin and all ids.
    async fn organization(t: &TestContext, members: usize) -> (Actor, Vec<UserId>) {
        let admin = t.found("ana@acme.io", "ana", "Acme").await.user;
        let mut ids = vec![admin.id];
        for i in 0..members {
            let member = NewUser {
                email: email(&format!("m{i}@acme.io")),
                username: Username::parse(&format!("m{i}")).unwrap(),
                display_name: None,
                password_hash: "hashed:x".to_owned(),
                role: Role::Member,
                created_at: admin.created_at,
            };
            let user = t.ctx.users.create(admin.organization_id, member).await;
            ids.push(user.unwrap().id);
        }
        (Actor::of(&admin), ids)
    }

    fn ids(page: &UserPage) -> Vec<UserId> {
        page.users.iter().map(|u| u.id).collect()
    }

    fn page(after: Option<UserId>, limit: Option<u64>) -> ListUsers {
        ListUsers {
            after,
            limit,
            ..ListUsers::default()
        }
    }

    #[tokio::test]
    async fn listing_shows_only_the_callers_organization() {
        let t = TestContext::new();
        let (admin, everyone) = organization(&t, 2).await;
        let cy = t.found("cy@globex.io", "cy", "Globex").await.user;

        let acme = list_users(&t.ctx, &admin, ListUsers::default())
            .await
            .unwrap();
        assert_eq!((ids(&acme), acme.next_cursor), (everyone, None));
        let globex = list_users(&t.ctx, &Actor::of(&cy), ListUsers::default()).await;
        assert_eq!(ids(&globex.unwrap()), vec![cy.id]);
    }

    #[tokio::test]
    async fn pages_follow_one_another_through_next_cursor() {
        let t = TestContext::new();
        let (admin, everyone) = organization(&t, 4).await;

        let first = list_users(&t.ctx, &admin, page(None, Some(2)))
            .await
            .unwrap();
        assert_eq!(
            (ids(&first), first.next_cursor),
            (everyone[..2].to_vec(), Some(everyone[1]))
        );
        let second = list_users(&t.ctx, &admin, page(first.next_cursor, Some(2)))
            .await
            .unwrap();
        assert_eq!(
            (ids(&second), second.next_cursor),
            (everyone[2..4].to_vec(), Some(everyone[3]))
        );
        let last = list_users(&t.ctx, &admin, page(second.next_cursor, Some(2)))
            .await
            .unwrap();
        assert_eq!(
            (ids(&last), last.next_cursor),
            (everyone[4..].to_vec(), None)
        );
    }

    #[tokio::test]
    async fn the_page_size_is_clamped_between_one_and_a_hundred() {
        let t = TestContext::new();
        let (admin, everyone) = organization(&t, 120).await;
        for (limit, expected) in [(Some(0), 1), (Some(1000), 100), (None, 50), (Some(7), 7)] {
            let listed = list_users(&t.ctx, &admin, page(None, limit)).await.unwrap();
            assert_eq!(ids(&listed), everyone[..expected], "{limit:?}");
            assert_eq!(
                listed.next_cursor,
                Some(everyone[expected - 1]),
                "{limit:?}"
            );
        }
    }

    #[tokio::test]
    async fn only_admins_may_include_deactivated_users() {
        let t = TestContext::new();
        let (admin, everyone) = organization(&t, 2).await;
        let (member, gone) = (everyone[1], everyone[2]);
        let deactivate = ProfileChanges {
            is_active: Some(false),
            ..ProfileChanges::default()
        };
        t.ctx.users.update_profile(gone, &deactivate).await.unwrap();
        let member = Actor::of(&t.ctx.users.find_by_id(member).await.unwrap().unwrap());
        let with_inactive = ListUsers {
            include_inactive: true,
            ..ListUsers::default()
        };

        for (actor, expected) in [(&admin, &everyone[..]), (&member, &everyone[..2])] {
            let listed = list_users(&t.ctx, actor, with_inactive.clone())
                .await
                .unwrap();
            assert_eq!(ids(&listed), expected, "{:?}", actor.role);
        }
        let default = list_users(&t.ctx, &admin, ListUsers::default())
            .await
            .unwrap();
        assert_eq!(ids(&default), everyone[..2]);
    }

    #[tokio::test]
    async fn present_only_skips_offline_people() {
        let t = TestContext::new();
        let (admin, everyone) = organization(&t, 2).await;
        let (away, now) = (UserStatus::Away, t.clock.now());
        t.ctx
            .users
            .set_status(everyone[2], away, now)
            .await
            .unwrap();
        let present = ListUsers {
            present_only: true,
            ..ListUsers::default()
        };
        let listed = list_users(&t.ctx, &admin, present).await.unwrap();
        assert_eq!(ids(&listed), vec![everyone[2]]);
    }
}
