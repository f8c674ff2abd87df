//! Joining, leaving, adding and removing members, read markers, and direct conversations.

use crate::world::{World, assert_invalid, ids, text, world};
use tandem_app::channels::{
    ChatError, CreateChannel, Created, MAX_DIRECT_MEMBERS, add_member, create_channel, get_channel,
    join_channel, leave_channel, list_members, mark_read, remove_member, update_channel,
};
use tandem_app::messages::{History, message_history, send_message};
use tandem_app::ports::{ChannelChanges, ChannelRepository, Clock, MembershipChanged, NewChannel};
use tandem_domain::{
    Actor, Channel, ChannelEventKind, ChannelId, ChannelKind, ChannelName, MessageType, Role,
    UserId,
};

fn direct(with: &[&Actor]) -> CreateChannel {
    CreateChannel {
        name: None,
        description: None,
        kind: ChannelKind::Direct,
        member_ids: ids(with),
        read_only: false,
    }
}

async fn dm(w: &World, by: &Actor, with: &[&Actor]) -> Created {
    create_channel(w.chat(), by, direct(with)).await.unwrap()
}

async fn archived(w: &World, channel: &Channel) {
    let changes = ChannelChanges {
        is_archived: Some(true),
        ..ChannelChanges::default()
    };
    update_channel(w.chat(), &w.ana, channel.id, changes)
        .await
        .unwrap();
}

/// The kinds and seqs of a change's events.
fn events(changed: &MembershipChanged) -> Vec<(ChannelEventKind, i64)> {
    changed.events.iter().map(|e| (e.kind, e.seq)).collect()
}

async fn member_ids(w: &World, channel: ChannelId) -> Vec<UserId> {
    let members = list_members(w.chat(), &w.ana, channel, None, None)
        .await
        .unwrap();
    members.iter().map(|(m, _)| m.user_id).collect()
}

#[tokio::test]
async fn joining_a_public_channel_adds_the_member_and_announces_it() {
    let w = world().await;
    let general = w.create(&w.ana, "general", ChannelKind::Public, &[]).await;
    w.t.clock.advance(std::time::Duration::from_secs(60));
    let changed = join_channel(w.chat(), &w.bob, general.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        events(&changed),
        [
            (ChannelEventKind::MemberJoined, 2),
            (ChannelEventKind::MessageCreated, 3)
        ]
    );
    assert_eq!(changed.events[0].user_id, Some(w.bob.id));
    let note = changed.announcement.unwrap();
    assert_eq!(
        (note.message_type, note.user_id, note.content.as_str()),
        (MessageType::System, w.bob.id, "joined the channel")
    );

    let (_, membership) = get_channel(w.chat(), &w.bob, general.id).await.unwrap();
    let membership = membership.unwrap();
    assert_eq!(
        membership.last_read_seq, 2,
        "what came before the join starts read"
    );
    assert_eq!(
        membership.joined_at,
        tandem_app::ports::Clock::now(&*w.t.clock)
    );
    assert_eq!(
        w.announced(general.id),
        [
            format!("member_joined seq=2 user={}", w.bob.id),
            format!("message_created seq=3 message={}", note.id),
        ]
    );
}

#[tokio::test]
async fn joining_twice_changes_nothing() {
    let w = world().await;
    let general = w.general().await;
    let again = join_channel(w.chat(), &w.bob, general.id).await.unwrap();
    assert!(again.is_none(), "{again:?}");
    let by_creator = join_channel(w.chat(), &w.ana, general.id).await.unwrap();
    assert!(by_creator.is_none(), "{by_creator:?}");
    assert_eq!(w.channel(general.id).await, general);
}

#[tokio::test]
async fn private_unknown_and_other_organizations_channels_cannot_be_joined_and_look_absent() {
    let w = world().await;
    let staff = w.staff().await;
    let general = w.general().await;
    let cases = [
        (&w.cy, staff.id),
        (&w.ana, w.globex().await.id),
        (&w.dee, general.id),
        (&w.cy, ChannelId::new(9_999)),
    ];
    for (who, id) in cases {
        let result = join_channel(w.chat(), who, id).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("channel"))),
            "user {} channel {id}: {result:?}",
            who.id
        );
    }
    assert!(!w.is_member(staff.id, &w.cy).await);
    assert!(!w.is_member(general.id, &w.dee).await);
}

