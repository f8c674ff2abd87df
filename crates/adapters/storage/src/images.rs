//! [`ImageProcessor`] with the `image` crate: decode (JPEG, PNG, GIF, WebP), turn upright,
//! scale down, encode afresh. Nothing of the original's metadata survives re-encoding.

use async_trait::async_trait;
use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::error::{ImageError as CrateError, LimitErrorKind};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits};
use std::io::Cursor;
use tandem_app::ports::{EncodedImage, ImageError, ImageLimits, ImageProcessor, ProcessedImage};

/// JPEG quality of web versions and thumbnails: visually clean, about a tenth of the size of
/// a camera's original.
const JPEG_QUALITY: u8 = 82;

/// Processes images on Tokio's blocking pool, one `spawn_blocking` per image.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageReencoder;

#[async_trait]
impl ImageProcessor for ImageReencoder {
    async fn process(
        &self,
        original: Bytes,
        limits: ImageLimits,
    ) -> Result<ProcessedImage, ImageError> {
        tokio::task::spawn_blocking(move || process(&original, limits))
            .await
            .map_err(|error| ImageError::Corrupt(format!("the decoder failed: {error}")))?
    }
}

/// The whole pipeline, synchronously.
///
/// # Errors
/// As [`ImageProcessor::process`] says.
pub(crate) fn process(original: &[u8], limits: ImageLimits) -> Result<ProcessedImage, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|error| ImageError::Corrupt(error.to_string()))?;
    if reader.format().is_none() {
        return Err(ImageError::Unsupported);
    }
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(map_error)?;

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooLarge);
    }
    // A broken orientation tag is ignored, not fatal: the picture is still good.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_error)?;
    image.apply_orientation(orientation);

    // The thumbnail is scaled from the web version: already small, so scaling is cheap.
    let web_image = fit(&image, limits.max_dimension);
    let thumbnail = encode(&fit(&web_image, limits.thumbnail_dimension))?;
    let web = encode(&web_image)?;
    Ok(ProcessedImage {
        width: image.width(),
        height: image.height(),
        web,
        thumbnail,
    })
}

/// The decoder may allocate what the largest accepted image needs at 16 bits per channel
/// with alpha, and no more.
fn decoder_limits(limits: ImageLimits) -> Limits {
    let mut decoder = Limits::default();
    decoder.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 * 1024 * 1024));
    decoder
}

/// `image`, scaled down (never up) so that its longer side is at most `max`.
fn fit(image: &DynamicImage, max: u32) -> DynamicImage {
    let max = max.max(1);
    if image.width() <= max && image.height() <= max {
        image.clone()
    } else {
        image.resize(max, max, FilterType::CatmullRom)
    }
}

/// PNG when some pixel is not fully opaque (JPEG has no transparency), JPEG otherwise.
fn encode(image: &DynamicImage) -> Result<EncodedImage, ImageError> {
    let (width, height) = (image.width(), image.height());
    let mut bytes = Vec::new();
    let media_type = if is_transparent(image) {
        let rgba = image.to_rgba8();
        PngEncoder::new(&mut bytes)
            .write_image(&rgba, width, height, image::ExtendedColorType::Rgba8)
            .map_err(encoding_failed)?;
        "image/png"
    } else {
        let rgb = image.to_rgb8();
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
            .map_err(encoding_failed)?;
        "image/jpeg"
    };
    Ok(EncodedImage {
        bytes: Bytes::from(bytes),
        media_type,
        width,
        height,
    })
}

fn is_transparent(image: &DynamicImage) -> bool {
    image.color().has_alpha() && image.to_rgba8().pixels().any(|pixel| pixel.0[3] < u8::MAX)
}

fn map_error(error: CrateError) -> ImageError {
    match error {
        CrateError::Unsupported(_) => ImageError::Unsupported,
        CrateError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory => {
                ImageError::TooLarge
            }
            _ => ImageError::Corrupt(limit.to_string()),
        },
        CrateError::Decoding(_)
        | CrateError::IoError(_)
        | CrateError::Parameter(_)
        | CrateError::Encoding(_) => ImageError::Corrupt(error.to_string()),
    }
}

/// Encoding an image just decoded cannot fail for its content; say so if it does.
fn encoding_failed(error: CrateError) -> ImageError {
    ImageError::Corrupt(format!("re-encoding failed: {error}"))
}
