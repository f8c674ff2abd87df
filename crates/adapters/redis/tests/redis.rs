//! The Redis adapters against a real Redis (`TEST_REDIS_URL`, which CI always sets) and
//! against Redis servers that cannot answer.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::PortError;
use tandem_redis::RedisStores;
use tandem_testkit::contract::{denylist, rate_limiter, request_throttle};

/// A fresh namespace per run, so runs sharing one Redis never see each other's keys.
fn stores(test: &str) -> RedisStores {
    #[expect(
        clippy::disallowed_methods,
        reason = "tests take the Redis URL from CI's environment"
    )]
    // A missing URL fails the test: a Redis test must never pass by not running.
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        panic!(
            "{test}: TEST_REDIS_URL is not set (`make test` sets it; `make test-embedded` leaves the Redis tests out)"
        );
    };
    let namespace = format!("tandem-test:{:016x}:", rand::random::<u64>());
    RedisStores::connect(&url, &namespace).unwrap()
}

#[tokio::test]
async fn the_redis_denylist_meets_the_denylist_contract() {
    let stores = stores("the_redis_denylist_meets_the_denylist_contract");
    denylist::run_all(stores.denylist().as_ref()).await;
}

/// A Redis that holds no marker (a fresh one, or one restarted empty) says it may be missing
/// revocations until it is marked complete; the answer comes with the same round trip.
#[tokio::test]
async fn the_denylist_says_whether_it_holds_every_revocation() {
    let stores = stores("the_denylist_says_whether_it_holds_every_revocation");
    let denylist = stores.denylist();
    let (ana, issued) = (tandem_domain::UserId::new(1), chrono::Utc::now());
    let later = issued + chrono::Duration::minutes(15);
    denylist.revoke("jti-1", later).await.unwrap();
    let before = denylist.check("jti-1", ana, issued).await.unwrap();
    assert!(before.revoked && !before.complete, "{before:?}");
    denylist.mark_complete().await.unwrap();
    let after = denylist.check("jti-2", ana, issued).await.unwrap();
    assert!(!after.revoked && after.complete, "{after:?}");
}

#[tokio::test]
async fn the_redis_rate_limiter_meets_the_rate_limiter_contract() {
    let stores = stores("the_redis_rate_limiter_meets_the_rate_limiter_contract");
    rate_limiter::run_all(&stores.rate_limiter()).await;
}

#[tokio::test]
async fn the_redis_request_throttle_meets_the_request_throttle_contract() {
    let stores = stores("the_redis_request_throttle_meets_the_request_throttle_contract");
    request_throttle::run_all(&stores.request_throttle()).await;
}

#[tokio::test]
async fn the_readiness_probe_pings_redis() {
    let stores = stores("the_readiness_probe_pings_redis");
    let probe = stores.readiness_probe();
    assert_eq!(probe.name(), "redis");
    probe.check().await.unwrap();
}

#[tokio::test]
async fn deployments_with_different_namespaces_do_not_see_each_others_entries() {
    let test = "deployments_with_different_namespaces_do_not_see_each_others_entries";
    let one = stores(test);
    let other = stores(test);
    let window = Duration::from_secs(60);
    one.rate_limiter()
        .increment("login:ana", window)
        .await
        .unwrap();
    assert_eq!(
        other
            .rate_limiter()
            .current("login:ana")
            .await
            .unwrap()
            .count,
        0
    );
    assert_eq!(
        one.rate_limiter().current("login:ana").await.unwrap().count,
        1
    );
}

/// Every port call against `stores` must fail as `Unavailable` well within `limit`.
async fn assert_every_call_is_unavailable(stores: &RedisStores, limit: Duration) {
    let user = tandem_domain::UserId::new(1);
    let now = chrono::Utc::now();
    let (denylist, limiter) = (stores.denylist(), stores.rate_limiter());
    let probe = stores.readiness_probe();
    let calls = [
        ("probe", tokio::time::timeout(limit, probe.check()).await),
        (
            "denylist",
            tokio::time::timeout(limit, async {
                denylist.is_revoked("t", user, now).await.map(drop)
            })
            .await,
        ),
        (
            "limiter",
            tokio::time::timeout(limit, async {
                limiter.increment("k", limit).await.map(drop)
            })
            .await,
        ),
    ];
    for (call, result) in calls {
        match result {
            Ok(Err(PortError::Unavailable { what: "redis", .. })) => {}
            Ok(other) => panic!("{call}: expected Unavailable, got {other:?}"),
            Err(_) => panic!("{call}: a call to an unreachable Redis hung for {limit:?}"),
        }
    }
}

#[tokio::test]
async fn a_redis_that_refuses_connections_is_unavailable() {
    let stores = RedisStores::connect("redis://127.0.0.1:1", "tandem-test:").unwrap();
    assert_every_call_is_unavailable(&stores, Duration::from_secs(10)).await;
}

/// A server that accepts connections and then never answers (a hung Redis, a black-holing
/// firewall) must not hang requests either.
#[tokio::test]
async fn a_redis_that_never_answers_is_unavailable_within_seconds() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let stores = RedisStores::connect(&format!("redis://{address}"), "tandem-test:").unwrap();
    assert_every_call_is_unavailable(&stores, Duration::from_secs(10)).await;
    silent.abort();
}

#[tokio::test]
async fn secrets_in_the_url_never_reach_errors_or_debug_output() {
    let stores = RedisStores::connect("redis://:hunter2-secret@127.0.0.1:1", "ns:").unwrap();
    assert!(!format!("{stores:?}").contains("hunter2"));
    let error = stores.readiness_probe().check().await.unwrap_err();
    assert!(
        !format!("{error:?} {error}").contains("hunter2"),
        "{error:?}"
    );

    let error = RedisStores::connect("nonsense://:hunter2-secret@host", "ns:").unwrap_err();
    assert!(matches!(error, PortError::Unexpected(_)));
    assert!(
        !format!("{error:?} {error}").contains("hunter2"),
        "{error:?}"
    );
}

#[test]
fn the_stores_are_shareable_across_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<RedisStores>();
    let _: fn(&RedisStores) -> Arc<dyn tandem_app::ports::TokenDenylist> = RedisStores::denylist;
}
