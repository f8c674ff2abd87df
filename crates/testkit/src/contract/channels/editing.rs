//! Editing and deleting messages.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_domain::{ChannelEventKind, Mention, MessageId};

pub async fn editing_replaces_content_and_mentions_with_a_message_edited_event(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let original = post_mentioning(p, channel.id, team.ana, &[Mention::User(team.bob)]).await;
    let at = later(original.created_at, 30);
    let (edited, event) = p
        .messages
        .edit(
            original.id,
            body("now for carol"),
            vec![Mention::User(team.carol)],
            team.ana,
            at,
        )
        .await
        .unwrap();

    assert_eq!(edited.content, "now for carol");
    assert_eq!(edited.mentions, [Mention::User(team.carol)]);
    assert_eq!(edited.edited_at, Some(at));
    assert_eq!(
        (edited.seq, edited.created_at),
        (original.seq, original.created_at)
    );
    assert_eq!(event.kind, ChannelEventKind::MessageEdited);
    assert_eq!(
        (event.seq, event.message_id),
        (original.seq + 1, Some(original.id))
    );
    assert_eq!((event.actor_id, event.created_at), (team.ana, at));
    assert_eq!(
        p.messages.find(original.id, team.bob).await.unwrap(),
        Some(edited)
    );
    // The mention moved: bob has nothing unread that mentions him any more.
    let listed = p.channels.list_for_user(team.org, team.bob).await.unwrap();
    let summary = listed.iter().find(|s| s.channel.id == channel.id).unwrap();
    assert_eq!((summary.unread_count, summary.unread_mentions), (1, 0));
    let listed = p
        .channels
        .list_for_user(team.org, team.carol)
        .await
        .unwrap();
    let summary = listed.iter().find(|s| s.channel.id == channel.id).unwrap();
    assert_eq!((summary.unread_count, summary.unread_mentions), (1, 1));
}

pub async fn deleting_leaves_a_tombstone_without_content_mentions_reactions_or_pin(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let before = post(p, channel.id, team.bob, "before").await;
    let doomed = post_mentioning(
        p,
        channel.id,
        team.ana,
        &[Mention::User(team.bob), Mention::Here],
    )
    .await;
    let after = post(p, channel.id, team.bob, "after").await;
    p.messages
        .add_reaction(doomed.id, team.bob, &emoji("👍"), now())
        .await
        .unwrap();
    p.messages
        .set_pinned(doomed.id, true, team.ana, now())
        .await
        .unwrap();
    let last = p
        .channels
        .find_by_id(channel.id)
        .await
        .unwrap()
        .unwrap()
        .last_seq;

    let at = now();
    let (tombstone, event) = p.messages.delete(doomed.id, team.carol, at).await.unwrap();

    assert!(tombstone.is_deleted);
    assert_eq!(tombstone.content, "");
    assert!(tombstone.mentions.is_empty() && tombstone.reactions.is_empty());
    assert_eq!(tombstone.pinned_at, None);
    assert_eq!((tombstone.id, tombstone.seq), (doomed.id, doomed.seq));
    assert_eq!(event.kind, ChannelEventKind::MessageDeleted);
    assert_eq!((event.seq, event.actor_id), (last + 1, team.carol));
    assert_eq!((event.message_id, event.created_at), (Some(doomed.id), at));

    assert_eq!(
        p.messages.find(doomed.id, team.bob).await.unwrap(),
        Some(tombstone.clone())
    );
    assert!(
        p.messages
            .pinned(channel.id, team.ana)
            .await
            .unwrap()
            .is_empty()
    );
    let history = p
        .messages
        .history(history(channel.id, team.ana, 10))
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|m| m.id).collect::<Vec<_>>(),
        [after.id, doomed.id, before.id],
        "the tombstone keeps its place"
    );
    assert!(history[1].is_deleted);
    let listed = p.channels.list_for_user(team.org, team.bob).await.unwrap();
    let summary = listed.iter().find(|s| s.channel.id == channel.id).unwrap();
    assert_eq!((summary.unread_count, summary.unread_mentions), (0, 0));
}

pub async fn changing_a_deleted_or_unknown_message_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let gone = post(p, channel.id, team.ana, "soon gone").await;
    p.messages.delete(gone.id, team.ana, now()).await.unwrap();
    let last = p
        .channels
        .find_by_id(channel.id)
        .await
        .unwrap()
        .unwrap()
        .last_seq;
    let thumbs = emoji("👍");

    for id in [gone.id, MessageId::new(i64::MAX)] {
        assert_not_found(
            p.messages
                .edit(id, body("x"), vec![], team.ana, now())
                .await,
        );
        assert_not_found(p.messages.delete(id, team.ana, now()).await);
        assert_not_found(p.messages.add_reaction(id, team.bob, &thumbs, now()).await);
        assert_not_found(p.messages.set_pinned(id, true, team.ana, now()).await);
    }
    assert_not_found(
        p.messages
            .remove_reaction(MessageId::new(i64::MAX), team.bob, &thumbs, now())
            .await,
    );
    assert_eq!(
        p.messages
            .find(MessageId::new(i64::MAX), team.ana)
            .await
            .unwrap(),
        None
    );
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, last, "nothing written");
}
