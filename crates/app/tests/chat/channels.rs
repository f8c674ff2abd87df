//! Creating, listing, reading, changing and deleting channels.

use crate::world::{assert_invalid, ids, name, world};
use tandem_app::channels::{
    ChatError, CreateChannel, Created, create_channel, delete_channel, get_channel, list_channels,
    list_members, mark_read, update_channel,
};
use tandem_app::messages::{History, get_message, message_history, send_message};
use tandem_app::ports::{ChannelChanges, UniqueField};
use tandem_domain::{Actor, ChannelDescription, ChannelId, ChannelKind, MessageType, Role, UserId};

fn create(channel: Option<&str>, kind: ChannelKind, members: Vec<UserId>) -> CreateChannel {
    CreateChannel {
        name: channel.map(name),
        description: None,
        kind,
        member_ids: members,
        read_only: false,
    }
}

fn rename(to: &str) -> ChannelChanges {
    ChannelChanges {
        name: Some(name(to)),
        ..ChannelChanges::default()
    }
}

fn archive(archived: bool) -> ChannelChanges {
    ChannelChanges {
        is_archived: Some(archived),
        ..ChannelChanges::default()
    }
}

async fn member_ids(w: &crate::world::World, viewer: &Actor, id: ChannelId) -> Vec<UserId> {
    let members = list_members(w.chat(), viewer, id, None, None)
        .await
        .unwrap();
    members.iter().map(|(m, _)| m.user_id).collect()
}

#[tokio::test]
async fn a_public_channel_starts_with_its_creator_alone_whoever_else_is_named() {
    let w = world().await;
    let cmd = create(Some(" General "), ChannelKind::Public, ids(&[&w.bob]));
    let created = create_channel(w.chat(), &w.ana, cmd).await.unwrap();
    let Created::New(channel) = created else {
        panic!("a new channel: {created:?}")
    };
    assert_eq!(channel.name.as_str(), "general");
    assert_eq!(channel.kind, ChannelKind::Public);
    assert_eq!(channel.created_by, w.ana.id);
    assert_eq!(channel.organization_id, w.ana.organization_id);
    assert!(!channel.is_archived);
    assert_eq!(channel.last_seq, 1, "one member_joined event");
    assert_eq!(member_ids(&w, &w.ana, channel.id).await, [w.ana.id]);
    assert!(!w.is_member(channel.id, &w.bob).await);
    assert!(
        w.announced(channel.id).is_empty(),
        "{:?}",
        w.announced(channel.id)
    );
}

#[tokio::test]
async fn a_private_channel_starts_with_its_creator_and_the_people_named() {
    let w = world().await;
    let cmd = create(Some("staff"), ChannelKind::Private, ids(&[&w.bob, &w.bob]));
    let Created::New(channel) = create_channel(w.chat(), &w.ana, cmd).await.unwrap() else {
        panic!("a new channel")
    };
    assert_eq!(channel.kind, ChannelKind::Private);
    assert_eq!(channel.last_seq, 2);
    assert_eq!(
        member_ids(&w, &w.bob, channel.id).await,
        [w.ana.id, w.bob.id]
    );
    let outsider = get_channel(w.chat(), &w.cy, channel.id).await;
    assert!(
        matches!(outsider, Err(ChatError::NotFound("channel"))),
        "{outsider:?}"
    );
}

#[tokio::test]
async fn public_and_private_channels_need_a_name() {
    let w = world().await;
    for kind in [ChannelKind::Public, ChannelKind::Private] {
        let result = create_channel(w.chat(), &w.ana, create(None, kind, Vec::new())).await;
        assert_invalid(&result, "name", "required");
    }
    assert!(list_channels(w.chat(), &w.ana).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_taken_name_is_a_conflict_within_the_organization_only() {
    let w = world().await;
    w.create(&w.ana, "general", ChannelKind::Public, &[]).await;
    for kind in [ChannelKind::Public, ChannelKind::Private] {
        let again = create_channel(w.chat(), &w.bob, create(Some("GENERAL"), kind, vec![])).await;
        assert!(
            matches!(again, Err(ChatError::Conflict(UniqueField::ChannelName))),
            "{again:?}"
        );
    }
    let elsewhere = w.create(&w.dee, "general", ChannelKind::Public, &[]).await;
    assert_eq!(elsewhere.organization_id, w.dee.organization_id);
}

#[tokio::test]
async fn people_outside_the_organization_unknown_or_deactivated_cannot_be_members() {
    let w = world().await;
    w.deactivate(&w.cy).await;
    for outsider in [w.dee.id, UserId::new(9_999), w.cy.id] {
        let cmd = create(
            Some("staff"),
            ChannelKind::Private,
            vec![w.bob.id, outsider],
        );
        let result = create_channel(w.chat(), &w.ana, cmd).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("user"))),
            "{outsider}: {result:?}"
        );
    }
    assert!(list_channels(w.chat(), &w.ana).await.unwrap().is_empty());
    assert!(list_channels(w.chat(), &w.bob).await.unwrap().is_empty());
}

