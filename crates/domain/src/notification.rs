//! Notifications: what a person is told about, how loudly, and the preferences that decide it
//! (per person: email, digest, do-not-disturb hours in their time zone; per channel: all /
//! mentions / nothing, and mute).
//!
//! [`recipients`] is the one rule for who hears about a new message and as what: pure, so
//! every case (mute against mention, `@here` and who is online, "nothing" against `@channel`)
//! is a unit test.

use crate::{ChannelKind, InvalidInput, Mention, Message, UserId};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashSet};

/// What a stored notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationKind {
    /// A message in a direct conversation, or in a channel set to "all".
    NewMessage,
    /// A message mentions them, by name, `@channel` or `@here`.
    Mention,
    /// Someone added them to a channel.
    ChannelInvite,
    /// A reply in a thread they started or replied in.
    ThreadReply,
    /// A moderator acted on their account or messages.
    Moderation,
    /// For moderators: a member reported a message.
    ReportOpened,
    /// For moderators: the automatic filter held a message for review.
    MessageHeld,
}

impl NotificationKind {
    pub const ALL: [Self; 7] = [
        Self::NewMessage,
        Self::Mention,
        Self::ChannelInvite,
        Self::ThreadReply,
        Self::Moderation,
        Self::ReportOpened,
        Self::MessageHeld,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewMessage => "new_message",
            Self::Mention => "mention",
            Self::ChannelInvite => "channel_invite",
            Self::ThreadReply => "thread_reply",
            Self::Moderation => "moderation",
            Self::ReportOpened => "report_opened",
            Self::MessageHeld => "message_held",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// Shown first and counted apart (the red badge): mentions, and what needs a moderator.
    pub fn high_priority(self) -> bool {
        matches!(
            self,
            Self::Mention | Self::Moderation | Self::ReportOpened | Self::MessageHeld
        )
    }
}

/// How much of a channel a member hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyLevel {
    /// All for direct conversations, mentions for channels.
    #[default]
    Default,
    /// Every message.
    All,
    /// Mentions of them, `@channel` and `@here`, and thread replies.
    Mentions,
    /// Nothing at all, mentions included.
    Nothing,
}

impl NotifyLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::All => "all",
            Self::Mentions => "mentions",
            Self::Nothing => "nothing",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Default, Self::All, Self::Mentions, Self::Nothing]
            .into_iter()
            .find(|level| level.as_str() == value)
    }

    /// The level that applies in a channel of `kind`: never [`NotifyLevel::Default`].
    pub fn effective(self, kind: ChannelKind) -> Self {
        match (self, kind) {
            (Self::Default, ChannelKind::Direct) => Self::All,
            (Self::Default, _) => Self::Mentions,
            (level, _) => level,
        }
    }
}

/// A member's preferences for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberPreferences {
    pub user_id: UserId,
    pub level: NotifyLevel,
    /// No unread badge except for mentions, and no sound or pop-up for anything else.
    pub muted: bool,
}

/// One person to notify about a message, and as what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// Stored and counted, but no sound or pop-up (a muted channel's `@channel`).
    pub quiet: bool,
}

/// Who hears about `message`, posted in a channel of `channel_kind`, and as what. Each member
/// gets at most one notification, the most important that applies: a mention, then a thread
/// reply, then a new message. Never the author.
///
/// - A mention by name reaches every member whose level is not "nothing", muted or not.
/// - `@channel` reaches the same people, `@here` only those in `online`; both are quiet in a
///   muted channel.
/// - A reply reaches the people of its thread (`thread_participants`: its root's author and
///   everyone who replied) unless their level is "nothing" or the channel is muted.
/// - Any other message reaches members whose level is "all" (by default, the other people of
///   a direct conversation), unless the channel is muted.
pub fn recipients(
    message: &Message,
    channel_kind: ChannelKind,
    members: &[MemberPreferences],
    online: &HashSet<UserId>,
    thread_participants: &[UserId],
) -> Vec<Recipient> {
    let by_name: HashSet<UserId> = message
        .mentions
        .iter()
        .filter_map(|m| match m {
            Mention::User(id) => Some(*id),
            _ => None,
        })
        .collect();
    let channel = message.mentions.contains(&Mention::Channel);
    let here = message.mentions.contains(&Mention::Here);
    let mut chosen: BTreeMap<UserId, Recipient> = BTreeMap::new();
    for member in members {
        let user_id = member.user_id;
        let level = member.level.effective(channel_kind);
        if user_id == message.user_id || level == NotifyLevel::Nothing {
            continue;
        }
        let recipient = |kind, quiet| Recipient {
            user_id,
            kind,
            quiet,
        };
        let chosen_one = if by_name.contains(&user_id) {
            Some(recipient(NotificationKind::Mention, false))
        } else if channel || (here && online.contains(&user_id)) {
            Some(recipient(NotificationKind::Mention, member.muted))
        } else if member.muted {
            None
        } else if message.reply_to_id.is_some() && thread_participants.contains(&user_id) {
            Some(recipient(NotificationKind::ThreadReply, false))
        } else if level == NotifyLevel::All {
            Some(recipient(NotificationKind::NewMessage, false))
        } else {
            None
        };
        if let Some(recipient) = chosen_one {
            chosen.insert(user_id, recipient);
        }
    }
    chosen.into_values().collect()
}

