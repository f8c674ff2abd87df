//! [`ChannelRepository`] on the store: creating, finding, changing, listing and deleting
//! channels (membership itself is in `membership`).

use super::log::Draft;
use super::{ChannelRow, MemoryStore, State, next_id};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use tandem_app::ports::{
    ChannelChanges, ChannelRepository, ChannelSummary, MemberChanges, MembershipChange,
    MembershipChanged, NewChannel, PortError, UniqueField,
};
use tandem_domain::{
    Channel, ChannelEvent, ChannelEventKind, ChannelId, ChannelKind, ChannelName, ChannelRole,
    Membership, MessageBody, OrganizationId, UserId,
};

type Port<T> = Result<T, PortError>;

impl State {
    fn find_by_name(
        &self,
        organization_id: OrganizationId,
        name: &ChannelName,
    ) -> Option<&Channel> {
        let mut channels = self.channels.values().map(|row| &row.channel);
        channels.find(|c| c.organization_id == organization_id && &c.name == name)
    }

    /// The name is free in the organization, or held by `except` itself.
    fn check_name(
        &self,
        organization_id: OrganizationId,
        name: &ChannelName,
        except: Option<ChannelId>,
    ) -> Port<()> {
        match self.find_by_name(organization_id, name) {
            Some(holder) if Some(holder.id) != except => {
                Err(PortError::Conflict(UniqueField::ChannelName))
            }
            _ => Ok(()),
        }
    }

    /// Members are numbered in the order given (repeats dropped): member `i` joins with event
    /// `i`, and their read marker starts there.
    fn create_channel(&mut self, new: NewChannel) -> Port<Channel> {
        let mut members: Vec<UserId> = Vec::with_capacity(new.members.len());
        for member in new.members {
            if !members.contains(&member) {
                members.push(member);
            }
        }
        // The databases' foreign keys: an unknown organization, creator or member.
        if !self.organizations.contains_key(&new.organization_id) {
            return Err(PortError::NotFound);
        }
        self.known_user(new.created_by)?;
        for member in &members {
            self.known_user(*member)?;
        }
        self.check_name(new.organization_id, &new.name, None)?;
        let channel = Channel {
            id: ChannelId::new(next_id(&mut self.last_ids.channel)),
            organization_id: new.organization_id,
            name: new.name,
            description: new.description,
            kind: new.kind,
            created_by: new.created_by,
            created_at: new.created_at,
            is_archived: false,
            read_only: new.read_only,
            last_seq: 0,
        };
        let mut row = ChannelRow {
            channel,
            members: BTreeMap::new(),
            events: Vec::with_capacity(members.len()),
            by_seq: BTreeMap::new(),
            client_ids: HashMap::new(),
        };
        for member in members {
            let draft = Draft::member(ChannelEventKind::MemberJoined, new.created_by, member);
            let joined = row.record(new.created_at, draft);
            let membership = Membership {
                channel_id: row.channel.id,
                user_id: member,
                joined_at: new.created_at,
                last_read_seq: joined.seq,
                notify_level: tandem_domain::NotifyLevel::Default,
                muted: false,
                role: if new.admins.contains(&member) {
                    ChannelRole::Admin
                } else {
                    ChannelRole::Member
                },
                posting_muted_until: None,
            };
            row.members.insert(member, membership);
        }
        let channel = row.channel.clone();
        self.channels.insert(channel.id, row);
        Ok(channel)
    }

    /// Applies the changes with one `ChannelUpdated` event (even when they change nothing,
    /// as the SQL adapters do), then the announcement.
    fn update_channel(
        &mut self,
        id: ChannelId,
        changes: &ChannelChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
        announcement: Option<MessageBody>,
    ) -> Port<(Channel, MembershipChanged)> {
        let organization_id = self.channel(id)?.channel.organization_id;
        if let Some(name) = &changes.name {
            self.check_name(organization_id, name, Some(id))?;
        }
        self.check_announcer(actor_id, announcement.as_ref())?;
        let row = self.channel_mut(id)?;
        let channel = &mut row.channel;
        if let Some(name) = &changes.name {
            channel.name = name.clone();
        }
        if let Some(description) = &changes.description {
            channel.description = description.clone();
        }
        channel.is_archived = changes.is_archived.unwrap_or(channel.is_archived);
        channel.read_only = changes.read_only.unwrap_or(channel.read_only);
        let updated = Draft::channel(ChannelEventKind::ChannelUpdated, actor_id);
        let mut events = vec![row.record(at, updated)];
        let mut announced = None;
        if let Some(body) = announcement {
            let (message, event) = self.announce(id, actor_id, body, at)?;
            events.push(event);
            announced = Some(message);
        }
        let channel = self.channel(id)?.channel.clone();
        let written = MembershipChanged {
            events,
            announcement: announced,
        };
        Ok((channel, written))
    }

