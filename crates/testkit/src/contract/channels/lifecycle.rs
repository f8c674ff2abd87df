//! Creating, finding, changing, listing and deleting channels.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::{ChannelChanges, NewChannel, UniqueField};
use tandem_domain::{
    ChannelDescription, ChannelEventKind, ChannelId, ChannelKind, ChannelName, Mention, UserId,
};

pub async fn creating_a_channel_stores_it_with_a_member_joined_event_per_member(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let new = NewChannel {
        description: Some(ChannelDescription::parse("Where we talk").unwrap()),
        // The creator listed twice is still one member.
        ..team.new_channel(ChannelKind::Private, &[team.ana, team.bob, team.ana])
    };
    let channel = p.channels.create(new.clone()).await.unwrap();

    assert_eq!(
        (&channel.name, &channel.description, channel.kind),
        (&new.name, &new.description, ChannelKind::Private)
    );
    assert_eq!(
        (
            channel.organization_id,
            channel.created_by,
            channel.created_at
        ),
        (team.org, team.ana, new.created_at)
    );
    assert!(!channel.is_archived);
    assert_eq!(channel.last_seq, 2, "one event per member");

    let events = all_events(p, channel.id).await;
    assert_eq!(seqs(&events, |e| e.seq), [1, 2]);
    for (event, member) in events.iter().zip([team.ana, team.bob]) {
        assert_eq!(event.kind, ChannelEventKind::MemberJoined);
        assert_eq!(event.channel_id, channel.id);
        assert_eq!((event.actor_id, event.user_id), (team.ana, Some(member)));
        assert_eq!((event.message_id, &event.emoji), (None, &None));
        assert_eq!(event.created_at, new.created_at);
    }
    let bob = p
        .channels
        .membership(channel.id, team.bob)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((bob.channel_id, bob.user_id), (channel.id, team.bob));
    assert_eq!(bob.joined_at, new.created_at);
    assert!(bob.last_read_seq <= channel.last_seq);
    assert_eq!(
        p.channels.membership(channel.id, team.dave).await.unwrap(),
        None
    );
}

pub async fn a_taken_channel_name_is_a_conflict_within_one_organization_only(p: &ChannelPorts) {
    let (team, other) = (Team::new(p).await, Team::new(p).await);
    let name = channel_name("general");
    let first = NewChannel {
        name: name.clone(),
        ..team.new_channel(ChannelKind::Public, &[team.ana])
    };
    p.channels.create(first).await.unwrap();

    for kind in [
        ChannelKind::Public,
        ChannelKind::Private,
        ChannelKind::Direct,
    ] {
        let clash = NewChannel {
            name: name.clone(),
            ..team.new_channel(kind, &[team.bob])
        };
        assert_conflict(p.channels.create(clash).await, UniqueField::ChannelName);
    }
    // Another organization may have its own channel of that name.
    let elsewhere = NewChannel {
        name: name.clone(),
        ..other.new_channel(ChannelKind::Public, &[other.ana])
    };
    let theirs = p.channels.create(elsewhere).await.unwrap();
    assert_eq!(theirs.name, name);
    assert_eq!(
        p.channels.find_by_name(other.org, &name).await.unwrap(),
        Some(theirs)
    );
}

pub async fn channels_are_found_by_id_and_by_name(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let dm_name = ChannelName::direct(&[team.bob, team.ana]);
    let dm = p
        .channels
        .create(NewChannel {
            name: dm_name.clone(),
            ..team.new_channel(ChannelKind::Direct, &[team.ana, team.bob])
        })
        .await
        .unwrap();

    assert_eq!(
        p.channels.find_by_id(channel.id).await.unwrap(),
        Some(channel.clone())
    );
    assert_eq!(
        p.channels
            .find_by_name(team.org, &channel.name)
            .await
            .unwrap(),
        Some(channel.clone())
    );
    assert_eq!(
        p.channels.find_by_name(team.org, &dm_name).await.unwrap(),
        Some(dm)
    );
    let other = Team::new(p).await;
    assert_eq!(
        p.channels
            .find_by_name(other.org, &channel.name)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        p.channels
            .find_by_id(ChannelId::new(i64::MAX))
            .await
            .unwrap(),
        None
    );
}

