//! The image port: decoding an uploaded image and encoding afresh a web version and a
//! thumbnail, which carry none of the original's metadata.

use async_trait::async_trait;
use bytes::Bytes;
use std::fmt;

/// Makes uploaded images safe to show: decodes them, and encodes a web version and a
/// thumbnail afresh.
#[async_trait]
pub trait ImageProcessor: Send + Sync {
    /// Decodes `original`, turns it upright by its EXIF orientation, and encodes a web version
    /// (no side longer than `limits.max_dimension`) and a thumbnail (no side longer than
    /// `limits.thumbnail_dimension`). Images are never enlarged. Re-encoding drops EXIF (GPS
    /// position included) and every other piece of metadata. CPU-bound: adapters run it on
    /// the blocking pool, never on an async worker.
    ///
    /// # Errors
    /// - [`ImageError::TooLarge`] when the header declares more than `limits.max_pixels`
    ///   pixels (checked before decoding, against decompression bombs);
    /// - [`ImageError::Unsupported`] when the format is not one the processor decodes;
    /// - [`ImageError::Corrupt`] when the data is damaged or truncated.
    async fn process(
        &self,
        original: Bytes,
        limits: ImageLimits,
    ) -> Result<ProcessedImage, ImageError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Longest side of the web version, in pixels.
    pub max_dimension: u32,
    /// Longest side of the thumbnail, in pixels.
    pub thumbnail_dimension: u32,
    /// Most pixels (width × height) an original may declare.
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    /// A 2048-pixel web version, a 400-pixel thumbnail, originals up to 50 megapixels (a
    /// large phone photo; decoding one takes about 200 MB, so limit concurrent processing).
    fn default() -> Self {
        Self {
            max_dimension: 2048,
            thumbnail_dimension: 400,
            max_pixels: 50_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// Of the original, after orientation (a portrait photo stored sideways with an EXIF
    /// rotation reports its upright size).
    pub width: u32,
    pub height: u32,
    pub web: EncodedImage,
    pub thumbnail: EncodedImage,
}

#[derive(Clone, PartialEq, Eq)]
pub struct EncodedImage {
    pub bytes: Bytes,
    /// `image/jpeg`, or `image/png` when the image has transparency.
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
}

impl fmt::Debug for EncodedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedImage")
            .field("bytes", &self.bytes.len())
            .field("media_type", &self.media_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why an image could not be processed. The upload may still be kept as a plain file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("this image format is not supported")]
    Unsupported,
    #[error("the image is damaged: {0}")]
    Corrupt(String),
    #[error("the image has too many pixels")]
    TooLarge,
}