#[tokio::test]
async fn an_archived_channel_cannot_be_joined() {
    let w = world().await;
    let general = w.general().await;
    archived(&w, &general).await;
    let result = join_channel(w.chat(), &w.cy, general.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert!(!w.is_member(general.id, &w.cy).await);
}

#[tokio::test]
async fn leaving_announces_it_while_still_a_member_then_removes_the_member() {
    let w = world().await;
    let general = w.general().await;
    let before = general.last_seq;
    let changed = leave_channel(w.chat(), &w.bob, general.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        events(&changed),
        [
            (ChannelEventKind::MessageCreated, before + 1),
            (ChannelEventKind::MemberLeft, before + 2)
        ]
    );
    let note = changed.announcement.unwrap();
    assert_eq!(note.content, "left the channel");
    assert!(!w.is_member(general.id, &w.bob).await);
    assert_eq!(
        w.announced(general.id)[2..],
        [
            format!("message_created seq={} message={}", before + 1, note.id),
            format!("member_left seq={} user={}", before + 2, w.bob.id),
        ]
    );

    let again = leave_channel(w.chat(), &w.bob, general.id).await.unwrap();
    assert!(again.is_none(), "{again:?}");
    assert_eq!(w.last_seq(general.id).await, before + 2);
}

#[tokio::test]
async fn after_leaving_a_private_channel_it_is_gone_for_the_one_who_left() {
    let w = world().await;
    let staff = w.staff().await;
    leave_channel(w.chat(), &w.bob, staff.id)
        .await
        .unwrap()
        .unwrap();
    let get = get_channel(w.chat(), &w.bob, staff.id).await;
    assert!(
        matches!(get, Err(ChatError::NotFound("channel"))),
        "{get:?}"
    );
    let read = message_history(w.chat(), &w.bob, staff.id, History::default()).await;
    assert!(matches!(read, Err(ChatError::NotFound(_))), "{read:?}");
    let back = join_channel(w.chat(), &w.bob, staff.id).await;
    assert!(matches!(back, Err(ChatError::NotFound(_))), "{back:?}");
}

#[tokio::test]
async fn a_member_adds_someone_who_is_invited_and_announced() {
    let w = world().await;
    let staff = w.staff().await;
    let before = staff.last_seq;
    let changed = add_member(w.chat(), &w.bob, staff.id, w.cy.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        events(&changed),
        [
            (ChannelEventKind::MemberJoined, before + 1),
            (ChannelEventKind::MessageCreated, before + 2)
        ]
    );
    assert_eq!(changed.events[0].actor_id, w.bob.id);
    assert_eq!(changed.events[0].user_id, Some(w.cy.id));
    let note = changed.announcement.unwrap();
    assert_eq!(
        (note.user_id, note.content.as_str()),
        (w.bob.id, "added @cy to the channel")
    );
    assert!(w.is_member(staff.id, &w.cy).await);
    get_channel(w.chat(), &w.cy, staff.id).await.unwrap();
    let invite = format!("channel_invite channel={} by={}", staff.id, w.bob.id);
    assert_eq!(w.notified(&w.cy), [invite.as_str()]);

    let again = add_member(w.chat(), &w.ana, staff.id, w.cy.id)
        .await
        .unwrap();
    assert!(again.is_none(), "{again:?}");
    assert_eq!(w.notified(&w.cy), [invite], "no second invitation");
    assert_eq!(w.last_seq(staff.id).await, before + 2);
}

#[tokio::test]
async fn a_non_member_cannot_add_people_to_a_public_channel_but_its_managers_can() {
    let w = world().await;
    let bobs = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    let result = add_member(w.chat(), &w.cy, bobs.id, w.cy.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert!(!w.is_member(bobs.id, &w.cy).await);
    assert!(w.notified(&w.cy).is_empty());

    let by_admin = add_member(w.chat(), &w.ana, bobs.id, w.cy.id)
        .await
        .unwrap();
    assert!(by_admin.is_some());
    assert!(w.is_member(bobs.id, &w.cy).await);
    assert!(!w.is_member(bobs.id, &w.ana).await, "adding is not joining");
}

#[tokio::test]
async fn only_people_of_the_organization_who_are_active_can_be_added() {
    let w = world().await;
    let staff = w.staff().await;
    w.deactivate(&w.cy).await;
    for outsider in [w.dee.id, w.cy.id, UserId::new(9_999)] {
        let result = add_member(w.chat(), &w.ana, staff.id, outsider).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("user"))),
            "{outsider}: {result:?}"
        );
    }
    assert_eq!(member_ids(&w, staff.id).await, [w.ana.id, w.bob.id]);
    assert_eq!(w.last_seq(staff.id).await, staff.last_seq);
    assert!(w.notified(&w.dee).is_empty());
}

