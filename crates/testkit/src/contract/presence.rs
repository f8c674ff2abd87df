//! Contract suite for [`PresenceStore`]: who is online, as every presence adapter must tell it.
//!
//! Each suite run takes two handles, `node` and `other_node`, sharing one store (two
//! `RedisStores` on one Redis; for a single-process store, the same instance twice). Every
//! case uses random ids, so the suite can run again and again (and concurrently) against one
//! shared store without cleaning it.

use std::time::Duration;
use tandem_app::ports::PresenceStore;
use tandem_domain::{OrganizationId, UserId};

/// Long enough that no case sees it run out unless it waits for that on purpose.
const LONG: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(1);
/// Comfortably past [`SHORT`].
const PAST_SHORT: Duration = Duration::from_millis(1600);

/// Runs every case in this suite.
pub async fn run_all(node: &dyn PresenceStore, other_node: &dyn PresenceStore) {
    a_connected_user_is_online_and_others_are_not(node).await;
    connect_says_whether_the_user_came_online(node).await;
    several_connections_of_one_user_count_once(node).await;
    disconnecting_one_of_several_connections_keeps_the_user_online(node).await;
    disconnecting_the_last_connection_takes_the_user_offline(node).await;
    disconnecting_an_unknown_connection_changes_nothing(node).await;
    online_users_is_per_organization(node).await;
    nodes_sharing_a_store_agree(node, other_node).await;
    // The cases that wait for expiry run at once: the suite then waits ~2 s, not ~7 s.
    tokio::join!(
        a_connection_without_heartbeats_expires(node),
        heartbeats_keep_a_connection_alive(node),
        a_heartbeat_cannot_revive_an_expired_connection(node),
        an_expired_connection_does_not_take_a_still_connected_user_offline(node),
    );
}

pub async fn a_connected_user_is_online_and_others_are_not(presence: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    presence
        .connect(user, org, &connection_id(), LONG)
        .await
        .unwrap();

    assert!(presence.is_online(user).await.unwrap());
    assert!(!presence.is_online(user_id()).await.unwrap(), "a stranger");
    assert_eq!(presence.online_users(org).await.unwrap(), [user]);
    assert!(
        presence
            .online_users(organization_id())
            .await
            .unwrap()
            .is_empty(),
        "an organization nobody is connected to"
    );
}

pub async fn connect_says_whether_the_user_came_online(presence: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    let (tab, phone) = (connection_id(), connection_id());
    assert!(
        presence.connect(user, org, &tab, LONG).await.unwrap(),
        "the first connection brings the user online"
    );
    assert!(
        !presence.connect(user, org, &phone, LONG).await.unwrap(),
        "a second connection does not"
    );
    assert!(
        !presence.connect(user, org, &tab, LONG).await.unwrap(),
        "nor does connecting the same connection again"
    );
}

pub async fn several_connections_of_one_user_count_once(presence: &dyn PresenceStore) {
    let (user, other, org) = (user_id(), user_id(), organization_id());
    for _ in 0..3 {
        presence
            .connect(user, org, &connection_id(), LONG)
            .await
            .unwrap();
    }
    presence
        .connect(other, org, &connection_id(), LONG)
        .await
        .unwrap();

    let mut expected = vec![user, other];
    expected.sort();
    assert_eq!(presence.online_users(org).await.unwrap(), expected);
}

pub async fn disconnecting_one_of_several_connections_keeps_the_user_online(
    presence: &dyn PresenceStore,
) {
    let (user, org) = (user_id(), organization_id());
    let (tab, phone) = (connection_id(), connection_id());
    presence.connect(user, org, &tab, LONG).await.unwrap();
    presence.connect(user, org, &phone, LONG).await.unwrap();

    assert!(!presence.disconnect(user, &tab).await.unwrap());
    assert!(presence.is_online(user).await.unwrap());
    assert_eq!(presence.online_users(org).await.unwrap(), [user]);
}

pub async fn disconnecting_the_last_connection_takes_the_user_offline(
    presence: &dyn PresenceStore,
) {
    let (user, org) = (user_id(), organization_id());
    let (tab, phone) = (connection_id(), connection_id());
    presence.connect(user, org, &tab, LONG).await.unwrap();
    presence.connect(user, org, &phone, LONG).await.unwrap();

    assert!(!presence.disconnect(user, &tab).await.unwrap());
    assert!(
        presence.disconnect(user, &phone).await.unwrap(),
        "the last connection took the user offline"
    );
    assert!(!presence.is_online(user).await.unwrap());
    assert!(presence.online_users(org).await.unwrap().is_empty());
    assert!(
        !presence.disconnect(user, &phone).await.unwrap(),
        "disconnecting twice goes offline once"
    );
    assert!(
        !presence.heartbeat(user, &phone, LONG).await.unwrap(),
        "a disconnected connection cannot be kept alive"
    );
    assert!(!presence.is_online(user).await.unwrap());
}

