//! The adapter's own promises beyond the port contracts: connecting, migrating, readiness and
//! the mapping of unique violations, on SQLite always and PostgreSQL when `TEST_DATABASE_URL`
//! is set.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod support;

use chrono::{SubsecRound, Utc};
use support::{Backend, TestDatabase, with_database};
use tandem_app::ports::{NewOrganization, NewUser, PortError, ProfileChanges, UniqueField};
use tandem_domain::{Email, EmailDomain, OrganizationName, Role, SubscriptionPlan, Username};
use tandem_persistence::Database;
use tandem_testkit::contract::repositories::Repositories;

fn tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn organization(tag: &str) -> NewOrganization {
    NewOrganization {
        name: OrganizationName::parse("Acme").unwrap(),
        domain: Some(EmailDomain::of(
            &Email::parse(&format!("it@acme-{tag}.io")).unwrap(),
        )),
        subscription_plan: SubscriptionPlan::Free,
        self_signup: false,
        created_at: Utc::now().trunc_subsecs(3),
    }
}

fn user(tag: &str) -> NewUser {
    NewUser {
        email: Email::parse(&format!("ana-{tag}@acme.io")).unwrap(),
        username: Username::parse(&format!("ana-{tag}")).unwrap(),
        display_name: None,
        password_hash: "hash".to_owned(),
        role: Role::Admin,
        created_at: Utc::now().trunc_subsecs(3),
        email_verified: true,
        bot_owner_id: None,
    }
}

