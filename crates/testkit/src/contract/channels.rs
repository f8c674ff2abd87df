//! Contract suite for the channel storage ports: [`ChannelRepository`] and
//! [`MessageRepository`], which every persistence adapter must pass.
//!
//! Covers the rules the port documents: the per-channel event log (every change writes its
//! events in the same transaction, seqs without gaps or duplicates under concurrency),
//! idempotent appends, threads, soft deletion, reactions, pins, reports, history paging,
//! membership, read markers and unread counts. Every case creates its own organization with
//! random names, so the suite can run again and again against one database.

mod activity;
mod editing;
mod fixtures;
mod lifecycle;
mod log;
mod marks;
mod membership;
mod messages;
mod reading;

pub use activity::*;
pub use editing::*;
pub use lifecycle::*;
pub use log::*;
pub use marks::*;
pub use membership::*;
pub use messages::*;
pub use reading::*;

use std::sync::Arc;
use tandem_app::ports::{ChannelRepository, MessageRepository, UserRepository};

/// The ports under test, as one adapter provides them over one store (users and
/// organizations are needed to have someone to talk).
#[derive(Clone)]
pub struct ChannelPorts {
    pub users: Arc<dyn UserRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
}

/// Names every case of this suite, in order, to a macro of yours:
/// `tandem_testkit::channel_cases!(my_macro)` expands to `my_macro!(case_a, case_b, …)`, so an
/// adapter runs each case as a test of its own from this one list.
#[macro_export]
macro_rules! channel_cases {
    ($then:ident) => {
        $then!(
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
            the_creators_named_admins_start_as_admins_and_the_rest_as_members,
            updating_a_member_changes_role_and_mute_with_a_member_updated_event,
            updating_a_non_member_is_not_found_and_writes_nothing,
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
    };
}

macro_rules! run_each {
    ($($case:ident),* $(,)?) => {
        /// Runs every case in this suite against one store.
        pub async fn run_all(p: &ChannelPorts) {
            $($case(p).await;)*
        }
    };
}

crate::channel_cases!(run_each);
