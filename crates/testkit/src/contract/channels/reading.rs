//! Reading messages back: by id and page by page.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::HistoryQuery;
use tandem_domain::{Message, MessageId};

pub async fn find_many_returns_the_known_messages_as_the_viewer_sees_them(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let a = post(p, channel.id, team.ana, "a").await;
    let b = post(p, channel.id, team.bob, "b").await;
    p.messages
        .add_reaction(b.id, team.carol, &emoji("🎉"), now())
        .await
        .unwrap();

    let mut found = p
        .messages
        .find_many(&[b.id, MessageId::new(i64::MAX), a.id], team.carol)
        .await
        .unwrap();
    found.sort_by_key(|m| m.id);
    assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), [a.id, b.id]);
    assert!(found[1].reactions[0].me, "as carol sees it");
    let for_ana = p.messages.find_many(&[b.id], team.ana).await.unwrap();
    assert!(!for_ana[0].reactions[0].me, "as ana sees it");
    assert!(
        p.messages
            .find_many(&[], team.ana)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn history_pages_backwards_and_forwards_stably_while_messages_arrive(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let mut posted = Vec::new();
    for i in 0..10 {
        posted.push(post(p, channel.id, team.ana, &format!("m{i}")).await);
        if i == 4 {
            // A thread reply in the middle must not show up in history or shift the pages.
            reply(p, &posted[2], team.bob, "in a thread").await;
        }
    }
    let seqs_of = |messages: &[Message]| messages.iter().map(|m| m.seq).collect::<Vec<_>>();
    let ids_of = |messages: &[Message]| messages.iter().map(|m| m.id).collect::<Vec<_>>();
    let newest_first: Vec<MessageId> = posted.iter().rev().map(|m| m.id).collect();

    let first = p
        .messages
        .history(history(channel.id, team.ana, 4))
        .await
        .unwrap();
    assert_eq!(ids_of(&first), newest_first[..4]);
    // New messages arrive between pages.
    let late = post(p, channel.id, team.bob, "late").await;
    let page = |before: Option<i64>, after: Option<i64>, limit| HistoryQuery {
        before_seq: before,
        after_seq: after,
        ..history(channel.id, team.ana, limit)
    };
    let second = p
        .messages
        .history(page(Some(first[3].seq), None, 4))
        .await
        .unwrap();
    assert_eq!(ids_of(&second), newest_first[4..8]);
    let third = p
        .messages
        .history(page(Some(second[3].seq), None, 4))
        .await
        .unwrap();
    assert_eq!(ids_of(&third), newest_first[8..]);
    let none = p
        .messages
        .history(page(Some(third[1].seq), None, 4))
        .await
        .unwrap();
    assert!(none.is_empty());

    // Forwards from the start, oldest first, reaching the late message.
    let mut forward = Vec::new();
    let mut cursor = 0;
    loop {
        let page = p
            .messages
            .history(page(None, Some(cursor), 3))
            .await
            .unwrap();
        assert!(
            seqs_of(&page).windows(2).all(|w| w[0] < w[1]),
            "oldest first"
        );
        let Some(last) = page.last() else { break };
        cursor = last.seq;
        forward.extend(page);
    }
    let mut expected: Vec<MessageId> = posted.iter().map(|m| m.id).collect();
    expected.push(late.id);
    assert_eq!(ids_of(&forward), expected);
    assert_eq!(forward[3], posted[3], "pages carry whole messages");
}