#[tokio::test]
async fn descriptions_are_stored_verbatim() {
    let w = world().await;
    let description = "<b>ops</b> & 'quotes' \"; DROP TABLE channels; --";
    let cmd = CreateChannel {
        description: Some(ChannelDescription::parse(description).unwrap()),
        ..create(Some("ops"), ChannelKind::Public, Vec::new())
    };
    let Created::New(channel) = create_channel(w.chat(), &w.ana, cmd).await.unwrap() else {
        panic!("a new channel")
    };
    let (read, _) = get_channel(w.chat(), &w.bob, channel.id).await.unwrap();
    assert_eq!(read.description.unwrap().as_str(), description);
}

#[tokio::test]
async fn the_list_holds_the_organizations_public_channels_and_ones_own_by_name() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let mine = w.create(&w.cy, "cy-notes", ChannelKind::Private, &[]).await;
    w.globex().await;

    let listed = |summaries: Vec<tandem_app::ports::ChannelSummary>| {
        summaries
            .into_iter()
            .map(|s| (s.channel.id, s.is_member, s.member_count))
            .collect::<Vec<_>>()
    };
    let for_bob = listed(list_channels(w.chat(), &w.bob).await.unwrap());
    assert_eq!(for_bob, [(general.id, true, 2), (staff.id, true, 2)]);
    let for_cy = listed(list_channels(w.chat(), &w.cy).await.unwrap());
    assert_eq!(for_cy, [(mine.id, true, 1), (general.id, false, 2)]);
    let for_dee = list_channels(w.chat(), &w.dee).await.unwrap();
    assert_eq!(for_dee.len(), 1);
    assert_eq!(for_dee[0].channel.name.as_str(), "globex");
}

#[tokio::test]
async fn unread_counts_follow_new_messages_mentions_and_the_read_marker() {
    let w = world().await;
    let general = w.general().await;
    w.send(&w.ana, general.id, "morning").await;
    w.send(&w.ana, general.id, "@bob have a look").await;
    w.send(&w.bob, general.id, "my own message is never unread")
        .await;
    let bobs = |summaries: Vec<tandem_app::ports::ChannelSummary>| {
        let s = summaries
            .into_iter()
            .find(|s| s.channel.id == general.id)
            .unwrap();
        (s.unread_count, s.unread_mentions)
    };
    assert_eq!(bobs(list_channels(w.chat(), &w.bob).await.unwrap()), (2, 1));
    assert_eq!(
        bobs(list_channels(w.chat(), &w.cy).await.unwrap()),
        (0, 0),
        "nothing is unread for non-members"
    );

    let marked = mark_read(w.chat(), &w.bob, general.id, None).await.unwrap();
    assert_eq!(marked.last_read_seq, w.last_seq(general.id).await);
    assert_eq!(bobs(list_channels(w.chat(), &w.bob).await.unwrap()), (0, 0));
}

#[tokio::test]
async fn getting_a_channel_gives_the_callers_membership_if_any() {
    let w = world().await;
    let general = w.general().await;
    let (channel, membership) = get_channel(w.chat(), &w.bob, general.id).await.unwrap();
    assert_eq!(channel, general);
    let membership = membership.unwrap();
    assert_eq!(
        (membership.channel_id, membership.user_id),
        (general.id, w.bob.id)
    );
    let (_, none) = get_channel(w.chat(), &w.cy, general.id).await.unwrap();
    assert_eq!(none, None, "a public channel is visible without joining");
}

#[tokio::test]
async fn unknown_private_and_other_organizations_channels_are_all_not_found() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let globex = w.globex().await;
    let cases = [
        (&w.cy, staff.id),
        (&w.ana, globex.id),
        (&w.dee, general.id),
        (&w.dee, staff.id),
        (&w.ana, ChannelId::new(9_999)),
    ];
    for (who, id) in cases {
        let result = get_channel(w.chat(), who, id).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("channel"))),
            "user {} channel {id}: {result:?}",
            who.id
        );
    }
}

