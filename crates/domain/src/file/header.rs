//! The `Content-Disposition` value a shared file is served with, built in one place so the
//! server's own downloads and presigned object-store URLs say exactly the same thing.

use super::{Disposition, FileName};
use std::fmt::Write;

impl Disposition {
    /// `inline` or `attachment`, with the name twice (RFC 6266): a plain ASCII `filename`
    /// for old clients, and the exact name as UTF-8 in `filename*` (RFC 8187), which
    /// every current browser prefers.
    ///
    /// ```
    /// # use tandem_domain::{Disposition, FileName};
    /// let name = FileName::sanitize("Résumé 2026.pdf").unwrap();
    /// assert_eq!(
    ///     Disposition::Attachment.header_value(&name),
    ///     r#"attachment; filename="R_sum_ 2026.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf"#
    /// );
    /// ```
    pub fn header_value(self, name: &FileName) -> String {
        let kind = match self {
            Self::Inline => "inline",
            Self::Attachment => "attachment",
        };
        let fallback: String = name
            .as_str()
            .chars()
            .map(|c| match c {
                ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
                _ => '_',
            })
            .collect();
        let mut encoded = String::with_capacity(name.as_str().len() * 3);
        for byte in name.as_str().bytes() {
            if is_attr_char(byte) {
                encoded.push(char::from(byte));
            } else {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
        format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    }
}

/// RFC 8187 `attr-char`: what may appear unencoded in an extended parameter value.
fn is_attr_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(disposition: Disposition, raw: &str) -> String {
        disposition.header_value(&FileName::sanitize(raw).unwrap())
    }

    #[test]
    fn plain_ascii_names_appear_as_they_are() {
        assert_eq!(
            header(Disposition::Inline, "photo.png"),
            "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png"
        );
    }

    #[test]
    fn names_are_percent_encoded_in_the_extended_parameter_and_replaced_in_the_fallback() {
        for (raw, fallback, encoded) in [
            ("日本.txt", "__.txt", "%E6%97%A5%E6%9C%AC.txt"),
            (
                "50% off; now.txt",
                "50_ off; now.txt",
                "50%25%20off%3B%20now.txt",
            ),
            ("a'b=c,d.txt", "a'b=c,d.txt", "a%27b%3Dc%2Cd.txt"),
        ] {
            assert_eq!(
                header(Disposition::Attachment, raw),
                format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
                "{raw}"
            );
        }
    }

    #[test]
    fn nothing_in_a_name_can_end_the_quoted_fallback_or_the_header() {
        // Quotes are replaced when the name is cleaned, backslashes split it, control
        // characters are dropped: a header value can never be broken out of.
        let value = header(
            Disposition::Attachment,
            "evil\"; filename=x.html\r\nSet-Cookie: a=b",
        );
        assert!(!value.contains('\r') && !value.contains('\n'), "{value}");
        assert_eq!(value.matches('"').count(), 2, "{value}");
    }
}