#[tokio::test]
async fn members_cannot_add_people_to_an_archived_channel() {
    let w = world().await;
    let general = w.general().await;
    archived(&w, &general).await;
    let result = add_member(w.chat(), &w.bob, general.id, w.cy.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert!(!w.is_member(general.id, &w.cy).await);
}

#[tokio::test]
async fn only_managers_remove_members() {
    let w = world().await;
    let staff = w
        .create(&w.ana, "staff", ChannelKind::Private, &[&w.bob, &w.cy])
        .await;
    let moderator = w.promote(&w.bob, Role::Moderator).await;
    let result = remove_member(w.chat(), &moderator, staff.id, w.cy.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert!(w.is_member(staff.id, &w.cy).await);

    let changed = remove_member(w.chat(), &w.ana, staff.id, w.cy.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        changed.announcement.unwrap().content,
        "removed @cy from the channel"
    );
    let last = changed.events.last().unwrap();
    assert_eq!(
        (last.kind, last.actor_id, last.user_id),
        (ChannelEventKind::MemberLeft, w.ana.id, Some(w.cy.id))
    );
    assert!(!w.is_member(staff.id, &w.cy).await);
    let gone = get_channel(w.chat(), &w.cy, staff.id).await;
    assert!(matches!(gone, Err(ChatError::NotFound(_))), "{gone:?}");

    let again = remove_member(w.chat(), &w.ana, staff.id, w.cy.id)
        .await
        .unwrap();
    assert!(again.is_none(), "{again:?}");
    let stranger = remove_member(w.chat(), &w.ana, staff.id, w.dee.id)
        .await
        .unwrap();
    assert!(stranger.is_none(), "{stranger:?}");
}

#[tokio::test]
async fn removing_oneself_is_leaving() {
    let w = world().await;
    let staff = w.staff().await;
    let changed = remove_member(w.chat(), &w.bob, staff.id, w.bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.announcement.unwrap().content, "left the channel");
    assert!(!w.is_member(staff.id, &w.bob).await);
}

#[tokio::test]
async fn members_are_listed_by_user_id_a_page_at_a_time() {
    let w = world().await;
    let staff = w
        .create(&w.ana, "staff", ChannelKind::Private, &[&w.cy, &w.bob])
        .await;
    let first = list_members(w.chat(), &w.bob, staff.id, None, Some(2))
        .await
        .unwrap();
    let first_ids: Vec<UserId> = first.iter().map(|(m, _)| m.user_id).collect();
    assert_eq!(first_ids, [w.ana.id, w.bob.id]);
    assert_eq!(first[1].1.username.as_str(), "bob");
    let rest = list_members(w.chat(), &w.bob, staff.id, Some(w.bob.id), Some(2))
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].0.user_id, w.cy.id);
    let at_least_one = list_members(w.chat(), &w.bob, staff.id, None, Some(0))
        .await
        .unwrap();
    assert_eq!(at_least_one.len(), 1);

    let general = w.general().await;
    let readable = list_members(w.chat(), &w.cy, general.id, None, None).await;
    assert_eq!(
        readable.unwrap().len(),
        2,
        "public channels list to everyone"
    );
    for (who, id) in [(&w.dee, general.id), (&w.dee, staff.id)] {
        let result = list_members(w.chat(), who, id, None, None).await;
        assert!(matches!(result, Err(ChatError::NotFound(_))), "{result:?}");
    }
}

