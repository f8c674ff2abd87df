//! Reading: history pages, threads, and catching up on a channel's log by seq.

use crate::world::{World, assert_invalid, message_ids, reply, world, world_with};
use tandem_app::ChatPolicy;
use tandem_app::channels::{ChatError, join_channel, leave_channel};
use tandem_app::messages::events::MAX_EVENTS;
use tandem_app::messages::{
    History, channel_events, delete_message, edit_message, message_history, set_pinned,
    set_reaction, thread,
};
use tandem_domain::{Actor, ChannelEventKind, ChannelId, ChannelKind, Emoji, Message, MessageId};

/// Sends `count` messages `m0`, `m1`, ... in order.
async fn many(w: &World, by: &Actor, channel: ChannelId, count: usize) -> Vec<Message> {
    let mut sent = Vec::with_capacity(count);
    for i in 0..count {
        sent.push(w.send(by, channel, &format!("m{i}")).await);
    }
    sent
}

async fn page(w: &World, viewer: &Actor, channel: ChannelId, page: History) -> Vec<Message> {
    message_history(w.chat(), viewer, channel, page)
        .await
        .unwrap()
}

fn before(seq: i64, limit: u64) -> History {
    History {
        before_seq: Some(seq),
        limit: Some(limit),
        ..History::default()
    }
}

fn after(seq: i64, limit: u64) -> History {
    History {
        after_seq: Some(seq),
        limit: Some(limit),
        ..History::default()
    }
}

#[tokio::test]
async fn history_pages_newest_first_from_the_end_then_before_a_seq() {
    let w = world().await;
    let channel = w.create(&w.ana, "log", ChannelKind::Public, &[]).await;
    let sent = many(&w, &w.ana, channel.id, 7).await;
    let newest = History {
        limit: Some(3),
        ..History::default()
    };
    let first = page(&w, &w.bob, channel.id, newest).await;
    assert_eq!(message_ids(&first), [sent[6].id, sent[5].id, sent[4].id]);
    let second = page(&w, &w.bob, channel.id, before(first[2].seq, 3)).await;
    assert_eq!(message_ids(&second), [sent[3].id, sent[2].id, sent[1].id]);
    let last = page(&w, &w.bob, channel.id, before(second[2].seq, 3)).await;
    assert_eq!(message_ids(&last), [sent[0].id]);
    let beyond = page(&w, &w.bob, channel.id, before(last[0].seq, 3)).await;
    assert!(beyond.is_empty(), "{beyond:?}");
}

#[tokio::test]
async fn history_after_a_seq_pages_oldest_first() {
    let w = world().await;
    let channel = w.create(&w.ana, "log", ChannelKind::Public, &[]).await;
    let sent = many(&w, &w.ana, channel.id, 5).await;
    let first = page(&w, &w.bob, channel.id, after(0, 2)).await;
    assert_eq!(message_ids(&first), [sent[0].id, sent[1].id]);
    let second = page(&w, &w.bob, channel.id, after(first[1].seq, 2)).await;
    assert_eq!(message_ids(&second), [sent[2].id, sent[3].id]);
    let third = page(&w, &w.bob, channel.id, after(second[1].seq, 2)).await;
    assert_eq!(message_ids(&third), [sent[4].id]);
    let done = page(&w, &w.bob, channel.id, after(third[0].seq, 2)).await;
    assert!(done.is_empty());
}

#[tokio::test]
async fn history_refuses_both_cursors_at_once() {
    let w = world().await;
    let general = w.general().await;
    let both = History {
        before_seq: Some(10),
        after_seq: Some(1),
        limit: None,
    };
    let result = message_history(w.chat(), &w.bob, general.id, both).await;
    assert_invalid(&result, "before_seq", "conflicting_cursors");
}

#[tokio::test]
async fn history_pages_are_fifty_by_default_and_between_one_and_a_hundred() {
    let w = world_with(ChatPolicy {
        max_messages_per_window: 1_000,
        ..ChatPolicy::default()
    })
    .await;
    let channel = w.create(&w.ana, "busy", ChannelKind::Public, &[]).await;
    let sent = many(&w, &w.ana, channel.id, 105).await;
    let default = page(&w, &w.ana, channel.id, History::default()).await;
    assert_eq!(default.len(), 50);
    assert_eq!(default[0].id, sent[104].id);
    let huge = History {
        limit: Some(10_000),
        ..History::default()
    };
    assert_eq!(page(&w, &w.ana, channel.id, huge).await.len(), 100);
    let zero = History {
        limit: Some(0),
        ..History::default()
    };
    let one = page(&w, &w.ana, channel.id, zero).await;
    assert_eq!(message_ids(&one), [sent[104].id]);
}

