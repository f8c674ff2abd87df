//! Which files an organization accepts, and how browsers may open the ones it does.

use super::sniff::EXECUTABLE_MEDIA_TYPES;
use super::{FileKind, ImageFormat, Sniffed};

/// How a stored file must be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Safe for a browser to render in the page (`Content-Disposition: inline`).
    Inline,
    /// Only ever offered for download (`Content-Disposition: attachment`), always with
    /// `X-Content-Type-Options: nosniff`, because a browser opening it could run scripts.
    Attachment,
}

/// Why a file was refused. The media type is the sniffed one, never the declared one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefusal {
    /// Matches a pattern of [`FilePolicy::denied`].
    #[error("files of type {media_type} are not accepted")]
    Denied { media_type: &'static str },
    /// [`FilePolicy::allowed`] is a list and nothing in it matches.
    #[error("only some file types are accepted, and {media_type} is not one of them")]
    NotAllowed { media_type: &'static str },
}

impl FileRefusal {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Denied { .. } => "file_type_denied",
            Self::NotAllowed { .. } => "file_type_not_allowed",
        }
    }
}

/// Media-type patterns deciding what is accepted: an exact type (`application/pdf`), a
/// family (`image/*`) or everything (`*/*`), compared without regard to case.
///
/// A file is refused when it matches a `denied` pattern (denial wins); otherwise, when
/// `allowed` is not empty, it must match one of its patterns.
///
/// Deserializes from settings; a field left out keeps its default (so giving only `allowed`
/// still refuses executables).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilePolicy {
    pub denied: Vec<String>,
    pub allowed: Vec<String>,
}

impl Default for FilePolicy {
    /// Accepts everything but executables (every media type [`super::sniff`] gives to
    /// [`FileKind::Executable`], listed in [`FilePolicy::EXECUTABLES`]).
    fn default() -> Self {
        Self {
            denied: Self::EXECUTABLES.iter().map(|&t| t.to_owned()).collect(),
            allowed: Vec::new(),
        }
    }
}

impl FilePolicy {
    /// The media types of programs and scripts: ELF, PE, Mach-O, `#!` scripts, Java classes,
    /// WebAssembly.
    pub const EXECUTABLES: &'static [&'static str] = EXECUTABLE_MEDIA_TYPES;

    /// Whether a file of this sniffed type is accepted, and how it must be served.
    ///
    /// Only PNG, JPEG, GIF and WebP are [`Disposition::Inline`]; everything else, HTML and
    /// SVG above all, is [`Disposition::Attachment`].
    ///
    /// # Errors
    /// [`FileRefusal::Denied`] or [`FileRefusal::NotAllowed`] as described on the type.
    pub fn decide(&self, sniffed: &Sniffed) -> Result<Disposition, FileRefusal> {
        let media_type = sniffed.media_type;
        if self.denied.iter().any(|p| matches(p, media_type)) {
            return Err(FileRefusal::Denied { media_type });
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|p| matches(p, media_type)) {
            return Err(FileRefusal::NotAllowed { media_type });
        }
        Ok(disposition(sniffed.kind))
    }
}

fn disposition(kind: FileKind) -> Disposition {
    match kind {
        FileKind::Image(
            ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::Webp,
        ) => Disposition::Inline,
        FileKind::Image(
            ImageFormat::Bmp
            | ImageFormat::Tiff
            | ImageFormat::Ico
            | ImageFormat::Avif
            | ImageFormat::Heic,
        )
        | FileKind::Svg
        | FileKind::Html
        | FileKind::Pdf
        | FileKind::Archive
        | FileKind::Audio
        | FileKind::Video
        | FileKind::Executable
        | FileKind::Text
        | FileKind::Binary => Disposition::Attachment,
    }
}

