//! `MessageRepository` over sea-orm: every write locks the channel's row to take its next
//! seqs (see `crate::channel_log`) and records its event in the same transaction.

pub(crate) mod activity;
pub(crate) mod load;
mod marks;
pub(crate) mod read;
pub(crate) mod write;

pub(crate) use load::load_messages;

use crate::guarded::Guarded;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{
    Activity, Appended, HistoryQuery, MessageRepository, NewMessage, NewReport, PortError,
};
use tandem_domain::{
    ChannelEvent, ChannelId, ClientMsgId, Emoji, Mention, Message, MessageBody, MessageId,
    MessageReport, OrganizationId, UserId,
};

pub(crate) struct SeaMessageRepository {
    pub(crate) db: Guarded,
}

#[async_trait]
impl MessageRepository for SeaMessageRepository {
    async fn append(&self, message: NewMessage) -> Result<Appended, PortError> {
        write::append(&self.db, message).await
    }

    async fn find(&self, id: MessageId, viewer: UserId) -> Result<Option<Message>, PortError> {
        Ok(load_messages(&self.db, &[id.get()], viewer.get())
            .await?
            .pop())
    }

    async fn find_by_client_msg_id(
        &self,
        channel_id: ChannelId,
        author: UserId,
        key: &ClientMsgId,
    ) -> Result<Option<Message>, PortError> {
        let Some(id) = write::id_by_client_msg_id(&self.db, channel_id, author, key).await? else {
            return Ok(None);
        };
        Ok(load_messages(&self.db, &[id], author.get()).await?.pop())
    }

    async fn find_many(
        &self,
        ids: &[MessageId],
        viewer: UserId,
    ) -> Result<Vec<Message>, PortError> {
        let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
        load_messages(&self.db, &ids, viewer.get()).await
    }

    async fn edit(
        &self,
        id: MessageId,
        content: MessageBody,
        mentions: Vec<Mention>,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError> {
        write::edit(&self.db, id, content, mentions, actor_id, at).await
    }

    async fn delete(
        &self,
        id: MessageId,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Message, ChannelEvent), PortError> {
        write::delete(&self.db, id, actor_id, at).await
    }

    async fn add_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        marks::add_reaction(&self.db, id, user_id, emoji, at).await
    }

    async fn remove_reaction(
        &self,
        id: MessageId,
        user_id: UserId,
        emoji: &Emoji,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        marks::remove_reaction(&self.db, id, user_id, emoji, at).await
    }

    async fn set_pinned(
        &self,
        id: MessageId,
        pinned: bool,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<ChannelEvent>, PortError> {
        marks::set_pinned(&self.db, id, pinned, actor_id, at).await
    }

    async fn history(&self, query: HistoryQuery) -> Result<Vec<Message>, PortError> {
        read::history(&self.db, query).await
    }

    async fn replies(
        &self,
        root: MessageId,
        after_seq: Option<i64>,
        limit: u64,
        viewer: UserId,
    ) -> Result<Vec<Message>, PortError> {
        read::replies(&self.db, root, after_seq, limit, viewer).await
    }

    async fn pinned(
        &self,
        channel_id: ChannelId,
        viewer: UserId,
    ) -> Result<Vec<Message>, PortError> {
        read::pinned(&self.db, channel_id, viewer).await
    }

    async fn events_after(
        &self,
        channel_id: ChannelId,
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<ChannelEvent>, PortError> {
        read::events_after(&self.db, channel_id, after_seq, limit).await
    }

    async fn report(&self, report: NewReport) -> Result<MessageReport, PortError> {
        marks::report(&self.db, report).await
    }

    async fn activity_since(
        &self,
        organization_id: OrganizationId,
        since: DateTime<Utc>,
    ) -> Result<Activity, PortError> {
        activity::activity_since(&self.db, organization_id, since).await
    }
}
