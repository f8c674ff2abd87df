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
    ChannelKind, ChannelName, ChannelRole, ClientMsgId, Email, MessageBody, MessageType,
    Organization, OrganizationName, Role, SubscriptionPlan, User, Username,
};
use tandem_migrations::{Migrator, MigratorTrait};
use tandem_persistence::Database;
use tandem_testkit::contract::channels::{self as contract, ChannelPorts};
use tandem_testkit::contract::repositories::Repositories;

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

            #[tokio::test]
            async fn creators_of_existing_channels_become_their_admins() {
                roles_arrive_on_existing_channels(Backend::Sqlite).await;
            }
        }

        mod postgres {
            use super::*;
            contract_cases!(Postgres: $($case),*);

            #[tokio::test]
            async fn two_nodes_appending_at_once_share_one_sequence_and_one_idempotency_key() {
                appends_from_two_nodes(Backend::Postgres).await;
            }

            #[tokio::test]
            async fn creators_of_existing_channels_become_their_admins() {
                roles_arrive_on_existing_channels(Backend::Postgres).await;
            }
        }
    };
}

tandem_testkit::channel_cases!(contract_suite);

fn tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// An organization founded by `ana-<tag>`.
async fn founder(repos: &Repositories, tag: &str) -> (Organization, User) {
    repos
        .users
        .create_with_organization(
            NewOrganization {
                name: OrganizationName::parse("Acme").unwrap(),
                domain: None,
                subscription_plan: SubscriptionPlan::Free,
                self_signup: false,
                created_at: Utc::now().trunc_subsecs(3),
            },
            person(&format!("ana-{tag}"), Role::Admin),
        )
        .await
        .unwrap()
}

fn person(name: &str, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(&format!("{name}@acme.io")).unwrap(),
        username: Username::parse(name).unwrap(),
        display_name: None,
        password_hash: "hash".to_owned(),
        role,
        created_at: Utc::now().trunc_subsecs(3),
        email_verified: true,
        bot_owner_id: None,
    }
}

/// Channels made before channel roles existed: rolling the roles migration back and forward
/// again makes each channel's creator its admin (direct conversations have none), the others
/// members.
async fn roles_arrive_on_existing_channels(backend: Backend) {
    let test = TestDatabase::new(backend).await;
    let url = test.url.clone();
    test.run(|db, repos| async move {
        let tag = tag();
        let (org, ana) = founder(&repos, &tag).await;
        let bob = repos
            .users
            .create(org.id, person(&format!("bob-{tag}"), Role::Member))
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (kind, name) in [
            (ChannelKind::Public, ChannelName::parse("general").unwrap()),
            (ChannelKind::Direct, ChannelName::direct(&[ana.id, bob.id])),
        ] {
            let created = db
                .channels()
                .create(NewChannel {
                    organization_id: org.id,
                    name,
                    description: None,
                    kind,
                    created_by: ana.id,
                    created_at: Utc::now().trunc_subsecs(3),
                    members: vec![ana.id, bob.id],
                    admins: Vec::new(),
                    read_only: false,
                })
                .await
                .unwrap();
            ids.push(created.id);
        }
        let conn = sea_orm::Database::connect(&url).await.unwrap();
        // Back to before channel roles (with every migration since), then forward again.
        let migrations = Migrator::migrations();
        let roles = migrations
            .iter()
            .position(|m| m.name() == "m20261204_000011_channel_roles")
            .unwrap();
        let since = u32::try_from(migrations.len() - roles).unwrap();
        Migrator::down(&conn, Some(since)).await.unwrap();
        db.migrate().await.unwrap();
        conn.close().await.unwrap();
        let role = |channel, user| {
            let channels = db.channels();
            async move {
                channels
                    .membership(channel, user)
                    .await
                    .unwrap()
                    .unwrap()
                    .role
            }
        };
        assert_eq!(role(ids[0], ana.id).await, ChannelRole::Admin);
        assert_eq!(role(ids[0], bob.id).await, ChannelRole::Member);
        assert_eq!(role(ids[1], ana.id).await, ChannelRole::Member);
        let general = db.channels().find_by_id(ids[0]).await.unwrap().unwrap();
        assert!(!general.read_only);
    })
    .await;
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
        let (org, ana) = founder(&repos, &tag).await;
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
                admins: Vec::new(),
                read_only: false,
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
