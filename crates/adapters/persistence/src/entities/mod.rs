//! The sea-orm view of the tables. Private to this crate: the rest of Tandem sees domain types,
//! converted in `crate::mapping`.

pub(crate) mod channel;
pub(crate) mod channel_event;
pub(crate) mod channel_member;
pub(crate) mod file;
pub(crate) mod job;
pub(crate) mod message;
pub(crate) mod message_mention;
pub(crate) mod message_reaction;
pub(crate) mod message_report;
pub(crate) mod organization;
pub(crate) mod refresh_token;
pub(crate) mod user;
