//! Channels and messages: use-case tests over the in-memory fakes of `tandem-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "chat/channels.rs"]
mod channels;
#[path = "chat/editing.rs"]
mod editing;
#[path = "chat/history.rs"]
mod history;
#[path = "chat/membership.rs"]
mod membership;
#[path = "chat/search.rs"]
mod search;
#[path = "chat/sending.rs"]
mod sending;
#[path = "chat/world.rs"]
mod world;
