//! Request and response bodies of the REST API, with their OpenAPI schemas. Requests are
//! parsed into domain types here; responses are built from domain types here.

pub mod auth;
pub mod bots;
pub mod chat;
pub mod checks;
pub mod commands;
pub mod hooks;
pub mod identity;
pub mod notifications;
pub mod outgoing;
pub mod sso;
pub mod tokens;
pub mod two_factor;
pub mod users;