    /// The channel with its members, messages (and their reports) and events, as the
    /// databases' cascades remove them. File records stay: they have no foreign keys.
    fn delete_channel(&mut self, id: ChannelId) -> Port<()> {
        let row = self.channels.remove(&id).ok_or(PortError::NotFound)?;
        for message_id in row.by_seq.values() {
            self.messages.remove(message_id);
        }
        let messages = &self.messages;
        self.reports
            .retain(|r| messages.contains_key(&r.message_id));
        Ok(())
    }

    /// The organization's public channels and the user's own, by name.
    fn list_for_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Vec<ChannelSummary> {
        let mut listed: Vec<ChannelSummary> = self
            .channels
            .values()
            .filter(|row| row.channel.organization_id == organization_id)
            .filter(|row| {
                row.channel.kind == ChannelKind::Public || row.members.contains_key(&user_id)
            })
            .map(|row| self.summary(row, user_id))
            .collect();
        listed.sort_by(|a, b| {
            let (a, b) = (&a.channel, &b.channel);
            (a.name.as_str(), a.id).cmp(&(b.name.as_str(), b.id))
        });
        listed
    }
}

#[async_trait]
impl ChannelRepository for MemoryStore {
    async fn create(&self, channel: NewChannel) -> Port<Channel> {
        self.lock().create_channel(channel)
    }

    async fn find_by_id(&self, id: ChannelId) -> Port<Option<Channel>> {
        Ok(self.lock().channels.get(&id).map(|row| row.channel.clone()))
    }

    async fn find_by_name(
        &self,
        organization_id: OrganizationId,
        name: &ChannelName,
    ) -> Port<Option<Channel>> {
        Ok(self.lock().find_by_name(organization_id, name).cloned())
    }

    async fn membership(&self, channel_id: ChannelId, user_id: UserId) -> Port<Option<Membership>> {
        let state = self.lock();
        let row = state.channels.get(&channel_id);
        Ok(row.and_then(|row| row.members.get(&user_id)).cloned())
    }

    async fn list_for_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Port<Vec<ChannelSummary>> {
        Ok(self.lock().list_for_user(organization_id, user_id))
    }

    async fn members(
        &self,
        channel_id: ChannelId,
        after: Option<UserId>,
        limit: u64,
    ) -> Port<Vec<Membership>> {
        let state = self.lock();
        let Some(row) = state.channels.get(&channel_id) else {
            return Ok(Vec::new());
        };
        let members = row.members.values();
        let after = members.filter(|m| after.is_none_or(|after| m.user_id > after));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(after.take(limit).cloned().collect())
    }

    async fn update(
        &self,
        id: ChannelId,
        changes: &ChannelChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
        announcement: Option<MessageBody>,
    ) -> Port<(Channel, MembershipChanged)> {
        self.lock()
            .update_channel(id, changes, actor_id, at, announcement)
    }

    async fn delete(&self, id: ChannelId) -> Port<()> {
        self.lock().delete_channel(id)
    }

    async fn add_member(&self, change: MembershipChange) -> Port<Option<MembershipChanged>> {
        self.lock().add_member(change)
    }

    async fn remove_member(&self, change: MembershipChange) -> Port<Option<MembershipChanged>> {
        self.lock().remove_member(change)
    }

    async fn mark_read(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        seq: i64,
    ) -> Port<Membership> {
        self.lock().mark_read(channel_id, user_id, seq)
    }

    async fn update_member(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        changes: &MemberChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Port<(Membership, ChannelEvent)> {
        self.lock()
            .update_member(channel_id, user_id, changes, actor_id, at)
    }
}
