//! The image processor on small images made here: transparency, EXIF orientation and GPS
//! tags, damaged and foreign data, decompression bombs.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use bytes::Bytes;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::Cursor;
use tandem_app::ports::{ImageError, ImageLimits, ImageProcessor, ProcessedImage};
use tandem_storage::ImageReencoder;

const LIMITS: ImageLimits = ImageLimits {
    max_dimension: 100,
    thumbnail_dimension: 32,
    max_pixels: 1_000_000,
};

async fn process(bytes: Vec<u8>, limits: ImageLimits) -> Result<ProcessedImage, ImageError> {
    ImageReencoder.process(Bytes::from(bytes), limits).await
}

fn encoded(image: impl Into<DynamicImage>, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .into()
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

/// 80×40: red on the left half, blue on the right.
fn red_left_blue_right() -> RgbImage {
    RgbImage::from_fn(80, 40, |x, _| {
        if x < 40 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

#[tokio::test]
async fn a_png_with_transparency_stays_png_and_is_scaled_to_the_limits() {
    let image = RgbaImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([0, 200, 0, 255])
        }
    });
    let processed = process(encoded(image, ImageFormat::Png), LIMITS)
        .await
        .unwrap();

    assert_eq!((processed.width, processed.height), (300, 200));
    let web = &processed.web;
    assert_eq!(web.media_type, "image/png");
    assert_eq!(web.width, 100);
    assert!((66..=67).contains(&web.height), "{web:?}");
    let decoded = decode(&web.bytes).to_rgba8();
    assert_eq!((decoded.width(), decoded.height()), (web.width, web.height));
    assert_eq!(
        decoded.get_pixel(5, 30).0[3],
        0,
        "the transparent half stays transparent"
    );
    assert_eq!(decoded.get_pixel(95, 30).0[3], 255);

    let thumbnail = &processed.thumbnail;
    assert_eq!(thumbnail.media_type, "image/png");
    assert_eq!(thumbnail.width.max(thumbnail.height), 32);
    assert_eq!(decode(&thumbnail.bytes).width(), thumbnail.width);
}

#[tokio::test]
async fn opaque_images_become_jpeg_even_when_they_come_with_an_alpha_channel() {
    let opaque = RgbaImage::from_pixel(50, 50, Rgba([10, 20, 30, 255]));
    let processed = process(encoded(opaque, ImageFormat::Png), LIMITS)
        .await
        .unwrap();
    assert_eq!(processed.web.media_type, "image/jpeg");
    assert_eq!(
        decode(&processed.web.bytes).width(),
        50,
        "small images are not enlarged"
    );

    let tiny = RgbImage::from_pixel(10, 6, Rgb([200, 100, 0]));
    let processed = process(encoded(tiny, ImageFormat::Png), LIMITS)
        .await
        .unwrap();
    for encoded in [&processed.web, &processed.thumbnail] {
        assert_eq!((encoded.width, encoded.height), (10, 6), "never enlarged");
        assert_eq!(decode(&encoded.bytes).width(), 10);
    }
}

#[tokio::test]
async fn gif_and_webp_are_decoded_too() {
    for format in [ImageFormat::Gif, ImageFormat::WebP] {
        let bytes = encoded(
            DynamicImage::ImageRgb8(red_left_blue_right()).to_rgba8(),
            format,
        );
        let processed = process(bytes, LIMITS).await.unwrap();
        assert_eq!((processed.width, processed.height), (80, 40), "{format:?}");
        assert_eq!(processed.web.media_type, "image/jpeg", "{format:?}");
    }
}

#[tokio::test]
async fn exif_is_dropped_and_its_orientation_applied() {
    let original = with_exif(&encoded(red_left_blue_right(), ImageFormat::Jpeg));
    assert!(contains(&original, b"Exif"), "the test image carries EXIF");
    let processed = process(original, LIMITS).await.unwrap();

    // Orientation 6: stored sideways, shown turned 90° clockwise, so 80×40 becomes 40×80
    // and the left (red) half becomes the top.
    assert_eq!((processed.width, processed.height), (40, 80));
    for encoded in [&processed.web, &processed.thumbnail] {
        assert_eq!(encoded.media_type, "image/jpeg");
        assert!(
            !contains(&encoded.bytes, b"Exif"),
            "EXIF survived re-encoding"
        );
        assert!(
            !contains(&encoded.bytes, b"\xff\xe1"),
            "an APP1 segment survived"
        );
    }
    let web = decode(&processed.web.bytes).to_rgb8();
    assert_eq!((web.width(), web.height()), (40, 80));
    let (top, bottom) = (web.get_pixel(20, 10).0, web.get_pixel(20, 70).0);
    assert!(top[0] > 200 && top[2] < 60, "top should be red: {top:?}");
    assert!(
        bottom[2] > 200 && bottom[0] < 60,
        "bottom should be blue: {bottom:?}"
    );
}

#[tokio::test]
async fn a_truncated_jpeg_is_corrupt() {
    let jpeg = encoded(red_left_blue_right(), ImageFormat::Jpeg);
    for cut in [jpeg.len() / 2, 200, 20] {
        match process(jpeg[..cut].to_vec(), LIMITS).await {
            Err(ImageError::Corrupt(_)) => {}
            other => panic!("cut at {cut} of {}: {other:?}", jpeg.len()),
        }
    }
}

#[tokio::test]
async fn data_in_no_image_format_is_unsupported() {
    for bytes in [
        &b"this is plainly not an image, just some words"[..],
        b"%PDF-1.7\n",
        b"",
    ] {
        assert_eq!(
            process(bytes.to_vec(), LIMITS).await.unwrap_err(),
            ImageError::Unsupported
        );
    }
    // A format the crate knows but this build does not decode.
    let mut bmp = b"BM\x36\x10\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
    bmp.resize(200, 0);
    assert_eq!(
        process(bmp, LIMITS).await.unwrap_err(),
        ImageError::Unsupported
    );
}

#[tokio::test]
async fn too_many_pixels_are_refused_before_decoding() {
    // A PNG whose header claims 50,000 × 50,000 pixels: decoding it would need 10 GB.
    let bomb = with_png_size(
        &encoded(red_left_blue_right(), ImageFormat::Png),
        50_000,
        50_000,
    );
    assert_eq!(
        process(bomb, LIMITS).await.unwrap_err(),
        ImageError::TooLarge
    );

    let small_limit = ImageLimits {
        max_pixels: 80 * 40 - 1,
        ..LIMITS
    };
    let real = encoded(red_left_blue_right(), ImageFormat::Jpeg);
    assert_eq!(
        process(real, small_limit).await.unwrap_err(),
        ImageError::TooLarge
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `jpeg` with an EXIF APP1 segment right after SOI: orientation 6 and a GPS position.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II\x2a\x00\x08\x00\x00\x00");
    // IFD0 at 8: Orientation = 6, GPSInfo -> the GPS IFD at 38.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    ifd_entry(&mut tiff, 0x0112, 3, 1, 6);
    ifd_entry(&mut tiff, 0x8825, 4, 1, 38);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 38: latitude N 48° 51' 30", the three rationals at 68.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    ifd_entry(&mut tiff, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    ifd_entry(&mut tiff, 0x0002, 5, 3, 68);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 68);
    for value in [48u32, 51, 30] {
        tiff.extend_from_slice(&value.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
    }
    let mut app1 = b"\xff\xe1".to_vec();
    let length = u16::try_from(2 + 6 + tiff.len()).unwrap();
    app1.extend_from_slice(&length.to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);

    assert_eq!(&jpeg[..2], b"\xff\xd8");
    [&jpeg[..2], &app1, &jpeg[2..]].concat()
}

fn ifd_entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    tiff.extend_from_slice(&tag.to_le_bytes());
    tiff.extend_from_slice(&kind.to_le_bytes());
    tiff.extend_from_slice(&count.to_le_bytes());
    tiff.extend_from_slice(&value.to_le_bytes());
}

/// `png` with the width and height in its IHDR chunk replaced (and the chunk's CRC fixed).
fn with_png_size(png: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut png = png.to_vec();
    // Signature (8), length (4), "IHDR" (4), then width and height.
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
