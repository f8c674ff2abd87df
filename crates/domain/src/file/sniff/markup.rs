//! Markup and text: HTML, SVG and XML told apart by how they open, after any byte-order mark
//! and whitespace, the way browsers sniff them; and what counts as plain text.

use super::{FileKind, Sniffed, found};
use std::borrow::Cow;

/// Openings browsers treat as HTML (the WHATWG sniffing table, plus a few tags that run
/// scripts by themselves). Each must be followed by a space, `>` or `/`.
const HTML_OPENINGS: &[&[u8]] = &[
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<frameset",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<br",
    b"<p",
    b"<img",
    b"<form",
    b"<object",
    b"<embed",
    b"<meta",
    b"<link",
    b"<base",
];

/// HTML, SVG or other XML, or `None` when `head` does not open like markup.
pub(super) fn markup(head: &[u8]) -> Option<Sniffed> {
    let decoded = decode(head);
    let text = skip_whitespace(&decoded);
    if opens_with_tag(text, b"<svg") {
        return Some(found("image/svg+xml", FileKind::Svg));
    }
    if starts_with_ignore_case(text, b"<?xml")
        || starts_with_ignore_case(text, b"<!doctype svg")
        || starts_with_ignore_case(text, b"<!--")
    {
        // A prologue or comment may come before the root element: look for it in the head.
        return Some(if contains_ignore_case(text, b"<svg") {
            found("image/svg+xml", FileKind::Svg)
        } else if contains_ignore_case(text, b"<html") || text.starts_with(b"<!--") {
            found("text/html", FileKind::Html)
        } else {
            found("text/xml", FileKind::Text)
        });
    }
    HTML_OPENINGS
        .iter()
        .any(|opening| opens_with_tag(text, opening))
        .then_some(found("text/html", FileKind::Html))
}

/// Valid UTF-8, or UTF-16 behind its byte-order mark, with no NUL. A multi-byte character
/// cut off by the end of `head` is fine: the head is often a prefix of the file.
pub(super) fn is_text(head: &[u8]) -> bool {
    if let Some(units) = utf16_units(head) {
        let mut chars = char::decode_utf16(units).peekable();
        while let Some(c) = chars.next() {
            match c {
                Ok('\0') => return false,
                Ok(_) => {}
                // An unpaired surrogate is only acceptable as the very last unit.
                Err(_) if chars.peek().is_none() => {}
                Err(_) => return false,
            }
        }
        return true;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            // Incomplete sequence at the end: the valid prefix is what counts.
            let (prefix, _) = head.split_at(error.valid_up_to());
            std::str::from_utf8(prefix).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.contains('\0')
}

/// The head as UTF-8 bytes without its byte-order mark (UTF-16 is decoded, lossily).
fn decode(head: &[u8]) -> Cow<'_, [u8]> {
    if let Some(units) = utf16_units(head) {
        let text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        return Cow::Owned(text.into_bytes());
    }
    Cow::Borrowed(head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head))
}

/// The UTF-16 code units after a byte-order mark, or `None` when there is no such mark.
fn utf16_units(head: &[u8]) -> Option<impl Iterator<Item = u16> + '_> {
    let little_endian = if head.starts_with(b"\xff\xfe") {
        true
    } else if head.starts_with(b"\xfe\xff") {
        false
    } else {
        return None;
    };
    Some(head[2..].chunks_exact(2).map(move |pair| {
        let bytes = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(bytes)
        } else {
            u16::from_be_bytes(bytes)
        }
    }))
}

fn skip_whitespace(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
        .unwrap_or(text.len());
    &text[start..]
}

/// `text` opens with `tag` (any case) followed by the end of the tag name.
fn opens_with_tag(text: &[u8], tag: &[u8]) -> bool {
    starts_with_ignore_case(text, tag)
        && text
            .get(tag.len())
            .is_none_or(|next| matches!(next, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>' | b'/'))
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

fn contains_ignore_case(text: &[u8], needle: &[u8]) -> bool {
    text.windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}
