//! Joining, leaving, read markers and unread counts.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::{ChannelSummary, MemberChanges, MembershipChange};
use tandem_domain::{
    ChannelEventKind, ChannelId, ChannelKind, ChannelRole, Mention, MessageType, UserId,
};

fn change(channel: ChannelId, user: UserId, actor: UserId, text: Option<&str>) -> MembershipChange {
    MembershipChange {
        channel_id: channel,
        user_id: user,
        actor_id: actor,
        at: now(),
        announcement: text.map(body),
    }
}

pub async fn adding_a_member_writes_member_joined_then_the_announcement(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let add = change(channel.id, team.dave, team.ana, Some("ana added dave"));
    let written = p.channels.add_member(add.clone()).await.unwrap().unwrap();

    assert_eq!(
        kinds(&written.events),
        [
            ChannelEventKind::MemberJoined,
            ChannelEventKind::MessageCreated
        ]
    );
    assert_eq!(
        seqs(&written.events, |e| e.seq),
        [channel.last_seq + 1, channel.last_seq + 2]
    );
    let joined = &written.events[0];
    assert_eq!(
        (joined.actor_id, joined.user_id),
        (team.ana, Some(team.dave))
    );
    assert_eq!(joined.created_at, add.at);
    let announcement = written.announcement.unwrap();
    assert_eq!(
        (
            announcement.message_type,
            announcement.user_id,
            announcement.seq
        ),
        (MessageType::System, team.ana, channel.last_seq + 2)
    );
    assert_eq!(announcement.content, "ana added dave");
    assert_eq!(written.events[1].message_id, Some(announcement.id));
    assert_eq!(
        all_events(p, channel.id).await[channel.last_seq as usize..],
        written.events
    );
    let dave = p
        .channels
        .membership(channel.id, team.dave)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dave.joined_at, add.at);

    // Joining by oneself without an announcement is one event.
    let erin = team.member(p).await;
    let written = p
        .channels
        .add_member(change(channel.id, erin, erin, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kinds(&written.events), [ChannelEventKind::MemberJoined]);
    assert!(written.announcement.is_none());
}

pub async fn adding_an_existing_member_writes_nothing(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let again = change(channel.id, team.bob, team.ana, Some("ana added bob"));
    assert!(p.channels.add_member(again).await.unwrap().is_none());
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq, "no seq spent");
    assert_eq!(
        all_events(p, channel.id).await.len() as i64,
        channel.last_seq
    );
    let history = p
        .messages
        .history(history(channel.id, team.ana, 10))
        .await
        .unwrap();
    assert!(history.is_empty(), "no announcement");
}

pub async fn removing_a_member_writes_the_announcement_then_member_left(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let leave = change(channel.id, team.bob, team.bob, Some("bob left"));
    let written = p.channels.remove_member(leave).await.unwrap().unwrap();

    assert_eq!(
        kinds(&written.events),
        [
            ChannelEventKind::MessageCreated,
            ChannelEventKind::MemberLeft
        ]
    );
    assert_eq!(
        seqs(&written.events, |e| e.seq),
        [channel.last_seq + 1, channel.last_seq + 2]
    );
    let announcement = written.announcement.unwrap();
    assert_eq!(
        (announcement.user_id, announcement.seq),
        (team.bob, channel.last_seq + 1)
    );
    assert_eq!(announcement.message_type, MessageType::System);
    let left = &written.events[1];
    assert_eq!((left.actor_id, left.user_id), (team.bob, Some(team.bob)));
    assert_eq!(
        p.channels.membership(channel.id, team.bob).await.unwrap(),
        None
    );
    assert_eq!(
        all_events(p, channel.id).await[channel.last_seq as usize..],
        written.events
    );

    // Removed by someone else, silently.
    let removed = p
        .channels
        .remove_member(change(channel.id, team.carol, team.ana, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kinds(&removed.events), [ChannelEventKind::MemberLeft]);
    assert_eq!(removed.events[0].actor_id, team.ana);
}

pub async fn removing_a_non_member_writes_nothing(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let leave = change(channel.id, team.dave, team.dave, Some("dave left"));
    assert!(p.channels.remove_member(leave).await.unwrap().is_none());
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq);
}