pub async fn updating_a_channel_applies_the_changes_with_one_event_and_the_announcement(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let (at, renamed) = (now(), channel_name("renamed"));
    let changes = ChannelChanges {
        name: Some(renamed.clone()),
        description: Some(Some(ChannelDescription::parse("Plans").unwrap())),
        is_archived: None,
        read_only: Some(true),
    };
    let (updated, written) = p
        .channels
        .update(
            channel.id,
            &changes,
            team.ana,
            at,
            Some(body("ana renamed the channel")),
        )
        .await
        .unwrap();

    assert_eq!(updated.name, renamed);
    assert_eq!(updated.description.as_ref().unwrap().as_str(), "Plans");
    assert!(!updated.is_archived);
    assert!(updated.read_only);
    assert_eq!(updated.last_seq, channel.last_seq + 2);
    assert_eq!(
        kinds(&written.events),
        [
            ChannelEventKind::ChannelUpdated,
            ChannelEventKind::MessageCreated
        ]
    );
    assert_eq!(
        seqs(&written.events, |e| e.seq),
        [channel.last_seq + 1, channel.last_seq + 2]
    );
    assert_eq!(written.events[0].actor_id, team.ana);
    let announcement = written.announcement.unwrap();
    assert_eq!(announcement.content, "ana renamed the channel");
    assert_eq!(
        announcement.message_type,
        tandem_domain::MessageType::System
    );
    assert_eq!(
        (announcement.user_id, announcement.seq),
        (team.ana, channel.last_seq + 2)
    );
    assert_eq!(written.events[1].message_id, Some(announcement.id));
    assert_eq!(
        all_events(p, channel.id).await[channel.last_seq as usize..],
        written.events
    );
    assert_eq!(
        p.channels.find_by_id(channel.id).await.unwrap(),
        Some(updated.clone())
    );

    // Clearing the description and archiving, without an announcement.
    let changes = ChannelChanges {
        description: Some(None),
        is_archived: Some(true),
        ..ChannelChanges::default()
    };
    let (archived, written) = p
        .channels
        .update(channel.id, &changes, team.ana, now(), None)
        .await
        .unwrap();
    assert_eq!((archived.description, archived.is_archived), (None, true));
    assert_eq!(archived.name, renamed, "unchanged");
    assert_eq!(kinds(&written.events), [ChannelEventKind::ChannelUpdated]);
    assert!(written.announcement.is_none());
    assert_eq!(archived.last_seq, updated.last_seq + 1);
}

