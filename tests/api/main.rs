//! Black-box tests of the REST API: one binary, one module per endpoint group. Every test runs
//! on SQLite (embedded) and on PostgreSQL + Redis (cluster), see `tandem_tests::on_every_backend`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_tokens;
mod auth;
mod bad_input;
mod bots;
mod channel_roles;
mod channels;
mod events;
mod files;
mod files_images;
mod files_s3;
mod identity;
mod limits;
mod messages;
mod notifications;
mod operations;
mod outgoing_webhooks;
mod realtime;
mod refresh_cookie;
mod search;
mod slash_commands;
mod spa;
mod sse;
mod sso;
mod tokens;
mod two_factor;
mod users;
mod webhooks;