async fn migrating_again_is_a_no_op(db: Database, repos: Repositories) {
    let (org, admin) = repos
        .users
        .create_with_organization(organization(&tag()), user(&tag()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(repos.users.find_by_id(admin.id).await.unwrap(), Some(admin));
    assert_eq!(
        repos.organizations.find_by_id(org.id).await.unwrap(),
        Some(org)
    );
}

/// Each unique rule names its own field, whichever way the backend words the violation.
async fn unique_violations_name_the_field_that_collided(repos: Repositories) {
    let (first_org, first) = (tag(), tag());
    let (org, _) = repos
        .users
        .create_with_organization(organization(&first_org), user(&first))
        .await
        .unwrap();
    let cases = [
        (
            NewUser {
                email: user(&first).email,
                ..user(&tag())
            },
            organization(&tag()),
            UniqueField::Email,
        ),
        (
            NewUser {
                username: user(&first).username,
                ..user(&tag())
            },
            organization(&tag()),
            UniqueField::Username,
        ),
        (
            user(&tag()),
            organization(&first_org),
            UniqueField::OrganizationDomain,
        ),
    ];
    for (new_user, new_org, field) in cases {
        let outcome = repos
            .users
            .create_with_organization(new_org, new_user)
            .await;
        assert!(
            matches!(outcome, Err(PortError::Conflict(f)) if f == field),
            "{field}: {outcome:?}"
        );
    }
    let member = repos.users.create(org.id, user(&tag())).await.unwrap();
    let taken = ProfileChanges {
        username: Some(user(&first).username),
        ..ProfileChanges::default()
    };
    let outcome = repos.users.update_profile(member.id, &taken).await;
    assert!(
        matches!(outcome, Err(PortError::Conflict(UniqueField::Username))),
        "{outcome:?}"
    );
}

async fn the_readiness_probe_reaches_the_database(db: Database) {
    let probe = db.readiness_probe();
    assert_eq!(probe.name(), "database");
    probe.check().await.unwrap();
}

/// Revocations come back while in force, whatever the backend's way with time, and go once
/// they have expired.
async fn revocations_are_kept_until_they_expire(db: Database) {
    use tandem_app::ports::Revocation;
    let store = db.revocations();
    let now = Utc::now().trunc_subsecs(3);
    let minutes = |n| chrono::Duration::minutes(n);
    let token = Revocation::Token {
        token_id: format!("jti-{}", tag()),
        expires_at: now + minutes(15),
    };
    let user = Revocation::User {
        user_id: tandem_domain::UserId::new(7),
        cutoff: now,
        keep_until: now + minutes(15),
    };
    let expired = Revocation::Token {
        token_id: format!("jti-{}", tag()),
        expires_at: now - minutes(1),
    };
    for revocation in [&token, &user, &expired] {
        store.record(revocation, now).await.unwrap();
    }
    let kept = store.recorded_since(now - minutes(1), now).await.unwrap();
    assert!(kept.contains(&token) && kept.contains(&user), "{kept:?}");
    assert!(!kept.contains(&expired));
    let later = store.recorded_since(now + minutes(1), now).await.unwrap();
    assert!(!later.contains(&token), "only what was recorded since");

    assert_eq!(store.prune(now).await.unwrap(), 1, "the expired one");
    assert_eq!(store.prune(now).await.unwrap(), 0);
    let after_expiry = store
        .recorded_since(now - minutes(1), now + minutes(16))
        .await
        .unwrap();
    assert!(!after_expiry.contains(&token));
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn migrating_twice_is_a_no_op() {
        with_database(Backend::Sqlite, migrating_again_is_a_no_op).await;
    }

    #[tokio::test]
    async fn revocations_are_kept_until_they_expire() {
        with_database(Backend::Sqlite, |db, _| {
            super::revocations_are_kept_until_they_expire(db)
        })
        .await;
    }

    #[tokio::test]
    async fn unique_violations_become_conflicts_naming_the_field() {
        with_database(Backend::Sqlite, |_, repos| {
            unique_violations_name_the_field_that_collided(repos)
        })
        .await;
    }

    #[tokio::test]
    async fn the_probe_answers_and_the_backend_is_named() {
        with_database(Backend::Sqlite, |db, _| async move {
            assert_eq!(db.backend_name(), "sqlite");
            the_readiness_probe_reaches_the_database(db).await;
        })
        .await;
    }

    #[tokio::test]
    async fn a_plain_sqlite_path_creates_the_file_and_writes_ahead() {
        let path = std::env::temp_dir().join(format!("tandem-test-{}.db", tag()));
        let db = Database::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        assert!(path.exists());
        // A write through the pool, which stays connected.
        let now = Utc::now();
        let revocation = tandem_app::ports::Revocation::Token {
            token_id: format!("jti-{}", tag()),
            expires_at: now + chrono::Duration::minutes(1),
        };
        db.revocations().record(&revocation, now).await.unwrap();
        let wal = path.with_extension("db-wal");
        assert!(
            wal.exists(),
            "journal_mode=WAL keeps a -wal file while connected"
        );
        db.close().await.unwrap();
        for file in [path.clone(), wal, path.with_extension("db-shm")] {
            let _ = std::fs::remove_file(file);
        }
    }

    #[tokio::test]
    async fn an_in_memory_database_keeps_its_data_across_calls() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.migrate().await.unwrap();
        let users = db.users();
        let (_, admin) = users
            .create_with_organization(organization(&tag()), user(&tag()))
            .await
            .unwrap();
        assert_eq!(users.find_by_id(admin.id).await.unwrap(), Some(admin));
    }

    #[tokio::test]
    async fn an_unopenable_database_is_unavailable() {
        let outcome = Database::connect("sqlite:///nonexistent-dir/tandem/x.db").await;
        assert!(
            matches!(
                outcome,
                Err(PortError::Unavailable {
                    what: "database",
                    ..
                })
            ),
            "{outcome:?}"
        );
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn migrating_twice_is_a_no_op() {
        with_database(Backend::Postgres, migrating_again_is_a_no_op).await;
    }

    #[tokio::test]
    async fn revocations_are_kept_until_they_expire() {
        with_database(Backend::Postgres, |db, _| {
            super::revocations_are_kept_until_they_expire(db)
        })
        .await;
    }

    #[tokio::test]
    async fn unique_violations_become_conflicts_naming_the_field() {
        with_database(Backend::Postgres, |_, repos| {
            unique_violations_name_the_field_that_collided(repos)
        })
        .await;
    }

    #[tokio::test]
    async fn the_probe_answers_and_the_backend_is_named() {
        with_database(Backend::Postgres, |db, _| async move {
            assert_eq!(db.backend_name(), "postgres");
            the_readiness_probe_reaches_the_database(db).await;
        })
        .await;
    }

    #[tokio::test]
    async fn the_provisioned_database_url_connects_to_a_separate_database() {
        let database = TestDatabase::new(Backend::Postgres).await;
        assert!(database.url.contains("/tandem_test_"), "{}", database.url);
        database.remove().await;
    }

    /// While the database cannot be reached, calls fail at once (the circuit answers them)
    /// instead of each waiting for the pool's timeout; the node finds out by itself when it
    /// answers again.
    #[tokio::test]
    async fn a_lost_database_fails_fast_and_is_found_again() {
        use tandem_testkit::proxy::{Mode, Proxy, upstream};
        let fresh = TestDatabase::new(Backend::Postgres).await;
        let proxy = Proxy::start(upstream(&fresh.url, 5432).await).await;
        let db = Database::connect(&proxy.url(&fresh.url)).await.unwrap();
        let probe = db.readiness_probe();
        probe.check().await.unwrap();
        assert!(!db.circuit().is_open());

        proxy.set_mode(Mode::Refuse);
        proxy.sever();
        // The first calls find out (a broken pooled connection, or none to be had).
        let mut found_out = false;
        for _ in 0..5 {
            assert!(matches!(
                probe.check().await,
                Err(PortError::Unavailable {
                    what: "database",
                    ..
                })
            ));
            if db.circuit().is_open() {
                found_out = true;
                break;
            }
        }
        assert!(found_out, "the circuit opened");
        let before = db.circuit().report();
        for _ in 0..20 {
            assert!(probe.check().await.is_err());
        }
        let after = db.circuit().report();
        assert_eq!(
            after.refused_total - before.refused_total,
            20,
            "answered by the circuit, none waited for the pool"
        );
        assert_eq!(after.opened_total, 1);

        proxy.set_mode(Mode::Forward);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while db.circuit().is_open() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the database answers again but the circuit stayed open"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        probe.check().await.unwrap();
        db.close().await.unwrap();
        fresh.remove().await;
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable() {
        // Port 1 refuses connections at once; no server is needed for this case.
        let outcome = Database::connect("postgres://postgres@127.0.0.1:1/tandem").await;
        assert!(
            matches!(
                outcome,
                Err(PortError::Unavailable {
                    what: "database",
                    ..
                })
            ),
            "{outcome:?}"
        );
    }
}