/// When a person wants email about what they have not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailDigest {
    /// One email per notification (or one for several that came together), after the delay.
    #[default]
    Immediately,
    /// At most one email an hour with everything unread.
    Hourly,
    /// At most one email a day.
    Daily,
    Never,
}

impl EmailDigest {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediately => "immediately",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Never => "never",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Immediately, Self::Hourly, Self::Daily, Self::Never]
            .into_iter()
            .find(|digest| digest.as_str() == value)
    }

    /// The shortest time between two emails, for digests.
    pub fn period(self) -> Option<chrono::TimeDelta> {
        match self {
            Self::Hourly => Some(chrono::TimeDelta::hours(1)),
            Self::Daily => Some(chrono::TimeDelta::days(1)),
            Self::Immediately | Self::Never => None,
        }
    }
}

/// The languages emails (and the web app) are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    Spanish,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "en" => Some(Self::English),
            "es" => Some(Self::Spanish),
            _ => None,
        }
    }
}

/// Do-not-disturb hours, local time: from `start` until `end`, across midnight when `end` is
/// earlier than `start` (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// # Errors
    /// `invalid_dnd_hours` when the two are equal (a whole day is "never notify": turn email
    /// and desktop notifications off instead).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, InvalidInput> {
        if start == end {
            return Err(InvalidInput::new(
                "invalid_dnd_hours",
                "do-not-disturb must start and end at different times",
            ));
        }
        Ok(Self { start, end })
    }

    /// `HH:MM`, 24-hour.
    ///
    /// # Errors
    /// `invalid_time` for anything else.
    pub fn parse_time(value: &str) -> Result<NaiveTime, InvalidInput> {
        let valid = value.len() == 5 && value.as_bytes()[2] == b':';
        valid
            .then(|| NaiveTime::parse_from_str(value, "%H:%M").ok())
            .flatten()
            .ok_or_else(|| {
                InvalidInput::new("invalid_time", "must be a time of day as HH:MM, like 22:00")
            })
    }

    pub fn contains(self, local: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// A time zone by its IANA name (`Europe/Madrid`).
///
/// # Errors
/// `invalid_time_zone` for a name the time-zone database does not know.
pub fn parse_time_zone(value: &str) -> Result<Tz, InvalidInput> {
    value.parse::<Tz>().map_err(|_| {
        InvalidInput::new(
            "invalid_time_zone",
            "must be a time zone of the IANA database, like Europe/Madrid or America/New_York",
        )
    })
}

/// A person's notification preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationSettings {
    pub email_enabled: bool,
    /// An email is sent only for what is still unread this long after it arrived.
    pub email_delay_minutes: u16,
    pub email_digest: EmailDigest,
    /// Browser notifications (the web app honours it; the server marks what is quiet).
    pub desktop_enabled: bool,
    pub quiet_hours: Option<QuietHours>,
    pub time_zone: Tz,
    pub language: Language,
}

impl NotificationSettings {
    /// The longest email delay: a day.
    pub const MAX_EMAIL_DELAY_MINUTES: u16 = 24 * 60;

    /// Whether `now` falls in their do-not-disturb hours, in their time zone.
    pub fn do_not_disturb(&self, now: DateTime<Utc>) -> bool {
        self.quiet_hours
            .is_some_and(|hours| hours.contains(now.with_timezone(&self.time_zone).time()))
    }

