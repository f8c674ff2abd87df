//! Slash commands: `/name arguments` typed in the composer. A few are Tandem's own (`/me`,
//! `/shrug`, `/invite`, `/leave`, `/topic`, `/mute`, `/unmute`, `/help`); an organization's
//! admins add their own, each answered by another system's endpoint.

use crate::{EndpointUrl, InvalidInput, OrganizationId, SlashCommandId, UserId};
use chrono::{DateTime, Utc};

/// Tandem's own commands, with their usage and what they do.
pub const BUILT_IN_COMMANDS: [(&str, &str, &str); 8] = [
    (
        "me",
        "/me <action>",
        "Post an action, in italics: /me waves",
    ),
    (
        "shrug",
        "/shrug [message]",
        "Post a message followed by a shrug",
    ),
    (
        "invite",
        "/invite @person [@person…]",
        "Add people to this channel",
    ),
    ("leave", "/leave", "Leave this channel"),
    ("topic", "/topic <text>", "Set this channel's description"),
    ("mute", "/mute", "Mute this channel's notifications for you"),
    (
        "unmute",
        "/unmute",
        "Hear this channel's notifications again",
    ),
    ("help", "/help", "List the commands you can use here"),
];

/// A command's name, as typed after `/`: 1–32 lower-case letters, digits, `-` or `_`, not one
/// of Tandem's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandTrigger(String);

impl CommandTrigger {
    pub const MAX_LEN: usize = 32;

    /// # Errors
    /// `invalid_trigger` (its form), `reserved_trigger` (one of Tandem's own).
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let trigger = raw.trim().trim_start_matches('/').to_ascii_lowercase();
        if trigger.is_empty()
            || trigger.len() > Self::MAX_LEN
            || !trigger
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(InvalidInput::new(
                "invalid_trigger",
                "1–32 letters, digits, - or _ (what is typed after /)",
            ));
        }
        if BUILT_IN_COMMANDS.iter().any(|(name, ..)| *name == trigger) {
            return Err(InvalidInput::new(
                "reserved_trigger",
                format!("/{trigger} is one of Tandem's own commands"),
            ));
        }
        Ok(Self(trigger))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A custom command as stored: never its signing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    pub id: SlashCommandId,
    pub organization_id: OrganizationId,
    pub trigger: CommandTrigger,
    pub url: EndpointUrl,
    /// What it does, shown by `/help` and the composer's suggestions.
    pub description: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// `/name arguments` split into the lower-cased name and the arguments (trimmed); `None` for
/// text that is not a command (`/` alone, `//escaped`, or a space right after `/`).
pub fn invocation(text: &str) -> Option<(String, &str)> {
    let rest = text.trim_start().strip_prefix('/')?;
    if rest.starts_with('/') || rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if name.is_empty() {
        return None;
    }
    Some((name.to_lowercase(), args.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_into_name_and_arguments() {
        assert_eq!(
            invocation("/deploy api now"),
            Some(("deploy".into(), "api now"))
        );
        assert_eq!(invocation("  /ME  waves  "), Some(("me".into(), "waves")));
        assert_eq!(invocation("/leave"), Some(("leave".into(), "")));
        assert_eq!(
            invocation("/deploy\nline two"),
            Some(("deploy".into(), "line two"))
        );
        for not_one in ["", "/", "/ x", "//not a command", "hello /me"] {
            assert_eq!(invocation(not_one), None, "{not_one:?}");
        }
    }

    #[test]
    fn triggers_are_lower_case_words_that_are_not_tandems() {
        assert_eq!(CommandTrigger::parse("/Deploy").unwrap().as_str(), "deploy");
        assert_eq!(
            CommandTrigger::parse("on-call_2").unwrap().as_str(),
            "on-call_2"
        );
        for wrong in ["", "/", "two words", "naïve", &"x".repeat(33)] {
            assert_eq!(
                CommandTrigger::parse(wrong).unwrap_err().code,
                "invalid_trigger",
                "{wrong}"
            );
        }
        assert_eq!(
            CommandTrigger::parse("me").unwrap_err().code,
            "reserved_trigger"
        );
    }
}