#[tokio::test]
async fn history_leaves_out_thread_replies_and_keeps_tombstones_and_announcements() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.ana, general.id, "root").await;
    w.sent(&w.bob, reply(general.id, root.id, "a reply")).await;
    let doomed = w.send(&w.bob, general.id, "doomed").await;
    delete_message(w.chat(), &w.bob, doomed.id).await.unwrap();
    let all = page(&w, &w.cy, general.id, after(0, 100)).await;
    let shown: Vec<(&str, bool)> = all
        .iter()
        .map(|m| (m.content.as_str(), m.is_deleted))
        .collect();
    assert_eq!(
        shown,
        [("joined the channel", false), ("root", false), ("", true)]
    );
    assert_eq!(all[1].reply_count, 1);
    assert_eq!(all[2].id, doomed.id);
}

#[tokio::test]
async fn public_history_is_readable_without_joining_and_other_history_is_not_found() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let said = w.send(&w.bob, general.id, "open to all").await;
    let readable = page(&w, &w.cy, general.id, History::default()).await;
    assert_eq!(readable[0].id, said.id);

    let cases = [
        (&w.cy, staff.id),
        (&w.dee, general.id),
        (&w.ana, globex.id),
        (&w.ana, ChannelId::new(9_999)),
    ];
    for (who, id) in cases {
        let result = message_history(w.chat(), who, id, History::default()).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("channel"))),
            "user {} channel {id}: {result:?}",
            who.id
        );
    }
}

#[tokio::test]
async fn a_thread_is_its_root_and_replies_oldest_first_whichever_of_them_is_named() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.ana, general.id, "root").await;
    let mut replies = Vec::new();
    for i in 0..4 {
        let sent = w
            .sent(&w.bob, reply(general.id, root.id, &format!("r{i}")))
            .await;
        replies.push(sent.message);
        w.send(&w.ana, general.id, "meanwhile, at the top level")
            .await;
    }
    let all: Vec<MessageId> = message_ids(&replies);

    let (by_root, listed) = thread(w.chat(), &w.cy, root.id, None, None).await.unwrap();
    assert_eq!(by_root.id, root.id);
    assert_eq!(by_root.reply_count, 4);
    assert_eq!(message_ids(&listed), all);
    let (by_reply, listed) = thread(w.chat(), &w.cy, replies[2].id, None, None)
        .await
        .unwrap();
    assert_eq!(by_reply.id, root.id, "naming a reply opens its thread");
    assert_eq!(message_ids(&listed), all);

    let (_, rest) = thread(w.chat(), &w.cy, root.id, Some(replies[1].seq), Some(1))
        .await
        .unwrap();
    assert_eq!(message_ids(&rest), [replies[2].id]);
    let (_, none) = thread(w.chat(), &w.cy, root.id, Some(replies[3].seq), None)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_thread_keeps_its_deleted_root_as_a_tombstone() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.bob, general.id, "root").await;
    let answer = w
        .sent(&w.ana, reply(general.id, root.id, "answer"))
        .await
        .message;
    delete_message(w.chat(), &w.bob, root.id).await.unwrap();
    let (tombstone, replies) = thread(w.chat(), &w.bob, answer.id, None, None)
        .await
        .unwrap();
    assert!(tombstone.is_deleted);
    assert_eq!(tombstone.content, "");
    assert_eq!(message_ids(&replies), [answer.id]);
    assert_eq!(replies[0].content, "answer");
}