async fn summary(
    p: &ChannelPorts,
    team: &Team,
    user: UserId,
    channel: ChannelId,
) -> ChannelSummary {
    p.channels
        .list_for_user(team.org, user)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.channel.id == channel)
        .unwrap()
}

async fn unread(p: &ChannelPorts, team: &Team, user: UserId, channel: ChannelId) -> (i64, i64) {
    let s = summary(p, team, user, channel).await;
    (s.unread_count, s.unread_mentions)
}

pub async fn unread_counts_skip_own_and_deleted_messages_and_count_mentions_per_user(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let quiet = team.channel(p).await;
    for user in [team.ana, team.bob, team.carol] {
        assert_eq!(unread(p, &team, user, channel.id).await, (0, 0));
    }

    let plain = post(p, channel.id, team.ana, "morning").await;
    let to_bob = post_mentioning(p, channel.id, team.ana, &[Mention::User(team.bob)]).await;
    // Both kinds of mention on one message count it once.
    post_mentioning(
        p,
        channel.id,
        team.carol,
        &[Mention::User(team.bob), Mention::Here],
    )
    .await;
    post_mentioning(p, channel.id, team.carol, &[Mention::Channel]).await;
    // Replies count too.
    reply(p, &plain, team.carol, "indeed").await;
    // Their own messages never count, mentions of themselves neither.
    post_mentioning(
        p,
        channel.id,
        team.bob,
        &[Mention::User(team.bob), Mention::Channel],
    )
    .await;
    let gone = post_mentioning(p, channel.id, team.ana, &[Mention::User(team.bob)]).await;
    p.messages.delete(gone.id, team.ana, now()).await.unwrap();
    post(p, quiet.id, team.ana, "elsewhere").await;

    assert_eq!(unread(p, &team, team.bob, channel.id).await, (5, 3));
    // carol: ana's two, bob's @channel one (her own three are not counted).
    assert_eq!(unread(p, &team, team.carol, channel.id).await, (3, 1));
    // ana: carol's three and bob's one; mentions: @here, @channel, @channel.
    assert_eq!(unread(p, &team, team.ana, channel.id).await, (4, 3));
    assert_eq!(unread(p, &team, team.bob, quiet.id).await, (1, 0));
    let outsider = summary(p, &team, team.dave, channel.id).await;
    assert_eq!(
        (
            outsider.is_member,
            outsider.unread_count,
            outsider.unread_mentions
        ),
        (false, 0, 0)
    );

    // Reading up to the mention of bob leaves what came after it.
    p.channels
        .mark_read(channel.id, team.bob, to_bob.seq)
        .await
        .unwrap();
    assert_eq!(unread(p, &team, team.bob, channel.id).await, (3, 2));
    let last = p
        .channels
        .find_by_id(channel.id)
        .await
        .unwrap()
        .unwrap()
        .last_seq;
    p.channels
        .mark_read(channel.id, team.bob, last)
        .await
        .unwrap();
    assert_eq!(unread(p, &team, team.bob, channel.id).await, (0, 0));
    assert_eq!(
        unread(p, &team, team.carol, channel.id).await,
        (3, 1),
        "per user"
    );
}

pub async fn marking_read_never_goes_backwards_and_stops_at_the_last_event(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let first = post(p, channel.id, team.ana, "one").await;
    let second = post(p, channel.id, team.ana, "two").await;

    let marked = p
        .channels
        .mark_read(channel.id, team.bob, second.seq)
        .await
        .unwrap();
    assert_eq!(
        (marked.channel_id, marked.user_id, marked.last_read_seq),
        (channel.id, team.bob, second.seq)
    );
    let back = p
        .channels
        .mark_read(channel.id, team.bob, first.seq)
        .await
        .unwrap();
    assert_eq!(back.last_read_seq, second.seq, "never backwards");
    let beyond = p
        .channels
        .mark_read(channel.id, team.bob, second.seq + 1_000)
        .await
        .unwrap();
    assert_eq!(
        beyond.last_read_seq, second.seq,
        "clamped to the last event"
    );
    assert_eq!(
        p.channels.membership(channel.id, team.bob).await.unwrap(),
        Some(beyond)
    );
    let third = post(p, channel.id, team.ana, "three").await;
    let caught_up = p
        .channels
        .mark_read(channel.id, team.bob, i64::MAX)
        .await
        .unwrap();
    assert_eq!(caught_up.last_read_seq, third.seq);
}