pub async fn disconnecting_an_unknown_connection_changes_nothing(presence: &dyn PresenceStore) {
    assert!(
        !presence
            .disconnect(user_id(), &connection_id())
            .await
            .unwrap()
    );

    let (user, org) = (user_id(), organization_id());
    presence
        .connect(user, org, &connection_id(), LONG)
        .await
        .unwrap();
    assert!(!presence.disconnect(user, &connection_id()).await.unwrap());
    assert!(presence.is_online(user).await.unwrap());
}

pub async fn online_users_is_per_organization(presence: &dyn PresenceStore) {
    let (org, other_org) = (organization_id(), organization_id());
    let (member, outsider) = (user_id(), user_id());
    presence
        .connect(member, org, &connection_id(), LONG)
        .await
        .unwrap();
    presence
        .connect(outsider, other_org, &connection_id(), LONG)
        .await
        .unwrap();

    assert_eq!(presence.online_users(org).await.unwrap(), [member]);
    assert_eq!(presence.online_users(other_org).await.unwrap(), [outsider]);
}

/// A user's connections may live on several nodes; every node sees the same presence.
pub async fn nodes_sharing_a_store_agree(node: &dyn PresenceStore, other_node: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    let (here, there) = (connection_id(), connection_id());
    assert!(node.connect(user, org, &here, LONG).await.unwrap());
    assert!(
        !other_node.connect(user, org, &there, LONG).await.unwrap(),
        "the other node saw the user online already"
    );
    assert!(other_node.is_online(user).await.unwrap());
    assert_eq!(other_node.online_users(org).await.unwrap(), [user]);

    assert!(!other_node.disconnect(user, &here).await.unwrap());
    assert!(node.heartbeat(user, &there, LONG).await.unwrap());
    assert!(node.disconnect(user, &there).await.unwrap());
    assert!(!other_node.is_online(user).await.unwrap());
    assert!(other_node.online_users(org).await.unwrap().is_empty());
}

/// The connections of a node that crashed must not keep their users online forever.
pub async fn a_connection_without_heartbeats_expires(presence: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    let connection = connection_id();
    presence
        .connect(user, org, &connection, SHORT)
        .await
        .unwrap();
    assert!(presence.is_online(user).await.unwrap());

    tokio::time::sleep(PAST_SHORT).await;
    assert!(!presence.is_online(user).await.unwrap());
    assert!(presence.online_users(org).await.unwrap().is_empty());
    assert!(
        !presence.disconnect(user, &connection).await.unwrap(),
        "the user had gone offline already, by expiry"
    );
    assert!(
        presence
            .connect(user, org, &connection, LONG)
            .await
            .unwrap(),
        "connecting again brings the user back online"
    );
}

pub async fn heartbeats_keep_a_connection_alive(presence: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    let connection = connection_id();
    presence
        .connect(user, org, &connection, SHORT)
        .await
        .unwrap();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(presence.heartbeat(user, &connection, SHORT).await.unwrap());
    }
    assert!(
        presence.is_online(user).await.unwrap(),
        "1.6 s after connect"
    );
    assert_eq!(presence.online_users(org).await.unwrap(), [user]);
}

pub async fn a_heartbeat_cannot_revive_an_expired_connection(presence: &dyn PresenceStore) {
    let (user, org) = (user_id(), organization_id());
    let connection = connection_id();
    presence
        .connect(user, org, &connection, SHORT)
        .await
        .unwrap();
    tokio::time::sleep(PAST_SHORT).await;

    assert!(
        !presence.heartbeat(user, &connection, LONG).await.unwrap(),
        "a heartbeat after expiry tells the caller to connect again"
    );
    assert!(!presence.is_online(user).await.unwrap());
    assert!(presence.online_users(org).await.unwrap().is_empty());
}

pub async fn an_expired_connection_does_not_take_a_still_connected_user_offline(
    presence: &dyn PresenceStore,
) {
    let (user, org) = (user_id(), organization_id());
    let (stale, live) = (connection_id(), connection_id());
    presence.connect(user, org, &live, LONG).await.unwrap();
    presence.connect(user, org, &stale, SHORT).await.unwrap();
    tokio::time::sleep(PAST_SHORT).await;

    assert!(presence.is_online(user).await.unwrap());
    assert_eq!(presence.online_users(org).await.unwrap(), [user]);
    assert!(!presence.disconnect(user, &stale).await.unwrap());
    assert!(presence.disconnect(user, &live).await.unwrap());
}

fn connection_id() -> String {
    format!("contract-{:016x}", rand::random::<u64>())
}

/// Large random ids, so they never meet a real entity's id in a shared store.
fn random_id() -> i64 {
    1 << 40 | (rand::random::<i64>() & ((1 << 52) - 1))
}

fn user_id() -> UserId {
    UserId::new(random_id())
}

fn organization_id() -> OrganizationId {
    OrganizationId::new(random_id())
}