#[tokio::test]
async fn even_an_admin_does_not_see_a_private_channel_she_is_not_in() {
    let w = world().await;
    let secret = w
        .create(&w.bob, "secret", ChannelKind::Private, &[&w.cy])
        .await;
    let result = get_channel(w.chat(), &w.ana, secret.id).await;
    assert!(
        matches!(result, Err(ChatError::NotFound("channel"))),
        "{result:?}"
    );
    let update = update_channel(w.chat(), &w.ana, secret.id, rename("mine")).await;
    assert!(
        matches!(update, Err(ChatError::NotFound("channel"))),
        "{update:?}"
    );
    let delete = delete_channel(w.chat(), &w.ana, secret.id).await;
    assert!(
        matches!(delete, Err(ChatError::NotFound("channel"))),
        "{delete:?}"
    );
    assert_eq!(w.channel(secret.id).await.name.as_str(), "secret");
}

#[tokio::test]
async fn a_rename_is_stored_and_announced_in_the_channel() {
    let w = world().await;
    let general = w.general().await;
    let before = w.last_seq(general.id).await;
    let announced_before = w.announced(general.id).len();

    let renamed = update_channel(w.chat(), &w.ana, general.id, rename("Town-Square"))
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "town-square");
    assert_eq!(renamed.last_seq, before + 2);
    let (stored, _) = get_channel(w.chat(), &w.bob, general.id).await.unwrap();
    assert_eq!(stored, renamed);

    let latest = message_history(w.chat(), &w.bob, general.id, History::default())
        .await
        .unwrap();
    let note = &latest[0];
    assert_eq!(note.message_type, MessageType::System);
    assert_eq!(note.user_id, w.ana.id);
    assert_eq!(
        note.content,
        "renamed the channel from #general to #town-square"
    );
    assert_eq!(
        w.announced(general.id)[announced_before..],
        [
            format!("channel_updated seq={}", before + 1),
            format!("message_created seq={} message={}", before + 2, note.id),
        ]
    );
}

#[tokio::test]
async fn a_rename_to_a_taken_name_is_a_conflict_and_changes_nothing() {
    let w = world().await;
    let general = w.general().await;
    w.create(&w.ana, "random", ChannelKind::Public, &[]).await;
    let result = update_channel(w.chat(), &w.ana, general.id, rename("random")).await;
    assert!(
        matches!(result, Err(ChatError::Conflict(UniqueField::ChannelName))),
        "{result:?}"
    );
    assert_eq!(w.channel(general.id).await, general);
}

#[tokio::test]
async fn an_update_that_changes_nothing_writes_and_announces_nothing() {
    let w = world().await;
    let general = w.general().await;
    let announced = w.announced(general.id);
    for changes in [ChannelChanges::default(), rename("general"), archive(false)] {
        let same = update_channel(w.chat(), &w.ana, general.id, changes)
            .await
            .unwrap();
        assert_eq!(same, general);
    }
    assert_eq!(w.channel(general.id).await, general);
    assert_eq!(w.announced(general.id), announced);
}

#[tokio::test]
async fn a_description_change_is_stored_without_an_announcement_and_can_be_cleared() {
    let w = world().await;
    let general = w.general().await;
    let described = ChannelChanges {
        description: Some(Some(
            ChannelDescription::parse("  Everything <i>else</i>  ").unwrap(),
        )),
        ..ChannelChanges::default()
    };
    let updated = update_channel(w.chat(), &w.ana, general.id, described)
        .await
        .unwrap();
    assert_eq!(
        updated.description.as_ref().unwrap().as_str(),
        "Everything <i>else</i>"
    );
    assert_eq!(updated.last_seq, general.last_seq + 1, "no system message");
    assert_eq!(
        w.announced(general.id).last().unwrap(),
        &format!("channel_updated seq={}", general.last_seq + 1)
    );

    let cleared = ChannelChanges {
        description: Some(None),
        ..ChannelChanges::default()
    };
    let updated = update_channel(w.chat(), &w.ana, general.id, cleared)
        .await
        .unwrap();
    assert_eq!(updated.description, None);
    assert_eq!(w.channel(general.id).await.description, None);
}

