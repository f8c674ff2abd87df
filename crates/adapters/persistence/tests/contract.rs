//! The repository contract suite, against SQLite always and PostgreSQL when
//! `TEST_DATABASE_URL` is set; every case gets a fresh database.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod support;

use support::{Backend, with_database};
use tandem_testkit::contract::repositories;

macro_rules! contract_cases {
    ($backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                with_database(Backend::$backend, |_, repos| async move {
                    tandem_testkit::contract::repositories::$case(&repos).await;
                })
                .await;
            }
        )*

        /// Runs everything twice over one database: the suite must not depend on an empty store.
        #[tokio::test]
        async fn the_whole_suite_passes_twice_against_one_database() {
            with_database(Backend::$backend, |_, repos| async move {
                for _ in 0..2 {
                    let repos = repos.clone();
                    repositories::run_all(repos.users, repos.organizations, repos.sessions).await;
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
        }

        mod postgres {
            use super::*;
            contract_cases!(Postgres: $($case),*);
        }
    };
}

contract_suite!(
    creating_an_organization_with_its_first_user_stores_both,
    a_conflict_on_the_first_user_leaves_no_organization_behind,
    creating_a_user_with_a_taken_email_is_a_conflict,
    creating_a_user_with_a_taken_username_is_a_conflict,
    claiming_a_taken_organization_domain_is_a_conflict,
    creating_a_user_in_an_unknown_organization_is_not_found,
    users_are_found_by_id_email_and_username_whether_active_or_not,
    organizations_are_found_by_id_and_by_their_domain,
    listing_users_pages_through_one_organization_by_id,
    listing_present_users_skips_offline_ones,
    listing_skips_inactive_users_unless_asked,
    updating_a_profile_changes_only_the_given_fields,
    updating_a_profile_can_clear_nullable_fields,
    updating_a_profile_to_a_taken_email_or_username_is_a_conflict,
    changing_an_unknown_user_is_not_found,
    setting_status_records_when_it_happened,
    touching_records_activity_without_changing_status,
    setting_a_password_hash_replaces_it,
    only_active_admins_are_counted,
    rotating_a_current_refresh_token_spends_it_and_stores_its_successor,
    presenting_a_spent_refresh_token_revokes_its_family,
    expired_unknown_and_revoked_refresh_tokens_are_invalid,
    logging_out_revokes_the_family_only_for_its_owner,
    revoking_all_sessions_of_a_user_revokes_every_family,
    rotating_one_token_twice_at_once_yields_exactly_one_rotation,
);
