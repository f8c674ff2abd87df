//! Tandem's schema, as one ordered list of migrations that run unchanged on SQLite and PostgreSQL.
//!
//! Unique rules are named indexes (`uq_<table>_<column>`) so the persistence adapter can tell
//! which value collided from the error message of either backend.

use sea_orm_migration::prelude::*;

mod m20261122_000001_identity;
mod m20261122_000002_channels;
mod m20261122_000003_search;
mod m20261122_000004_message_activity;
mod m20261122_000005_files;
mod m20261122_000006_jobs;
mod m20261203_000007_token_revocations;
mod m20261203_000008_notifications;
mod m20261203_000009_identity_access;
mod m20261204_000010_two_factor;
mod m20261204_000011_channel_roles;
mod m20261204_000012_single_sign_on;
mod m20261204_000013_sso_only;
mod m20261205_000014_access_tokens;
mod m20261205_000015_bots_and_hooks;
mod m20261205_000016_token_switch;
mod m20261205_000017_outgoing_webhooks;
mod m20261205_000018_slash_commands;

pub use sea_orm_migration::MigratorTrait;

/// Applies every migration in order; `seaql_migrations` records what already ran.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_identity::Migration),
            Box::new(m20261122_000002_channels::Migration),
            Box::new(m20261122_000003_search::Migration),
            Box::new(m20261122_000004_message_activity::Migration),
            Box::new(m20261122_000005_files::Migration),
            Box::new(m20261122_000006_jobs::Migration),
            Box::new(m20261203_000007_token_revocations::Migration),
            Box::new(m20261203_000008_notifications::Migration),
            Box::new(m20261203_000009_identity_access::Migration),
            Box::new(m20261204_000010_two_factor::Migration),
            Box::new(m20261204_000011_channel_roles::Migration),
            Box::new(m20261204_000012_single_sign_on::Migration),
            Box::new(m20261204_000013_sso_only::Migration),
            Box::new(m20261205_000014_access_tokens::Migration),
            Box::new(m20261205_000015_bots_and_hooks::Migration),
            Box::new(m20261205_000016_token_switch::Migration),
            Box::new(m20261205_000017_outgoing_webhooks::Migration),
            Box::new(m20261205_000018_slash_commands::Migration),
        ]
    }
}
