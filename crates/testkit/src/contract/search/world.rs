//! The fixture every search case starts from, built through the storage ports.

use super::SearchPorts;
use chrono::{DateTime, SubsecRound, Utc};
use tandem_app::ports::{
    Appended, NewChannel, NewMessage, NewOrganization, NewUser, SearchHit, SearchQuery,
};
use tandem_domain::{
    Channel, ChannelId, ChannelKind, ChannelName, Email, EmailDomain, Message, MessageBody,
    MessageId, MessageType, OrganizationId, OrganizationName, Role, SubscriptionPlan, User, UserId,
    Username,
};

/// One organization with a viewer and a public channel the viewer belongs to.
pub(super) struct World<'a> {
    p: &'a SearchPorts,
    pub(super) organization_id: OrganizationId,
    pub(super) viewer: User,
    /// Public; the viewer is its only member.
    pub(super) general: Channel,
}

impl<'a> World<'a> {
    pub(super) async fn new(p: &'a SearchPorts) -> Self {
        let (organization, viewer) = p
            .users
            .create_with_organization(organization(), user(Role::Admin))
            .await
            .unwrap();
        let general = create_channel(
            p,
            organization.id,
            viewer.id,
            ChannelKind::Public,
            vec![viewer.id],
        )
        .await;
        Self {
            p,
            organization_id: organization.id,
            viewer,
            general,
        }
    }

    pub(super) async fn other_user(&self) -> User {
        self.p
            .users
            .create(self.organization_id, user(Role::Member))
            .await
            .unwrap()
    }

    /// A channel of `members`, created by the first of them (the viewer when there are none).
    pub(super) async fn channel(&self, kind: ChannelKind, members: &[UserId]) -> Channel {
        let members = if members.is_empty() {
            vec![self.viewer.id]
        } else {
            members.to_vec()
        };
        create_channel(self.p, self.organization_id, members[0], kind, members).await
    }

    pub(super) async fn post(&self, text: &str) -> Message {
        self.post_in(&self.general, &self.viewer, text).await
    }

    pub(super) async fn post_at(
        &self,
        text: &str,
        at: DateTime<Utc>,
        kind: MessageType,
    ) -> Message {
        self.append(self.general.id, &self.viewer, text, at, kind)
            .await
    }

    pub(super) async fn post_in(&self, channel: &Channel, author: &User, text: &str) -> Message {
        self.append(channel.id, author, text, now(), MessageType::Text)
            .await
    }

    async fn append(
        &self,
        channel_id: ChannelId,
        author: &User,
        text: &str,
        at: DateTime<Utc>,
        message_type: MessageType,
    ) -> Message {
        let appended = self
            .p
            .messages
            .append(NewMessage {
                channel_id,
                user_id: author.id,
                content: body(text),
                message_type,
                reply_to_id: None,
                client_msg_id: None,
                mentions: Vec::new(),
                attachments: Vec::new(),
                created_at: at,
            })
            .await
            .unwrap();
        match appended {
            Appended::Created { message, .. } => message,
            Appended::Existing(message) => panic!("no client id was given: {message:?}"),
        }
    }

    pub(super) fn query(&self, text: &str) -> SearchQuery {
        SearchQuery {
            organization_id: self.organization_id,
            viewer: self.viewer.id,
            text: text.to_owned(),
            channel_id: None,
            author_id: None,
            before: None,
            after: None,
            has_file: false,
            offset: 0,
            limit: 50,
        }
    }

    pub(super) async fn search(&self, text: &str) -> Vec<SearchHit> {
        self.run(self.query(text)).await
    }

    pub(super) async fn run(&self, query: SearchQuery) -> Vec<SearchHit> {
        self.p
            .search
            .search(&query)
            .await
            .unwrap_or_else(|err| panic!("{:?} failed: {err:?}", query.text))
    }
}

async fn create_channel(
    p: &SearchPorts,
    organization_id: OrganizationId,
    created_by: UserId,
    kind: ChannelKind,
    members: Vec<UserId>,
) -> Channel {
    let name = match kind {
        ChannelKind::Direct => ChannelName::direct(&members),
        ChannelKind::Public | ChannelKind::Private => ChannelName::parse(&random("room-")).unwrap(),
    };
    p.channels
        .create(NewChannel {
            organization_id,
            name,
            description: None,
            kind,
            created_by,
            created_at: now(),
            members,
            admins: Vec::new(),
            read_only: false,
        })
        .await
        .unwrap()
}

pub(super) fn ids(hits: &[SearchHit]) -> Vec<MessageId> {
    hits.iter().map(|hit| hit.message.id).collect()
}

pub(super) fn body(text: &str) -> MessageBody {
    MessageBody::parse(text, MessageBody::DEFAULT_MAX_CHARS).unwrap()
}

fn random(prefix: &str) -> String {
    format!("{prefix}{:016x}", rand::random::<u64>())
}

pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn organization() -> NewOrganization {
    let tag = random("");
    NewOrganization {
        name: OrganizationName::parse(&format!("Search {tag}")).unwrap(),
        domain: Some(EmailDomain::of(
            &Email::parse(&format!("it@search-{tag}.io")).unwrap(),
        )),
        subscription_plan: SubscriptionPlan::Free,
        self_signup: false,
        created_at: now(),
    }
}

fn user(role: Role) -> NewUser {
    let tag = random("");
    NewUser {
        email: Email::parse(&format!("u.{tag}@search-{tag}.io")).unwrap(),
        username: Username::parse(&format!("u.{tag}")).unwrap(),
        display_name: None,
        password_hash: format!("$2b$12${tag}"),
        role,
        created_at: now(),
        email_verified: true,
        bot_owner_id: None,
    }
}
