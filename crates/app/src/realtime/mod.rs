//! The real-time core, transport-neutral: who may listen to what, the sequenced channel feed
//! (one ordering and gap rule for every transport), presence, typing, and announcing stored
//! changes and personal notifications on the event bus. The WebSocket and Server-Sent Events
//! adapters are thin transports over it: they parse frames, write bytes, and keep time.
//!
//! The path of a change: a use case stores it, then the [`Announcer`] encodes its frame once
//! (through the [`crate::ports::FrameEncoder`] port) and publishes it in an [`Envelope`] on
//! the [`crate::ports::EventBus`]; every node's [`ChannelFeed`]s put it in `seq` order and
//! hand it to their transports.

mod announce;
mod envelope;
mod feed;
mod personal;
mod presence;
mod session;
mod typing;
mod who_is_here;

pub use announce::Announcer;
pub use envelope::Envelope;
pub use feed::{ChannelFeed, FeedEnd, OpenedFeed, REORDER_LIMIT, REORDER_WAIT};
pub use personal::{PersonalFeed, PersonalItem};
pub use presence::PresenceConnection;
pub use typing::Typing;
pub use who_is_here::{PRESENT_LIMIT, present_members};
