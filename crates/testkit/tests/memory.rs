//! The in-memory store held to the contract suites the SQL adapters pass: channels and
//! messages, search, and the user and organization cases of the repositories suite; plus
//! cases of its own for the file records, which have no contract suite yet, and for search
//! ranking the suite leaves open.
//!
//! Each case runs on a fresh store; each whole suite runs twice over one store on a
//! multi-threaded runtime, so it must not depend on an empty store and its concurrent cases
//! really race.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

#[path = "memory/files.rs"]
mod files;
#[path = "memory/place.rs"]
mod place;
#[path = "memory/search.rs"]
mod search_ranking;

use std::sync::Arc;
use tandem_app::ports::UserRepository;
use tandem_testkit::contract::channels::{self, ChannelPorts};
use tandem_testkit::contract::repositories::{self, Repositories};
use tandem_testkit::contract::search::{self, SearchPorts};
use tandem_testkit::fakes::FakeSessions;
use tandem_testkit::memory::MemoryStore;

fn channel_ports(store: &Arc<MemoryStore>) -> ChannelPorts {
    ChannelPorts {
        users: store.clone(),
        channels: store.clone(),
        messages: store.clone(),
    }
}

fn search_ports(store: &Arc<MemoryStore>) -> SearchPorts {
    SearchPorts {
        users: store.clone(),
        channels: store.clone(),
        messages: store.clone(),
        search: store.clone(),
    }
}

fn repositories(store: &Arc<MemoryStore>) -> Repositories {
    Repositories {
        users: store.clone() as Arc<dyn UserRepository>,
        organizations: store.clone(),
        sessions: Arc::new(FakeSessions::default()),
    }
}

/// One test per case of a suite, each on a fresh store.
macro_rules! cases {
    ($suite:ident, $ports:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let store = Arc::new(MemoryStore::new());
                $suite::$case(&$ports(&store)).await;
            }
        )*
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_keeps_the_channel_contract() {
    let store = Arc::new(MemoryStore::new());
    for _ in 0..2 {
        channels::run_all(&channel_ports(&store)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_keeps_the_search_contract() {
    let store = Arc::new(MemoryStore::new());
    for _ in 0..2 {
        search::run_all(&search_ports(&store)).await;
    }
}

/// The accounts suite: users and organizations in the store, sessions in the fake the
/// use-case tests run with, over one store, twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_and_the_fake_sessions_keep_the_accounts_contract() {
    let store = Arc::new(MemoryStore::new());
    for _ in 0..2 {
        let r = repositories(&store);
        repositories::run_all(r.users, r.organizations, r.sessions).await;
    }
}

mod channel_contract {
    use super::*;

    macro_rules! each {
        ($($case:ident),* $(,)?) => { cases!(channels, channel_ports: $($case),*); };
    }
    tandem_testkit::channel_cases!(each);
}

mod search_contract {
    use super::*;

    macro_rules! each {
        ($($case:ident),* $(,)?) => { cases!(search, search_ports: $($case),*); };
    }
    tandem_testkit::search_cases!(each);
}
