//! Appending, editing and deleting messages, and the system messages that announce channel
//! changes: each write with its event, after every check that could refuse it.

use super::log::Draft;
use super::{MessageRow, State, next_id};
use chrono::{DateTime, Utc};
use tandem_app::ports::{Appended, NewMessage, PortError};
use tandem_domain::{
    ChannelEvent, ChannelEventKind, ChannelId, Mention, Message, MessageBody, MessageId,
    MessageType, UserId,
};

/// Mentions as stored: sorted, each once.
pub(super) fn normalized(mut mentions: Vec<Mention>) -> Vec<Mention> {
    mentions.sort_unstable();
    mentions.dedup();
    mentions
}

impl State {
    /// The message the author already stored under this `client_msg_id` in the channel.
    fn existing(&self, new: &NewMessage) -> Result<Option<MessageId>, PortError> {
        let channel = self.channel(new.channel_id)?;
        Ok(new
            .client_msg_id
            .as_ref()
            .and_then(|key| channel.client_ids.get(&(new.user_id, key.clone())))
            .copied())
    }

    /// A reply's root must be a message of the same channel (deleted or not).
    fn check_root(&self, new: &NewMessage) -> Result<(), PortError> {
        match new.reply_to_id {
            Some(root) if self.message(root)?.channel_id != new.channel_id => {
                Err(PortError::NotFound)
            }
            _ => Ok(()),
        }
    }

    pub(super) fn append(&mut self, new: NewMessage) -> Result<Appended, PortError> {
        // A retry gets its stored message before anything else is checked: the SQL adapters
        // look it up right after locking the channel.
        if let Some(id) = self.existing(&new)? {
            return Ok(Appended::Existing(self.view_of(id, new.user_id)?));
        }
        self.check_root(&new)?;
        self.existing_author(new.user_id)?;
        self.check_attachable(&new.attachments, new.channel_id, new.user_id)?;
        let viewer = new.user_id;
        let (id, event) = self.store(new)?;
        let message = self.view_of(id, viewer)?;
        Ok(Appended::Created { message, event })
    }

    /// Stores a checked message at the channel's next seq with its `MessageCreated` event,
    /// counts it on its thread root and attaches its files.
    fn store(&mut self, new: NewMessage) -> Result<(MessageId, ChannelEvent), PortError> {
        let id = MessageId::new(next_id(&mut self.last_ids.message));
        let channel = self.channel_mut(new.channel_id)?;
        let seq = channel.next_seq();
        channel.by_seq.insert(seq, id);
        if let Some(key) = &new.client_msg_id {
            channel.client_ids.insert((new.user_id, key.clone()), id);
        }
        let draft = Draft::message(ChannelEventKind::MessageCreated, new.user_id, id);
        let event = channel.record(new.created_at, draft);
        if let Some(root) = new
            .reply_to_id
            .and_then(|root| self.messages.get_mut(&root))
        {
            root.reply_count += 1;
            // Never backwards, even when the writers' clocks disagree.
            root.last_reply_at = root.last_reply_at.max(Some(new.created_at));
        }
        self.attach(&new.attachments, id);
        let row = MessageRow {
            id,
            channel_id: new.channel_id,
            user_id: new.user_id,
            content: new.content.as_str().to_owned(),
            message_type: new.message_type,
            reply_to_id: new.reply_to_id,
            created_at: new.created_at,
            edited_at: None,
            is_deleted: false,
            seq,
            client_msg_id: new.client_msg_id,
            mentions: normalized(new.mentions),
            reactions: Vec::new(),
            reply_count: 0,
            last_reply_at: None,
            pinned_at: None,
        };
        self.messages.insert(id, row);
        Ok((id, event))
    }

    /// Refuses an announcement by someone unknown before a change writes anything: its row
    /// needs an author.
    pub(super) fn check_announcer(
        &self,
        actor_id: UserId,
        announcement: Option<&MessageBody>,
    ) -> Result<(), PortError> {
        match announcement {
            Some(_) => self.existing_author(actor_id),
            None => Ok(()),
        }
    }

    /// Stores a system message by whoever made the change, with its `MessageCreated` event.
    pub(super) fn announce(
        &mut self,
        channel_id: ChannelId,
        actor_id: UserId,
        body: MessageBody,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError> {
        let new = NewMessage {
            channel_id,
            user_id: actor_id,
            content: body,
            message_type: MessageType::System,
            reply_to_id: None,
            client_msg_id: None,
            mentions: Vec::new(),
            attachments: Vec::new(),
            created_at: at,
        };
        let (id, event) = self.store(new)?;
        Ok((self.view_of(id, actor_id)?, event))
    }

    pub(super) fn edit(
        &mut self,
        id: MessageId,
        content: MessageBody,
        mentions: Vec<Mention>,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError> {
        let channel_id = self.live_message(id)?.channel_id;
        let row = self.message_mut(id)?;
        row.content = content.as_str().to_owned();
        row.mentions = normalized(mentions);
        row.edited_at = Some(at);
        let draft = Draft::message(ChannelEventKind::MessageEdited, actor_id, id);
        let event = self.channel_mut(channel_id)?.record(at, draft);
        Ok((self.view_of(id, actor_id)?, event))
    }

    /// Soft deletion: the row stays as a tombstone in its place, emptied of its words,
    /// mentions, reactions and pin, and no longer counted on its thread root.
    pub(super) fn delete_message(
        &mut self,
        id: MessageId,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError> {
        let channel_id = self.live_message(id)?.channel_id;
        let row = self.message_mut(id)?;
        row.is_deleted = true;
        row.content.clear();
        row.mentions.clear();
        row.reactions.clear();
        row.pinned_at = None;
        if let Some(root) = row.reply_to_id
            && let Some(root) = self.messages.get_mut(&root)
            && root.reply_count > 0
        {
            root.reply_count -= 1;
        }
        let draft = Draft::message(ChannelEventKind::MessageDeleted, actor_id, id);
        let event = self.channel_mut(channel_id)?.record(at, draft);
        Ok((self.view_of(id, actor_id)?, event))
    }
}
