//! Runs the event bus and presence contract suites against the in-process adapters. One
//! process is one node, so the "other node" is the same instance.

use std::sync::Arc;
use tandem_app::ports::EventBus;
use tandem_memory::{InMemoryEventBus, InMemoryPresenceStore};
use tandem_testkit::contract::{bus, presence};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_memory_event_bus_meets_the_event_bus_contract() {
    let concrete = InMemoryEventBus::new();
    let bus: Arc<dyn EventBus> = Arc::new(concrete.clone());
    bus::run_all(&bus, &bus).await;
    assert_eq!(
        concrete.topic_count(),
        0,
        "topics are forgotten once their subscribers have gone"
    );
}

/// A single-threaded runtime: subscribers only run when the publisher yields, which is when a
/// bus that blocked on them, or buffered without bound, would show it.
#[tokio::test]
async fn the_in_memory_event_bus_meets_the_event_bus_contract_on_one_thread() {
    let bus: Arc<dyn EventBus> = Arc::new(InMemoryEventBus::new());
    bus::run_all(&bus, &bus).await;
}

#[tokio::test]
async fn the_in_memory_presence_store_meets_the_presence_contract() {
    let store = InMemoryPresenceStore::new();
    presence::run_all(&store, &store).await;
}