#[tokio::test]
async fn only_the_creator_and_admins_manage_a_channel() {
    let w = world().await;
    let bobs = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    channels_join(&w, &w.cy, bobs.id).await;
    let moderator = w.promote(&w.cy, Role::Moderator).await;
    for who in [&w.cy, &moderator] {
        let result = update_channel(w.chat(), who, bobs.id, rename("taken-over")).await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    assert_eq!(w.channel(bobs.id).await.name.as_str(), "bobs");

    let by_creator = update_channel(w.chat(), &w.bob, bobs.id, rename("bobs-place")).await;
    assert_eq!(by_creator.unwrap().name.as_str(), "bobs-place");
    let by_admin = update_channel(w.chat(), &w.ana, bobs.id, rename("bobs-room")).await;
    assert_eq!(
        by_admin.unwrap().name.as_str(),
        "bobs-room",
        "an admin manages without being a member"
    );
    let stranger = update_channel(w.chat(), &w.dee, bobs.id, rename("globex-now")).await;
    assert!(
        matches!(stranger, Err(ChatError::NotFound("channel"))),
        "{stranger:?}"
    );
}

async fn channels_join(w: &crate::world::World, who: &Actor, id: ChannelId) {
    tandem_app::channels::join_channel(w.chat(), who, id)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn an_archived_channel_is_read_only_until_it_is_unarchived() {
    let w = world().await;
    let general = w.general().await;
    let before = w.last_seq(general.id).await;
    let archived = update_channel(w.chat(), &w.ana, general.id, archive(true))
        .await
        .unwrap();
    assert!(archived.is_archived);
    assert_eq!(archived.last_seq, before + 2);
    let history = message_history(w.chat(), &w.bob, general.id, History::default())
        .await
        .unwrap();
    assert_eq!(history[0].content, "archived the channel");

    let refused = send_message(w.chat(), &w.bob, crate::world::text(general.id, "hello?")).await;
    assert!(
        matches!(refused, Err(ChatError::Forbidden(_))),
        "{refused:?}"
    );
    assert_eq!(w.last_seq(general.id).await, before + 2);
    let listed = list_channels(w.chat(), &w.bob).await.unwrap();
    assert!(
        listed[0].channel.is_archived,
        "archived channels stay listed"
    );

    let reopened = update_channel(w.chat(), &w.ana, general.id, archive(false))
        .await
        .unwrap();
    assert!(!reopened.is_archived);
    let history = message_history(w.chat(), &w.bob, general.id, History::default())
        .await
        .unwrap();
    assert_eq!(history[0].content, "unarchived the channel");
    w.send(&w.bob, general.id, "back again").await;
}

#[tokio::test]
async fn direct_conversations_cannot_be_renamed_archived_or_deleted() {
    let w = world().await;
    let cmd = create(None, ChannelKind::Direct, ids(&[&w.bob]));
    let Created::New(dm) = create_channel(w.chat(), &w.ana, cmd).await.unwrap() else {
        panic!("a new conversation")
    };
    for changes in [rename("ours"), archive(true)] {
        let result = update_channel(w.chat(), &w.ana, dm.id, changes).await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    let result = delete_channel(w.chat(), &w.bob, dm.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert_eq!(w.channel(dm.id).await, dm);
}

#[tokio::test]
async fn deleting_a_channel_removes_it_with_its_messages_and_frees_its_name() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "soon gone").await;
    delete_channel(w.chat(), &w.ana, general.id).await.unwrap();

    let gone = get_channel(w.chat(), &w.ana, general.id).await;
    assert!(matches!(gone, Err(ChatError::NotFound(_))), "{gone:?}");
    let gone = get_message(w.chat(), &w.bob, message.id).await;
    assert!(matches!(gone, Err(ChatError::NotFound(_))), "{gone:?}");
    let gone = message_history(w.chat(), &w.bob, general.id, History::default()).await;
    assert!(matches!(gone, Err(ChatError::NotFound(_))), "{gone:?}");
    assert!(list_channels(w.chat(), &w.bob).await.unwrap().is_empty());
    let again = delete_channel(w.chat(), &w.ana, general.id).await;
    assert!(matches!(again, Err(ChatError::NotFound(_))), "{again:?}");

    let reborn = w.create(&w.bob, "general", ChannelKind::Public, &[]).await;
    assert_ne!(reborn.id, general.id);
}

#[tokio::test]
async fn only_managers_delete_a_channel() {
    let w = world().await;
    let general = w.general().await;
    let moderator = w.promote(&w.cy, Role::Moderator).await;
    for who in [&w.bob, &moderator] {
        let result = delete_channel(w.chat(), who, general.id).await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    let stranger = delete_channel(w.chat(), &w.dee, general.id).await;
    assert!(
        matches!(stranger, Err(ChatError::NotFound("channel"))),
        "{stranger:?}"
    );
    assert_eq!(w.channel(general.id).await, general);

    let bobs = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    delete_channel(w.chat(), &w.bob, bobs.id).await.unwrap();
    delete_channel(w.chat(), &w.ana, general.id).await.unwrap();
    assert!(list_channels(w.chat(), &w.ana).await.unwrap().is_empty());
}
