//! Administration: use-case tests over the in-memory fakes of `tandem-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "admin/dashboard.rs"]
mod dashboard;
