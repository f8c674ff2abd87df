//! Turning stored channel changes into frames, the same way for live delivery and catch-up
//! (and the same way as the SSE streams: the shapes live in [`tandem_api_types::frames`]).

use crate::protocol::{ChannelFrame, ServerFrame};
use tandem_app::ports::ChannelChange;

/// The frame announcing `change`; `None` when the change lacks what its frame needs (a
/// message event whose message is gone), which only a broken caller produces.
pub fn frame_for(change: ChannelChange) -> Option<ServerFrame> {
    let ChannelChange {
        event,
        message,
        channel,
        user,
    } = change;
    ChannelFrame::new(event, message, channel, user).map(ServerFrame::Channel)
}
