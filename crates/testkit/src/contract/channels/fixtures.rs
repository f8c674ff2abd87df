//! Values and steps the cases share: every organization, user and channel name is random.

use super::ChannelPorts;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use tandem_app::ports::{
    Appended, HistoryQuery, NewChannel, NewMessage, NewOrganization, NewUser, PortError,
    UniqueField,
};
use tandem_domain::{
    Channel, ChannelEvent, ChannelEventKind, ChannelId, ChannelKind, ChannelName, Email,
    EmailDomain, Emoji, Mention, Message, MessageBody, MessageType, OrganizationId,
    OrganizationName, Role, SubscriptionPlan, User, UserId, Username,
};

pub(super) fn tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Whole milliseconds, which every backend stores exactly.
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

pub(super) fn later(at: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    at + TimeDelta::seconds(seconds)
}

pub(super) fn body(text: &str) -> MessageBody {
    MessageBody::parse(text, MessageBody::DEFAULT_MAX_CHARS).unwrap()
}

pub(super) fn channel_name(prefix: &str) -> ChannelName {
    ChannelName::parse(&format!("{prefix}-{}", tag())).unwrap()
}

pub(super) fn new_organization() -> NewOrganization {
    let tag = tag();
    NewOrganization {
        name: OrganizationName::parse(&format!("Acme {tag}")).unwrap(),
        domain: Some(EmailDomain::of(
            &Email::parse(&format!("it@acme-{tag}.io")).unwrap(),
        )),
        subscription_plan: SubscriptionPlan::Pro,
        self_signup: true,
        created_at: now(),
    }
}

pub(super) fn new_user(role: Role) -> NewUser {
    let tag = tag();
    NewUser {
        email: Email::parse(&format!("u.{tag}@example-{tag}.io")).unwrap(),
        username: Username::parse(&format!("u.{tag}")).unwrap(),
        display_name: None,
        password_hash: format!("$2b$12${tag}"),
        role,
        created_at: now(),
        email_verified: true,
        bot_owner_id: None,
    }
}

/// An organization with four people: `ana` creates channels, `bob` and `carol` are in them,
/// `dave` is in none.
pub(super) struct Team {
    pub(super) org: OrganizationId,
    pub(super) ana: UserId,
    pub(super) bob: UserId,
    pub(super) carol: UserId,
    pub(super) dave: UserId,
}

impl Team {
    pub(super) async fn new(p: &ChannelPorts) -> Self {
        let (org, ana) = p
            .users
            .create_with_organization(new_organization(), new_user(Role::Admin))
            .await
            .unwrap();
        let mut others = Vec::new();
        for _ in 0..3 {
            let user: User = p
                .users
                .create(org.id, new_user(Role::Member))
                .await
                .unwrap();
            others.push(user.id);
        }
        Self {
            org: org.id,
            ana: ana.id,
            bob: others[0],
            carol: others[1],
            dave: others[2],
        }
    }

    pub(super) async fn member(&self, p: &ChannelPorts) -> UserId {
        p.users
            .create(self.org, new_user(Role::Member))
            .await
            .unwrap()
            .id
    }

    pub(super) fn new_channel(&self, kind: ChannelKind, members: &[UserId]) -> NewChannel {
        NewChannel {
            organization_id: self.org,
            name: channel_name("general"),
            description: None,
            kind,
            created_by: self.ana,
            created_at: now(),
            members: members.to_vec(),
            admins: if kind == ChannelKind::Direct {
                Vec::new()
            } else {
                vec![self.ana]
            },
            read_only: false,
        }
    }

    /// A public channel of ana, bob and carol.
    pub(super) async fn channel(&self, p: &ChannelPorts) -> Channel {
        self.channel_of(p, ChannelKind::Public, &[self.ana, self.bob, self.carol])
            .await
    }

    pub(super) async fn channel_of(
        &self,
        p: &ChannelPorts,
        kind: ChannelKind,
        members: &[UserId],
    ) -> Channel {
        p.channels
            .create(self.new_channel(kind, members))
            .await
            .unwrap()
    }
}

pub(super) fn message(channel: ChannelId, author: UserId, text: &str) -> NewMessage {
    NewMessage {
        channel_id: channel,
        user_id: author,
        content: body(text),
        message_type: MessageType::Text,
        reply_to_id: None,
        client_msg_id: None,
        mentions: Vec::new(),
        attachments: Vec::new(),
        created_at: now(),
    }
}

#[track_caller]
pub(super) fn created(appended: Appended) -> (Message, ChannelEvent) {
    match appended {
        Appended::Created { message, event } => (message, event),
        Appended::Existing(message) => panic!("expected a new message, got {message:?}"),
    }
}

pub(super) async fn append(p: &ChannelPorts, new: NewMessage) -> Message {
    created(p.messages.append(new).await.unwrap()).0
}

pub(super) async fn post(
    p: &ChannelPorts,
    channel: ChannelId,
    author: UserId,
    text: &str,
) -> Message {
    append(p, message(channel, author, text)).await
}

pub(super) async fn post_mentioning(
    p: &ChannelPorts,
    channel: ChannelId,
    author: UserId,
    mentions: &[Mention],
) -> Message {
    let new = NewMessage {
        mentions: mentions.to_vec(),
        ..message(channel, author, "hey")
    };
    append(p, new).await
}

pub(super) async fn reply(p: &ChannelPorts, root: &Message, author: UserId, text: &str) -> Message {
    let new = NewMessage {
        reply_to_id: Some(root.id),
        ..message(root.channel_id, author, text)
    };
    append(p, new).await
}

/// Every event of the channel, in order.
pub(super) async fn all_events(p: &ChannelPorts, channel: ChannelId) -> Vec<ChannelEvent> {
    p.messages.events_after(channel, 0, 10_000).await.unwrap()
}

pub(super) fn kinds(events: &[ChannelEvent]) -> Vec<ChannelEventKind> {
    events.iter().map(|e| e.kind).collect()
}

pub(super) fn seqs<T, F: Fn(&T) -> i64>(items: &[T], seq: F) -> Vec<i64> {
    items.iter().map(seq).collect()
}

pub(super) fn history(channel: ChannelId, viewer: UserId, limit: u64) -> HistoryQuery {
    HistoryQuery {
        channel_id: channel,
        before_seq: None,
        after_seq: None,
        limit,
        viewer,
    }
}

#[track_caller]
pub(super) fn assert_conflict<T: std::fmt::Debug>(
    result: Result<T, PortError>,
    field: UniqueField,
) {
    assert!(
        matches!(result, Err(PortError::Conflict(f)) if f == field),
        "expected a {field} conflict, got {result:?}"
    );
}

#[track_caller]
pub(super) fn assert_not_found<T: std::fmt::Debug>(result: Result<T, PortError>) {
    assert!(
        matches!(result, Err(PortError::NotFound)),
        "expected NotFound, got {result:?}"
    );
}

pub(super) fn emoji(text: &str) -> Emoji {
    Emoji::parse(text).unwrap()
}
