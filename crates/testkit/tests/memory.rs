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

    cases!(channels, channel_ports:
        creating_a_channel_stores_it_with_a_member_joined_event_per_member,
        a_taken_channel_name_is_a_conflict_within_one_organization_only,
        channels_are_found_by_id_and_by_name,
        updating_a_channel_applies_the_changes_with_one_event_and_the_announcement,
        renaming_a_channel_to_a_taken_name_is_a_conflict,
        changing_or_deleting_an_unknown_channel_is_not_found,
        deleting_a_channel_removes_its_members_messages_and_events,
        listing_channels_shows_public_ones_and_the_users_own_by_name,
        members_are_paged_by_user_id,
        adding_a_member_writes_member_joined_then_the_announcement,
        adding_an_existing_member_writes_nothing,
        removing_a_member_writes_the_announcement_then_member_left,
        removing_a_non_member_writes_nothing,
        unread_counts_skip_own_and_deleted_messages_and_count_mentions_per_user,
        marking_read_never_goes_backwards_and_stops_at_the_last_event,
        marking_read_for_a_non_member_is_not_found,
        appending_a_message_stores_it_with_the_next_seq_and_a_message_created_event,
        appending_to_an_unknown_channel_is_not_found,
        repeating_a_client_msg_id_returns_the_stored_message_and_writes_nothing,
        the_same_client_msg_id_is_independent_per_author_and_channel,
        concurrent_appends_with_one_client_msg_id_store_exactly_one_message,
        replies_count_on_their_root_and_stay_out_of_history,
        a_reply_to_a_root_in_another_channel_is_not_found,
        editing_replaces_content_and_mentions_with_a_message_edited_event,
        deleting_leaves_a_tombstone_without_content_mentions_reactions_or_pin,
        changing_a_deleted_or_unknown_message_is_not_found,
        find_many_returns_the_known_messages_as_the_viewer_sees_them,
        history_pages_backwards_and_forwards_stably_while_messages_arrive,
        reactions_are_unique_per_user_and_emoji_and_aggregated_for_the_viewer,
        removing_a_reaction_writes_reaction_removed_once,
        reactions_name_the_first_few_reactors_and_count_them_all,
        pinning_and_unpinning_write_events_once_and_list_most_recent_first,
        a_second_pending_report_by_the_same_user_is_a_conflict,
        reporting_an_unknown_message_is_not_found,
        concurrent_appends_get_consecutive_seqs_with_matching_events,
        concurrent_writes_of_every_kind_share_one_gapless_sequence,
        events_after_returns_exactly_the_missed_events_in_order_paged_by_limit,
        activity_counts_the_organizations_recent_messages_and_their_channels,
    );
}

mod search_contract {
    use super::*;

    cases!(search, search_ports:
        a_word_finds_the_messages_that_contain_it,
        matching_ignores_case,
        a_partial_word_finds_the_longer_words_that_contain_it,
        words_in_scripts_written_without_spaces_are_found,
        every_term_must_match,
        repeated_and_whole_words_rank_above_partial_matches,
        only_public_channels_and_the_viewers_own_are_searched,
        the_channel_filter_keeps_one_channel,
        the_author_filter_keeps_one_author,
        before_and_after_bound_the_creation_time,
        the_file_filter_keeps_files_and_images,
        deleted_messages_are_never_found,
        an_edited_message_is_found_by_its_new_words_only,
        offset_and_limit_page_through_the_ranking,
        snippets_are_plain_text_around_the_match_with_highlights,
        hostile_queries_are_plain_text_and_never_fail,
    );
}
