//! Incoming webhooks: secret addresses through which another system posts into one channel,
//! as the hook's own bot. What they post comes in the common shape of Slack's and
//! Mattermost's hooks (`text`, and `attachments` rendered as Markdown).

use crate::{ChannelId, IncomingWebhookId, InvalidInput, OrganizationId, UserId};
use chrono::{DateTime, Utc};

/// A hook's name ("Deploy alerts"): 1–80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookName(String);

impl HookName {
    pub const MAX_LEN: usize = 80;

    /// # Errors
    /// `invalid_hook_name`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        crate::text::short_name(raw, Self::MAX_LEN, "invalid_hook_name").map(Self)
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An incoming webhook as stored: never its secret, which its maker saw once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingWebhook {
    pub id: IncomingWebhookId,
    pub organization_id: OrganizationId,
    pub channel_id: ChannelId,
    /// The bot account it posts as, made with it.
    pub bot_id: UserId,
    pub name: HookName,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// One attachment of the common hook payload, shown as Markdown under the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookAttachment {
    pub pretext: Option<String>,
    pub author_name: Option<String>,
    pub title: Option<String>,
    pub title_link: Option<String>,
    pub text: Option<String>,
    pub fields: Vec<HookField>,
    pub footer: Option<String>,
    /// What clients that cannot show attachments show; used when nothing else is given.
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookField {
    pub title: String,
    pub value: String,
}

/// The message a hook posts: its text, then each attachment as a block of Markdown
/// (pretext, author, the title as a link when it has one, the text, `**field**: value` lines,
/// the footer in italics). Empty parts are left out; the message body's own rules (length,
/// control characters) apply afterwards.
pub fn hook_message(text: Option<&str>, attachments: &[HookAttachment]) -> String {
    let mut blocks: Vec<String> = Vec::new();
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
        blocks.push(text.to_owned());
    }
    for attachment in attachments {
        let mut lines: Vec<String> = Vec::new();
        let mut push = |line: String| lines.push(line);
        let some = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(pretext) = some(&attachment.pretext) {
            push(pretext);
        }
        if let Some(author) = some(&attachment.author_name) {
            push(format!("_{author}_"));
        }
        match (some(&attachment.title), some(&attachment.title_link)) {
            (Some(title), Some(link)) if is_web_link(&link) => {
                push(format!("**[{title}]({link})**"))
            }
            (Some(title), _) => push(format!("**{title}**")),
            (None, _) => {}
        }
        if let Some(text) = some(&attachment.text) {
            push(text);
        }
        for field in &attachment.fields {
            let (title, value) = (field.title.trim(), field.value.trim());
            match (title.is_empty(), value.is_empty()) {
                (false, false) => push(format!("**{title}**: {value}")),
                (true, false) => push(value.to_owned()),
                (false, true) => push(format!("**{title}**")),
                (true, true) => {}
            }
        }
        if let Some(footer) = some(&attachment.footer) {
            push(format!("_{footer}_"));
        }
        if lines.is_empty()
            && let Some(fallback) = some(&attachment.fallback)
        {
            lines.push(fallback);
        }
        if !lines.is_empty() {
            blocks.push(lines.join("\n"));
        }
    }
    blocks.join("\n\n")
}

/// Only `http(s)` links become links: a `javascript:` title link stays text.
fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !link.contains(|c: char| c.is_whitespace() || c == ')' || c == '(')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_comes_first_then_each_attachment_as_markdown() {
        let attachment = HookAttachment {
            pretext: Some("Deploy finished".into()),
            title: Some("Build 42".into()),
            title_link: Some("https://ci.example.com/42".into()),
            text: Some("All green".into()),
            fields: vec![
                HookField {
                    title: "Branch".into(),
                    value: "main".into(),
                },
                HookField {
                    title: String::new(),
                    value: "no title".into(),
                },
            ],
            footer: Some("CI".into()),
            fallback: Some("unused".into()),
            ..HookAttachment::default()
        };
        assert_eq!(
            hook_message(Some("  Hello @ana "), &[attachment]),
            "Hello @ana\n\nDeploy finished\n**[Build 42](https://ci.example.com/42)**\nAll green\n\
             **Branch**: main\nno title\n_CI_"
        );
    }

    #[test]
    fn a_bare_attachment_shows_its_fallback_and_empty_ones_vanish() {
        let fallback = HookAttachment {
            fallback: Some("plain words".into()),
            ..HookAttachment::default()
        };
        assert_eq!(
            hook_message(None, &[HookAttachment::default(), fallback]),
            "plain words"
        );
        assert_eq!(hook_message(Some("   "), &[]), "");
    }

    #[test]
    fn only_web_links_become_links() {
        let titled = |link: &str| HookAttachment {
            title: Some("t".into()),
            title_link: Some(link.into()),
            ..HookAttachment::default()
        };
        assert_eq!(
            hook_message(None, &[titled("javascript:alert(1)")]),
            "**t**"
        );
        assert_eq!(hook_message(None, &[titled("https://x.test/a b")]), "**t**");
        assert_eq!(
            hook_message(None, &[titled("HTTPS://x.test/a")]),
            "**[t](HTTPS://x.test/a)**"
        );
    }

    #[test]
    fn names_are_bounded() {
        assert_eq!(HookName::parse(" Alerts ").unwrap().as_str(), "Alerts");
        assert_eq!(HookName::parse("").unwrap_err().code, "invalid_hook_name");
    }
}
