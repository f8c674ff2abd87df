//! People: use-case tests over the in-memory fakes of `tandem-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "people/get.rs"]
mod get;
#[path = "people/list.rs"]
mod list;
#[path = "people/set_status.rs"]
mod set_status;
#[path = "people/update.rs"]
mod update;