pub async fn renaming_a_channel_to_a_taken_name_is_a_conflict(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let (first, second) = (team.channel(p).await, team.channel(p).await);
    let changes = ChannelChanges {
        name: Some(first.name.clone()),
        ..ChannelChanges::default()
    };
    assert_conflict(
        p.channels
            .update(second.id, &changes, team.ana, now(), Some(body("renamed")))
            .await,
        UniqueField::ChannelName,
    );
    // Nothing of the failed change was kept.
    assert_eq!(
        p.channels.find_by_id(second.id).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(all_events(p, second.id).await.len() as i64, second.last_seq);
}

pub async fn changing_or_deleting_an_unknown_channel_is_not_found(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let unknown = ChannelId::new(i64::MAX);
    let changes = ChannelChanges {
        is_archived: Some(true),
        ..ChannelChanges::default()
    };
    assert_not_found(
        p.channels
            .update(unknown, &changes, team.ana, now(), None)
            .await,
    );
    assert_not_found(p.channels.delete(unknown).await);
    let change = tandem_app::ports::MembershipChange {
        channel_id: unknown,
        user_id: team.bob,
        actor_id: team.bob,
        at: now(),
        announcement: None,
    };
    assert_not_found(p.channels.add_member(change.clone()).await);
    assert_not_found(p.channels.remove_member(change).await);
    assert_not_found(p.channels.mark_read(unknown, team.bob, 1).await);
}

pub async fn deleting_a_channel_removes_its_members_messages_and_events(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let channel = team.channel(p).await;
    let root = post_mentioning(p, channel.id, team.ana, &[Mention::User(team.bob)]).await;
    let answer = reply(p, &root, team.bob, "sure").await;
    p.messages
        .add_reaction(root.id, team.bob, &emoji("👍"), now())
        .await
        .unwrap();
    p.messages
        .set_pinned(root.id, true, team.ana, now())
        .await
        .unwrap();

    p.channels.delete(channel.id).await.unwrap();

    assert_eq!(p.channels.find_by_id(channel.id).await.unwrap(), None);
    assert_eq!(
        p.channels.membership(channel.id, team.ana).await.unwrap(),
        None
    );
    assert!(
        p.channels
            .members(channel.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(all_events(p, channel.id).await.is_empty());
    assert!(
        p.messages
            .find_many(&[root.id, answer.id], team.ana)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = p.channels.list_for_user(team.org, team.bob).await.unwrap();
    assert!(listed.iter().all(|s| s.channel.id != channel.id));
    assert_not_found(p.channels.delete(channel.id).await);
    // The name is free again.
    let again = tandem_app::ports::NewChannel {
        name: channel.name.clone(),
        ..team.new_channel(ChannelKind::Public, &[team.ana])
    };
    p.channels.create(again).await.unwrap();
}

pub async fn listing_channels_shows_public_ones_and_the_users_own_by_name(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let other = Team::new(p).await;
    // Stored names as the use cases make them (`dm-…` only for direct conversations).
    let named = |prefix: &str, kind, members: &[UserId]| NewChannel {
        name: ChannelName::from_trusted(format!("{prefix}-{}", tag()).to_lowercase()),
        ..team.new_channel(kind, members)
    };
    let zulu = p
        .channels
        .create(named("zulu", ChannelKind::Public, &[team.ana]))
        .await
        .unwrap();
    let alpha = p
        .channels
        .create(named("alpha", ChannelKind::Public, &[team.ana, team.bob]))
        .await
        .unwrap();
    let mike = p
        .channels
        .create(named(
            "mike",
            ChannelKind::Private,
            &[team.ana, team.bob, team.carol],
        ))
        .await
        .unwrap();
    let secret = p
        .channels
        .create(named("secret", ChannelKind::Private, &[team.ana]))
        .await
        .unwrap();
    let dm = p
        .channels
        .create(named("dm", ChannelKind::Direct, &[team.ana, team.bob]))
        .await
        .unwrap();
    let changes = ChannelChanges {
        is_archived: Some(true),
        ..ChannelChanges::default()
    };
    let (zulu, _) = p
        .channels
        .update(zulu.id, &changes, team.ana, now(), None)
        .await
        .unwrap();
    other.channel(p).await;

    let listed = p.channels.list_for_user(team.org, team.bob).await.unwrap();
    let names: Vec<_> = listed.iter().map(|s| s.channel.name.clone()).collect();
    assert_eq!(
        names,
        [
            alpha.name.clone(),
            dm.name.clone(),
            mike.name.clone(),
            zulu.name.clone()
        ]
    );
    assert!(!names.contains(&secret.name));
    let summary = |id: ChannelId| listed.iter().find(|s| s.channel.id == id).unwrap();
    assert_eq!(summary(alpha.id).channel, alpha);
    assert_eq!(
        summary(zulu.id).channel,
        zulu,
        "archived channels are listed"
    );
    assert_eq!(
        listed
            .iter()
            .map(|s| (s.is_member, s.member_count))
            .collect::<Vec<_>>(),
        [(true, 2), (true, 2), (true, 3), (false, 1)]
    );

    let for_dave = p.channels.list_for_user(team.org, team.dave).await.unwrap();
    assert_eq!(
        for_dave.iter().map(|s| s.channel.id).collect::<Vec<_>>(),
        [alpha.id, zulu.id],
        "only public channels for someone in none"
    );
    assert!(for_dave.iter().all(|s| !s.is_member && s.unread_count == 0));
}

pub async fn members_are_paged_by_user_id(p: &ChannelPorts) {
    let team = Team::new(p).await;
    let mut people = vec![team.ana, team.bob, team.carol];
    for _ in 0..4 {
        people.push(team.member(p).await);
    }
    let channel = team.channel_of(p, ChannelKind::Public, &people).await;
    people.sort();

    let first = p.channels.members(channel.id, None, 3).await.unwrap();
    assert_eq!(
        first.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        people[..3]
    );
    assert!(first.iter().all(|m| m.channel_id == channel.id));
    let rest = p
        .channels
        .members(channel.id, Some(first[2].user_id), 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        people[3..]
    );
    let none = p
        .channels
        .members(channel.id, Some(people[6]), 10)
        .await
        .unwrap();
    assert!(none.is_empty());
}
