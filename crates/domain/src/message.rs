//! Messages, their bodies, mentions, reactions and reports.

use crate::{ChannelId, InvalidInput, MessageId, ReportId, UserId};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::str::FromStr;

/// A message as stored, with what readers see of its mentions, reactions and thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub channel_id: ChannelId,
    pub user_id: UserId,
    /// Empty once deleted: the tombstone keeps its place, not its words.
    pub content: String,
    pub message_type: MessageType,
    /// The thread's root, for replies.
    pub reply_to_id: Option<MessageId>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub is_deleted: bool,
    /// The channel sequence number of the message's creation.
    pub seq: i64,
    pub client_msg_id: Option<ClientMsgId>,
    pub mentions: Vec<Mention>,
    pub reactions: Vec<Reaction>,
    pub reply_count: i64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub pinned_at: Option<DateTime<Utc>>,
    /// Files shared with the message (`file` and `image` messages), in upload order.
    pub attachments: Vec<crate::Attachment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    Text,
    Image,
    File,
    /// Written by Tandem itself: joins, leaves, renames.
    System,
}

impl MessageType {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::File => "file",
            Self::System => "system",
        }
    }
}

impl FromStr for MessageType {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "image" => Ok(Self::Image),
            "file" => Ok(Self::File),
            "system" => Ok(Self::System),
            _ => Err(InvalidInput::new(
                "invalid_message_type",
                "must be one of text, image, file, system",
            )),
        }
    }
}

/// The markdown text of a message: not blank, no control characters but line breaks and tabs,
/// at most the configured number of characters. Kept verbatim otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// The default maximum length, in characters.
    pub const DEFAULT_MAX_CHARS: usize = 4000;

    /// # Errors
    /// `empty_message`, `message_too_long` or `invalid_characters`.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Self, InvalidInput> {
        if raw.trim().is_empty() {
            return Err(InvalidInput::new(
                "empty_message",
                "a message needs some text",
            ));
        }
        let chars = raw.chars().count();
        if chars > max_chars {
            return Err(InvalidInput::new(
                "message_too_long",
                format!("a message may have at most {max_chars} characters (this one has {chars})"),
            ));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(InvalidInput::new(
                "invalid_characters",
                "a message may not contain control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The optional caption of a message that shares files: empty is fine, anything else
    /// follows [`Self::parse`].
    ///
    /// # Errors
    /// `message_too_long` or `invalid_characters`.
    pub fn caption(raw: &str, max_chars: usize) -> Result<Self, InvalidInput> {
        if raw.trim().is_empty() {
            return Ok(Self(String::new()));
        }
        Self::parse(raw, max_chars)
    }

    /// A message Tandem writes itself (joins, leaves, renames).
    pub fn system(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `@username`, `@channel` and `@here` this text mentions, ignoring code spans and
    /// blocks, e-mail addresses and unknown words.
    pub fn mentions(&self) -> MentionTargets {
        parse_mentions(&self.0)
    }
}

/// The client's idempotency key for a message: 1–64 characters of `[A-Za-z0-9._:-]`
/// (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// # Errors
    /// `invalid_client_msg_id`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidInput::new(
                "invalid_client_msg_id",
                "must be 1 to 64 characters of letters, digits, '.', '_', ':' and '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a message mentions, once resolved against the channel's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mention {
    User(UserId),
    /// `@channel`: every member.
    Channel,
    /// `@here`: every member who is around.
    Here,
}

/// What the text of a message mentions, before resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentionTargets {
    pub usernames: BTreeSet<String>,
    pub channel: bool,
    pub here: bool,
}

fn parse_mentions(text: &str) -> MentionTargets {
    let mut targets = MentionTargets::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut in_block = false;
    let mut in_span = false;
    while i < chars.len() {
        if chars[i..].starts_with(&['`', '`', '`']) {
            in_block = !in_block;
            i += 3;
            continue;
        }
        if chars[i] == '`' && !in_block {
            in_span = !in_span;
            i += 1;
            continue;
        }
        let starts_word = i == 0
            || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '.' | '_' | '-' | '@'));
        if chars[i] == '@' && starts_word && !in_block && !in_span {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .collect::<String>()
                .to_lowercase();
            let consumed = name.chars().count();
            // A trailing dot or dash is punctuation ("thanks @ana.").
            let name = name.trim_end_matches(['.', '-']).to_owned();
            match name.as_str() {
                "" => {}
                "channel" | "all" | "everyone" => targets.channel = true,
                "here" => targets.here = true,
                _ if name.len() >= 2 && name.len() <= 32 => {
                    targets.usernames.insert(name);
                }
                _ => {}
            }
            i += 1 + consumed;
            continue;
        }
        i += 1;
    }
    targets
}

/// A reaction: a unicode emoji (`👍`, `👩🏽‍💻`) or a `:shortcode:` (`:thumbsup:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Emoji(String);

