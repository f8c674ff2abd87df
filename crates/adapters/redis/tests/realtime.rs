//! The Redis event bus and presence store against a real Redis (`TEST_REDIS_URL`, which CI
//! always sets): the contract suites with two nodes on one Redis, how a node uses its pub/sub
//! connection, and what happens when Redis goes away and comes back (through a proxy this test
//! controls, so other tests sharing the Redis are not disturbed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on any error"
)]

use deadpool_redis::redis;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tandem_app::ports::{Delivery, PortError, Subscription, Topic};
use tandem_domain::ChannelId;
use tandem_redis::RedisStores;
use tandem_testkit::contract::{bus, presence};
use tandem_testkit::proxy::{Mode, Proxy, upstream};

const WAIT: Duration = Duration::from_secs(2);

fn redis_url(test: &str) -> String {
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
    url
}

/// A fresh namespace per test, so runs sharing one Redis never see each other's keys.
fn namespace() -> String {
    format!("tandem-test:{:016x}:", rand::random::<u64>())
}

/// Two nodes of one deployment: same Redis, same namespace, separate pools and pub/sub
/// connections.
fn two_nodes(test: &str) -> (RedisStores, RedisStores, String) {
    let (url, namespace) = (redis_url(test), namespace());
    (
        RedisStores::connect(&url, &namespace).unwrap(),
        RedisStores::connect(&url, &namespace).unwrap(),
        namespace,
    )
}

fn channel() -> Topic {
    Topic::Channel(ChannelId::new(rand::random::<i64>() & ((1 << 52) - 1)))
}

fn payload(text: &str) -> Arc<[u8]> {
    Arc::from(text.as_bytes())
}

async fn next(subscription: &mut Subscription, within: Duration) -> Delivery {
    match tokio::time::timeout(within, subscription.recv()).await {
        Ok(Some(delivery)) => delivery,
        Ok(None) => panic!("the subscription ended"),
        Err(_) => panic!("nothing was delivered within {within:?}"),
    }
}

