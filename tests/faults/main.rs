//! The fault-injection suite: the real `tandem` binary as two separate OS processes (two nodes
//! of one cluster), on a PostgreSQL and a Redis the suite starts, stops and restarts itself,
//! under a storm of WebSocket clients; then faults: a node killed (`kill -9`) or terminated
//! (SIGTERM), Redis or PostgreSQL stopped and restarted.
//!
//! After every storm the same invariants are checked (see [`storm::Storm::finish`]): every
//! acknowledged message is stored exactly once, with the `id` and `seq` its ack named; the
//! channel's `seq`s are gap-free; every client ends with the complete log; and no socket ever
//! delivered a duplicate or an out-of-order sequenced frame. Each scenario prints how long
//! recovery took (`recovery: ...` on stderr) but never asserts on wall-clock durations: its
//! timeouts only guard against hangs.
//!
//! Needs `target/debug/tandem` (`cargo build -p tandem-server`; `cargo nextest run
//! --workspace` builds it), `redis-server` on the `PATH` and PostgreSQL's server binaries under
//! `/usr/lib/postgresql/<version>/bin`. A missing one fails the suite with a message saying
//! so: it never skips. As root (CI), PostgreSQL runs as the `postgres` user through `runuser`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod client;
mod cluster;
mod rest;
mod storm;

mod node_killed;
mod node_terminated;
mod postgres_outage;
mod redis_outage;
mod revocation;
