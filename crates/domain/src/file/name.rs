//! The name a shared file is kept and offered under: the uploader's name, cleaned of paths,
//! invisible characters and anything a browser or file system would misread.

use std::fmt;

/// A cleaned file name: one path component, no control or direction-changing characters, no
/// leading or trailing dots or spaces, at most [`FileName::MAX_BYTES`] bytes, never empty.
///
/// It is still user text: the HTTP layer must encode it for `Content-Disposition`
/// (`filename*=UTF-8''…`), and nothing may use it as a path. Blobs are stored under
/// server-generated keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileName(String);

/// Why a file name could not be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileNameError {
    /// Nothing usable was left after cleaning (`""`, `"."`, `".."`, `"dir/"`, only spaces or
    /// control characters).
    #[error("must contain at least one visible character besides dots")]
    Empty,
}

impl FileNameError {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "invalid_file_name",
        }
    }
}

impl FileName {
    /// Longest name kept, in bytes of UTF-8; most file systems allow 255.
    pub const MAX_BYTES: usize = 200;
    /// Longest extension kept whole when a long name is shortened; a longer "extension" is
    /// just part of the name.
    const MAX_EXTENSION_BYTES: usize = 16;

    /// Cleans the name an uploader sent:
    /// - keeps the last path component (split on `/` and `\`, so `../../etc/passwd` becomes
    ///   `passwd` and `C:\x\a.txt` becomes `a.txt`);
    /// - drops control characters and invisible formatting ones, bidirectional overrides
    ///   included (a `U+202E` between `invoice` and `fdp.exe` shows the name as `invoiceexe.pdf`);
    /// - replaces the characters Windows cannot save (`< > : " | ? *`) with `_`;
    /// - trims whitespace and dots at both ends;
    /// - shortens it to [`Self::MAX_BYTES`] on a character boundary, keeping the extension.
    ///
    /// # Errors
    /// [`FileNameError::Empty`] when nothing is left.
    pub fn sanitize(raw: &str) -> Result<Self, FileNameError> {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|&c| !is_invisible(c))
            .map(|c| if is_reserved(c) { '_' } else { c })
            .collect();
        let trimmed = trim(&cleaned);
        if trimmed.is_empty() {
            return Err(FileNameError::Empty);
        }
        Ok(Self(shorten(trimmed)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What follows the last dot, as written (`"PNG"` stays `"PNG"`); `None` when there is
    /// no dot. A kept name never starts or ends with a dot, so both sides are non-empty.
    pub fn extension(&self) -> Option<&str> {
        self.0.rsplit_once('.').map(|(_, extension)| extension)
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for FileName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Characters that show nothing or change how the rest is shown: C0/C1 controls, zero-width
/// characters, directional marks, embeddings, overrides and isolates, the BOM.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Characters no Windows file name may hold; a download named with one would be renamed or
/// refused by the browser.
fn is_reserved(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

fn trim(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '.')
}

/// Cuts `name` to [`FileName::MAX_BYTES`], taking the cut from the stem so the extension
/// (and so the type the user's system shows) survives.
fn shorten(name: &str) -> String {
    if name.len() <= FileName::MAX_BYTES {
        return name.to_owned();
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension))
            if extension.len() <= FileName::MAX_EXTENSION_BYTES && !trim(stem).is_empty() =>
        {
            (stem, Some(extension))
        }
        _ => (name, None),
    };
    let room = FileName::MAX_BYTES - extension.map_or(0, |e| e.len() + 1);
    let stem = trim(cut(stem, room));
    match extension {
        Some(extension) => format!("{stem}.{extension}"),
        None => stem.to_owned(),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(raw: &str) -> String {
        FileName::sanitize(raw).unwrap().as_str().to_owned()
    }

    #[test]
    fn paths_are_reduced_to_their_last_component() {
        for (raw, expected) in [
            ("../../etc/passwd", "passwd"),
            ("/etc/shadow", "shadow"),
            ("C:\\x\\a.txt", "a.txt"),
            ("..\\..\\windows\\win.ini", "win.ini"),
            ("dir/sub\\mixed/report.pdf", "report.pdf"),
            ("plain.txt", "plain.txt"),
        ] {
            assert_eq!(clean(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn control_and_direction_characters_are_dropped() {
        for (raw, expected) in [
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("a\u{2066}b\u{2069}c.txt", "abc.txt"),
            ("new\nline\r.txt", "newline.txt"),
            ("nul\0byte.txt", "nulbyte.txt"),
            ("tab\there.txt", "tabhere.txt"),
            ("zero\u{200B}width\u{FEFF}.txt", "zerowidth.txt"),
            ("esc\u{1b}[31m.txt", "esc[31m.txt"),
        ] {
            assert_eq!(clean(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn spaces_and_dots_at_the_ends_are_trimmed_and_inner_ones_kept() {
        for (raw, expected) in [
            ("  report final.pdf  ", "report final.pdf"),
            (". . hidden . .", "hidden"),
            (".bashrc", "bashrc"),
            ("archive.tar.gz", "archive.tar.gz"),
            ("trailing.", "trailing"),
        ] {
            assert_eq!(clean(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn characters_windows_cannot_save_are_replaced() {
        assert_eq!(clean("what?<is>:this|\"*.txt"), "what__is__this___.txt");
    }

    #[test]
    fn names_with_nothing_usable_are_refused() {
        for raw in [
            "",
            ".",
            "..",
            "...",
            "   ",
            "dir/",
            "a/..",
            "\u{202E}\u{0007}",
            " . . ",
        ] {
            assert_eq!(
                FileName::sanitize(raw),
                Err(FileNameError::Empty),
                "{raw:?}"
            );
        }
        assert_eq!(FileNameError::Empty.code(), "invalid_file_name");
    }

    #[test]
    fn long_names_are_cut_to_200_bytes_keeping_the_extension() {
        let name = clean(&format!("{}.jpeg", "a".repeat(1000)));
        assert_eq!(name.len(), FileName::MAX_BYTES);
        assert!(name.ends_with("a.jpeg"), "{name}");

        let no_extension = clean(&"b".repeat(1000));
        assert_eq!(no_extension, "b".repeat(200));
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        // 'é' is two bytes and '🎉' four: no cut may land inside one.
        for filler in ["é", "🎉", "aé"] {
            let name = clean(&format!("{}.txt", filler.repeat(400)));
            assert!(name.len() <= FileName::MAX_BYTES, "{filler}");
            assert!(name.len() > FileName::MAX_BYTES - 4, "{filler}");
            assert!(name.ends_with(".txt"), "{filler}");
        }
    }

    #[test]
    fn an_overlong_extension_is_treated_as_part_of_the_name() {
        let raw = format!("x.{}", "e".repeat(500));
        let name = clean(&raw);
        assert_eq!(name.len(), FileName::MAX_BYTES);
        assert!(name.starts_with("x.eee"));
    }

    #[test]
    fn the_cut_does_not_leave_a_dot_or_space_before_the_extension() {
        let raw = format!("{}{}.png", "a".repeat(194), " . . . . . ");
        let name = clean(&raw);
        assert_eq!(name, format!("{}.png", "a".repeat(194)));
    }

    #[test]
    fn the_extension_is_what_follows_the_last_dot() {
        let extension = |raw: &str| {
            FileName::sanitize(raw)
                .unwrap()
                .extension()
                .map(str::to_owned)
        };
        assert_eq!(extension("photo.PNG").as_deref(), Some("PNG"));
        assert_eq!(extension("archive.tar.gz").as_deref(), Some("gz"));
        assert_eq!(extension("Makefile"), None);
        assert_eq!(extension(".env"), None);
    }
}
