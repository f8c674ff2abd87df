//! Tandem's test kit: the contract suite of every port ([`contract`]), which each adapter's
//! tests run against that adapter, so the in-process, SQLite, PostgreSQL, Redis, local-disk
//! and S3 implementations are held to one behaviour; and an in-memory reference
//! implementation of the chat storage ports ([`memory`]), held to the same suites, which with
//! the fakes of the other ports ([`fakes`]) wires every area's context for fast use-case tests
//! without a database; a TCP [`proxy`] that takes a real dependency away from one node; and a
//! real OpenID Connect provider ([`oidc_provider`]).
//!
//! A dev-dependency only: nothing here ships in the `tandem` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod contract;
pub mod fakes;
pub mod memory;
pub mod oidc_provider;
pub mod proxy;
