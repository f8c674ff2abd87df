//! The fixture the store's own cases start from: one organization on a fresh store.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Arc;
use tandem_app::ports::{
    Appended, BlobKey, ChannelRepository, FileRepository, ImageState, MessageRepository,
    MessageSearch, NewChannel, NewFile, NewMessage, NewOrganization, NewUser, StoredFile,
    UserRepository,
};
use tandem_domain::{
    Channel, ChannelKind, ChannelName, Email, EmailDomain, FileId, FileName, Message, MessageBody,
    MessageType, OrganizationId, OrganizationName, Role, SubscriptionPlan, UserId, Username,
};
use tandem_testkit::memory::MemoryStore;

fn tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn new_user(role: Role) -> NewUser {
    let tag = tag();
    NewUser {
        email: Email::parse(&format!("u.{tag}@memory-{tag}.io")).unwrap(),
        username: Username::parse(&format!("u.{tag}")).unwrap(),
        display_name: None,
        password_hash: format!("$2b$12${tag}"),
        role,
        created_at: now(),
        email_verified: true,
        bot_owner_id: None,
    }
}

/// An organization where ana and bob share two public channels, on a fresh store.
pub(super) struct Place {
    pub(super) channels: Arc<dyn ChannelRepository>,
    pub(super) messages: Arc<dyn MessageRepository>,
    pub(super) files: Arc<dyn FileRepository>,
    pub(super) search: Arc<dyn MessageSearch>,
    pub(super) org: OrganizationId,
    pub(super) ana: UserId,
    pub(super) bob: UserId,
    pub(super) channel: Channel,
    pub(super) other: Channel,
}

impl Place {
    pub(super) async fn new() -> Self {
        let store = Arc::new(MemoryStore::new());
        let (users, channels): (Arc<dyn UserRepository>, Arc<dyn ChannelRepository>) =
            (store.clone(), store.clone());
        let tag = tag();
        let organization = NewOrganization {
            name: OrganizationName::parse(&format!("Memory {tag}")).unwrap(),
            domain: Some(EmailDomain::of(
                &Email::parse(&format!("it@memory-{tag}.io")).unwrap(),
            )),
            subscription_plan: SubscriptionPlan::Pro,
            self_signup: false,
            created_at: now(),
        };
        let (org, ana) = users
            .create_with_organization(organization, new_user(Role::Admin))
            .await
            .unwrap();
        let bob = users.create(org.id, new_user(Role::Member)).await.unwrap();
        let mut created = Vec::new();
        for name in ["general", "random"] {
            let new = NewChannel {
                organization_id: org.id,
                name: ChannelName::parse(&format!("{name}-{tag}")).unwrap(),
                description: None,
                kind: ChannelKind::Public,
                created_by: ana.id,
                created_at: now(),
                members: vec![ana.id, bob.id],
                admins: Vec::new(),
                read_only: false,
            };
            created.push(channels.create(new).await.unwrap());
        }
        let other = created.pop().unwrap();
        let channel = created.pop().unwrap();
        Self {
            channels,
            messages: store.clone(),
            files: store.clone(),
            search: store,
            org: org.id,
            ana: ana.id,
            bob: bob.id,
            channel,
            other,
        }
    }

    pub(super) async fn upload(
        &self,
        by: UserId,
        channel: &Channel,
        size: u64,
        at: DateTime<Utc>,
    ) -> StoredFile {
        let new = NewFile {
            organization_id: self.org,
            channel_id: channel.id,
            uploader_id: by,
            blob_key: BlobKey::generate("files"),
            filename: FileName::sanitize("photo.png").unwrap(),
            media_type: "image/png".to_owned(),
            size,
            inline: true,
            image_state: ImageState::Pending,
            created_at: at,
        };
        self.files.create(new).await.unwrap()
    }

    /// A text message in the first channel.
    pub(super) fn message(&self, by: UserId, text: &str) -> NewMessage {
        NewMessage {
            channel_id: self.channel.id,
            user_id: by,
            content: MessageBody::parse(text, MessageBody::DEFAULT_MAX_CHARS).unwrap(),
            message_type: MessageType::Text,
            reply_to_id: None,
            client_msg_id: None,
            mentions: Vec::new(),
            attachments: Vec::new(),
            created_at: now(),
        }
    }

    pub(super) async fn post(&self, new: NewMessage) -> Message {
        match self.messages.append(new).await.unwrap() {
            Appended::Created { message, .. } => message,
            Appended::Existing(message) => panic!("no client id was given: {message:?}"),
        }
    }

    /// An image message sharing `files` in the first channel.
    pub(super) fn sharing(&self, by: UserId, files: &[FileId]) -> NewMessage {
        NewMessage {
            message_type: MessageType::Image,
            attachments: files.to_vec(),
            ..self.message(by, "look")
        }
    }

    pub(super) async fn share(&self, by: UserId, files: &[FileId]) -> Message {
        self.post(self.sharing(by, files)).await
    }

    pub(super) async fn last_seq(&self) -> i64 {
        let found = self.channels.find_by_id(self.channel.id).await;
        found.unwrap().unwrap().last_seq
    }
}
