//! Reactions, pins and reports: the small marks people put on a message.

use super::log::Draft;
use super::{ReactionRow, State, next_id};
use chrono::{DateTime, Utc};
use tandem_app::ports::{NewReport, PortError, UniqueField};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, Emoji, MessageId, MessageReport, ReportId, ReportStatus, UserId,
};

impl State {
    /// `None` when the user already reacted so: nothing written, no seq spent.
    pub(super) fn add_reaction(
        &mut self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        let row = self.live_message(id)?;
        let mine = |r: &ReactionRow| r.user_id == user_id && &r.emoji == emoji;
        if row.reactions.iter().any(mine) {
            return Ok(None);
        }
        let channel_id = row.channel_id;
        self.existing_author(user_id)?;
        let channel = self.channel_mut(channel_id)?;
        let draft = Draft::reaction(ChannelEventKind::ReactionAdded, id, user_id, emoji);
        let event = channel.record(at, draft);
        self.message_mut(id)?.reactions.push(ReactionRow {
            user_id,
            emoji: emoji.clone(),
            created_at: at,
        });
        Ok(Some(event))
    }

    /// Works on tombstones too (they hold no reactions, so it answers `None`).
    pub(super) fn remove_reaction(
        &mut self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        let row = self.message_mut(id)?;
        let before = row.reactions.len();
        row.reactions
            .retain(|r| !(r.user_id == user_id && &r.emoji == emoji));
        if row.reactions.len() == before {
            return Ok(None);
        }
        let channel_id = row.channel_id;
        let draft = Draft::reaction(ChannelEventKind::ReactionRemoved, id, user_id, emoji);
        Ok(Some(self.channel_mut(channel_id)?.record(at, draft)))
    }

    /// `None` when it already is pinned (or unpinned).
    pub(super) fn set_pinned(
        &mut self,
        id: MessageId,
        pinned: bool,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        let row = self.live_message(id)?;
        if row.pinned_at.is_some() == pinned {
            return Ok(None);
        }
        let channel_id = row.channel_id;
        let (pinned_at, kind) = if pinned {
            (Some(at), ChannelEventKind::MessagePinned)
        } else {
            (None, ChannelEventKind::MessageUnpinned)
        };
        self.message_mut(id)?.pinned_at = pinned_at;
        let draft = Draft::message(kind, actor_id, id);
        Ok(Some(self.channel_mut(channel_id)?.record(at, draft)))
    }

    /// One pending report per user and message; resolved and dismissed ones may pile up.
    pub(super) fn report(&mut self, new: NewReport) -> Result<MessageReport, PortError> {
        self.message(new.message_id)?;
        self.known_user(new.reported_by)?;
        let open = |r: &MessageReport| {
            r.message_id == new.message_id
                && r.reported_by == new.reported_by
                && r.status == ReportStatus::Pending
        };
        if self.reports.iter().any(open) {
            return Err(PortError::Conflict(UniqueField::OpenReport));
        }
        let report = MessageReport {
            id: ReportId::new(next_id(&mut self.last_ids.report)),
            message_id: new.message_id,
            reported_by: new.reported_by,
            reason: new.reason,
            status: ReportStatus::Pending,
            reviewed_by: None,
            created_at: new.created_at,
        };
        self.reports.push(report.clone());
        Ok(report)
    }
}
