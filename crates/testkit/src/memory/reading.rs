//! Reading messages as a viewer sees them (reactions counted per emoji with the first few
//! reactors, live attachments, tombstones), page by page, and the organization's activity.

use super::{MessageRow, State};
use chrono::{DateTime, Utc};
use tandem_app::ports::{Activity, HistoryQuery, PortError};
use tandem_domain::{ChannelId, Message, MessageId, MessageType, OrganizationId, Reaction, UserId};

/// How many reactors each emoji names, as the SQL adapters name them; the count says how many
/// there are in all.
const REACTORS_SHOWN: usize = 5;

fn limit_of(limit: u64) -> usize {
    usize::try_from(limit).unwrap_or(usize::MAX)
}

impl State {
    /// The message as `viewer` sees it. A tombstone shows no words, mentions, reactions or
    /// attachments, whatever its row still holds.
    pub(super) fn view(&self, row: &MessageRow, viewer: UserId) -> Message {
        let (content, mentions, reactions, attachments) = if row.is_deleted {
            Default::default()
        } else {
            (
                row.content.clone(),
                row.mentions.clone(),
                reactions(row, viewer),
                self.attachments(row),
            )
        };
        Message {
            id: row.id,
            channel_id: row.channel_id,
            user_id: row.user_id,
            content,
            message_type: row.message_type,
            reply_to_id: row.reply_to_id,
            created_at: row.created_at,
            edited_at: row.edited_at,
            is_deleted: row.is_deleted,
            seq: row.seq,
            client_msg_id: row.client_msg_id.clone(),
            mentions,
            reactions,
            reply_count: row.reply_count,
            last_reply_at: row.last_reply_at,
            pinned_at: row.pinned_at,
            attachments,
        }
    }

    /// A message a write just touched; `Unexpected` if it is not there, which would be a bug.
    pub(super) fn view_of(&self, id: MessageId, viewer: UserId) -> Result<Message, PortError> {
        let row = self
            .messages
            .get(&id)
            .ok_or_else(|| PortError::unexpected(format!("message {id} vanished while in use")))?;
        Ok(self.view(row, viewer))
    }

    /// The known messages among `ids`, in the order asked, each once.
    pub(super) fn find_many(&self, ids: &[MessageId], viewer: UserId) -> Vec<Message> {
        let mut seen = Vec::with_capacity(ids.len());
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.messages.get(id)
                && !seen.contains(id)
            {
                seen.push(*id);
                found.push(self.view(row, viewer));
            }
        }
        found
    }

    fn views<'a>(
        &self,
        rows: impl Iterator<Item = &'a MessageRow>,
        viewer: UserId,
    ) -> Vec<Message> {
        rows.map(|row| self.view(row, viewer)).collect()
    }

    /// The channel's messages in seq order, replies included.
    fn in_channel(&self, channel_id: ChannelId) -> impl DoubleEndedIterator<Item = &MessageRow> {
        let channel = self.channels.get(&channel_id);
        let ids = channel.into_iter().flat_map(|row| row.by_seq.values());
        ids.filter_map(|id| self.messages.get(id))
    }

    /// With `after_seq` the page is oldest first (and also bounded by `before_seq` when both
    /// are given); otherwise newest first, before `before_seq` or from the end.
    pub(super) fn history(&self, q: &HistoryQuery) -> Vec<Message> {
        let before = q.before_seq.unwrap_or(i64::MAX);
        let top_level = self
            .in_channel(q.channel_id)
            .filter(|row| row.reply_to_id.is_none() && row.seq < before);
        let limit = limit_of(q.limit);
        match q.after_seq {
            Some(after) => {
                let page = top_level.filter(|row| row.seq > after).take(limit);
                self.views(page, q.viewer)
            }
            None => self.views(top_level.rev().take(limit), q.viewer),
        }
    }

    pub(super) fn replies(
        &self,
        root: MessageId,
        after_seq: Option<i64>,
        limit: u64,
        viewer: UserId,
    ) -> Vec<Message> {
        let Some(root) = self.messages.get(&root) else {
            return Vec::new();
        };
        let after = after_seq.unwrap_or(i64::MIN);
        let replies = self
            .in_channel(root.channel_id)
            .filter(|row| row.reply_to_id == Some(root.id) && row.seq > after)
            .take(limit_of(limit));
        self.views(replies, viewer)
    }

    /// Most recently pinned first; pinned at the same instant, the later message first.
    pub(super) fn pinned(&self, channel_id: ChannelId, viewer: UserId) -> Vec<Message> {
        let mut pinned: Vec<&MessageRow> = self
            .in_channel(channel_id)
            .filter(|row| row.pinned_at.is_some())
            .collect();
        pinned.sort_by_key(|row| std::cmp::Reverse((row.pinned_at, row.seq)));
        self.views(pinned.into_iter(), viewer)
    }

    /// Messages from `since` on in the organization's channels, replies and since-deleted
    /// ones included, system announcements not.
    pub(super) fn activity_since(
        &self,
        organization_id: OrganizationId,
        since: DateTime<Utc>,
    ) -> Activity {
        let mut activity = Activity::default();
        let channels = self.channels.values().map(|row| &row.channel);
        for channel in channels.filter(|c| c.organization_id == organization_id) {
            let recent = self
                .in_channel(channel.id)
                .filter(|row| row.created_at >= since && row.message_type != MessageType::System)
                .count() as u64;
            activity.messages += recent;
            activity.active_channels += u64::from(recent > 0);
        }
        activity
    }
}

/// Emoji by emoji in the order each was first used (then by emoji), reactors oldest first.
fn reactions(row: &MessageRow, viewer: UserId) -> Vec<Reaction> {
    let mut sorted = row.reactions.clone();
    sorted.sort_by_key(|r| (r.created_at, r.user_id));
    let mut by_emoji: Vec<(DateTime<Utc>, Reaction)> = Vec::new();
    for reactor in sorted {
        let index = match by_emoji.iter().position(|(_, r)| r.emoji == reactor.emoji) {
            Some(index) => index,
            None => {
                let reaction = Reaction {
                    emoji: reactor.emoji.clone(),
                    count: 0,
                    user_ids: Vec::new(),
                    me: false,
                };
                by_emoji.push((reactor.created_at, reaction));
                by_emoji.len() - 1
            }
        };
        if let Some((_, reaction)) = by_emoji.get_mut(index) {
            reaction.count += 1;
            if reaction.user_ids.len() < REACTORS_SHOWN {
                reaction.user_ids.push(reactor.user_id);
            }
            reaction.me |= reactor.user_id == viewer;
        }
    }
    by_emoji.sort_by(|(a_at, a), (b_at, b)| (a_at, &a.emoji).cmp(&(b_at, &b.emoji)));
    by_emoji.into_iter().map(|(_, reaction)| reaction).collect()
}
