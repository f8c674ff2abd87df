//! Contract suite for [`EventBus`]: delivery, isolation, order and lag as every bus must
//! provide them.
//!
//! Each suite run takes two handles: `node` and `other_node`, two nodes sharing one bus (two
//! `RedisStores` on one Redis; for a single-process bus, the same instance twice). Every case
//! uses random topics, so the suite can run again and again (and concurrently) on one shared
//! broker. Every wait for a delivery has a timeout, so a broken bus fails instead of hanging.

use std::sync::Arc;
use std::time::Duration;
use tandem_app::ports::{Delivery, EventBus, Subscription, Topic};
use tandem_domain::{ChannelId, OrganizationId, UserId};

/// The longest a delivery may take, even across nodes.
const WAIT: Duration = Duration::from_secs(2);

/// Runs every case in this suite.
pub async fn run_all(node: &Arc<dyn EventBus>, other_node: &Arc<dyn EventBus>) {
    publishing_with_no_subscribers_is_fine(node).await;
    a_payload_reaches_every_subscriber_of_its_topic_exactly_once(node).await;
    subscribers_of_other_topics_receive_nothing(node).await;
    payload_bytes_arrive_unchanged(node).await;
    payloads_arrive_in_publish_order(node).await;
    each_publishers_payloads_arrive_in_its_order(node).await;
    a_slow_subscriber_is_told_it_lagged_while_a_fast_one_gets_everything(node).await;
    dropping_a_subscription_stops_delivery_to_it_alone(node).await;
    a_topic_can_be_subscribed_again_after_its_last_subscriber_left(node).await;
    a_payload_published_on_one_node_reaches_subscribers_on_every_node(node, other_node).await;
}

pub async fn publishing_with_no_subscribers_is_fine(bus: &Arc<dyn EventBus>) {
    for topic in [
        Topic::Channel(ChannelId::new(id())),
        Topic::User(UserId::new(id())),
        Topic::Organization(OrganizationId::new(id())),
    ] {
        bus.publish(&topic, payload("nobody listens"))
            .await
            .unwrap();
    }
}

pub async fn a_payload_reaches_every_subscriber_of_its_topic_exactly_once(bus: &Arc<dyn EventBus>) {
    let topic = channel();
    let mut first = bus.subscribe(&topic).await.unwrap();
    let mut second = bus.subscribe(&topic).await.unwrap();

    bus.publish(&topic, payload("hello")).await.unwrap();
    bus.publish(&topic, payload("marker")).await.unwrap();

    for subscriber in [&mut first, &mut second] {
        assert_eq!(next_payload(subscriber).await, payload("hello"));
        assert_eq!(
            next_payload(subscriber).await,
            payload("marker"),
            "the payload came twice"
        );
    }
}

/// Topics of different kinds with the same number are different topics too.
pub async fn subscribers_of_other_topics_receive_nothing(bus: &Arc<dyn EventBus>) {
    let n = id();
    let topic = Topic::Channel(ChannelId::new(n));
    let others = [
        Topic::Channel(ChannelId::new(n + 1)),
        Topic::User(UserId::new(n)),
        Topic::Organization(OrganizationId::new(n)),
    ];
    let mut subscribers = Vec::new();
    for other in &others {
        subscribers.push((other, bus.subscribe(other).await.unwrap()));
    }

    bus.publish(&topic, payload("not for you")).await.unwrap();
    for (other, subscriber) in &mut subscribers {
        bus.publish(other, payload("yours")).await.unwrap();
        assert_eq!(
            next_payload(subscriber).await,
            payload("yours"),
            "a subscriber of {other} received a payload of {topic}"
        );
    }
}

