//! What a file really is, read from its first bytes. The type the uploader declared and the
//! name's extension are never consulted: a PNG named `.exe` is a PNG, an ELF binary named
//! `.png` is an executable.

mod markup;
#[cfg(test)]
mod tests;

/// How many leading bytes [`sniff`] looks at; pass at least this many when the file has them.
pub const SNIFF_LEN: usize = 8 * 1024;

/// The outcome of [`sniff`]: the media type to store and serve, and the kind the policy
/// reasons about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub media_type: &'static str,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Image(ImageFormat),
    /// SVG can carry scripts: accepted, but never shown inline.
    Svg,
    /// Runs scripts when a browser opens it: accepted, but never shown inline.
    Html,
    Pdf,
    /// zip, gzip, bzip2, xz, zstd, 7z, rar, tar; office documents are zip files.
    Archive,
    Audio,
    Video,
    /// Native programs (ELF, PE, Mach-O), scripts with a `#!` line, Java classes, WebAssembly.
    Executable,
    /// Valid UTF-8 (or UTF-16 with a byte-order mark) without NUL bytes.
    Text,
    /// Anything else, served as `application/octet-stream` unless named below.
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Ico,
    Avif,
    Heic,
}

impl ImageFormat {
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Bmp => "image/bmp",
            Self::Tiff => "image/tiff",
            Self::Ico => "image/x-icon",
            Self::Avif => "image/avif",
            Self::Heic => "image/heic",
        }
    }
}

/// The media types [`sniff`] gives executables, which the default policy refuses.
pub(super) const EXECUTABLE_MEDIA_TYPES: &[&str] = &[ELF, PE, MACH_O, SCRIPT, JAVA_CLASS, WASM];
const ELF: &str = "application/x-executable";
const PE: &str = "application/vnd.microsoft.portable-executable";
const MACH_O: &str = "application/x-mach-binary";
const SCRIPT: &str = "application/x-shellscript";
const JAVA_CLASS: &str = "application/java-vm";
const WASM: &str = "application/wasm";

/// Classifies a file by its first bytes (`head`, up to [`SNIFF_LEN`] of them; fewer only
/// when the file is shorter). An empty file is empty text.
pub fn sniff(head: &[u8]) -> Sniffed {
    let head = &head[..head.len().min(SNIFF_LEN)];
    binary_signature(head)
        .or_else(|| markup::markup(head))
        .unwrap_or_else(|| {
            if markup::is_text(head) {
                found("text/plain", FileKind::Text)
            } else {
                found("application/octet-stream", FileKind::Binary)
            }
        })
}

const fn found(media_type: &'static str, kind: FileKind) -> Sniffed {
    Sniffed { media_type, kind }
}

const fn image(format: ImageFormat) -> Sniffed {
    found(format.media_type(), FileKind::Image(format))
}

