//! Reactions, pins and reports.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::{NewReport, UniqueField};
use tandem_domain::{ChannelEventKind, MessageId, ReportReason, ReportStatus, UserId};

pub async fn reactions_are_unique_per_user_and_emoji_and_aggregated_for_the_viewer(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let message = post(p, channel.id, team.ana, "ship it").await;
    let (thumbs, party) = (emoji("👍"), emoji(":tada:"));
    let start = now();

    let added = p
        .messages
        .add_reaction(message.id, team.bob, &thumbs, start)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(added.kind, ChannelEventKind::ReactionAdded);
    assert_eq!((added.seq, added.channel_id), (message.seq + 1, channel.id));
    assert_eq!((added.actor_id, added.user_id), (team.bob, Some(team.bob)));
    assert_eq!(
        (added.message_id, added.emoji.as_ref()),
        (Some(message.id), Some(&thumbs))
    );
    assert_eq!(added.created_at, start);

    let again = p
        .messages
        .add_reaction(message.id, team.bob, &thumbs, later(start, 1))
        .await
        .unwrap();
    assert_eq!(again, None, "one per user and emoji");
    p.messages
        .add_reaction(message.id, team.carol, &thumbs, later(start, 2))
        .await
        .unwrap()
        .unwrap();
    p.messages
        .add_reaction(message.id, team.bob, &party, later(start, 3))
        .await
        .unwrap()
        .unwrap();

    let as_bob = p
        .messages
        .find(message.id, team.bob)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(as_bob.reactions.len(), 2);
    let (first, second) = (&as_bob.reactions[0], &as_bob.reactions[1]);
    assert_eq!((&first.emoji, first.count, first.me), (&thumbs, 2, true));
    assert_eq!(first.user_ids, [team.bob, team.carol], "oldest first");
    assert_eq!((&second.emoji, second.count, second.me), (&party, 1, true));
    assert_eq!(second.user_ids, [team.bob]);

    let as_carol = p
        .messages
        .find(message.id, team.carol)
        .await
        .unwrap()
        .unwrap();
    let me: Vec<bool> = as_carol.reactions.iter().map(|r| r.me).collect();
    assert_eq!(me, [true, false]);
    let as_ana = p
        .messages
        .find(message.id, team.ana)
        .await
        .unwrap()
        .unwrap();
    assert!(as_ana.reactions.iter().all(|r| !r.me));
    let events = p
        .messages
        .events_after(channel.id, message.seq, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "the refused duplicate wrote no event");
}

