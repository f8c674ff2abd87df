//! Contract suites: one per port, run by every adapter's tests against that adapter.
//!
//! Adapters take them through a dev-dependency on this crate.
//! Each suite takes a factory that yields a fresh, empty instance of the port.

pub mod blob_store;
pub mod bus;
pub mod channels;
pub mod denylist;
pub mod jobs;
pub mod presence;
pub mod rate_limiter;
pub mod repositories;
pub mod request_throttle;
pub mod search;