/// Formats told by fixed magic bytes.
fn binary_signature(head: &[u8]) -> Option<Sniffed> {
    use FileKind::{Archive, Audio, Binary, Executable, Pdf, Video};
    let at = |offset: usize, magic: &[u8]| head.get(offset..).is_some_and(|h| h.starts_with(magic));
    let starts = |magic: &[u8]| at(0, magic);
    if starts(b"\xff\xfe") || starts(b"\xfe\xff") {
        // A UTF-16 byte-order mark, not an MPEG frame: markup or text decides.
        return None;
    }
    let sniffed = if starts(b"\x89PNG\r\n\x1a\n") {
        image(ImageFormat::Png)
    } else if starts(b"\xff\xd8\xff") {
        image(ImageFormat::Jpeg)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        image(ImageFormat::Gif)
    } else if starts(b"RIFF") && head.len() >= 12 {
        match &head[8..12] {
            b"WEBP" => image(ImageFormat::Webp),
            b"WAVE" => found("audio/wav", Audio),
            b"AVI " => found("video/x-msvideo", Video),
            _ => return None,
        }
    } else if at(4, b"ftyp") {
        iso_media(head.get(8..12).unwrap_or_default())
    } else if starts(b"BM") && head.len() >= 14 && head[6..10] == [0; 4] {
        image(ImageFormat::Bmp)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        image(ImageFormat::Tiff)
    } else if starts(b"\0\0\x01\0") && head.len() >= 6 && head[4..6] != [0, 0] {
        image(ImageFormat::Ico)
    } else if starts(b"%PDF-") {
        found("application/pdf", Pdf)
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        found("application/zip", Archive)
    } else if starts(b"\x1f\x8b") {
        found("application/gzip", Archive)
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        found("application/x-7z-compressed", Archive)
    } else if starts(b"Rar!\x1a\x07") {
        found("application/vnd.rar", Archive)
    } else if starts(b"BZh") {
        found("application/x-bzip2", Archive)
    } else if starts(b"\xfd7zXZ\0") {
        found("application/x-xz", Archive)
    } else if starts(b"\x28\xb5\x2f\xfd") {
        found("application/zstd", Archive)
    } else if at(257, b"ustar") {
        found("application/x-tar", Archive)
    } else if starts(b"\x7fELF") {
        found(ELF, Executable)
    } else if starts(b"MZ") {
        found(PE, Executable)
    } else if [
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
    ]
    .iter()
    .any(|magic| starts(*magic))
    {
        found(MACH_O, Executable)
    } else if starts(b"\xca\xfe\xba\xbe") {
        // Java classes and universal Mach-O binaries share a magic number; the next word is
        // a class-file version (45 and up) or a count of architectures (a handful).
        let next = head
            .get(4..8)
            .map_or(0, |w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
        found(if next >= 45 { JAVA_CLASS } else { MACH_O }, Executable)
    } else if starts(b"#!") {
        found(SCRIPT, Executable)
    } else if starts(b"\0asm") {
        found(WASM, Executable)
    } else if starts(b"ID3") {
        found("audio/mpeg", Audio)
    } else if starts(b"OggS") {
        found("audio/ogg", Audio)
    } else if starts(b"fLaC") {
        found("audio/flac", Audio)
    } else if starts(b"MThd") {
        found("audio/midi", Audio)
    } else if head.len() >= 2 && head[0] == 0xff && head[1] & 0xf6 == 0xf0 {
        found("audio/aac", Audio)
    } else if head.len() >= 2 && head[0] == 0xff && head[1] & 0xe0 == 0xe0 {
        found("audio/mpeg", Audio)
    } else if starts(b"\x1a\x45\xdf\xa3") {
        let webm = head.windows(4).any(|w| w == b"webm");
        found(
            if webm {
                "video/webm"
            } else {
                "video/x-matroska"
            },
            Video,
        )
    } else if starts(b"FLV\x01") {
        found("video/x-flv", Video)
    } else if starts(b"\0\0\x01\xba") || starts(b"\0\0\x01\xb3") {
        found("video/mpeg", Video)
    } else if starts(b"wOFF") {
        found("font/woff", Binary)
    } else if starts(b"wOF2") {
        found("font/woff2", Binary)
    } else if starts(b"SQLite format 3\0") {
        found("application/vnd.sqlite3", Binary)
    } else {
        return None;
    };
    Some(sniffed)
}

/// ISO base media files (`....ftyp<brand>`): HEIF images, AVIF, MP4, QuickTime, 3GP.
fn iso_media(brand: &[u8]) -> Sniffed {
    match brand {
        b"avif" | b"avis" => image(ImageFormat::Avif),
        b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
            image(ImageFormat::Heic)
        }
        b"M4A " | b"M4B " | b"F4A " => found("audio/mp4", FileKind::Audio),
        b"qt  " => found("video/quicktime", FileKind::Video),
        b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a" => found("video/3gpp", FileKind::Video),
        _ => found("video/mp4", FileKind::Video),
    }
}
