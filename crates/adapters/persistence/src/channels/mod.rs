//! `ChannelRepository` over sea-orm: channels, membership and the events their changes write.

pub(crate) mod list;
mod membership;

use crate::channel_log::{self, Draft, bump, reserve_with};
use crate::entities::{channel, channel_member};
use crate::error::{is_foreign_key_violation, port_error};
use crate::guarded::Guarded;
use crate::mapping::{channel_from_row, membership_from_row};
use crate::messages::write::{announce, announcement};
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tandem_app::ports::{
    ChannelChanges, ChannelRepository, ChannelSummary, MemberChanges, MembershipChange,
    MembershipChanged, NewChannel, PortError,
};
use tandem_domain::{
    Channel, ChannelEvent, ChannelEventKind, ChannelId, ChannelName, ChannelRole, Membership,
    MessageBody, OrganizationId, UserId,
};

pub(crate) struct SeaChannelRepository {
    pub(crate) db: Guarded,
}

fn missing_row_is_not_found(err: sea_orm::DbErr) -> PortError {
    if is_foreign_key_violation(&err) {
        PortError::NotFound
    } else {
        port_error(err)
    }
}

#[async_trait]
impl ChannelRepository for SeaChannelRepository {
    /// The channel starts at `last_seq` = the number of members: event `i` is the `i`-th
    /// member's `MemberJoined`, and their read marker starts there.
    async fn create(&self, new: NewChannel) -> Result<Channel, PortError> {
        let mut members: Vec<UserId> = Vec::with_capacity(new.members.len());
        for member in new.members {
            if !members.contains(&member) {
                members.push(member);
            }
        }
        let count = i64::try_from(members.len()).map_err(PortError::unexpected)?;
        let txn = begin_write(&self.db).await?;
        let row = channel::ActiveModel {
            id: NotSet,
            organization_id: Set(new.organization_id.get()),
            name: Set(new.name.as_str().to_owned()),
            description: Set(new.description.map(|d| d.as_str().to_owned())),
            kind: Set(new.kind.as_str().to_owned()),
            created_by: Set(new.created_by.get()),
            created_at: Set(new.created_at),
            is_archived: Set(false),
            read_only: Set(new.read_only),
            last_seq: Set(count),
        }
        .insert(&txn)
        .await
        .map_err(missing_row_is_not_found)?;
        if !members.is_empty() {
            let rows = members
                .iter()
                .zip(1..)
                .map(|(member, seq)| channel_member::ActiveModel {
                    channel_id: Set(row.id),
                    user_id: Set(member.get()),
                    joined_at: Set(new.created_at),
                    last_read_seq: Set(seq),
                    notify_level: Set(None),
                    muted: Set(false),
                    role: Set(if new.admins.contains(member) {
                        ChannelRole::Admin
                    } else {
                        ChannelRole::Member
                    }
                    .as_str()
                    .to_owned()),
                    posting_muted_until: Set(None),
                });
            channel_member::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await
                .map_err(missing_row_is_not_found)?;
        }
        let drafts = members
            .iter()
            .map(|member| Draft::member(ChannelEventKind::MemberJoined, new.created_by, *member))
            .collect();
        channel_log::record(&txn, row.id, 1, new.created_at, drafts).await?;
        txn.commit().await.map_err(port_error)?;
        channel_from_row(row)
    }

    async fn find_by_id(&self, id: ChannelId) -> Result<Option<Channel>, PortError> {
        channel::Entity::find_by_id(id.get())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(channel_from_row)
            .transpose()
    }

    async fn find_by_name(
        &self,
        organization_id: OrganizationId,
        name: &ChannelName,
    ) -> Result<Option<Channel>, PortError> {
        channel::Entity::find()
            .filter(channel::Column::OrganizationId.eq(organization_id.get()))
            .filter(channel::Column::Name.eq(name.as_str()))
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(channel_from_row)
            .transpose()
    }

    async fn membership(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
    ) -> Result<Option<Membership>, PortError> {
        Ok(membership::find_membership(&self.db, channel_id, user_id)
            .await?
            .map(membership_from_row)
            .transpose()?)
    }

    async fn list_for_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Result<Vec<ChannelSummary>, PortError> {
        list::list_for_user(&self.db, organization_id, user_id).await
    }

    async fn members(
        &self,
        channel_id: ChannelId,
        after: Option<UserId>,
        limit: u64,
    ) -> Result<Vec<Membership>, PortError> {
        let mut select = channel_member::Entity::find()
            .filter(channel_member::Column::ChannelId.eq(channel_id.get()))
            .order_by_asc(channel_member::Column::UserId)
            .limit(limit);
        if let Some(after) = after {
            select = select.filter(channel_member::Column::UserId.gt(after.get()));
        }
        Ok(select
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(membership_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// One `UPDATE` both applies the changes and reserves the seqs.
    async fn update(
        &self,
        id: ChannelId,
        changes: &ChannelChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
        announcement_body: Option<MessageBody>,
    ) -> Result<(Channel, MembershipChanged), PortError> {
        let count = 1 + i64::from(announcement_body.is_some());
        let mut update = bump(count);
        if let Some(name) = &changes.name {
            update.value(channel::Column::Name, name.as_str());
        }
        if let Some(description) = &changes.description {
            update.value(
                channel::Column::Description,
                description.as_ref().map(|d| d.as_str().to_owned()),
            );
        }
        if let Some(is_archived) = changes.is_archived {
            update.value(channel::Column::IsArchived, is_archived);
        }
        if let Some(read_only) = changes.read_only {
            update.value(channel::Column::ReadOnly, read_only);
        }
        update.and_where(channel::Column::Id.eq(id.get()));
        let txn = begin_write(&self.db).await?;
        let reserved = reserve_with(&txn, update, count).await?;
        let updated = Draft::channel(ChannelEventKind::ChannelUpdated, actor_id);
        let mut events =
            vec![channel_log::record_one(&txn, id.get(), reserved.first, at, updated).await?];
        let mut announced = None;
        if let Some(body) = announcement_body {
            let new = announcement(id, actor_id, body, at);
            let (message, event) = announce(&txn, &new, reserved.first + 1).await?;
            events.push(event);
            announced = Some(message);
        }
        txn.commit().await.map_err(port_error)?;
        let channel = channel_from_row(reserved.channel)?;
        Ok((
            channel,
            MembershipChanged {
                events,
                announcement: announced,
            },
        ))
    }

    /// Foreign keys cascade to members, messages (with their mentions, reactions and
    /// reports) and events.
    async fn delete(&self, id: ChannelId) -> Result<(), PortError> {
        let result = channel::Entity::delete_by_id(id.get())
            .exec(&self.db)
            .await
            .map_err(port_error)?;
        if result.rows_affected == 0 {
            return Err(PortError::NotFound);
        }
        Ok(())
    }

    async fn add_member(
        &self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError> {
        membership::add_member(&self.db, change).await
    }

    async fn remove_member(
        &self,
        change: MembershipChange,
    ) -> Result<Option<MembershipChanged>, PortError> {
        membership::remove_member(&self.db, change).await
    }

    async fn mark_read(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        seq: i64,
    ) -> Result<Membership, PortError> {
        membership::mark_read(&self.db, channel_id, user_id, seq).await
    }

    async fn update_member(
        &self,
        channel_id: ChannelId,
        user_id: UserId,
        changes: &MemberChanges,
        actor_id: UserId,
        at: DateTime<Utc>,
    ) -> Result<(Membership, ChannelEvent), PortError> {
        membership::update_member(&self.db, channel_id, user_id, changes, actor_id, at).await
    }
}
