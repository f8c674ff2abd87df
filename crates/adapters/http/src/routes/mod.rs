//! Route handlers, one module per endpoint group.

pub mod accounts;
pub mod auth;
pub mod bots;
pub mod channels;
pub mod commands;
pub mod files;
pub mod health;
pub mod hooks;
pub mod messages;
pub mod notifications;
pub mod organizations;
pub mod outgoing;
pub mod sso;
pub mod tokens;
pub mod two_factor;
pub mod users;