pub async fn marking_read_for_a_non_member_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel_of(p, ChannelKind::Public, &[team.ana]).await;
    post(p, channel.id, team.ana, "hello").await;
    assert_not_found(p.channels.mark_read(channel.id, team.dave, 1).await);
}

pub async fn the_creators_named_admins_start_as_admins_and_the_rest_as_members(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let role = |user| async move {
        p.channels
            .membership(channel.id, user)
            .await
            .unwrap()
            .map(|m| (m.role, m.posting_muted_until))
    };
    assert_eq!(role(team.ana).await, Some((ChannelRole::Admin, None)));
    assert_eq!(role(team.bob).await, Some((ChannelRole::Member, None)));
    let listed = p
        .channels
        .list_for_user(team.org, team.ana)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.channel.id == channel.id)
        .unwrap();
    assert_eq!(listed.role, Some(ChannelRole::Admin));
    let dm = team
        .channel_of(p, ChannelKind::Direct, &[team.ana, team.bob])
        .await;
    let in_dm = p.channels.membership(dm.id, team.ana).await.unwrap();
    assert_eq!(in_dm.map(|m| m.role), Some(ChannelRole::Member));
    let joined = p
        .channels
        .add_member(change(channel.id, team.dave, team.dave, None))
        .await
        .unwrap();
    assert!(joined.is_some());
    assert_eq!(role(team.dave).await, Some((ChannelRole::Member, None)));
}

pub async fn updating_a_member_changes_role_and_mute_with_a_member_updated_event(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let until = now() + chrono::Duration::hours(1);
    let changes = MemberChanges {
        role: Some(ChannelRole::Moderator),
        posting_muted_until: Some(Some(until)),
    };
    let (updated, event) = p
        .channels
        .update_member(channel.id, team.bob, &changes, team.ana, now())
        .await
        .unwrap();
    assert_eq!(updated.role, ChannelRole::Moderator);
    assert_eq!(
        updated.posting_muted_until.map(|t| t.timestamp()),
        Some(until.timestamp())
    );
    assert_eq!(
        (event.kind, event.user_id, event.actor_id, event.seq),
        (
            ChannelEventKind::MemberUpdated,
            Some(team.bob),
            team.ana,
            channel.last_seq + 1
        )
    );
    assert_eq!(all_events(p, channel.id).await.last(), Some(&event));
    let stored = p.channels.membership(channel.id, team.bob).await.unwrap();
    assert_eq!(stored, Some(updated.clone()));

    // Lifting the mute leaves the role alone.
    let lifted = MemberChanges {
        posting_muted_until: Some(None),
        ..MemberChanges::default()
    };
    let (after, _) = p
        .channels
        .update_member(channel.id, team.bob, &lifted, team.ana, now())
        .await
        .unwrap();
    assert_eq!(
        (after.role, after.posting_muted_until),
        (ChannelRole::Moderator, None)
    );
    assert_eq!(after.last_read_seq, updated.last_read_seq);
}

pub async fn updating_a_non_member_is_not_found_and_writes_nothing(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel_of(p, ChannelKind::Public, &[team.ana]).await;
    let changes = MemberChanges {
        role: Some(ChannelRole::Admin),
        ..MemberChanges::default()
    };
    assert_not_found(
        p.channels
            .update_member(channel.id, team.dave, &changes, team.ana, now())
            .await,
    );
    let after = p.channels.find_by_id(channel.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, channel.last_seq);
}