pub async fn removing_a_reaction_writes_reaction_removed_once(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let message = post(p, channel.id, team.ana, "vote").await;
    let thumbs = emoji("👍");
    p.messages
        .add_reaction(message.id, team.bob, &thumbs, now())
        .await
        .unwrap();
    p.messages
        .add_reaction(message.id, team.carol, &thumbs, now())
        .await
        .unwrap();

    let at = now();
    let removed = p
        .messages
        .remove_reaction(message.id, team.bob, &thumbs, at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(removed.kind, ChannelEventKind::ReactionRemoved);
    assert_eq!((removed.seq, removed.created_at), (message.seq + 3, at));
    assert_eq!(
        (removed.actor_id, removed.user_id),
        (team.bob, Some(team.bob))
    );
    assert_eq!(
        (removed.message_id, removed.emoji.as_ref()),
        (Some(message.id), Some(&thumbs))
    );
    assert_eq!(
        p.messages
            .remove_reaction(message.id, team.bob, &thumbs, now())
            .await
            .unwrap(),
        None
    );
    let as_bob = p
        .messages
        .find(message.id, team.bob)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(as_bob.reactions.len(), 1);
    assert_eq!(
        (as_bob.reactions[0].count, as_bob.reactions[0].me),
        (1, false)
    );
    assert_eq!(as_bob.reactions[0].user_ids, [team.carol]);

    p.messages
        .remove_reaction(message.id, team.carol, &thumbs, now())
        .await
        .unwrap()
        .unwrap();
    let bare = p
        .messages
        .find(message.id, team.bob)
        .await
        .unwrap()
        .unwrap();
    assert!(bare.reactions.is_empty());
    let last = p
        .channels
        .find_by_id(channel.id)
        .await
        .unwrap()
        .unwrap()
        .last_seq;
    assert_eq!(last, message.seq + 4);
}

/// Reactions name a few people, oldest first, and count everyone.
pub async fn reactions_name_the_first_few_reactors_and_count_them_all(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let message = post(p, channel.id, team.ana, "cake in the kitchen").await;
    let mut reactors: Vec<UserId> = vec![team.ana, team.bob, team.carol];
    for _ in 0..5 {
        reactors.push(team.member(p).await);
    }
    let cake = emoji("🍰");
    let start = now();
    for (i, user) in (0..).zip(&reactors) {
        p.messages
            .add_reaction(message.id, *user, &cake, later(start, i))
            .await
            .unwrap()
            .unwrap();
    }
    let last = *reactors.last().unwrap();

    let seen = p.messages.find(message.id, last).await.unwrap().unwrap();
    let reaction = &seen.reactions[0];
    assert_eq!(reaction.count, 8);
    assert!(
        reaction.me,
        "the viewer reacted last, beyond the names shown"
    );
    let shown = reaction.user_ids.len();
    assert!((3..=5).contains(&shown), "a few names: {shown}");
    assert_eq!(
        reaction.user_ids,
        reactors[..shown],
        "the oldest reactors, in order"
    );
    let dave = p
        .messages
        .find(message.id, team.dave)
        .await
        .unwrap()
        .unwrap();
    assert!(!dave.reactions[0].me);
    assert_eq!(dave.reactions[0].user_ids, reaction.user_ids);
}

pub async fn pinning_and_unpinning_write_events_once_and_list_most_recent_first(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let first = post(p, channel.id, team.ana, "rules").await;
    let second = post(p, channel.id, team.bob, "wifi password").await;
    let start = now();

    let pinned = p
        .messages
        .set_pinned(first.id, true, team.carol, start)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pinned.kind, ChannelEventKind::MessagePinned);
    assert_eq!((pinned.seq, pinned.actor_id), (second.seq + 1, team.carol));
    assert_eq!(
        (pinned.message_id, pinned.created_at),
        (Some(first.id), start)
    );
    assert_eq!(
        p.messages
            .set_pinned(first.id, true, team.ana, later(start, 1))
            .await
            .unwrap(),
        None,
        "already pinned"
    );
    p.messages
        .set_pinned(second.id, true, team.ana, later(start, 2))
        .await
        .unwrap()
        .unwrap();

    let listed = p.messages.pinned(channel.id, team.ana).await.unwrap();
    assert_eq!(
        listed.iter().map(|m| m.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    assert_eq!(listed[1].pinned_at, Some(start));

    let unpinned = p
        .messages
        .set_pinned(first.id, false, team.ana, later(start, 3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unpinned.kind, ChannelEventKind::MessageUnpinned);
    assert_eq!(unpinned.seq, pinned.seq + 2);
    assert_eq!(
        p.messages
            .set_pinned(first.id, false, team.ana, now())
            .await
            .unwrap(),
        None,
        "already unpinned"
    );
    let listed = p.messages.pinned(channel.id, team.ana).await.unwrap();
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), [second.id]);
    let found = p.messages.find(first.id, team.ana).await.unwrap().unwrap();
    assert_eq!(found.pinned_at, None);
}

pub async fn a_second_pending_report_by_the_same_user_is_a_conflict(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let message = post(p, channel.id, team.ana, "something rude").await;
    let report = |by: UserId, reason: &str| NewReport {
        message_id: message.id,
        reported_by: by,
        reason: ReportReason::parse(reason).unwrap(),
        created_at: now(),
    };

    let new = report(team.bob, "rude");
    let filed = p.messages.report(new.clone()).await.unwrap();
    assert_eq!(
        (filed.message_id, filed.reported_by),
        (message.id, team.bob)
    );
    assert_eq!(
        (filed.reason.clone(), filed.status),
        (new.reason, ReportStatus::Pending)
    );
    assert_eq!(
        (filed.reviewed_by, filed.created_at),
        (None, new.created_at)
    );

    assert_conflict(
        p.messages.report(report(team.bob, "really rude")).await,
        UniqueField::OpenReport,
    );
    let other = p.messages.report(report(team.carol, "rude")).await.unwrap();
    assert_ne!(other.id, filed.id, "each reporter has their own");
    let elsewhere = post(p, channel.id, team.ana, "also rude").await;
    p.messages
        .report(NewReport {
            message_id: elsewhere.id,
            ..report(team.bob, "rude too")
        })
        .await
        .unwrap();
}

pub async fn reporting_an_unknown_message_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let result = p
        .messages
        .report(NewReport {
            message_id: MessageId::new(i64::MAX),
            reported_by: team.bob,
            reason: ReportReason::parse("spam").unwrap(),
            created_at: now(),
        })
        .await;
    assert_not_found(result);
}