#[tokio::test]
async fn a_thread_one_cannot_read_is_not_found() {
    let w = world().await;
    let staff = w.staff().await;
    let root = w.send(&w.bob, staff.id, "staff thread").await;
    w.sent(&w.ana, reply(staff.id, root.id, "staff reply"))
        .await;
    for (who, id) in [
        (&w.cy, root.id),
        (&w.dee, root.id),
        (&w.ana, MessageId::new(9_999)),
    ] {
        let result = thread(w.chat(), who, id, None, None).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("message"))),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn the_log_lists_every_change_after_a_seq_with_the_messages_and_people_it_names() {
    let w = world().await;
    let channel = w.create(&w.ana, "log", ChannelKind::Public, &[]).await;
    join_channel(w.chat(), &w.bob, channel.id).await.unwrap();
    let kept = w.send(&w.bob, channel.id, "kept").await;
    let doomed = w.send(&w.ana, channel.id, "doomed").await;
    edit_message(w.chat(), &w.bob, kept.id, "kept, edited")
        .await
        .unwrap();
    let wave = Emoji::parse("👋").unwrap();
    set_reaction(w.chat(), &w.ana, kept.id, &wave, true)
        .await
        .unwrap();
    set_pinned(w.chat(), &w.ana, kept.id, true).await.unwrap();
    delete_message(w.chat(), &w.ana, doomed.id).await.unwrap();

    let events = channel_events(w.chat(), &w.cy, channel.id, 0, None)
        .await
        .unwrap();
    let kinds: Vec<(i64, ChannelEventKind)> =
        events.events.iter().map(|e| (e.seq, e.kind)).collect();
    use ChannelEventKind::*;
    assert_eq!(
        kinds,
        [
            (1, MemberJoined),
            (2, MemberJoined),
            (3, MessageCreated),
            (4, MessageCreated),
            (5, MessageCreated),
            (6, MessageEdited),
            (7, ReactionAdded),
            (8, MessagePinned),
            (9, MessageDeleted),
        ]
    );
    assert_eq!(events.last_seq, 9);
    assert_eq!(events.channel.id, channel.id);
    assert_eq!(events.channel.last_seq, 9);
    assert_eq!(events.events[6].emoji.as_ref(), Some(&wave));
    assert_eq!(events.events[6].user_id, Some(w.ana.id));

    let kept_now = events.messages.iter().find(|m| m.id == kept.id).unwrap();
    assert_eq!(kept_now.content, "kept, edited");
    assert!(kept_now.pinned_at.is_some());
    assert_eq!(kept_now.reactions.len(), 1);
    let doomed_now = events.messages.iter().find(|m| m.id == doomed.id).unwrap();
    assert!(doomed_now.is_deleted, "named messages come as they are now");
    assert_eq!(
        events.messages.len(),
        3,
        "the join announcement, kept and doomed"
    );
    let mut users: Vec<_> = events.users.iter().map(|u| u.id).collect();
    users.sort_unstable();
    assert_eq!(users, [w.ana.id, w.bob.id]);
}

#[tokio::test]
async fn catching_up_a_page_at_a_time_reaches_last_seq_without_gaps_or_repeats() {
    let w = world().await;
    let general = w.general().await;
    many(&w, &w.bob, general.id, 8).await;
    leave_channel(w.chat(), &w.bob, general.id).await.unwrap();
    let last = w.last_seq(general.id).await;

    let mut seen = Vec::new();
    let mut after_seq = 0;
    for _ in 0..100 {
        let page = channel_events(w.chat(), &w.cy, general.id, after_seq, Some(3))
            .await
            .unwrap();
        assert!(page.events.len() <= 3);
        assert_eq!(page.last_seq, last);
        let Some(end) = page.events.last() else { break };
        after_seq = end.seq;
        seen.extend(page.events.iter().map(|e| e.seq));
        if after_seq == page.last_seq {
            break;
        }
    }
    assert_eq!(seen, (1..=last).collect::<Vec<_>>());
    let past_the_end = channel_events(w.chat(), &w.cy, general.id, last, None)
        .await
        .unwrap();
    assert!(past_the_end.events.is_empty());
    assert_eq!(past_the_end.last_seq, last);
}

#[tokio::test]
async fn the_log_is_read_at_most_max_events_at_a_time_and_at_least_one() {
    let w = world().await;
    let general = w.general().await;
    let one = channel_events(w.chat(), &w.bob, general.id, 0, Some(0))
        .await
        .unwrap();
    assert_eq!(one.events.len(), 1);
    assert_eq!(one.events[0].seq, 1);
    let all = channel_events(w.chat(), &w.bob, general.id, 0, Some(MAX_EVENTS * 10))
        .await
        .unwrap();
    assert_eq!(all.events.len() as i64, all.last_seq);
}

#[tokio::test]
async fn the_log_refuses_a_negative_cursor() {
    let w = world().await;
    let general = w.general().await;
    let result = channel_events(w.chat(), &w.bob, general.id, -1, None).await;
    assert_invalid(&result, "after_seq", "invalid_cursor");
}

#[tokio::test]
async fn the_log_of_a_channel_one_cannot_read_is_not_found() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let cases = [
        (&w.cy, staff.id),
        (&w.dee, general.id),
        (&w.ana, globex.id),
        (&w.ana, ChannelId::new(9_999)),
    ];
    for (who, id) in cases {
        let result = channel_events(w.chat(), who, id, 0, None).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("channel"))),
            "user {} channel {id}: {result:?}",
            who.id
        );
    }
    leave_channel(w.chat(), &w.bob, staff.id).await.unwrap();
    let left = channel_events(w.chat(), &w.bob, staff.id, 0, None).await;
    assert!(matches!(left, Err(ChatError::NotFound(_))), "{left:?}");
}
