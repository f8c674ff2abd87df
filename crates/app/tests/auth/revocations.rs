//! `DurableDenylist`: revocations survive a restart of the node and of the shared store, and
//! reach nodes that did not make them.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};
use tandem_app::auth::DurableDenylist;
use tandem_app::ports::{PortError, Revocation, RevocationStore, TokenDenylist};
use tandem_domain::UserId;
use tandem_testkit::fakes::TestContext;

/// The database's part: what was recorded, and when.
#[derive(Default)]
struct Recorded(Mutex<Vec<(Revocation, DateTime<Utc>)>>);

#[async_trait]
impl RevocationStore for Recorded {
    async fn record(&self, revocation: &Revocation, now: DateTime<Utc>) -> Result<(), PortError> {
        self.0.lock().unwrap().push((revocation.clone(), now));
        Ok(())
    }
    async fn recorded_since(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Revocation>, PortError> {
        let in_force = |r: &Revocation| match r {
            Revocation::Token { expires_at, .. } => *expires_at > now,
            Revocation::User { keep_until, .. } => *keep_until > now,
        };
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, at)| *at >= since && in_force(r))
            .map(|(r, _)| r.clone())
            .collect())
    }
    async fn prune(&self, _: DateTime<Utc>) -> Result<u64, PortError> {
        Ok(0)
    }
}

/// A node: its own empty mirror over the shared database and, maybe, a shared store.
async fn node(
    store: &Arc<Recorded>,
    shared: Option<Arc<dyn TokenDenylist>>,
) -> Arc<DurableDenylist> {
    let mirror = TestContext::new().new_denylist();
    DurableDenylist::load(store.clone(), mirror, shared)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_revocation_outlives_the_node_and_the_shared_store_that_saw_it() {
    let store = Arc::new(Recorded::default());
    let ana = UserId::new(1);
    let issued = Utc::now() - Duration::minutes(1);
    let expires = Utc::now() + Duration::minutes(15);

    let redis: Arc<dyn TokenDenylist> = TestContext::new().new_denylist();
    let first = node(&store, Some(redis.clone())).await;
    first.revoke("jti-1", expires).await.unwrap();
    first
        .revoke_user_tokens(UserId::new(2), Utc::now(), expires)
        .await
        .unwrap();
    assert!(
        redis.is_revoked("jti-1", ana, issued).await.unwrap(),
        "spread"
    );

    // The shared store restarted empty, and the node too: the database remembers.
    let forgetful: Arc<dyn TokenDenylist> = TestContext::new().new_denylist();
    let restarted = node(&store, Some(forgetful)).await;
    assert!(restarted.is_revoked("jti-1", ana, issued).await.unwrap());
    assert!(
        restarted
            .is_revoked("jti-9", UserId::new(2), issued)
            .await
            .unwrap(),
        "every token of a user issued before the cutoff"
    );
    assert!(!restarted.is_revoked("jti-2", ana, issued).await.unwrap());
}

#[tokio::test]
async fn a_node_learns_of_another_nodes_revocations_from_the_database() {
    let store = Arc::new(Recorded::default());
    let (one, other) = (node(&store, None).await, node(&store, None).await);
    let ana = UserId::new(1);
    let issued = Utc::now() - Duration::minutes(1);
    one.revoke("jti-1", Utc::now() + Duration::minutes(15))
        .await
        .unwrap();
    assert!(
        one.is_revoked("jti-1", ana, issued).await.unwrap(),
        "at once"
    );
    assert!(
        !other.is_revoked("jti-1", ana, issued).await.unwrap(),
        "not before it reads the database"
    );
    assert_eq!(other.sync().await.unwrap(), 1);
    assert!(other.is_revoked("jti-1", ana, issued).await.unwrap());
}

/// A shared store that restarted empty, and says so until it is filled again.
struct Emptied {
    inner: Arc<dyn TokenDenylist>,
    complete: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl TokenDenylist for Emptied {
    async fn revoke(&self, token_id: &str, expires_at: DateTime<Utc>) -> Result<(), PortError> {
        self.inner.revoke(token_id, expires_at).await
    }
    async fn revoke_user_tokens(
        &self,
        user_id: UserId,
        cutoff: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.inner
            .revoke_user_tokens(user_id, cutoff, keep_until)
            .await
    }
    async fn is_revoked(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        self.inner.is_revoked(token_id, user_id, issued_at).await
    }
    async fn check(
        &self,
        token_id: &str,
        user_id: UserId,
        issued_at: DateTime<Utc>,
    ) -> Result<tandem_app::ports::Revoked, PortError> {
        Ok(tandem_app::ports::Revoked {
            revoked: self.inner.is_revoked(token_id, user_id, issued_at).await?,
            complete: self.complete.load(std::sync::atomic::Ordering::SeqCst),
        })
    }
    async fn mark_complete(&self) -> Result<(), PortError> {
        self.complete
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// Another node revoked a token a moment ago and Redis then restarted empty: this node has
/// not read the database since, yet refuses the token at once (Redis says it lost its data,
/// so the node reads the database), and fills Redis again.
#[tokio::test]
async fn a_redis_that_restarted_empty_sends_the_node_to_the_database_at_once() {
    let store = Arc::new(Recorded::default());
    let t = TestContext::new();
    let emptied = Arc::new(Emptied {
        inner: t.new_denylist(),
        complete: std::sync::atomic::AtomicBool::new(true),
    });
    let this_node = node(&store, Some(emptied.clone())).await;
    let other_node = node(&store, None).await;
    let ana = UserId::new(1);
    let issued = Utc::now() - Duration::minutes(1);
    other_node
        .revoke("jti-1", Utc::now() + Duration::minutes(15))
        .await
        .unwrap();
    emptied
        .complete
        .store(false, std::sync::atomic::Ordering::SeqCst);

    assert!(this_node.is_revoked("jti-1", ana, issued).await.unwrap());
    assert!(
        emptied
            .inner
            .is_revoked("jti-1", ana, issued)
            .await
            .unwrap(),
        "Redis was filled again from the database"
    );
    assert!(emptied.complete.load(std::sync::atomic::Ordering::SeqCst));
    assert!(!this_node.is_revoked("jti-2", ana, issued).await.unwrap());
}