#[tokio::test]
async fn read_markers_move_forward_only_up_to_the_last_event_and_only_for_members() {
    let w = world().await;
    let general = w.general().await;
    w.send(&w.ana, general.id, "one").await;
    let last = w.send(&w.ana, general.id, "two").await.seq;

    let clamped = mark_read(w.chat(), &w.bob, general.id, Some(last + 100))
        .await
        .unwrap();
    assert_eq!(clamped.last_read_seq, last);
    let backwards = mark_read(w.chat(), &w.bob, general.id, Some(1))
        .await
        .unwrap();
    assert_eq!(backwards.last_read_seq, last);
    let stored = w.t.store.clone();
    let membership =
        tandem_app::ports::ChannelRepository::membership(&*stored, general.id, w.bob.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(membership.last_read_seq, last);

    let outsider = mark_read(w.chat(), &w.cy, general.id, None).await;
    assert!(
        matches!(outsider, Err(ChatError::Forbidden(_))),
        "{outsider:?}"
    );
    let stranger = mark_read(w.chat(), &w.dee, general.id, None).await;
    assert!(
        matches!(stranger, Err(ChatError::NotFound(_))),
        "{stranger:?}"
    );
}

#[tokio::test]
async fn a_direct_conversation_is_created_once_per_set_of_people() {
    let w = world().await;
    let Created::New(conversation) = dm(&w, &w.ana, &[&w.bob]).await else {
        panic!("a new conversation")
    };
    assert_eq!(conversation.kind, ChannelKind::Direct);
    assert_eq!(
        conversation.name.as_str(),
        format!("dm-{}-{}", w.ana.id, w.bob.id)
    );
    assert_eq!(member_ids(&w, conversation.id).await, [w.ana.id, w.bob.id]);

    for (by, with) in [
        (&w.bob, vec![&w.ana]),
        (&w.ana, vec![&w.bob, &w.bob, &w.ana]),
    ] {
        let again = dm(&w, by, &with).await;
        let Created::Existing(existing) = again else {
            panic!("the same conversation: {again:?}")
        };
        assert_eq!(existing.id, conversation.id);
    }
    let Created::New(group) = dm(&w, &w.ana, &[&w.bob, &w.cy]).await else {
        panic!("another set of people, another conversation")
    };
    assert_ne!(group.id, conversation.id);
}

#[tokio::test]
async fn a_direct_conversation_has_two_to_eight_people() {
    let w = world().await;
    for with in [vec![], vec![&w.ana]] {
        let result = create_channel(w.chat(), &w.ana, direct(&with)).await;
        assert_invalid(&result, "member_ids", "required");
    }
    let mut others = Vec::new();
    for i in 0..MAX_DIRECT_MEMBERS {
        let session = w.t.join(&format!("p{i}@acme.io"), &format!("p{i}")).await;
        others.push(Actor::of(&session.user));
    }
    let too_many: Vec<&Actor> = others.iter().collect();
    let result = create_channel(w.chat(), &w.ana, direct(&too_many)).await;
    assert_invalid(&result, "member_ids", "too_many_members");

    let most = &too_many[..MAX_DIRECT_MEMBERS - 1];
    let Created::New(conversation) = dm(&w, &w.ana, most).await else {
        panic!("a new conversation")
    };
    assert_eq!(
        member_ids(&w, conversation.id).await.len(),
        MAX_DIRECT_MEMBERS
    );
}

#[tokio::test]
async fn a_direct_conversation_with_someone_outside_the_organization_is_not_found() {
    let w = world().await;
    w.deactivate(&w.cy).await;
    for with in [&w.dee, &w.cy] {
        let result = create_channel(w.chat(), &w.ana, direct(&[with])).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("user"))),
            "{}: {result:?}",
            with.id
        );
    }
    let result = create_channel(w.chat(), &w.ana, direct(&[])).await;
    assert!(result.is_err());
    assert!(
        tandem_app::channels::list_channels(w.chat(), &w.ana)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_direct_conversation_is_invisible_and_closed_to_everyone_else() {
    let w = world().await;
    let Created::New(conversation) = dm(&w, &w.bob, &[&w.cy]).await else {
        panic!("a new conversation")
    };
    for who in [&w.ana, &w.dee] {
        let get = get_channel(w.chat(), who, conversation.id).await;
        assert!(
            matches!(get, Err(ChatError::NotFound("channel"))),
            "{get:?}"
        );
        let join = join_channel(w.chat(), who, conversation.id).await;
        assert!(
            matches!(join, Err(ChatError::NotFound("channel"))),
            "{join:?}"
        );
        let send = send_message(w.chat(), who, text(conversation.id, "hi")).await;
        assert!(
            matches!(send, Err(ChatError::NotFound("channel"))),
            "{send:?}"
        );
    }
    assert_eq!(
        member_ids_as(&w, &w.bob, conversation.id).await,
        [w.bob.id, w.cy.id]
    );
}

async fn member_ids_as(w: &World, viewer: &Actor, channel: ChannelId) -> Vec<UserId> {
    let members = list_members(w.chat(), viewer, channel, None, None)
        .await
        .unwrap();
    members.iter().map(|(m, _)| m.user_id).collect()
}

#[tokio::test]
async fn the_people_of_a_direct_conversation_are_fixed() {
    let w = world().await;
    let Created::New(conversation) = dm(&w, &w.ana, &[&w.bob]).await else {
        panic!("a new conversation")
    };
    let leave = leave_channel(w.chat(), &w.bob, conversation.id).await;
    assert!(matches!(leave, Err(ChatError::Forbidden(_))), "{leave:?}");
    let add = add_member(w.chat(), &w.ana, conversation.id, w.cy.id).await;
    assert!(matches!(add, Err(ChatError::Forbidden(_))), "{add:?}");
    let remove = remove_member(w.chat(), &w.ana, conversation.id, w.bob.id).await;
    assert!(matches!(remove, Err(ChatError::Forbidden(_))), "{remove:?}");
    let remove_self = remove_member(w.chat(), &w.ana, conversation.id, w.ana.id).await;
    assert!(
        matches!(remove_self, Err(ChatError::Forbidden(_))),
        "{remove_self:?}"
    );
    assert_eq!(
        member_ids_as(&w, &w.ana, conversation.id).await,
        [w.ana.id, w.bob.id]
    );
    assert_eq!(w.channel(conversation.id).await, conversation);
    assert!(w.notified(&w.cy).is_empty());
}

#[tokio::test]
async fn a_channel_named_like_a_direct_conversation_is_never_taken_for_it() {
    let w = world().await;
    // Names starting with `dm-` are refused now; a channel stored under one before the rule
    // (or by any other way in) must still never be handed back as a conversation.
    let squatted = ChannelName::from_trusted(format!("dm-{}-{}", w.bob.id, w.cy.id));
    let decoy =
        w.t.store
            .create(NewChannel {
                organization_id: w.ana.organization_id,
                name: squatted,
                description: None,
                kind: ChannelKind::Private,
                created_by: w.ana.id,
                created_at: w.t.clock.now(),
                members: vec![w.ana.id],
                admins: Vec::new(),
                read_only: false,
            })
            .await
            .unwrap();

    let opened = create_channel(w.chat(), &w.bob, direct(&[&w.cy])).await;
    assert!(
        matches!(&opened, Err(ChatError::NotFound(_))),
        "Ana's private channel must not be handed to Bob: {opened:?}"
    );
    assert!(!w.is_member(decoy.id, &w.bob).await);
}

#[tokio::test]
async fn a_channel_name_does_not_reveal_whether_people_have_a_direct_conversation() {
    let w = world().await;
    dm(&w, &w.bob, &[&w.cy]).await;
    for other in [w.cy.id, UserId::new(9_999)] {
        let refused = ChannelName::parse(&format!("dm-{}-{other}", w.bob.id));
        let refused = refused.expect_err("dm- names are reserved");
        assert_eq!(refused.code, "reserved_channel_name");
    }
}

#[tokio::test]
async fn a_member_who_left_a_public_channel_may_join_again() {
    let w = world().await;
    let general = w.general().await;
    leave_channel(w.chat(), &w.bob, general.id)
        .await
        .unwrap()
        .unwrap();
    let back = join_channel(w.chat(), &w.bob, general.id).await.unwrap();
    assert!(back.is_some());
    assert!(w.is_member(general.id, &w.bob).await);
    let sent = send_message(w.chat(), &w.bob, text(general.id, "I'm back")).await;
    assert!(sent.is_ok(), "{sent:?}");
}
