//! Sniffing by content: every format from its magic bytes, and the traps (wrong extensions,
//! byte-order marks, markup hidden behind prologues).

use super::*;

fn kind(head: &[u8]) -> FileKind {
    sniff(head).kind
}

fn media_type(head: &[u8]) -> &'static str {
    sniff(head).media_type
}

/// `bytes` at the start, zero padding up to `len`.
fn padded(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut head = bytes.to_vec();
    head.resize(len.max(bytes.len()), 0);
    head
}

#[test]
fn images_are_known_by_their_magic_bytes() {
    let tiff_le = padded(b"II*\0", 16);
    let bmp = padded(b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0", 64);
    for (head, format) in [
        (&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], ImageFormat::Png),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", ImageFormat::Jpeg),
        (b"GIF89a\x01\0\x01\0", ImageFormat::Gif),
        (b"GIF87a\x01\0\x01\0", ImageFormat::Gif),
        (b"RIFF\x24\0\0\0WEBPVP8 ", ImageFormat::Webp),
        (&bmp, ImageFormat::Bmp),
        (&tiff_le, ImageFormat::Tiff),
        (b"MM\0*\0\0\0\x08", ImageFormat::Tiff),
        (b"\0\0\x01\0\x01\0\x10\x10", ImageFormat::Ico),
        (b"\0\0\0\x1cftypavif\0\0\0\0", ImageFormat::Avif),
        (b"\0\0\0\x18ftypheic\0\0\0\0", ImageFormat::Heic),
    ] {
        assert_eq!(kind(head), FileKind::Image(format), "{format:?}");
        assert_eq!(media_type(head), format.media_type());
    }
}

#[test]
fn a_png_named_exe_is_a_png_and_an_elf_named_png_is_an_executable() {
    // sniff never sees the name: the point is that nothing but the bytes decides.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert_eq!(sniff(png).media_type, "image/png");
    let elf = padded(b"\x7fELF\x02\x01\x01", 64);
    assert_eq!(sniff(&elf).kind, FileKind::Executable);
    assert_eq!(sniff(&elf).media_type, "application/x-executable");
}

#[test]
fn executables_are_recognized() {
    for (head, expected) in [
        (&b"\x7fELF\x02\x01\x01\0"[..], "application/x-executable"),
        (
            b"MZ\x90\0\x03\0\0\0",
            "application/vnd.microsoft.portable-executable",
        ),
        (b"\xcf\xfa\xed\xfe\x07\0\0\x01", "application/x-mach-binary"),
        (b"\xfe\xed\xfa\xce\0\0\0\x12", "application/x-mach-binary"),
        (b"\xca\xfe\xba\xbe\0\0\0\x02", "application/x-mach-binary"),
        (b"\xca\xfe\xba\xbe\0\0\0\x34", "application/java-vm"),
        (b"#!/bin/sh\nrm -rf /\n", "application/x-shellscript"),
        (b"#!/usr/bin/env python3\n", "application/x-shellscript"),
        (b"\0asm\x01\0\0\0", "application/wasm"),
    ] {
        assert_eq!(
            sniff(head),
            found(expected, FileKind::Executable),
            "{head:?}"
        );
    }
}

#[test]
fn archives_documents_audio_and_video_are_recognized() {
    let tar = {
        let mut head = padded(b"notes.txt", 512);
        head[257..262].copy_from_slice(b"ustar");
        head
    };
    for (head, expected, expected_kind) in [
        (&b"%PDF-1.7\n"[..], "application/pdf", FileKind::Pdf),
        (
            b"PK\x03\x04\x14\0\x06\0",
            "application/zip",
            FileKind::Archive,
        ),
        (b"PK\x05\x06\0\0\0\0", "application/zip", FileKind::Archive),
        (b"\x1f\x8b\x08\0", "application/gzip", FileKind::Archive),
        (
            b"7z\xbc\xaf\x27\x1c\0\x04",
            "application/x-7z-compressed",
            FileKind::Archive,
        ),
        (
            b"Rar!\x1a\x07\x01\0",
            "application/vnd.rar",
            FileKind::Archive,
        ),
        (&tar, "application/x-tar", FileKind::Archive),
        (b"ID3\x04\0\0\0\0", "audio/mpeg", FileKind::Audio),
        (b"\xff\xfb\x90\x64", "audio/mpeg", FileKind::Audio),
        (b"OggS\0\x02\0\0", "audio/ogg", FileKind::Audio),
        (b"fLaC\0\0\0\x22", "audio/flac", FileKind::Audio),
        (b"RIFF\x24\0\0\0WAVEfmt ", "audio/wav", FileKind::Audio),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "audio/mp4", FileKind::Audio),
        (
            b"\0\0\0\x20ftypisom\0\0\x02\0",
            "video/mp4",
            FileKind::Video,
        ),
        (
            b"\0\0\0\x14ftypqt  \0\0\0\0",
            "video/quicktime",
            FileKind::Video,
        ),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x82\x84webm",
            "video/webm",
            FileKind::Video,
        ),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska",
            "video/x-matroska",
            FileKind::Video,
        ),
        (
            b"RIFF\x24\0\0\0AVI LIST",
            "video/x-msvideo",
            FileKind::Video,
        ),
    ] {
        assert_eq!(sniff(head), found(expected, expected_kind), "{expected}");
    }
}

