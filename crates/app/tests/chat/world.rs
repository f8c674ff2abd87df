//! The people, channels and helpers every chat test starts from.

use std::time::Duration;
use tandem_app::channels::{self, ChatError, CreateChannel, Created};
use tandem_app::messages::{self, SendMessage, Sent};
use tandem_app::ports::{ChannelRepository, ProfileChanges, Topic};
use tandem_app::{ChatContext, ChatPolicy, Policies};
use tandem_domain::{
    Actor, Channel, ChannelId, ChannelKind, ChannelName, ClientMsgId, Message, MessageId, Role,
    UserId,
};
use tandem_testkit::fakes::TestContext;

/// Acme with Ana (its founder, so an admin), Bob and Cy (members); Globex with Dee (its admin).
pub struct World {
    pub t: TestContext,
    pub ana: Actor,
    pub bob: Actor,
    pub cy: Actor,
    pub dee: Actor,
}

pub async fn world() -> World {
    world_with(ChatPolicy::default()).await
}

pub async fn world_with(chat: ChatPolicy) -> World {
    let t = TestContext::with_policies(Policies {
        chat,
        ..Policies::default()
    });
    let ana = Actor::of(&t.found("ana@acme.io", "ana", "Acme").await.user);
    let bob = Actor::of(&t.join("bob@acme.io", "bob").await.user);
    let cy = Actor::of(&t.join("cy@acme.io", "cy").await.user);
    let dee = Actor::of(&t.found("dee@globex.io", "dee", "Globex").await.user);
    World {
        t,
        ana,
        bob,
        cy,
        dee,
    }
}

pub fn name(raw: &str) -> ChannelName {
    ChannelName::parse(raw).unwrap()
}

pub fn text(channel_id: ChannelId, content: &str) -> SendMessage {
    SendMessage {
        channel_id,
        content: content.to_owned(),
        reply_to_id: None,
        client_msg_id: None,
        attachments: Vec::new(),
    }
}

pub fn keyed(channel_id: ChannelId, content: &str, key: &str) -> SendMessage {
    SendMessage {
        client_msg_id: Some(ClientMsgId::parse(key).unwrap()),
        ..text(channel_id, content)
    }
}

pub fn reply(channel_id: ChannelId, to: MessageId, content: &str) -> SendMessage {
    SendMessage {
        reply_to_id: Some(to),
        ..text(channel_id, content)
    }
}

/// The ids of `actors`, in order.
pub fn ids(actors: &[&Actor]) -> Vec<UserId> {
    actors.iter().map(|a| a.id).collect()
}

/// The ids of `messages`, in order.
pub fn message_ids(messages: &[Message]) -> Vec<MessageId> {
    messages.iter().map(|m| m.id).collect()
}

/// Asserts that `result` is `ChatError::Invalid` on `field` with `code`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: &Result<T, ChatError>, field: &str, code: &str) {
    assert!(
        matches!(result, Err(ChatError::Invalid { field: f, error }) if *f == field && error.code == code),
        "expected {field}: {code}, got {result:?}"
    );
}

impl World {
    pub fn chat(&self) -> &ChatContext {
        &self.t.ctx.chat
    }

    /// Creates a channel that must be new; `members` matter for private ones only.
    pub async fn create(
        &self,
        by: &Actor,
        channel: &str,
        kind: ChannelKind,
        members: &[&Actor],
    ) -> Channel {
        let created = channels::create_channel(
            self.chat(),
            by,
            CreateChannel {
                name: Some(name(channel)),
                description: None,
                kind,
                member_ids: ids(members),
                read_only: false,
            },
        )
        .await
        .unwrap();
        match created {
            Created::New(channel) => channel,
            Created::Existing(channel) => panic!("expected a new channel, got {channel:?}"),
        }
    }

    /// Ana's public `general`, which Bob has joined.
    pub async fn general(&self) -> Channel {
        let general = self
            .create(&self.ana, "general", ChannelKind::Public, &[])
            .await;
        channels::join_channel(self.chat(), &self.bob, general.id)
            .await
            .unwrap()
            .unwrap();
        self.channel(general.id).await
    }

    /// Ana's private `staff`, with Bob in it.
    pub async fn staff(&self) -> Channel {
        let staff = self
            .create(&self.ana, "staff", ChannelKind::Private, &[&self.bob])
            .await;
        self.channel(staff.id).await
    }

    /// Dee's public `globex` in the other organization.
    pub async fn globex(&self) -> Channel {
        self.create(&self.dee, "globex", ChannelKind::Public, &[])
            .await
    }

    /// The channel as stored now, read through the port.
    pub async fn channel(&self, id: ChannelId) -> Channel {
        self.t.store.find_by_id(id).await.unwrap().unwrap()
    }

    pub async fn last_seq(&self, id: ChannelId) -> i64 {
        self.channel(id).await.last_seq
    }

    pub async fn is_member(&self, channel: ChannelId, user: &Actor) -> bool {
        self.t
            .store
            .membership(channel, user.id)
            .await
            .unwrap()
            .is_some()
    }

    /// Sends a message that must be stored as a new one.
    pub async fn send(&self, by: &Actor, channel: ChannelId, content: &str) -> Message {
        self.sent(by, text(channel, content)).await.message
    }

    pub async fn sent(&self, by: &Actor, cmd: SendMessage) -> Sent {
        let sent = messages::send_message(self.chat(), by, cmd).await.unwrap();
        assert!(sent.event.is_some(), "expected a new message: {sent:?}");
        sent
    }

    /// The message as `viewer` reads it now.
    pub async fn read(&self, viewer: &Actor, id: MessageId) -> Message {
        messages::get_message(self.chat(), viewer, id)
            .await
            .unwrap()
    }

    /// Ana (an admin) gives `who` a role; returns them as they now act.
    pub async fn promote(&self, who: &Actor, role: Role) -> Actor {
        let changes = ProfileChanges {
            role: Some(role),
            ..ProfileChanges::default()
        };
        let user = tandem_app::users::update_user(&self.t.ctx.people, &self.ana, who.id, changes)
            .await
            .unwrap();
        Actor::of(&user)
    }

    pub async fn deactivate(&self, who: &Actor) {
        tandem_app::users::deactivate_user(&self.t.ctx.people, &self.ana, who.id)
            .await
            .unwrap();
    }

    /// What was announced in a channel.
    pub fn announced(&self, channel: ChannelId) -> Vec<String> {
        self.t.bus.published(&Topic::Channel(channel))
    }

    /// What was published to one person.
    pub fn notified(&self, user: &Actor) -> Vec<String> {
        self.t.bus.published(&Topic::User(user.id))
    }

    /// Waits (a few seconds at most) until `expected` was published to `user`; returns
    /// everything published to them by then. Notifications of a new message are sent on a
    /// task of their own.
    pub async fn notified_eventually(&self, user: &Actor, expected: &str) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let published = self.notified(user);
            if published.iter().any(|p| p == expected) {
                return published;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{expected:?} was never published to user {}: {published:?}",
                user.id
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Waits until every one of `members` was told that `message` changed their unread count:
    /// the last thing the notifying task publishes, so after this it has published everything.
    pub async fn settled(&self, message: &Message, members: &[&Actor]) {
        let unread = format!(
            "unread_changed channel={} seq={}",
            message.channel_id, message.seq
        );
        for member in members {
            self.notified_eventually(member, &unread).await;
        }
    }
}
