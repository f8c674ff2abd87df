//! The real-time core, over the in-memory fakes: the channel feed's one ordering and gap
//! rule, its access recheck, presence from connections, and typing. Time is tokio's paused
//! clock where a rule waits, so nothing here depends on how fast the machine is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "realtime/feed.rs"]
mod feed;
#[path = "realtime/presence.rs"]
mod presence;
