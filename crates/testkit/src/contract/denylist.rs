//! Contract suite for [`TokenDenylist`]: what every denylist adapter must do.
//!
//! Every case uses random token ids and user ids, so the suite can run again and again (and
//! concurrently) against one shared store without cleaning it.

use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;
use tandem_app::ports::TokenDenylist;
use tandem_domain::UserId;

/// Runs every case in this suite against `denylist`.
pub async fn run_all(denylist: &dyn TokenDenylist) {
    a_revoked_token_is_revoked_and_other_tokens_are_not(denylist).await;
    revoking_a_token_twice_is_harmless(denylist).await;
    revoking_an_already_expired_token_is_accepted(denylist).await;
    a_user_cutoff_revokes_tokens_issued_at_or_before_it_but_not_after(denylist).await;
    a_user_cutoff_affects_only_that_user(denylist).await;
    a_later_cutoff_wins_whatever_order_the_cutoffs_arrive_in(denylist).await;
    revoked_entries_expire_at_their_time(denylist).await;
}

pub async fn a_revoked_token_is_revoked_and_other_tokens_are_not(denylist: &dyn TokenDenylist) {
    let (revoked, other, user) = (token_id(), token_id(), user_id());
    let now = Utc::now();
    denylist
        .revoke(&revoked, now + TimeDelta::minutes(5))
        .await
        .unwrap();

    assert!(
        denylist.is_revoked(&revoked, user, now).await.unwrap(),
        "the revoked token"
    );
    assert!(
        !denylist.is_revoked(&other, user, now).await.unwrap(),
        "a token nobody revoked"
    );
}

pub async fn revoking_a_token_twice_is_harmless(denylist: &dyn TokenDenylist) {
    let (id, user) = (token_id(), user_id());
    let now = Utc::now();
    denylist
        .revoke(&id, now + TimeDelta::minutes(5))
        .await
        .unwrap();
    denylist
        .revoke(&id, now + TimeDelta::minutes(5))
        .await
        .unwrap();

    assert!(denylist.is_revoked(&id, user, now).await.unwrap());
}

/// A token that has already expired needs no entry; revoking it must still succeed, because a
/// logout racing the expiry is normal.
pub async fn revoking_an_already_expired_token_is_accepted(denylist: &dyn TokenDenylist) {
    let id = token_id();
    denylist
        .revoke(&id, Utc::now() - TimeDelta::seconds(10))
        .await
        .unwrap();
    denylist
        .revoke_user_tokens(user_id(), Utc::now(), Utc::now() - TimeDelta::seconds(10))
        .await
        .unwrap();
}

pub async fn a_user_cutoff_revokes_tokens_issued_at_or_before_it_but_not_after(
    denylist: &dyn TokenDenylist,
) {
    let user = user_id();
    let cutoff = Utc::now();
    denylist
        .revoke_user_tokens(user, cutoff, cutoff + TimeDelta::minutes(5))
        .await
        .unwrap();

    let earlier = cutoff - TimeDelta::minutes(1);
    assert!(
        any_token_revoked(denylist, user, earlier).await,
        "issued well before the cutoff"
    );
    assert!(
        any_token_revoked(denylist, user, cutoff).await,
        "issued exactly at the cutoff"
    );
    let later = cutoff + TimeDelta::seconds(1);
    assert!(
        !any_token_revoked(denylist, user, later).await,
        "issued after the cutoff"
    );
}

pub async fn a_user_cutoff_affects_only_that_user(denylist: &dyn TokenDenylist) {
    let (user, other) = (user_id(), user_id());
    let cutoff = Utc::now();
    denylist
        .revoke_user_tokens(user, cutoff, cutoff + TimeDelta::minutes(5))
        .await
        .unwrap();

    let issued_at = cutoff - TimeDelta::minutes(1);
    assert!(any_token_revoked(denylist, user, issued_at).await);
    assert!(!any_token_revoked(denylist, other, issued_at).await);
}

/// Two password changes a moment apart may reach the store in either order (or on two nodes at
/// once); the later cutoff must stick, and an earlier one arriving late must not shorten either
/// the cutoff or how long it is kept.
pub async fn a_later_cutoff_wins_whatever_order_the_cutoffs_arrive_in(
    denylist: &dyn TokenDenylist,
) {
    let user = user_id();
    let now = Utc::now();
    let (early, late) = (now - TimeDelta::minutes(2), now);

    denylist
        .revoke_user_tokens(user, late, now + TimeDelta::minutes(5))
        .await
        .unwrap();
    denylist
        .revoke_user_tokens(user, early, now + TimeDelta::seconds(1))
        .await
        .unwrap();
    let between = now - TimeDelta::minutes(1);
    assert!(
        any_token_revoked(denylist, user, between).await,
        "the late cutoff was lost"
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        any_token_revoked(denylist, user, between).await,
        "an earlier cutoff's shorter lifetime cut the entry short"
    );

    let later = now + TimeDelta::seconds(30);
    denylist
        .revoke_user_tokens(user, later, now + TimeDelta::minutes(5))
        .await
        .unwrap();
    let after_late = now + TimeDelta::seconds(10);
    assert!(
        any_token_revoked(denylist, user, after_late).await,
        "a later cutoff was ignored"
    );
}

/// Entries live until the time they were given and no longer, so the store does not grow
/// with every logout.
pub async fn revoked_entries_expire_at_their_time(denylist: &dyn TokenDenylist) {
    let (id, user, other_user) = (token_id(), user_id(), user_id());
    let now = Utc::now();
    let soon = now + TimeDelta::seconds(1);
    denylist.revoke(&id, soon).await.unwrap();
    denylist.revoke_user_tokens(user, now, soon).await.unwrap();
    assert!(denylist.is_revoked(&id, other_user, now).await.unwrap());
    assert!(any_token_revoked(denylist, user, now).await);

    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(
        !denylist.is_revoked(&id, other_user, now).await.unwrap(),
        "the token entry outlived its expiry"
    );
    assert!(
        !any_token_revoked(denylist, user, now).await,
        "the cutoff outlived keep_until"
    );
}

/// Whether a token of `user` issued at `issued_at`, with an id nobody revoked, is refused.
async fn any_token_revoked(
    denylist: &dyn TokenDenylist,
    user: UserId,
    issued_at: DateTime<Utc>,
) -> bool {
    denylist
        .is_revoked(&token_id(), user, issued_at)
        .await
        .unwrap()
}

fn token_id() -> String {
    format!("contract-{:016x}", rand::random::<u64>())
}

/// Large random ids, so they never meet a real user's id in a shared store.
fn user_id() -> UserId {
    UserId::new(1 << 40 | (rand::random::<i64>() & ((1 << 52) - 1)))
}