    /// # Errors
    /// `invalid_email_delay` beyond [`Self::MAX_EMAIL_DELAY_MINUTES`].
    pub fn check_email_delay(minutes: i64) -> Result<u16, InvalidInput> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| *m <= Self::MAX_EMAIL_DELAY_MINUTES)
            .ok_or_else(|| {
                InvalidInput::new(
                    "invalid_email_delay",
                    format!(
                        "must be between 0 and {} minutes",
                        Self::MAX_EMAIL_DELAY_MINUTES
                    ),
                )
            })
    }
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            email_enabled: true,
            email_delay_minutes: 10,
            email_digest: EmailDigest::Immediately,
            desktop_enabled: true,
            quiet_hours: None,
            time_zone: Tz::UTC,
            language: Language::English,
        }
    }
}

/// The first `max_chars` characters of a message's text on one line, with an ellipsis when cut:
/// what notifications and emails quote.
pub fn excerpt(content: &str, max_chars: usize) -> String {
    let flat: String = content.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;
    use crate::{ChannelId, MessageId, MessageType};
    use chrono::TimeZone;

    fn user(id: i64) -> UserId {
        UserId::new(id)
    }

    fn message(author: i64, mentions: Vec<Mention>, reply: bool) -> Message {
        Message {
            id: MessageId::new(100),
            channel_id: ChannelId::new(1),
            user_id: user(author),
            content: "hello".to_owned(),
            message_type: MessageType::Text,
            reply_to_id: reply.then(|| MessageId::new(50)),
            created_at: Utc::now(),
            edited_at: None,
            is_deleted: false,
            seq: 7,
            client_msg_id: None,
            mentions,
            reactions: Vec::new(),
            reply_count: 0,
            last_reply_at: None,
            pinned_at: None,
            attachments: Vec::new(),
        }
    }

    fn member(id: i64, level: NotifyLevel, muted: bool) -> MemberPreferences {
        MemberPreferences {
            user_id: user(id),
            level,
            muted,
        }
    }

    fn kinds(recipients: &[Recipient]) -> Vec<(i64, &'static str, bool)> {
        recipients
            .iter()
            .map(|r| (r.user_id.get(), r.kind.as_str(), r.quiet))
            .collect()
    }

    #[test]
    fn a_plain_channel_message_reaches_only_members_set_to_all() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Default, false),
            member(3, NotifyLevel::All, false),
            member(4, NotifyLevel::All, true),
        ];
        let found = recipients(
            &message(1, vec![], false),
            ChannelKind::Public,
            &members,
            &HashSet::new(),
            &[],
        );
        assert_eq!(kinds(&found), vec![(3, "new_message", false)]);
    }

    #[test]
    fn direct_conversations_notify_every_other_person_by_default() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Default, false),
            member(3, NotifyLevel::Nothing, false),
        ];
        let found = recipients(
            &message(1, vec![], false),
            ChannelKind::Direct,
            &members,
            &HashSet::new(),
            &[],
        );
        assert_eq!(kinds(&found), vec![(2, "new_message", false)]);
    }

    #[test]
    fn a_mention_by_name_reaches_muted_members_but_not_those_set_to_nothing() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Mentions, true),
            member(3, NotifyLevel::Nothing, false),
        ];
        let found = recipients(
            &message(
                1,
                vec![Mention::User(user(2)), Mention::User(user(3))],
                false,
            ),
            ChannelKind::Private,
            &members,
            &HashSet::new(),
            &[],
        );
        assert_eq!(kinds(&found), vec![(2, "mention", false)]);
    }

    #[test]
    fn at_channel_respects_nothing_and_is_quiet_where_muted() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Default, false),
            member(3, NotifyLevel::Nothing, false),
            member(4, NotifyLevel::All, true),
        ];
        let found = recipients(
            &message(1, vec![Mention::Channel], false),
            ChannelKind::Public,
            &members,
            &HashSet::new(),
            &[],
        );
        assert_eq!(
            kinds(&found),
            vec![(2, "mention", false), (4, "mention", true)]
        );
    }

    #[test]
    fn at_here_reaches_only_people_online() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Default, false),
            member(3, NotifyLevel::Default, false),
        ];
        let online = HashSet::from([user(1), user(3)]);
        let found = recipients(
            &message(1, vec![Mention::Here], false),
            ChannelKind::Public,
            &members,
            &online,
            &[],
        );
        assert_eq!(kinds(&found), vec![(3, "mention", false)]);
    }

    #[test]
    fn replies_reach_the_thread_and_a_mention_wins_over_a_reply() {
        let members = [
            member(1, NotifyLevel::Default, false),
            member(2, NotifyLevel::Default, false),
            member(3, NotifyLevel::Default, false),
            member(4, NotifyLevel::Default, true),
            member(5, NotifyLevel::Default, false),
        ];
        let found = recipients(
            &message(1, vec![Mention::User(user(3))], true),
            ChannelKind::Public,
            &members,
            &HashSet::new(),
            &[user(1), user(2), user(3), user(4)],
        );
        assert_eq!(
            kinds(&found),
            vec![(2, "thread_reply", false), (3, "mention", false)]
        );
    }

    #[test]
    fn the_author_is_never_notified() {
        let members = [member(1, NotifyLevel::All, false)];
        let found = recipients(
            &message(1, vec![Mention::User(user(1)), Mention::Channel], true),
            ChannelKind::Direct,
            &members,
            &HashSet::new(),
            &[user(1)],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn quiet_hours_follow_the_persons_time_zone_across_midnight() {
        let hours = QuietHours::new(
            QuietHours::parse_time("22:00").unwrap(),
            QuietHours::parse_time("07:00").unwrap(),
        )
        .unwrap();
        let madrid = NotificationSettings {
            quiet_hours: Some(hours),
            time_zone: parse_time_zone("Europe/Madrid").unwrap(),
            ..NotificationSettings::default()
        };
        let new_york = NotificationSettings {
            time_zone: parse_time_zone("America/New_York").unwrap(),
            ..madrid
        };
        // 22:30 UTC in winter: 23:30 in Madrid (quiet), 17:30 in New York (not).
        let evening = Utc.with_ymd_and_hms(2026, 12, 3, 22, 30, 0).unwrap();
        assert!(madrid.do_not_disturb(evening));
        assert!(!new_york.do_not_disturb(evening));
        // 06:30 UTC: 07:30 in Madrid (over), 01:30 in New York (quiet).
        let morning = Utc.with_ymd_and_hms(2026, 12, 4, 6, 30, 0).unwrap();
        assert!(!madrid.do_not_disturb(morning));
        assert!(new_york.do_not_disturb(morning));
        // Daytime hours that do not cross midnight.
        let lunch = QuietHours::new(
            QuietHours::parse_time("12:00").unwrap(),
            QuietHours::parse_time("13:00").unwrap(),
        )
        .unwrap();
        assert!(lunch.contains(QuietHours::parse_time("12:59").unwrap()));
        assert!(!lunch.contains(QuietHours::parse_time("13:00").unwrap()));
        assert!(!NotificationSettings::default().do_not_disturb(evening));
    }

    #[test]
    fn bad_preferences_are_refused_with_a_code() {
        for bad in ["7:00", "24:00", "12:60", "noon", "12:00:00", ""] {
            assert_eq!(
                QuietHours::parse_time(bad).unwrap_err().code,
                "invalid_time",
                "{bad}"
            );
        }
        let noon = QuietHours::parse_time("12:00").unwrap();
        assert_eq!(
            QuietHours::new(noon, noon).unwrap_err().code,
            "invalid_dnd_hours"
        );
        for bad in ["Mars/Olympus", "", "UTC+2", "europe/madrid "] {
            assert_eq!(
                parse_time_zone(bad).unwrap_err().code,
                "invalid_time_zone",
                "{bad}"
            );
        }
        for bad in [-1, 1441, i64::MAX] {
            assert_eq!(
                NotificationSettings::check_email_delay(bad)
                    .unwrap_err()
                    .code,
                "invalid_email_delay"
            );
        }
        assert_eq!(NotificationSettings::check_email_delay(1440).unwrap(), 1440);
    }

    #[test]
    fn names_round_trip() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert!(NotificationKind::Mention.high_priority());
        assert!(!NotificationKind::NewMessage.high_priority());
        assert_eq!(NotifyLevel::parse("mentions"), Some(NotifyLevel::Mentions));
        assert_eq!(NotifyLevel::parse("loud"), None);
        assert_eq!(EmailDigest::parse("hourly"), Some(EmailDigest::Hourly));
        assert_eq!(Language::parse("es"), Some(Language::Spanish));
        assert_eq!(Language::parse("fr"), None);
    }

    #[test]
    fn excerpts_are_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(excerpt("hello\n\n  world", 50), "hello world");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
        assert_eq!(excerpt("ñandú ñandú", 6), "ñandú…");
    }
}
