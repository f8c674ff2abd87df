//! Route handlers, one module per endpoint group.

pub mod auth;
pub mod health;
pub mod organizations;
pub mod users;
