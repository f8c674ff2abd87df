//! The channel and message contract suite (`tandem_testkit::contract::channels`), every case on a
//! fresh SQLite file and on a fresh PostgreSQL database at `TEST_DATABASE_URL`, which the
//! PostgreSQL variants require (they fail without it, never skip).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod support;

use chrono::{SubsecRound, Utc};
use std::sync::Arc;
use support::{Backend, TestDatabase, with_database};
use tandem_app::ports::{
    Appended, MessageRepository, NewChannel, NewMessage, NewOrganization, NewUser,
};
use tandem_domain::{
    ChannelKind, ChannelName, ClientMsgId, Email, MessageBody, MessageType, OrganizationName, Role,
    SubscriptionPlan, Username,
};
use tandem_persistence::Database;
use tandem_testkit::contract::channels::{self as contract, ChannelPorts};

fn ports(db: &Database) -> ChannelPorts {
    ChannelPorts {
        users: db.users(),
        channels: db.channels(),
        messages: db.messages(),
    }
}

macro_rules! contract_cases {
    ($backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                with_database(Backend::$backend, |db, _| async move {
                    contract::$case(&ports(&db)).await;
                })
                .await;
            }
        )*

        /// Runs everything twice over one database: the suite must not depend on an empty store.
        #[tokio::test]
        async fn the_whole_suite_passes_twice_against_one_database() {
            with_database(Backend::$backend, |db, _| async move {
                for _ in 0..2 {
                    contract::run_all(&ports(&db)).await;
                }
            })
            .await;
        }
    };
}

macro_rules! contract_suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            contract_cases!(Sqlite: $($case),*);

            #[tokio::test]
            async fn two_nodes_appending_at_once_share_one_sequence_and_one_idempotency_key() {
                appends_from_two_nodes(Backend::Sqlite).await;
            }
        }

        mod postgres {
            use super::*;
            contract_cases!(Postgres: $($case),*);

            #[tokio::test]
            async fn two_nodes_appending_at_once_share_one_sequence_and_one_idempotency_key() {
                appends_from_two_nodes(Backend::Postgres).await;
            }
        }
    };
}

contract_suite!(
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

fn tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Two connection pools over one database stand for two server nodes: the guarantees of
/// `append` come from the database (the channel row lock, the unique index), not from
/// anything one process holds.
async fn appends_from_two_nodes(backend: Backend) {
    let test = TestDatabase::new(backend).await;
    let url = test.url.clone();
    test.run(|db, repos| async move {
        let other_node = Database::connect(&url).await.unwrap();
        let nodes: [Arc<dyn MessageRepository>; 2] = [db.messages(), other_node.messages()];
        let tag = tag();
        let (org, ana) = repos
            .users
            .create_with_organization(
                NewOrganization {
                    name: OrganizationName::parse("Acme").unwrap(),
                    domain: None,
                    subscription_plan: SubscriptionPlan::Free,
                    self_signup: false,
                    created_at: Utc::now().trunc_subsecs(3),
                },
                NewUser {
                    email: Email::parse(&format!("ana-{tag}@acme.io")).unwrap(),
                    username: Username::parse(&format!("ana-{tag}")).unwrap(),
                    display_name: None,
                    password_hash: "hash".to_owned(),
                    role: Role::Admin,
                    created_at: Utc::now().trunc_subsecs(3),
                },
            )
            .await
            .unwrap();
        let channel = db
            .channels()
            .create(NewChannel {
                organization_id: org.id,
                name: ChannelName::parse(&format!("general-{tag}")).unwrap(),
                description: None,
                kind: ChannelKind::Public,
                created_by: ana.id,
                created_at: Utc::now().trunc_subsecs(3),
                members: vec![ana.id],
            })
            .await
            .unwrap();
        let message = |key: Option<&ClientMsgId>| NewMessage {
            channel_id: channel.id,
            user_id: ana.id,
            content: MessageBody::parse("hello", 4000).unwrap(),
            message_type: MessageType::Text,
            reply_to_id: None,
            client_msg_id: key.cloned(),
            mentions: Vec::new(),
            attachments: Vec::new(),
            created_at: Utc::now().trunc_subsecs(3),
        };

        let key = ClientMsgId::parse(&tag).unwrap();
        let mut tasks = Vec::new();
        for i in 0..30 {
            let node = nodes[i % 2].clone();
            // Every third append retries the same key; the rest are new messages.
            let new = message((i % 3 == 0).then_some(&key));
            tasks.push(tokio::spawn(async move { node.append(new).await.unwrap() }));
        }
        let (mut created, mut existing) = (Vec::new(), Vec::new());
        for task in tasks {
            match task.await.unwrap() {
                Appended::Created { message, event } => {
                    assert_eq!(
                        (event.seq, event.message_id),
                        (message.seq, Some(message.id))
                    );
                    created.push(message);
                }
                Appended::Existing(message) => existing.push(message),
            }
        }
        assert_eq!((created.len(), existing.len()), (21, 9));
        let keyed: Vec<_> = created
            .iter()
            .filter(|m| m.client_msg_id.is_some())
            .collect();
        assert_eq!(keyed.len(), 1, "one message for the key");
        assert!(existing.iter().all(|m| m.id == keyed[0].id));
        let mut seqs: Vec<i64> = created.iter().map(|m| m.seq).collect();
        seqs.sort_unstable();
        let first = channel.last_seq + 1;
        assert_eq!(
            seqs,
            (first..first + 21).collect::<Vec<_>>(),
            "no gaps, no duplicates"
        );
        let events = nodes[1]
            .events_after(channel.id, channel.last_seq, 100)
            .await
            .unwrap();
        assert_eq!(events.len(), 21);
        other_node.close().await.unwrap();
    })
    .await;
}
