//! [`MessageRepository`] on the store: each call takes the lock once, so every write and its
//! event happen together or not at all.

use super::MemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    Activity, Appended, HistoryQuery, MessageRepository, NewMessage, NewReport, PortError,
};
use tandem_domain::{
    ChannelEvent, ChannelId, ClientMsgId, Emoji, Mention, Message, MessageBody, MessageId,
    MessageReport, OrganizationId, UserId,
};

type Port<T> = Result<T, PortError>;

#[async_trait]
impl MessageRepository for MemoryStore {
    async fn append(&self, message: NewMessage) -> Port<Appended> {
        self.lock().append(message)
    }

    async fn find(&self, id: MessageId, viewer: UserId) -> Port<Option<Message>> {
        let state = self.lock();
        Ok(state.messages.get(&id).map(|row| state.view(row, viewer)))
    }

    async fn find_by_client_msg_id(
        &self,
        channel_id: ChannelId,
        author: UserId,
        key: &ClientMsgId,
    ) -> Port<Option<Message>> {
        let state = self.lock();
        let Some(id) = state
            .channels
            .get(&channel_id)
            .and_then(|channel| channel.client_ids.get(&(author, key.clone())))
        else {
            return Ok(None);
        };
        Ok(state.messages.get(id).map(|row| state.view(row, author)))
    }

    async fn find_many(&self, ids: &[MessageId], viewer: UserId) -> Port<Vec<Message>> {
        Ok(self.lock().find_many(ids, viewer))
    }

    async fn edit(
        &self,
        id: MessageId,
        content: MessageBody,
        mentions: Vec<Mention>,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Port<(Message, ChannelEvent)> {
        self.lock().edit(id, content, mentions, actor_id, at)
    }

    async fn delete(
        &self,
        id: MessageId,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Port<(Message, ChannelEvent)> {
        self.lock().delete_message(id, actor_id, at)
    }

    async fn add_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Port<Option<ChannelEvent>> {
        self.lock().add_reaction(id, user_id, emoji, at)
    }

    async fn remove_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Port<Option<ChannelEvent>> {
        self.lock().remove_reaction(id, user_id, emoji, at)
    }

    async fn set_pinned(
        &self,
        id: MessageId,
        pinned: bool,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Port<Option<ChannelEvent>> {
        self.lock().set_pinned(id, pinned, actor_id, at)
    }

    async fn history(&self, query: HistoryQuery) -> Port<Vec<Message>> {
        Ok(self.lock().history(&query))
    }

    async fn replies(
        &self,
        root: MessageId,
        after_seq: Option<i64>,
        limit: u64,
        viewer: UserId,
    ) -> Port<Vec<Message>> {
        Ok(self.lock().replies(root, after_seq, limit, viewer))
    }

    async fn pinned(&self, channel_id: ChannelId, viewer: UserId) -> Port<Vec<Message>> {
        Ok(self.lock().pinned(channel_id, viewer))
    }

    async fn events_after(
        &self,
        channel_id: ChannelId,
        after_seq: i64,
        limit: u64,
    ) -> Port<Vec<ChannelEvent>> {
        let state = self.lock();
        let channel = state.channels.get(&channel_id);
        Ok(channel.map_or_else(Vec::new, |row| row.events_after(after_seq, limit)))
    }

    async fn report(&self, report: NewReport) -> Port<MessageReport> {
        self.lock().report(report)
    }

    async fn activity_since(
        &self,
        organization_id: OrganizationId,
        since: DateTime<Utc>,
    ) -> Port<Activity> {
        Ok(self.lock().activity_since(organization_id, since))
    }
}