#[test]
fn html_is_recognized_by_its_opening_whatever_the_case_bom_or_whitespace() {
    for head in [
        &b"<!DOCTYPE html><html><body>hi</body></html>"[..],
        b"<!doctype HTML>",
        b"\xef\xbb\xbf<!DOCTYPE html>",
        b"\xef\xbb\xbf  \r\n\t<html lang=\"en\">",
        b"<HTML>",
        b"<script>alert(1)</script>",
        b"<ScRiPt src=//evil.example/x.js></script>",
        b"<head><title>x</title></head>",
        b"<body onload=alert(1)>",
        b"<iframe src=javascript:alert(1)>",
        b"<img src=x onerror=alert(1)>",
        b"<!-- a comment --><p>hello",
        b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
        b"\xff\xfe<\0h\0t\0m\0l\0>\0",
        b"\xfe\xff\0<\0s\0c\0r\0i\0p\0t\0>",
    ] {
        assert_eq!(
            sniff(head),
            found("text/html", FileKind::Html),
            "{:?}",
            String::from_utf8_lossy(head)
        );
    }
}

#[test]
fn a_tag_name_must_end_where_the_opening_says() {
    // `<bold` is not `<b`, and `<html` in the middle of prose is not an HTML document.
    assert_eq!(kind(b"<boldly> going"), FileKind::Text);
    assert_eq!(kind(b"notes about <html> tags"), FileKind::Text);
}

#[test]
fn svg_is_recognized_bare_or_behind_a_prologue_or_comment() {
    for head in [
        &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
        b"\xef\xbb\xbf <SVG>",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg width=\"10\">",
        b"<?xml version=\"1.0\"?><!-- Generator: Illustrator --><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\"><svg>",
        b"<!DOCTYPE svg><svg>",
        b"<!-- made by hand --><svg>",
    ] {
        assert_eq!(
            sniff(head),
            found("image/svg+xml", FileKind::Svg),
            "{:?}",
            String::from_utf8_lossy(head)
        );
    }
}

#[test]
fn other_xml_is_text() {
    assert_eq!(
        sniff(b"<?xml version=\"1.0\"?><feed></feed>"),
        found("text/xml", FileKind::Text)
    );
}

#[test]
fn text_is_valid_utf8_without_nul() {
    for head in [
        &b"hello, world\n"[..],
        "h\u{e9}llo \u{1f389}".as_bytes(),
        b"",
        b"\xef\xbb\xbfwith a bom",
        b"\xff\xfeh\0i\0",
        // Cut inside a multi-byte character: the head is a prefix of a longer file.
        &"caf\u{e9}".as_bytes()[..4],
    ] {
        assert_eq!(sniff(head), found("text/plain", FileKind::Text), "{head:?}");
    }
}

#[test]
fn anything_else_is_binary() {
    for head in [
        &b"text with a \0 byte"[..],
        b"\xc3\x28 invalid utf-8",
        b"\x00\x01\x02\x03",
        b"\xff\xfe\0\xd8\x41\0",
    ] {
        assert_eq!(
            sniff(head),
            found("application/octet-stream", FileKind::Binary),
            "{head:?}"
        );
    }
}

#[test]
fn only_the_first_8_kib_are_read() {
    let mut head = b"plain text ".repeat(1000);
    head.extend_from_slice(b"\0\0\0");
    assert!(head.len() > SNIFF_LEN);
    assert_eq!(kind(&head), FileKind::Text);
}