/// How many connections (of any node) are subscribed to `channel` on the Redis server.
async fn redis_subscribers(url: &str, channel: &str) -> u64 {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let (_, count): (String, u64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query_async(&mut connection)
        .await
        .unwrap();
    count
}

/// Polls until `channel` has `expected` subscribers on the server, failing after [`WAIT`].
async fn assert_redis_subscribers(url: &str, channel: &str, expected: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let count = redis_subscribers(url, channel).await;
        if count == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{channel} has {count} subscribers on Redis, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_event_bus_meets_the_event_bus_contract_across_two_nodes() {
    let (one, other, _) = two_nodes("the_redis_event_bus_meets_the_event_bus_contract");
    bus::run_all(&one.event_bus(), &other.event_bus()).await;
}

#[tokio::test]
async fn the_redis_presence_store_meets_the_presence_contract_across_two_nodes() {
    let (one, other, _) = two_nodes("the_redis_presence_store_meets_the_presence_contract");
    presence::run_all(one.presence().as_ref(), other.presence().as_ref()).await;
}

/// A node subscribes in Redis only to the topics its own clients listen to, once however many
/// of them listen, and unsubscribes when the last one leaves.
#[tokio::test]
async fn a_node_is_subscribed_in_redis_only_while_it_has_local_subscribers() {
    let test = "a_node_is_subscribed_in_redis_only_while_it_has_local_subscribers";
    let url = redis_url(test);
    let (one, other, namespace) = two_nodes(test);
    let (topic, unwatched) = (channel(), channel());
    let name = format!("{namespace}bus:{topic}");

    let first = one.event_bus().subscribe(&topic).await.unwrap();
    let second = one.event_bus().subscribe(&topic).await.unwrap();
    assert_redis_subscribers(&url, &name, 1).await;
    one.event_bus()
        .publish(&unwatched, payload("x"))
        .await
        .unwrap();
    assert_redis_subscribers(&url, &format!("{namespace}bus:{unwatched}"), 0).await;

    let elsewhere = other.event_bus().subscribe(&topic).await.unwrap();
    assert_redis_subscribers(&url, &name, 2).await;

    drop(first);
    assert_redis_subscribers(&url, &name, 2).await;
    drop(second);
    assert_redis_subscribers(&url, &name, 1).await;
    drop(elsewhere);
    assert_redis_subscribers(&url, &name, 0).await;
}

/// Through a proxy: a node whose traffic the test controls, and a direct node that keeps
/// working, both in one namespace.
async fn proxied_and_direct(test: &str) -> (Proxy, RedisStores, RedisStores, String) {
    let url = redis_url(test);
    let proxy = Proxy::start(upstream(&url, 6379).await).await;
    let namespace = namespace();
    let proxied = RedisStores::connect(&proxy.url(&url), &namespace).unwrap();
    let direct = RedisStores::connect(&url, &namespace).unwrap();
    (proxy, proxied, direct, url)
}

#[tokio::test]
async fn a_node_listens_on_one_connection_for_all_its_topics() {
    let (proxy, proxied, direct, _) =
        proxied_and_direct("a_node_listens_on_one_connection_for_all_its_topics").await;
    let bus = proxied.event_bus();
    let topics: Vec<Topic> = (0..5).map(|_| channel()).collect();
    let mut subscriptions = Vec::new();
    for topic in &topics {
        subscriptions.push(bus.subscribe(topic).await.unwrap());
    }
    for (topic, subscription) in topics.iter().zip(&mut subscriptions) {
        direct
            .event_bus()
            .publish(topic, payload("hi"))
            .await
            .unwrap();
        assert_eq!(
            next(subscription, WAIT).await,
            Delivery::Payload(payload("hi"))
        );
    }
    assert_eq!(proxy.accepted.load(Ordering::SeqCst), 1);
}

/// The bus survives losing its connection: it reconnects by itself, its subscribers are told
/// they lagged, and delivery goes on.
#[tokio::test]
async fn the_bus_reconnects_and_tells_subscribers_they_lagged() {
    let (proxy, proxied, direct, _) =
        proxied_and_direct("the_bus_reconnects_and_tells_subscribers_they_lagged").await;
    let topic = channel();
    let mut subscription = proxied.event_bus().subscribe(&topic).await.unwrap();
    direct
        .event_bus()
        .publish(&topic, payload("before"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("before"))
    );

    proxy.sever();
    assert_eq!(
        next(&mut subscription, Duration::from_secs(10)).await,
        Delivery::Lagged { missed: None },
        "the gap is announced once the node is subscribed again"
    );
    direct
        .event_bus()
        .publish(&topic, payload("after"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("after"))
    );
    proxied
        .event_bus()
        .publish(&topic, payload("from the reconnected node"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("from the reconnected node"))
    );
}

/// A Redis that stops answering must not hang publishers or subscribers: a publish fails as
/// `Unavailable` within seconds, a subscription made meanwhile is local until Redis answers
/// (then told it lagged, like the older ones), and the bus recovers by itself.
#[tokio::test]
async fn a_redis_that_stops_answering_makes_the_bus_unavailable_until_it_answers_again() {
    let (proxy, proxied, direct, _) = proxied_and_direct(
        "a_redis_that_stops_answering_makes_the_bus_unavailable_until_it_answers_again",
    )
    .await;
    let bus = proxied.event_bus();
    let topic = channel();
    let mut subscription = bus.subscribe(&topic).await.unwrap();

    proxy.set_mode(Mode::BlackHole);
    proxy.sever();
    let limit = Duration::from_secs(10);
    match tokio::time::timeout(limit, bus.publish(&topic, payload("lost"))).await {
        Ok(Err(PortError::Unavailable { what: "redis", .. })) => {}
        Ok(other) => panic!("publish: expected Unavailable, got {other:?}"),
        Err(_) => panic!("publish: hung for {limit:?} on a Redis that does not answer"),
    }
    let during_topic = channel();
    let mut during = tokio::time::timeout(limit, bus.subscribe(&during_topic))
        .await
        .expect("subscribe does not hang on a Redis that does not answer")
        .expect("a subscription while Redis is away is local, not refused");

    // The node's own subscriber got what the node published meanwhile (local delivery goes on).
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("lost"))
    );
    proxy.set_mode(Mode::Forward);
    proxy.sever();
    assert_eq!(
        next(&mut subscription, Duration::from_secs(15)).await,
        Delivery::Lagged { missed: None }
    );
    assert_eq!(
        next(&mut during, Duration::from_secs(15)).await,
        Delivery::Lagged { missed: None },
        "what other nodes published while it was local is owed"
    );
    direct
        .event_bus()
        .publish(&during_topic, payload("now shared"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut during, WAIT).await,
        Delivery::Payload(payload("now shared"))
    );
    let fresh = channel();
    let mut fresh_subscription = bus.subscribe(&fresh).await.unwrap();
    direct
        .event_bus()
        .publish(&fresh, payload("back"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut fresh_subscription, WAIT).await,
        Delivery::Payload(payload("back"))
    );
}

