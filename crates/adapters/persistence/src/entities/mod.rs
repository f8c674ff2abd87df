//! The sea-orm view of the tables. Private to this crate: the rest of Tandem sees domain types,
//! converted in `crate::mapping`.

pub(crate) mod organization;
pub(crate) mod refresh_token;
pub(crate) mod user;
