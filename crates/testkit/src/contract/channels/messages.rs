//! Appending messages: seqs, events, idempotency keys and threads.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::{Appended, NewMessage};
use tandem_domain::{
    ChannelEventKind, ChannelId, ClientMsgId, Mention, Message, MessageId, MessageType,
};

pub async fn appending_a_message_stores_it_with_the_next_seq_and_a_message_created_event(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let new = NewMessage {
        client_msg_id: Some(ClientMsgId::parse(&tag()).unwrap()),
        mentions: vec![Mention::Here, Mention::User(team.bob), Mention::Channel],
        message_type: MessageType::File,
        ..message(channel.id, team.ana, "the **plan** <b>")
    };
    let (message, event) = created(p.messages.append(new.clone()).await.unwrap());

    assert_eq!(message.seq, channel.last_seq + 1);
    assert_eq!(
        (message.channel_id, message.user_id),
        (channel.id, team.ana)
    );
    assert_eq!(message.content, "the **plan** <b>", "stored verbatim");
    assert_eq!(message.message_type, MessageType::File);
    assert_eq!(message.client_msg_id, new.client_msg_id);
    assert_eq!(message.created_at, new.created_at);
    let mut mentions = message.mentions.clone();
    mentions.sort();
    assert_eq!(
        mentions,
        [Mention::User(team.bob), Mention::Channel, Mention::Here]
    );
    assert!(message.reactions.is_empty());
    assert_eq!(
        (
            message.reply_to_id,
            message.reply_count,
            message.last_reply_at
        ),
        (None, 0, None)
    );
    assert_eq!(
        (message.edited_at, message.pinned_at, message.is_deleted),
        (None, None, false)
    );

    assert_eq!(event.kind, ChannelEventKind::MessageCreated);
    assert_eq!((event.channel_id, event.seq), (channel.id, message.seq));
    assert_eq!(
        (event.actor_id, event.message_id),
        (team.ana, Some(message.id))
    );
    assert_eq!((event.user_id, &event.emoji), (None, &None));
    assert_eq!(event.created_at, new.created_at);

    assert_eq!(all_events(p, channel.id).await.last(), Some(&event));
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, message.seq);
    let mut found = p
        .messages
        .find(message.id, team.bob)
        .await
        .unwrap()
        .unwrap();
    found.mentions.sort();
    assert_eq!(
        found,
        Message {
            mentions,
            ..message
        }
    );
}

pub async fn appending_to_an_unknown_channel_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    assert_not_found(
        p.messages
            .append(message(ChannelId::new(i64::MAX), team.ana, "hello?"))
            .await,
    );
}

pub async fn repeating_a_client_msg_id_returns_the_stored_message_and_writes_nothing(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let new = NewMessage {
        client_msg_id: Some(ClientMsgId::parse(&tag()).unwrap()),
        ..message(channel.id, team.ana, "once")
    };
    let (stored, _) = created(p.messages.append(new.clone()).await.unwrap());

    let retry = NewMessage {
        content: body("a different text"),
        created_at: later(new.created_at, 5),
        ..new.clone()
    };
    match p.messages.append(retry).await.unwrap() {
        Appended::Existing(existing) => assert_eq!(existing, stored),
        Appended::Created { message, .. } => panic!("stored twice: {message:?}"),
    }
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, stored.seq, "no seq spent");
    let history = p
        .messages
        .history(history(channel.id, team.ana, 10))
        .await
        .unwrap();
    assert_eq!(history, [stored]);
}

/// Also: each author finds their own message by the key, in its channel only.
pub async fn the_same_client_msg_id_is_independent_per_author_and_channel(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let (channel, other) = (team.channel(p).await, team.channel(p).await);
    let key = ClientMsgId::parse(&tag()).unwrap();
    let mut ids = Vec::new();
    for (channel, author) in [
        (channel.id, team.ana),
        (channel.id, team.bob),
        (other.id, team.ana),
    ] {
        let new = NewMessage {
            client_msg_id: Some(key.clone()),
            ..message(channel, author, "hi")
        };
        ids.push(created(p.messages.append(new).await.unwrap()).0.id);
    }
    let owners = [
        (channel.id, team.ana),
        (channel.id, team.bob),
        (other.id, team.ana),
    ];
    for ((channel, author), id) in owners.into_iter().zip(&ids) {
        let found = p
            .messages
            .find_by_client_msg_id(channel, author, &key)
            .await
            .unwrap();
        assert_eq!(found.map(|m| m.id), Some(*id), "each finds its own");
    }
    let unknown = ClientMsgId::parse(&tag()).unwrap();
    let none = p
        .messages
        .find_by_client_msg_id(channel.id, team.ana, &unknown)
        .await
        .unwrap();
    assert!(none.is_none());
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // Without a key nothing is ever deduplicated.
    let a = post(p, channel.id, team.ana, "same").await;
    let b = post(p, channel.id, team.ana, "same").await;
    assert_ne!(a.id, b.id);
}