impl Emoji {
    /// # Errors
    /// `invalid_emoji` for anything that is neither a short emoji sequence nor a shortcode.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let invalid = || {
            InvalidInput::new(
                "invalid_emoji",
                "must be an emoji such as 👍 or a shortcode such as :thumbsup:",
            )
        };
        if let Some(code) = raw.strip_prefix(':').and_then(|r| r.strip_suffix(':')) {
            let ok = (1..=50).contains(&code.len())
                && code.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-')
                });
            return if ok {
                Ok(Self(raw.to_owned()))
            } else {
                Err(invalid())
            };
        }
        let count = raw.chars().count();
        // Keycaps (1️⃣) are a digit, a variation selector and U+20E3, with no pictograph.
        let has_pictograph = raw.chars().any(is_pictographic) || raw.contains('\u{20E3}');
        let all_emoji_parts = raw
            .chars()
            .all(|c| is_pictographic(c) || is_emoji_joiner(c));
        if (1..=16).contains(&count) && has_pictograph && all_emoji_parts {
            Ok(Self(raw.to_owned()))
        } else {
            Err(invalid())
        }
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_pictographic(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0x2190..=0x21FF
        | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x24C2)
}

/// Zero-width joiner, variation selectors, keycap, tags, and the characters keycaps build on.
fn is_emoji_joiner(c: char) -> bool {
    matches!(
        u32::from(c),
        0x200D | 0xFE0E | 0xFE0F | 0x20E3 | 0xE0020..=0xE007F
    ) || c.is_ascii_digit()
        || matches!(c, '#' | '*')
}

/// One emoji's reactions on a message, as a reader sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub emoji: Emoji,
    pub count: i64,
    /// Up to a few of the people who reacted, oldest first.
    pub user_ids: Vec<UserId>,
    /// Whether the reader is among them.
    pub me: bool,
}

/// A member's report of a message to the moderators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReport {
    pub id: ReportId,
    pub message_id: MessageId,
    pub reported_by: UserId,
    pub reason: ReportReason,
    pub status: ReportStatus,
    pub reviewed_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Pending,
    Resolved,
    Dismissed,
}

impl ReportStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Resolved => "resolved",
            Self::Dismissed => "dismissed",
        }
    }
}

impl FromStr for ReportStatus {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "resolved" => Ok(Self::Resolved),
            "dismissed" => Ok(Self::Dismissed),
            _ => Err(InvalidInput::new(
                "invalid_report_status",
                "must be one of pending, resolved, dismissed",
            )),
        }
    }
}

/// Why a message was reported: 1–1000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReason(String);

impl ReportReason {
    /// # Errors
    /// `invalid_report_reason`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        if value.is_empty()
            || value.chars().count() > 1000
            || value.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(InvalidInput::new(
                "invalid_report_reason",
                "say why, in 1 to 1000 characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies_refuse_blank_overlong_and_control_text() {
        assert!(MessageBody::parse("hello\n\tworld", 4000).is_ok());
        assert_eq!(
            MessageBody::parse("   \n ", 4000).unwrap_err().code,
            "empty_message"
        );
        assert_eq!(
            MessageBody::parse(&"é".repeat(4001), 4000)
                .unwrap_err()
                .code,
            "message_too_long"
        );
        assert!(MessageBody::parse(&"é".repeat(4000), 4000).is_ok());
        assert_eq!(
            MessageBody::parse("bell\u{7}", 4000).unwrap_err().code,
            "invalid_characters"
        );
        let html = "<img src=x onerror=alert(1)>";
        assert_eq!(MessageBody::parse(html, 4000).unwrap().as_str(), html);
    }

    #[test]
    fn mentions_are_found_outside_code_and_addresses() {
        let body = MessageBody::parse("hi @Ana and @bob.smith, cc @here! not `@carol` nor ana@acme.io\n```\n@dave\n```\n@channel.", 4000).unwrap();
        let m = body.mentions();
        assert_eq!(
            m.usernames.into_iter().collect::<Vec<_>>(),
            ["ana", "bob.smith"]
        );
        assert!(m.here && m.channel);
        assert_eq!(
            MessageBody::parse("@ alone and @x", 4000)
                .unwrap()
                .mentions(),
            MentionTargets::default()
        );
    }

    #[test]
    fn emoji_are_unicode_sequences_or_shortcodes() {
        for ok in ["👍", "👩🏽‍💻", "❤️", "🇪🇸", ":thumbsup:", ":+1:", "1️⃣"]
        {
            assert!(Emoji::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "ok",
            ":Bad Code:",
            "::",
            "👍 ",
            "<b>",
            &"👍".repeat(17),
        ] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn client_msg_ids_accept_uuids_and_refuse_odd_characters() {
        assert!(ClientMsgId::parse("0b7e9c1a-6d4f-4e3e-9a57-2f1d3c4b5a69").is_ok());
        for bad in ["", "a b", "x'; --", &"a".repeat(65)] {
            assert!(ClientMsgId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