/// `type/subtype` against `pattern`: `*`, `*/*`, `type/*` or an exact type.
fn matches(pattern: &str, media_type: &str) -> bool {
    let pattern = pattern.trim();
    if pattern == "*" || pattern == "*/*" {
        return true;
    }
    match pattern.strip_suffix("/*") {
        Some(family) => media_type
            .split_once('/')
            .is_some_and(|(t, _)| t.eq_ignore_ascii_case(family)),
        None => pattern.eq_ignore_ascii_case(media_type),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sniff;
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
    const HTML: &[u8] = b"\xef\xbb\xbf<!DOCTYPE html><script>alert(1)</script>";
    const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>";

    fn policy(denied: &[&str], allowed: &[&str]) -> FilePolicy {
        FilePolicy {
            denied: denied.iter().map(|&p| p.to_owned()).collect(),
            allowed: allowed.iter().map(|&p| p.to_owned()).collect(),
        }
    }

    #[test]
    fn only_png_jpeg_gif_and_webp_are_served_inline() {
        let default = FilePolicy::default();
        for (head, expected) in [
            (PNG, Disposition::Inline),
            (b"\xff\xd8\xff\xe0\0\x10JFIF\0", Disposition::Inline),
            (b"GIF89a\x01\0\x01\0", Disposition::Inline),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Disposition::Inline),
            (b"MM\0*\0\0\0\x08", Disposition::Attachment),
            (HTML, Disposition::Attachment),
            (SVG, Disposition::Attachment),
            (b"%PDF-1.7", Disposition::Attachment),
            (b"just some text", Disposition::Attachment),
            (b"\0\x01\x02", Disposition::Attachment),
        ] {
            assert_eq!(default.decide(&sniff(head)), Ok(expected), "{head:?}");
        }
    }

    #[test]
    fn the_default_policy_refuses_every_kind_of_executable() {
        let default = FilePolicy::default();
        for head in [
            ELF,
            b"MZ\x90\0",
            b"\xcf\xfa\xed\xfe",
            b"#!/bin/sh\n",
            b"\xca\xfe\xba\xbe\0\0\0\x34",
            b"\0asm\x01\0\0\0",
        ] {
            let sniffed = sniff(head);
            assert_eq!(sniffed.kind, FileKind::Executable);
            assert_eq!(
                default.decide(&sniffed),
                Err(FileRefusal::Denied {
                    media_type: sniffed.media_type
                }),
                "{head:?}"
            );
        }
        assert_eq!(
            FilePolicy::default()
                .decide(&sniff(ELF))
                .unwrap_err()
                .code(),
            "file_type_denied"
        );
    }

    #[test]
    fn an_allow_list_refuses_whatever_it_does_not_name() {
        let images_and_pdf = policy(&[], &["image/*", "application/pdf"]);
        assert_eq!(images_and_pdf.decide(&sniff(PNG)), Ok(Disposition::Inline));
        assert_eq!(
            images_and_pdf.decide(&sniff(b"%PDF-1.4")),
            Ok(Disposition::Attachment)
        );
        assert_eq!(
            images_and_pdf.decide(&sniff(HTML)),
            Err(FileRefusal::NotAllowed {
                media_type: "text/html"
            })
        );
        // image/* admits SVG, which is still never inline.
        assert_eq!(
            images_and_pdf.decide(&sniff(SVG)),
            Ok(Disposition::Attachment)
        );
    }

    #[test]
    fn denial_wins_over_an_allow_list() {
        let policy = policy(&["image/svg+xml"], &["image/*"]);
        assert_eq!(
            policy.decide(&sniff(SVG)),
            Err(FileRefusal::Denied {
                media_type: "image/svg+xml"
            })
        );
        assert_eq!(policy.decide(&sniff(PNG)), Ok(Disposition::Inline));
    }

    #[test]
    fn patterns_match_exactly_by_family_or_everything_ignoring_case() {
        for (pattern, media_type, expected) in [
            ("image/*", "image/png", true),
            ("IMAGE/*", "image/png", true),
            ("image/*", "imagex/png", false),
            ("image/png", "image/png", true),
            (" Image/PNG ", "image/png", true),
            ("image/png", "image/pngx", false),
            ("*/*", "application/zip", true),
            ("*", "text/plain", true),
            ("text/*", "application/zip", false),
        ] {
            assert_eq!(
                matches(pattern, media_type),
                expected,
                "{pattern} vs {media_type}"
            );
        }
    }

    #[test]
    fn settings_that_leave_a_list_out_keep_its_default() {
        let only_allowed: FilePolicy = serde_json::from_str(r#"{"allowed": ["image/*"]}"#).unwrap();
        assert_eq!(only_allowed.denied, FilePolicy::default().denied);
        assert_eq!(only_allowed.allowed, ["image/*"]);
        let nothing_denied: FilePolicy = serde_json::from_str(r#"{"denied": []}"#).unwrap();
        assert!(nothing_denied.denied.is_empty());
        assert!(serde_json::from_str::<FilePolicy>(r#"{"deny": []}"#).is_err());
    }

    #[test]
    fn an_empty_policy_accepts_executables_as_attachments() {
        let open = policy(&[], &[]);
        assert_eq!(open.decide(&sniff(ELF)), Ok(Disposition::Attachment));
    }
}