pub async fn payload_bytes_arrive_unchanged(bus: &Arc<dyn EventBus>) {
    let topic = Topic::User(UserId::new(id()));
    let mut subscriber = bus.subscribe(&topic).await.unwrap();
    let all_bytes: Vec<u8> = (0..=255).collect();
    let large: Vec<u8> = (0..256 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let payloads: [Arc<[u8]>; 4] = [
        Arc::from(&[][..]),
        Arc::from(&b"{\"type\":\"chat_message\",\"body\":\"\xc3\xa9\"}"[..]),
        Arc::from(all_bytes),
        Arc::from(large),
    ];
    for sent in &payloads {
        bus.publish(&topic, Arc::clone(sent)).await.unwrap();
    }
    for sent in &payloads {
        assert_eq!(&next_payload(&mut subscriber).await, sent);
    }
}

pub async fn payloads_arrive_in_publish_order(bus: &Arc<dyn EventBus>) {
    let topic = channel();
    let mut subscriber = bus.subscribe(&topic).await.unwrap();
    for i in 0..100 {
        bus.publish(&topic, numbered(i)).await.unwrap();
    }
    for i in 0..100 {
        assert_eq!(number(&next_payload(&mut subscriber).await), i);
    }
}

/// Two publishers at once: their payloads interleave any way, but each one's stay in order.
pub async fn each_publishers_payloads_arrive_in_its_order(bus: &Arc<dyn EventBus>) {
    const EACH: u64 = 100;
    let topic = channel();
    let mut subscriber = bus.subscribe(&topic).await.unwrap();
    let publishers: Vec<_> = [0, 1_000_000]
        .into_iter()
        .map(|base| {
            let bus = Arc::clone(bus);
            tokio::spawn(async move {
                for i in 0..EACH {
                    bus.publish(&topic, numbered(base + i)).await.unwrap();
                }
            })
        })
        .collect();
    let mut next_expected = [0, 1_000_000];
    for _ in 0..2 * EACH {
        let n = number(&next_payload(&mut subscriber).await);
        let publisher = usize::from(n >= 1_000_000);
        assert_eq!(n, next_expected[publisher], "out of order");
        next_expected[publisher] += 1;
    }
    for publisher in publishers {
        publisher.await.unwrap();
    }
}

/// A subscriber that stops reading must cost publishers nothing: they go on at full speed,
/// a subscriber that keeps reading gets everything, and the slow one is skipped ahead and
/// told how far, its buffer staying bounded.
pub async fn a_slow_subscriber_is_told_it_lagged_while_a_fast_one_gets_everything(
    bus: &Arc<dyn EventBus>,
) {
    /// Far more than any bus buffers per subscriber.
    const TOTAL: u64 = 5_000;
    const BATCH: u64 = 100;
    let topic = channel();
    let mut fast = bus.subscribe(&topic).await.unwrap();
    let mut slow = bus.subscribe(&topic).await.unwrap();

    let publishing = async {
        for start in (0..TOTAL).step_by(usize::try_from(BATCH).unwrap()) {
            for i in start..start + BATCH {
                bus.publish(&topic, numbered(i)).await.unwrap();
            }
            for i in start..start + BATCH {
                assert_eq!(number(&next_payload(&mut fast).await), i, "the fast one");
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), publishing)
        .await
        .expect("a subscriber that does not read held the publisher up");

    let (mut received, mut missed, mut lagged) = (Vec::new(), 0, false);
    while received.last() != Some(&(TOTAL - 1)) {
        match next(&mut slow).await {
            Delivery::Payload(bytes) => received.push(number(&bytes)),
            Delivery::Lagged { missed: n } => {
                lagged = true;
                missed += n.expect("a slow subscriber is told how many it missed");
            }
        }
    }
    assert!(lagged, "the slow subscriber was never told it lagged");
    assert!(
        received.windows(2).all(|w| w[0] < w[1]),
        "what the slow subscriber did get arrived in order"
    );
    assert!(
        (received.len() as u64) < TOTAL / 2,
        "the slow subscriber's buffer held {} payloads",
        received.len()
    );
    assert_eq!(
        received.len() as u64 + missed,
        TOTAL,
        "received plus missed accounts for every payload"
    );
}

pub async fn dropping_a_subscription_stops_delivery_to_it_alone(bus: &Arc<dyn EventBus>) {
    let topic = channel();
    let leaving = bus.subscribe(&topic).await.unwrap();
    let mut staying = bus.subscribe(&topic).await.unwrap();
    drop(leaving);

    bus.publish(&topic, payload("still here")).await.unwrap();
    assert_eq!(next_payload(&mut staying).await, payload("still here"));
}

/// The bus forgets a topic when its last subscriber leaves; a new subscriber right after must
/// still get everything, once, however quickly it comes back.
pub async fn a_topic_can_be_subscribed_again_after_its_last_subscriber_left(
    bus: &Arc<dyn EventBus>,
) {
    let topic = channel();
    for round in 0..20 {
        let mut subscriber = bus.subscribe(&topic).await.unwrap();
        bus.publish(&topic, numbered(round)).await.unwrap();
        bus.publish(&topic, payload("marker")).await.unwrap();
        assert_eq!(number(&next_payload(&mut subscriber).await), round);
        assert_eq!(next_payload(&mut subscriber).await, payload("marker"));
    }
}

pub async fn a_payload_published_on_one_node_reaches_subscribers_on_every_node(
    node: &Arc<dyn EventBus>,
    other_node: &Arc<dyn EventBus>,
) {
    let topic = channel();
    let mut here = node.subscribe(&topic).await.unwrap();
    let mut there = other_node.subscribe(&topic).await.unwrap();

    node.publish(&topic, payload("from one")).await.unwrap();
    other_node
        .publish(&topic, payload("from the other"))
        .await
        .unwrap();

    for subscriber in [&mut here, &mut there] {
        let mut got = [
            next_payload(subscriber).await,
            next_payload(subscriber).await,
        ];
        got.sort();
        assert_eq!(got, [payload("from one"), payload("from the other")]);
    }
    node.publish(&topic, payload("marker")).await.unwrap();
    for subscriber in [&mut here, &mut there] {
        assert_eq!(
            next_payload(subscriber).await,
            payload("marker"),
            "a payload came twice"
        );
    }
}

/// The next delivery, failing the test when none comes within [`WAIT`].
async fn next(subscription: &mut Subscription) -> Delivery {
    match tokio::time::timeout(WAIT, subscription.recv()).await {
        Ok(Some(delivery)) => delivery,
        Ok(None) => panic!("the subscription ended"),
        Err(_) => panic!("nothing was delivered within {WAIT:?}"),
    }
}

async fn next_payload(subscription: &mut Subscription) -> Arc<[u8]> {
    match next(subscription).await {
        Delivery::Payload(bytes) => bytes,
        lagged @ Delivery::Lagged { .. } => panic!("expected a payload, got {lagged:?}"),
    }
}

fn payload(text: &str) -> Arc<[u8]> {
    Arc::from(text.as_bytes())
}

fn numbered(n: u64) -> Arc<[u8]> {
    payload(&n.to_string())
}

fn number(bytes: &[u8]) -> u64 {
    std::str::from_utf8(bytes).unwrap().parse().unwrap()
}

fn channel() -> Topic {
    Topic::Channel(ChannelId::new(id()))
}

/// Large random ids, so they never meet a real entity's id on a shared broker.
fn id() -> i64 {
    1 << 40 | (rand::random::<i64>() & ((1 << 52) - 1))
}
