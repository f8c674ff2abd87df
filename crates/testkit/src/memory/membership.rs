//! Joining, leaving, read markers and unread counts.

use super::log::Draft;
use super::{ChannelRow, MessageRow, State};
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    ChannelSummary, MemberChanges, MembershipChange, MembershipChanged, PortError,
};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, ChannelId, ChannelRole, Membership, Mention, UserId,
};

impl State {
    /// `MemberJoined`, then the announcement. A new member starts with everything before
    /// their join marked read: joining a busy channel does not bury them in old messages.
    pub(super) fn add_member(
        &mut self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError> {
        let row = self.channel(change.channel_id)?;
        if row.members.contains_key(&change.user_id) {
            return Ok(None);
        }
        self.known_user(change.user_id)?;
        self.check_announcer(change.actor_id, change.announcement.as_ref())?;
        let row = self.channel_mut(change.channel_id)?;
        let draft = Draft::member(
            ChannelEventKind::MemberJoined,
            change.actor_id,
            change.user_id,
        );
        let joined = row.record(change.at, draft);
        let membership = Membership {
            channel_id: change.channel_id,
            user_id: change.user_id,
            joined_at: change.at,
            last_read_seq: joined.seq,
            notify_level: tandem_domain::NotifyLevel::Default,
            muted: false,
            role: ChannelRole::Member,
            posting_muted_until: None,
        };
        row.members.insert(change.user_id, membership);
        let mut events = vec![joined];
        let mut announced = None;
        if let Some(body) = change.announcement {
            let (message, event) =
                self.announce(change.channel_id, change.actor_id, body, change.at)?;
            events.push(event);
            announced = Some(message);
        }
        Ok(Some(MembershipChanged {
            events,
            announcement: announced,
        }))
    }

    /// The announcement (written while the user is still a member), then `MemberLeft`.
    pub(super) fn remove_member(
        &mut self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError> {
        let row = self.channel(change.channel_id)?;
        if !row.members.contains_key(&change.user_id) {
            return Ok(None);
        }
        self.check_announcer(change.actor_id, change.announcement.as_ref())?;
        let mut events = Vec::new();
        let mut announced = None;
        if let Some(body) = change.announcement {
            let (message, event) =
                self.announce(change.channel_id, change.actor_id, body, change.at)?;
            events.push(event);
            announced = Some(message);
        }
        let row = self.channel_mut(change.channel_id)?;
        row.members.remove(&change.user_id);
        let draft = Draft::member(
            ChannelEventKind::MemberLeft,
            change.actor_id,
            change.user_id,
        );
        events.push(row.record(change.at, draft));
        Ok(Some(MembershipChanged {
            events,
            announcement: announced,
        }))
    }

    /// Clamped to the channel's last event, and only ever forwards.
    pub(super) fn mark_read(
        &mut self,
        channel_id: ChannelId,
        user_id: UserId,
        seq: i64,
    ) -> Result<Membership, PortError> {
        let row = self.channel_mut(channel_id)?;
        let target = seq.min(row.channel.last_seq);
        let member = row.members.get_mut(&user_id).ok_or(PortError::NotFound)?;
        member.last_read_seq = member.last_read_seq.max(target);
        Ok(member.clone())
    }

    /// Applies the changes and records `MemberUpdated`.
    pub(super) fn update_member(
        &mut self,
        channel_id: ChannelId,
        user_id: UserId,
        changes: &MemberChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Membership, ChannelEvent), PortError> {
        let row = self.channel_mut(channel_id)?;
        let member = row.members.get_mut(&user_id).ok_or(PortError::NotFound)?;
        if let Some(role) = changes.role {
            member.role = role;
        }
        if let Some(until) = changes.posting_muted_until {
            member.posting_muted_until = until;
        }
        let updated = member.clone();
        let draft = Draft::member(ChannelEventKind::MemberUpdated, actor_id, user_id);
        Ok((updated, row.record(at, draft)))
    }

    /// The channel as `user_id` sees it listed. Unread: messages after the read marker, not
    /// theirs, not deleted (announcements and replies count); of those, the ones mentioning
    /// them, `@channel` or `@here`. Nothing is unread for non-members.
    pub(super) fn summary(&self, row: &ChannelRow, user_id: UserId) -> ChannelSummary {
        let (mut unread_count, mut unread_mentions) = (0, 0);
        if let Some(member) = row.members.get(&user_id) {
            let after = member.last_read_seq.saturating_add(1);
            let unread = row
                .by_seq
                .range(after..)
                .filter_map(|(_, id)| self.messages.get(id))
                .filter(|m| m.user_id != user_id && !m.is_deleted);
            for message in unread {
                unread_count += 1;
                unread_mentions += i64::from(mentions(message, user_id));
            }
        }
        ChannelSummary {
            channel: row.channel.clone(),
            is_member: row.members.contains_key(&user_id),
            member_count: i64::try_from(row.members.len()).unwrap_or(i64::MAX),
            unread_count,
            unread_mentions,
            notify_level: row
                .members
                .get(&user_id)
                .map_or_else(Default::default, |m| m.notify_level),
            muted: row.members.get(&user_id).is_some_and(|m| m.muted),
            role: row.members.get(&user_id).map(|m| m.role),
            posting_muted_until: row
                .members
                .get(&user_id)
                .and_then(|m| m.posting_muted_until),
        }
    }
}

fn mentions(message: &MessageRow, user_id: UserId) -> bool {
    message.mentions.iter().any(|mention| match mention {
        Mention::User(id) => *id == user_id,
        Mention::Channel | Mention::Here => true,
    })
}
