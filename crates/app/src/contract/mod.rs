//! Contract suites: one per port, run by every adapter's tests against that adapter.
//!
//! Compiled only with the `contract` feature, which adapters enable as a dev-dependency.
//! Each suite takes a factory that yields a fresh, empty instance of the port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod blob_store;
pub mod bus;
pub mod channels;
pub mod denylist;
pub mod jobs;
pub mod presence;
pub mod rate_limiter;
pub mod repositories;
pub mod search;
