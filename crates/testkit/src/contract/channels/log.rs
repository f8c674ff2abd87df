//! The channel event log: seqs without gaps or duplicates under concurrency, and catching up.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_domain::{ChannelEvent, ChannelEventKind, MessageId};

pub async fn concurrent_appends_get_consecutive_seqs_with_matching_events(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let authors = [team.ana, team.bob, team.carol];
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let messages = p.messages.clone();
            let new = message(channel.id, authors[i % 3], &format!("message {i}"));
            tokio::spawn(async move { messages.append(new).await.unwrap() })
        })
        .collect();
    let mut stored = Vec::new();
    for task in tasks {
        let (message, event) = created(task.await.unwrap());
        assert_eq!(
            (event.seq, event.message_id),
            (message.seq, Some(message.id))
        );
        stored.push(message);
    }
    stored.sort_by_key(|m| m.seq);
    let expected: Vec<i64> = (channel.last_seq + 1..=channel.last_seq + 20).collect();
    assert_eq!(seqs(&stored, |m| m.seq), expected, "no gaps, no duplicates");

    let events = p
        .messages
        .events_after(channel.id, channel.last_seq, 100)
        .await
        .unwrap();
    assert_eq!(seqs(&events, |e| e.seq), expected);
    assert!(
        events
            .iter()
            .all(|e| e.kind == ChannelEventKind::MessageCreated)
    );
    let event_messages: Vec<Option<MessageId>> = events.iter().map(|e| e.message_id).collect();
    let stored_ids: Vec<Option<MessageId>> = stored.iter().map(|m| Some(m.id)).collect();
    assert_eq!(event_messages, stored_ids);
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq + 20);
}

/// Different kinds of writes racing on one channel share one sequence.
pub async fn concurrent_writes_of_every_kind_share_one_gapless_sequence(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let target = post(p, channel.id, team.ana, "react to me").await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let messages = p.messages.clone();
        let new = message(channel.id, team.bob, &format!("racing {i}"));
        tasks.push(tokio::spawn(async move {
            messages.append(new).await.unwrap();
        }));
    }
    for (i, emoji_text) in ["👍", "🎉", "🚀", "👀"].into_iter().enumerate() {
        let messages = p.messages.clone();
        let (id, user) = (target.id, [team.bob, team.carol][i % 2]);
        tasks.push(tokio::spawn(async move {
            messages
                .add_reaction(id, user, &emoji(emoji_text), now())
                .await
                .unwrap()
                .unwrap();
        }));
    }
    for _ in 0..3 {
        let (channels, channel_id) = (p.channels.clone(), channel.id);
        let user = team.member(p).await;
        tasks.push(tokio::spawn(async move {
            let change = tandem_app::ports::MembershipChange {
                channel_id,
                user_id: user,
                actor_id: user,
                at: now(),
                announcement: Some(body("joined")),
            };
            channels.add_member(change).await.unwrap().unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let events = all_events(p, channel.id).await;
    let expected: Vec<i64> = (1..=target.seq + 6 + 4 + 3 * 2).collect();
    assert_eq!(seqs(&events, |e| e.seq), expected);
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, *expected.last().unwrap());
    // Each join's announcement directly follows its MemberJoined.
    for (i, event) in events.iter().enumerate() {
        if event.kind == ChannelEventKind::MemberJoined && event.seq > channel.last_seq {
            assert_eq!(events[i + 1].kind, ChannelEventKind::MessageCreated);
            assert_eq!(events[i + 1].actor_id, event.actor_id);
        }
    }
}

pub async fn events_after_returns_exactly_the_missed_events_in_order_paged_by_limit(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let seen = post(p, channel.id, team.ana, "seen").await;
    // What a client that saw `seen` then disconnected misses:
    let created = post(p, channel.id, team.bob, "missed").await;
    p.messages
        .edit(created.id, body("missed, edited"), vec![], team.bob, now())
        .await
        .unwrap();
    p.messages
        .add_reaction(seen.id, team.carol, &emoji("👍"), now())
        .await
        .unwrap();
    p.messages
        .remove_reaction(seen.id, team.carol, &emoji("👍"), now())
        .await
        .unwrap();
    p.messages
        .set_pinned(seen.id, true, team.ana, now())
        .await
        .unwrap();
    p.messages
        .set_pinned(seen.id, false, team.ana, now())
        .await
        .unwrap();
    p.messages
        .delete(created.id, team.bob, now())
        .await
        .unwrap();
    let change = tandem_app::ports::MembershipChange {
        channel_id: channel.id,
        user_id: team.dave,
        actor_id: team.dave,
        at: now(),
        announcement: None,
    };
    p.channels.add_member(change.clone()).await.unwrap();
    p.channels.remove_member(change).await.unwrap();
    let changes = tandem_app::ports::ChannelChanges {
        is_archived: Some(true),
        ..Default::default()
    };
    p.channels
        .update(channel.id, &changes, team.ana, now(), None)
        .await
        .unwrap();

    let missed = p
        .messages
        .events_after(channel.id, seen.seq, 100)
        .await
        .unwrap();
    assert_eq!(
        kinds(&missed),
        [
            ChannelEventKind::MessageCreated,
            ChannelEventKind::MessageEdited,
            ChannelEventKind::ReactionAdded,
            ChannelEventKind::ReactionRemoved,
            ChannelEventKind::MessagePinned,
            ChannelEventKind::MessageUnpinned,
            ChannelEventKind::MessageDeleted,
            ChannelEventKind::MemberJoined,
            ChannelEventKind::MemberLeft,
            ChannelEventKind::ChannelUpdated,
        ]
    );
    let expected: Vec<i64> = (seen.seq + 1..=seen.seq + 10).collect();
    assert_eq!(seqs(&missed, |e| e.seq), expected);
    assert!(missed.iter().all(|e| e.channel_id == channel.id));
    assert_eq!(missed[0].message_id, Some(created.id));
    assert_eq!(missed[3].emoji, Some(emoji("👍")));
    assert_eq!(missed[7].user_id, Some(team.dave));

    // Paging by limit walks the same events without overlap.
    let mut paged: Vec<ChannelEvent> = Vec::new();
    let mut cursor = seen.seq;
    loop {
        let page = p
            .messages
            .events_after(channel.id, cursor, 3)
            .await
            .unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        cursor = last.seq;
        paged.extend(page);
    }
    assert_eq!(paged, missed);
    assert!(
        p.messages
            .events_after(channel.id, seen.seq + 10, 100)
            .await
            .unwrap()
            .is_empty(),
        "nothing after the last event"
    );
    // The other channels' events never leak in.
    let other = team.channel(p).await;
    post(p, other.id, team.ana, "elsewhere").await;
    assert_eq!(
        p.messages
            .events_after(channel.id, seen.seq, 100)
            .await
            .unwrap(),
        missed
    );
}
