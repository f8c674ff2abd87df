//! Refresh tokens: rotation, reuse detection, expiry and revocation.

use super::Repositories;
use super::fixtures::*;
use chrono::TimeDelta;
use tandem_app::ports::RotateOutcome;
use tandem_domain::Role;

pub async fn rotating_a_current_refresh_token_spends_it_and_stores_its_successor(r: &Repositories) {
    let (_, owner) = organization_with_admin(r).await;
    let first = session(r, owner.id).await;
    let (second, third) = (random("hash"), random("hash"));
    assert_eq!(
        rotate(r, &first, &second).await,
        RotateOutcome::Rotated { user_id: owner.id }
    );
    // The successor inherited the family and the owner, and is itself current.
    assert_eq!(
        rotate(r, &second, &third).await,
        RotateOutcome::Rotated { user_id: owner.id }
    );
}

pub async fn presenting_a_spent_refresh_token_revokes_its_family(r: &Repositories) {
    let (_, owner) = organization_with_admin(r).await;
    let first = session(r, owner.id).await;
    let (second, stolen_successor) = (random("hash"), random("hash"));
    assert_eq!(
        rotate(r, &first, &second).await,
        RotateOutcome::Rotated { user_id: owner.id }
    );
    assert_eq!(
        rotate(r, &first, &stolen_successor).await,
        RotateOutcome::Reused { user_id: owner.id }
    );
    assert_eq!(
        rotate(r, &second, &random("hash")).await,
        RotateOutcome::Invalid,
        "the family is revoked"
    );
    assert_eq!(
        rotate(r, &stolen_successor, &random("hash")).await,
        RotateOutcome::Invalid,
        "never stored"
    );
}

pub async fn expired_unknown_and_revoked_refresh_tokens_are_invalid(r: &Repositories) {
    let (_, owner) = organization_with_admin(r).await;
    assert_eq!(
        rotate(r, &random("unknown"), &random("hash")).await,
        RotateOutcome::Invalid
    );

    let expiring = session(r, owner.id).await;
    let after_expiry = now() + TimeDelta::days(2);
    let outcome = r
        .sessions
        .rotate(
            &expiring,
            &random("hash"),
            after_expiry,
            after_expiry + TimeDelta::days(1),
        )
        .await;
    assert_eq!(outcome.unwrap(), RotateOutcome::Invalid);
    // Nothing changed: before its expiry the same token still rotates.
    assert_eq!(
        rotate(r, &expiring, &random("hash")).await,
        RotateOutcome::Rotated { user_id: owner.id }
    );

    let revoked = session(r, owner.id).await;
    assert!(
        r.sessions
            .revoke_family_of(&revoked, owner.id, now())
            .await
            .unwrap()
    );
    assert_eq!(
        rotate(r, &revoked, &random("hash")).await,
        RotateOutcome::Invalid
    );
}

pub async fn logging_out_revokes_the_family_only_for_its_owner(r: &Repositories) {
    let (org, owner) = organization_with_admin(r).await;
    let intruder = r.users.create(org.id, user(Role::Admin)).await.unwrap();
    let (token, other_device) = (session(r, owner.id).await, session(r, owner.id).await);

    assert!(
        !r.sessions
            .revoke_family_of(&token, intruder.id, now())
            .await
            .unwrap()
    );
    assert!(
        !r.sessions
            .revoke_family_of(&random("unknown"), owner.id, now())
            .await
            .unwrap()
    );
    assert!(
        r.sessions
            .revoke_family_of(&token, owner.id, now())
            .await
            .unwrap()
    );
    assert!(
        !r.sessions
            .revoke_family_of(&token, owner.id, now())
            .await
            .unwrap(),
        "nothing left to revoke"
    );
    assert_eq!(
        rotate(r, &token, &random("hash")).await,
        RotateOutcome::Invalid
    );
    assert_eq!(
        rotate(r, &other_device, &random("hash")).await,
        RotateOutcome::Rotated { user_id: owner.id }
    );
}

pub async fn revoking_all_sessions_of_a_user_revokes_every_family(r: &Repositories) {
    let (org, owner) = organization_with_admin(r).await;
    let colleague = r.users.create(org.id, user(Role::Member)).await.unwrap();
    let (laptop, phone) = (session(r, owner.id).await, session(r, owner.id).await);
    let colleagues = session(r, colleague.id).await;

    assert_eq!(
        r.sessions
            .revoke_all_for_user(owner.id, now())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        r.sessions
            .revoke_all_for_user(owner.id, now())
            .await
            .unwrap(),
        0
    );
    for token in [laptop, phone] {
        assert_eq!(
            rotate(r, &token, &random("hash")).await,
            RotateOutcome::Invalid
        );
    }
    assert_eq!(
        rotate(r, &colleagues, &random("hash")).await,
        RotateOutcome::Rotated {
            user_id: colleague.id
        }
    );
}

pub async fn rotating_one_token_twice_at_once_yields_exactly_one_rotation(r: &Repositories) {
    let (_, owner) = organization_with_admin(r).await;
    for _ in 0..5 {
        let token = session(r, owner.id).await;
        let (left, right) = (random("hash"), random("hash"));
        let outcomes = tokio::join!(rotate(r, &token, &left), rotate(r, &token, &right));
        let rotated = RotateOutcome::Rotated { user_id: owner.id };
        let reused = RotateOutcome::Reused { user_id: owner.id };
        assert!(
            outcomes == (rotated.clone(), reused.clone()) || outcomes == (reused, rotated),
            "one rotation and one reuse, got {outcomes:?}"
        );
        // The presentation that lost the race revoked the family, the winner's successor too.
        for successor in [left, right] {
            assert_eq!(
                rotate(r, &successor, &random("hash")).await,
                RotateOutcome::Invalid
            );
        }
    }
}
