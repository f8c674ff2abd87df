//! Accounts: use-case tests over the in-memory fakes of `tandem-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "auth/authenticate.rs"]
mod authenticate;
#[path = "auth/change_password.rs"]
mod change_password;
#[path = "auth/login.rs"]
mod login;
#[path = "auth/logout.rs"]
mod logout;
#[path = "auth/organizations.rs"]
mod organizations;
#[path = "auth/refresh.rs"]
mod refresh;
#[path = "auth/register.rs"]
mod register;
#[path = "auth/revocations.rs"]
mod revocations;
