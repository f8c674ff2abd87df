//! Contract suite for the storage ports: [`OrganizationRepository`], [`UserRepository`] and
//! [`SessionRepository`], which every persistence adapter must pass.
//!
//! Every case creates its own organization with random names, emails and token hashes, so the
//! suite can run again and again (and concurrently) against one database without cleaning it.
//! Timestamps are whole milliseconds, which every backend stores exactly.

mod accounts;
mod fixtures;
mod profiles;
mod sessions;

pub use accounts::*;
pub use profiles::*;
pub use sessions::*;

use std::sync::Arc;
use tandem_app::ports::{OrganizationRepository, SessionRepository, UserRepository};

/// The three ports under test, as one adapter provides them over one store.
#[derive(Clone)]
pub struct Repositories {
    pub users: Arc<dyn UserRepository>,
    pub organizations: Arc<dyn OrganizationRepository>,
    pub sessions: Arc<dyn SessionRepository>,
}

/// Runs every case in this suite against one store.
pub async fn run_all(
    users: Arc<dyn UserRepository>,
    organizations: Arc<dyn OrganizationRepository>,
    sessions: Arc<dyn SessionRepository>,
) {
    let r = &Repositories {
        users,
        organizations,
        sessions,
    };
    creating_an_organization_with_its_first_user_stores_both(r).await;
    a_conflict_on_the_first_user_leaves_no_organization_behind(r).await;
    creating_a_user_with_a_taken_email_is_a_conflict(r).await;
    creating_a_user_with_a_taken_username_is_a_conflict(r).await;
    claiming_a_taken_organization_domain_is_a_conflict(r).await;
    creating_a_user_in_an_unknown_organization_is_not_found(r).await;
    users_are_found_by_id_email_and_username_whether_active_or_not(r).await;
    organizations_are_found_by_id_and_by_their_domain(r).await;
    listing_users_pages_through_one_organization_by_id(r).await;
    listing_present_users_skips_offline_ones(r).await;
    listing_skips_inactive_users_unless_asked(r).await;
    updating_a_profile_changes_only_the_given_fields(r).await;
    updating_a_profile_can_clear_nullable_fields(r).await;
    updating_a_profile_to_a_taken_email_or_username_is_a_conflict(r).await;
    changing_an_unknown_user_is_not_found(r).await;
    setting_status_records_when_it_happened(r).await;
    touching_records_activity_without_changing_status(r).await;
    setting_a_password_hash_replaces_it(r).await;
    only_active_admins_are_counted(r).await;
    rotating_a_current_refresh_token_spends_it_and_stores_its_successor(r).await;
    presenting_a_spent_refresh_token_revokes_its_family(r).await;
    expired_unknown_and_revoked_refresh_tokens_are_invalid(r).await;
    logging_out_revokes_the_family_only_for_its_owner(r).await;
    revoking_all_sessions_of_a_user_revokes_every_family(r).await;
    rotating_one_token_twice_at_once_yields_exactly_one_rotation(r).await;
}
