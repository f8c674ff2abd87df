//! Outgoing webhooks: an organization's subscriptions of another system's HTTPS endpoint to
//! channel events (messages created, edited or deleted, reactions, members joining…), each
//! delivered as a signed request and recorded in a delivery log.

use crate::{ChannelEventKind, ChannelId, DeliveryId, HookName, InvalidInput, OrganizationId};
use crate::{OutgoingWebhookId, UserId};
use chrono::{DateTime, Utc};

/// Where deliveries go: an absolute `http` or `https` address without credentials, at most
/// 2,048 characters. Whether its host may be reached is checked when it is used (a name can
/// change what it resolves to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    pub const MAX_LEN: usize = 2048;

    /// # Errors
    /// `invalid_url`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let raw = raw.trim();
        let invalid = |why: &str| InvalidInput::new("invalid_url", why.to_owned());
        if raw.len() > Self::MAX_LEN {
            return Err(invalid("at most 2048 characters"));
        }
        let lower = raw.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| invalid("must start with https:// (or http://)"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() {
            return Err(invalid("must name a host"));
        }
        if authority.contains('@') {
            return Err(invalid("must not carry a user name or password"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("must not contain spaces or control characters"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A subscription as stored: never its signing secret, which its maker saw once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingWebhook {
    pub id: OutgoingWebhookId,
    pub organization_id: OrganizationId,
    pub name: HookName,
    pub url: EndpointUrl,
    /// Which channel events it receives; at least one.
    pub events: Vec<ChannelEventKind>,
    /// Only these channels; empty: every public channel (a private one only when named).
    pub channel_ids: Vec<ChannelId>,
    /// Only new messages whose first word is one of these (case-insensitive); empty: all.
    pub trigger_words: Vec<String>,
    /// Off once disabled, by an admin or after too many failed deliveries in a row.
    pub is_active: bool,
    pub consecutive_failures: u32,
    /// Why it is off, when it is.
    pub disabled_reason: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl OutgoingWebhook {
    /// Whether an event of `kind` in `channel` (private or not), about a message reading
    /// `text` when it is one, is delivered to this hook.
    pub fn wants(
        &self,
        kind: ChannelEventKind,
        channel: ChannelId,
        private: bool,
        text: Option<&str>,
    ) -> bool {
        if !self.is_active || !self.events.contains(&kind) {
            return false;
        }
        let in_scope = if self.channel_ids.is_empty() {
            !private
        } else {
            self.channel_ids.contains(&channel)
        };
        if !in_scope {
            return false;
        }
        if self.trigger_words.is_empty() || kind != ChannelEventKind::MessageCreated {
            return true;
        }
        let first = text
            .and_then(|t| t.split_whitespace().next())
            .unwrap_or_default()
            .to_lowercase();
        self.trigger_words
            .iter()
            .any(|word| word.to_lowercase() == first)
    }
}

/// A trigger word: 1–64 characters without spaces or control characters.
///
/// # Errors
/// `invalid_trigger_word`.
pub fn trigger_word(raw: &str) -> Result<String, InvalidInput> {
    let word = raw.trim();
    if word.is_empty()
        || word.chars().count() > 64
        || word.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(InvalidInput::new(
            "invalid_trigger_word",
            "a trigger word is 1–64 characters without spaces",
        ));
    }
    Ok(word.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Queued, or failed and waiting for its next try.
    Pending,
    Succeeded,
    /// Out of tries, or refused for good (an address that may not be reached).
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == raw)
    }
}

/// One event's delivery to one hook, with what its last try got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub hook_id: OutgoingWebhookId,
    pub event: ChannelEventKind,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// The endpoint's HTTP status, when it answered.
    pub response_code: Option<u16>,
    pub latency_ms: Option<i64>,
    /// Why the last try failed, when it did.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook() -> OutgoingWebhook {
        OutgoingWebhook {
            id: OutgoingWebhookId::new(1),
            organization_id: OrganizationId::new(1),
            name: HookName::parse("ci").unwrap(),
            url: EndpointUrl::parse("https://ci.example.com/hook").unwrap(),
            events: vec![
                ChannelEventKind::MessageCreated,
                ChannelEventKind::MemberJoined,
            ],
            channel_ids: Vec::new(),
            trigger_words: Vec::new(),
            is_active: true,
            consecutive_failures: 0,
            disabled_reason: None,
            created_by: UserId::new(1),
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn addresses_are_absolute_web_addresses_without_credentials() {
        for fine in [
            "https://ci.example.com/hook?x=1",
            "http://10.0.0.5:8080/",
            "HTTPS://Example.com",
            "https://[::1]:9000/a",
        ] {
            assert!(EndpointUrl::parse(fine).is_ok(), "{fine}");
        }
        for wrong in [
            "",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://user:pw@example.com/",
            "https://exa mple.com",
            "//example.com",
        ] {
            assert_eq!(
                EndpointUrl::parse(wrong).unwrap_err().code,
                "invalid_url",
                "{wrong}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert!(EndpointUrl::parse(&long).is_err());
    }

    #[test]
    fn a_hook_gets_its_events_in_its_channels() {
        let general = ChannelId::new(10);
        let secret = ChannelId::new(11);
        let all_public = hook();
        assert!(all_public.wants(ChannelEventKind::MessageCreated, general, false, Some("hi")));
        assert!(!all_public.wants(ChannelEventKind::MessageEdited, general, false, Some("hi")));
        assert!(
            !all_public.wants(ChannelEventKind::MessageCreated, secret, true, Some("hi")),
            "private channels only when named"
        );
        let named = OutgoingWebhook {
            channel_ids: vec![secret],
            ..hook()
        };
        assert!(named.wants(ChannelEventKind::MessageCreated, secret, true, None));
        assert!(!named.wants(ChannelEventKind::MessageCreated, general, false, None));
        let off = OutgoingWebhook {
            is_active: false,
            ..hook()
        };
        assert!(!off.wants(ChannelEventKind::MessageCreated, general, false, None));
    }

    #[test]
    fn trigger_words_pick_new_messages_by_their_first_word() {
        let general = ChannelId::new(10);
        let triggered = OutgoingWebhook {
            trigger_words: vec!["!deploy".into(), "Ñu".into()],
            ..hook()
        };
        let wants =
            |text| triggered.wants(ChannelEventKind::MessageCreated, general, false, Some(text));
        assert!(wants("!deploy api now"));
        assert!(wants("  !DEPLOY"));
        assert!(wants("ñu hello"));
        assert!(!wants("please !deploy"));
        assert!(!wants(""));
        assert!(
            triggered.wants(ChannelEventKind::MemberJoined, general, false, None),
            "trigger words are about messages"
        );
        assert_eq!(
            trigger_word("a b").unwrap_err().code,
            "invalid_trigger_word"
        );
        assert_eq!(trigger_word(" ok ").unwrap(), "ok");
    }
}
