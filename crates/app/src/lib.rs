//! Tandem's use cases and the ports they drive. One module per use case; no framework here.
//!
//! Every use case follows one flow: load → authorize (a pure `tandem_domain` rule) → change →
//! persist → return. Adapters implement the traits in [`ports`]; the server wires them into
//! one [`AppContext`].

pub mod admin;
pub mod auth;
pub mod channels;
pub mod context;
pub mod files;
pub mod jobs;
pub mod messages;
pub mod organizations;
pub mod ports;
pub mod users;

#[cfg(test)]
pub(crate) mod testing;

pub use context::{AppContext, AuthPolicy, ChatPolicy, FilesPolicy, JobPolicy};