/// Publishing and presence need Redis; subscribing does not (the node's own payloads still
/// arrive).
#[tokio::test]
async fn a_redis_that_refuses_connections_makes_the_bus_and_presence_unavailable() {
    let stores = RedisStores::connect("redis://127.0.0.1:1", &namespace()).unwrap();
    let (bus, presence) = (stores.event_bus(), stores.presence());
    let user = tandem_domain::UserId::new(1);
    let limit = Duration::from_secs(10);
    let calls = [
        (
            "publish",
            tokio::time::timeout(limit, bus.publish(&channel(), payload("x"))).await,
        ),
        (
            "is_online",
            tokio::time::timeout(limit, async { presence.is_online(user).await.map(drop) }).await,
        ),
        (
            "connect",
            tokio::time::timeout(limit, async {
                presence
                    .connect(user, tandem_domain::OrganizationId::new(1), "c", WAIT)
                    .await
                    .map(drop)
            })
            .await,
        ),
    ];
    for (call, result) in calls {
        match result {
            Ok(Err(PortError::Unavailable { what: "redis", .. })) => {}
            Ok(other) => panic!("{call}: expected Unavailable, got {other:?}"),
            Err(_) => panic!("{call}: hung for {limit:?}"),
        }
    }
    let topic = channel();
    let mut local = tokio::time::timeout(limit, bus.subscribe(&topic))
        .await
        .expect("subscribe does not hang")
        .expect("a local subscription");
    let _ = bus.publish(&topic, payload("mine")).await;
    assert_eq!(
        next(&mut local, WAIT).await,
        Delivery::Payload(payload("mine"))
    );
}

/// Dropping the stores and every subscription closes the node's pub/sub connection: the
/// listener does not outlive what it serves.
#[tokio::test]
async fn the_listener_stops_once_the_bus_and_its_subscriptions_are_gone() {
    let (proxy, proxied, _direct, _) =
        proxied_and_direct("the_listener_stops_once_the_bus_and_its_subscriptions_are_gone").await;
    let bus = proxied.event_bus();
    let subscription = bus.subscribe(&channel()).await.unwrap();
    assert_eq!(proxy.open.load(Ordering::SeqCst), 1);

    drop((proxied, bus));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        proxy.open.load(Ordering::SeqCst),
        1,
        "a live subscription keeps the connection"
    );
    drop(subscription);
    let deadline = tokio::time::Instant::now() + WAIT;
    while proxy.open.load(Ordering::SeqCst) > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the pub/sub connection outlived the bus"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Losing Redis must not stop a node's own clients: what the node publishes still reaches its
/// own subscribers.
#[tokio::test]
async fn a_node_keeps_delivering_to_its_own_subscribers_while_redis_is_away() {
    let (proxy, proxied, _direct, _) =
        proxied_and_direct("a_node_keeps_delivering_to_its_own_subscribers_while_redis_is_away")
            .await;
    let bus = proxied.event_bus();
    let topic = channel();
    let mut subscription = bus.subscribe(&topic).await.unwrap();
    bus.publish(&topic, payload("while up")).await.unwrap();
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("while up"))
    );
    // Exactly once: the echo from Redis is not delivered again.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), subscription.recv())
            .await
            .is_err(),
        "no echo"
    );

    proxy.set_mode(Mode::BlackHole);
    proxy.sever();
    // Whether the publish itself reports the outage depends on when the broken connection is
    // noticed; the node's own subscriber gets the payload either way.
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        bus.publish(&topic, payload("while down")),
    )
    .await;
    assert_eq!(
        next(&mut subscription, WAIT).await,
        Delivery::Payload(payload("while down"))
    );
}