pub async fn concurrent_appends_with_one_client_msg_id_store_exactly_one_message(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let new = NewMessage {
        client_msg_id: Some(ClientMsgId::parse(&tag()).unwrap()),
        ..message(channel.id, team.ana, "only once")
    };
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (messages, new) = (p.messages.clone(), new.clone());
            tokio::spawn(async move { messages.append(new).await.unwrap() })
        })
        .collect();
    let mut created_ids = Vec::new();
    let mut existing_ids = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Appended::Created { message, .. } => created_ids.push(message.id),
            Appended::Existing(message) => existing_ids.push(message.id),
        }
    }
    assert_eq!(created_ids.len(), 1, "exactly one Created");
    assert_eq!(existing_ids.len(), 9);
    assert!(existing_ids.iter().all(|id| *id == created_ids[0]));
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq + 1);
    assert_eq!(
        kinds(
            &p.messages
                .events_after(channel.id, channel.last_seq, 100)
                .await
                .unwrap()
        ),
        [ChannelEventKind::MessageCreated]
    );
}

pub async fn replies_count_on_their_root_and_stay_out_of_history(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let root = post(p, channel.id, team.ana, "lunch?").await;
    let first = reply(p, &root, team.bob, "yes").await;
    let second_new = NewMessage {
        reply_to_id: Some(root.id),
        created_at: later(first.created_at, 60),
        ..message(channel.id, team.carol, "me too")
    };
    let second = append(p, second_new.clone()).await;
    let after = post(p, channel.id, team.ana, "after").await;

    assert_eq!(first.reply_to_id, Some(root.id));
    let root_now = p.messages.find(root.id, team.ana).await.unwrap().unwrap();
    assert_eq!(root_now.reply_count, 2);
    assert_eq!(root_now.last_reply_at, Some(second_new.created_at));
    let history = p
        .messages
        .history(history(channel.id, team.ana, 10))
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|m| m.id).collect::<Vec<_>>(),
        [after.id, root.id]
    );

    let thread = p
        .messages
        .replies(root.id, None, 10, team.ana)
        .await
        .unwrap();
    assert_eq!(thread, [first.clone(), second.clone()]);
    let rest = p
        .messages
        .replies(root.id, Some(first.seq), 10, team.ana)
        .await
        .unwrap();
    assert_eq!(rest, std::slice::from_ref(&second));
    let one = p
        .messages
        .replies(root.id, None, 1, team.ana)
        .await
        .unwrap();
    assert_eq!(one, std::slice::from_ref(&first));

    // Deleting a reply takes it off the count; its tombstone stays in the thread.
    p.messages.delete(first.id, team.bob, now()).await.unwrap();
    let root_now = p.messages.find(root.id, team.ana).await.unwrap().unwrap();
    assert_eq!(root_now.reply_count, 1);
    let thread = p
        .messages
        .replies(root.id, None, 10, team.ana)
        .await
        .unwrap();
    assert_eq!(thread.len(), 2);
    assert!(thread[0].is_deleted);
}

pub async fn a_reply_to_a_root_in_another_channel_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let (channel, other) = (team.channel(p).await, team.channel(p).await);
    let root = post(p, other.id, team.ana, "elsewhere").await;
    let new = NewMessage {
        reply_to_id: Some(root.id),
        ..message(channel.id, team.bob, "crossed")
    };
    assert_not_found(p.messages.append(new).await);
    let missing = NewMessage {
        reply_to_id: Some(MessageId::new(i64::MAX)),
        ..message(channel.id, team.bob, "to nothing")
    };
    assert_not_found(p.messages.append(missing).await);
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq, "nothing written");
}
