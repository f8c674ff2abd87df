//! A file as a message shows it: what a client needs to list, preview and fetch it.

use crate::ids::FileId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: FileId,
    /// Cleaned at upload ([`crate::FileName`]).
    pub filename: String,
    /// Sniffed from the content, never the uploader's claim.
    pub media_type: String,
    pub size: u64,
    /// Known once the image job has read it.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A thumbnail exists (images, after processing).
    pub has_thumbnail: bool,
    /// Browsers may show it in the page (safe raster images); anything else downloads.
    pub inline: bool,
}

impl Attachment {
    /// Whether this is an image a client may preview (before or after processing).
    pub fn is_image(&self) -> bool {
        self.inline && self.media_type.starts_with("image/")
    }
}
