//! Editing and deleting messages (who may, tombstones), reactions, pins and reports.

use crate::world::{World, assert_invalid, reply, world};
use std::time::Duration;
use tandem_app::channels::{ChatError, join_channel, leave_channel, update_channel};
use tandem_app::messages::{
    History, delete_message, edit_message, get_message, message_history, pinned_messages,
    report_message, set_pinned, set_reaction,
};
use tandem_app::ports::{ChannelChanges, Clock, UniqueField};
use tandem_domain::{
    Actor, ChannelKind, Emoji, Mention, MessageId, ReportReason, ReportStatus, Role,
};

fn emoji(raw: &str) -> Emoji {
    Emoji::parse(raw).unwrap()
}

fn reason(raw: &str) -> ReportReason {
    ReportReason::parse(raw).unwrap()
}

async fn archive(w: &World, id: tandem_domain::ChannelId) {
    let changes = ChannelChanges {
        is_archived: Some(true),
        ..ChannelChanges::default()
    };
    update_channel(w.chat(), &w.ana, id, changes).await.unwrap();
}

/// Every way of touching a message but reading it, with its outcome.
async fn touch_all(w: &World, who: &Actor, id: MessageId) -> Vec<Result<(), ChatError>> {
    vec![
        edit_message(w.chat(), who, id, "changed").await.map(drop),
        delete_message(w.chat(), who, id).await.map(drop),
        set_reaction(w.chat(), who, id, &emoji("👍"), true)
            .await
            .map(drop),
        set_pinned(w.chat(), who, id, true).await.map(drop),
        report_message(w.chat(), who, id, reason("spam"))
            .await
            .map(drop),
    ]
}

#[tokio::test]
async fn the_author_edits_a_message_and_the_edit_is_stored_and_announced() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "helo").await;
    w.t.clock.advance(Duration::from_secs(90));
    let edited = edit_message(w.chat(), &w.bob, message.id, "hello <b>there</b>")
        .await
        .unwrap();
    assert_eq!(edited.content, "hello <b>there</b>");
    assert_eq!(edited.edited_at, Some(w.t.clock.now()));
    assert_eq!(edited.seq, message.seq, "an edit keeps the message's place");
    assert_eq!(edited.created_at, message.created_at);
    assert_eq!(w.read(&w.cy, message.id).await, edited);
    let seq = message.seq + 1;
    assert_eq!(w.last_seq(general.id).await, seq);
    assert_eq!(
        w.announced(general.id).last().unwrap(),
        &format!("message_edited seq={seq} message={}", message.id)
    );
}

#[tokio::test]
async fn nobody_but_the_author_edits_a_message_not_even_admins_or_moderators() {
    let w = world().await;
    let general = w.general().await;
    join_channel(w.chat(), &w.cy, general.id).await.unwrap();
    let moderator = w.promote(&w.cy, Role::Moderator).await;
    let message = w.send(&w.bob, general.id, "mine").await;
    for who in [&w.ana, &moderator] {
        let result = edit_message(w.chat(), who, message.id, "theirs").await;
        assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    }
    assert_eq!(w.read(&w.bob, message.id).await, message);
}

#[tokio::test]
async fn system_messages_cannot_be_edited() {
    let w = world().await;
    let general = w.create(&w.ana, "general", ChannelKind::Public, &[]).await;
    let joined = join_channel(w.chat(), &w.bob, general.id)
        .await
        .unwrap()
        .unwrap();
    let note = joined.announcement.unwrap();
    assert_eq!(note.user_id, w.bob.id);
    let result = edit_message(w.chat(), &w.bob, note.id, "I arrived in style").await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert_eq!(w.read(&w.bob, note.id).await.content, "joined the channel");
}

#[tokio::test]
async fn an_edit_must_be_valid_content() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "original").await;
    let too_long = "x".repeat(w.chat().policy.max_message_chars + 1);
    let cases = [
        ("  ", "empty_message"),
        (too_long.as_str(), "message_too_long"),
        ("a\u{0}b", "invalid_characters"),
    ];
    for (content, code) in cases {
        let result = edit_message(w.chat(), &w.bob, message.id, content).await;
        assert_invalid(&result, "content", code);
    }
    assert_eq!(w.read(&w.bob, message.id).await, message);
    assert_eq!(w.last_seq(general.id).await, message.seq);
}

#[tokio::test]
async fn an_edit_resolves_its_mentions_again_among_the_members() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.ana, general.id, "@bob look").await;
    assert_eq!(message.mentions, [Mention::User(w.bob.id)]);
    let edited = edit_message(w.chat(), &w.ana, message.id, "@cy @dee look")
        .await
        .unwrap();
    assert!(edited.mentions.is_empty(), "{:?}", edited.mentions);
    join_channel(w.chat(), &w.cy, general.id).await.unwrap();
    let edited = edit_message(w.chat(), &w.ana, message.id, "@cy look")
        .await
        .unwrap();
    assert_eq!(edited.mentions, [Mention::User(w.cy.id)]);
}

#[tokio::test]
async fn an_author_who_left_or_whose_channel_was_archived_can_no_longer_edit() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let random = w.create(&w.ana, "random", ChannelKind::Public, &[]).await;
    join_channel(w.chat(), &w.bob, random.id).await.unwrap();
    let in_general = w.send(&w.bob, general.id, "general").await;
    let in_staff = w.send(&w.bob, staff.id, "staff").await;
    let in_random = w.send(&w.bob, random.id, "random").await;

    archive(&w, random.id).await;
    let archived = edit_message(w.chat(), &w.bob, in_random.id, "edited").await;
    assert!(
        matches!(archived, Err(ChatError::Forbidden(_))),
        "{archived:?}"
    );

    leave_channel(w.chat(), &w.bob, general.id).await.unwrap();
    let left = edit_message(w.chat(), &w.bob, in_general.id, "edited").await;
    assert!(matches!(left, Err(ChatError::Forbidden(_))), "{left:?}");

    leave_channel(w.chat(), &w.bob, staff.id).await.unwrap();
    let unseen = edit_message(w.chat(), &w.bob, in_staff.id, "edited").await;
    assert!(
        matches!(unseen, Err(ChatError::NotFound("message"))),
        "{unseen:?}"
    );

    for (id, content) in [
        (in_general.id, "general"),
        (in_staff.id, "staff"),
        (in_random.id, "random"),
    ] {
        assert_eq!(w.read(&w.ana, id).await.content, content);
    }
}

#[tokio::test]
async fn the_author_deletes_a_message_and_a_tombstone_keeps_its_place() {
    let w = world().await;
    let general = w.general().await;
    let before = w.send(&w.ana, general.id, "before").await;
    let message = w.send(&w.bob, general.id, "@ana oops, wrong channel").await;
    let after = w.send(&w.ana, general.id, "after").await;
    set_reaction(w.chat(), &w.ana, message.id, &emoji("😅"), true)
        .await
        .unwrap();
    set_pinned(w.chat(), &w.ana, message.id, true)
        .await
        .unwrap();

    let deleted = delete_message(w.chat(), &w.bob, message.id).await.unwrap();
    assert!(deleted.is_deleted);
    assert_eq!(deleted.content, "");
    assert!(deleted.mentions.is_empty());
    assert!(deleted.reactions.is_empty());
    assert_eq!(deleted.pinned_at, None);
    assert_eq!((deleted.id, deleted.seq), (message.id, message.seq));
    assert_eq!(w.read(&w.cy, message.id).await, deleted);

    let history = message_history(w.chat(), &w.cy, general.id, History::default())
        .await
        .unwrap();
    let ids: Vec<MessageId> = history.iter().take(3).map(|m| m.id).collect();
    assert_eq!(ids, [after.id, message.id, before.id]);
    assert!(history[1].is_deleted);
    let seq = w.last_seq(general.id).await;
    assert_eq!(
        w.announced(general.id).last().unwrap(),
        &format!("message_deleted seq={seq} message={}", message.id)
    );
    assert!(
        pinned_messages(w.chat(), &w.bob, general.id)
            .await
            .unwrap()
            .is_empty()
    );

    let again = delete_message(w.chat(), &w.bob, message.id).await;
    assert!(
        matches!(again, Err(ChatError::NotFound("message"))),
        "{again:?}"
    );
    assert_eq!(w.last_seq(general.id).await, seq);
}

#[tokio::test]
async fn moderators_and_admins_delete_others_messages_in_channels_they_can_see() {
    let w = world().await;
    let general = w.general().await;
    let moderator = w.promote(&w.cy, Role::Moderator).await;
    let first = w.send(&w.bob, general.id, "first").await;
    let second = w.send(&w.bob, general.id, "second").await;
    let by_moderator = delete_message(w.chat(), &moderator, first.id)
        .await
        .unwrap();
    assert!(
        by_moderator.is_deleted,
        "a moderator needs no membership in a public channel"
    );
    let bobs = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    let third = w.send(&w.bob, bobs.id, "third").await;
    let by_admin = delete_message(w.chat(), &w.ana, third.id).await.unwrap();
    assert!(by_admin.is_deleted);
    assert!(!w.read(&w.bob, second.id).await.is_deleted);

    let secret = w.create(&w.bob, "secret", ChannelKind::Private, &[]).await;
    let hidden = w.send(&w.bob, secret.id, "hidden").await;
    for who in [&moderator, &w.ana] {
        let result = delete_message(w.chat(), who, hidden.id).await;
        assert!(
            matches!(result, Err(ChatError::NotFound("message"))),
            "{result:?}"
        );
    }
    assert!(!w.read(&w.bob, hidden.id).await.is_deleted);
}

#[tokio::test]
async fn members_cannot_delete_each_others_messages_but_the_channels_creator_can() {
    let w = world().await;
    let bobs = w.create(&w.bob, "bobs", ChannelKind::Public, &[]).await;
    join_channel(w.chat(), &w.cy, bobs.id).await.unwrap();
    let by_creator = w.send(&w.bob, bobs.id, "creator's").await;
    let by_cy = w.send(&w.cy, bobs.id, "cy's").await;
    let result = delete_message(w.chat(), &w.cy, by_creator.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    assert!(!w.read(&w.cy, by_creator.id).await.is_deleted);
    let deleted = delete_message(w.chat(), &w.bob, by_cy.id).await.unwrap();
    assert!(deleted.is_deleted);
}

#[tokio::test]
async fn in_a_direct_conversation_only_the_author_or_a_moderator_deletes_a_message() {
    let w = world().await;
    let created = tandem_app::channels::create_channel(
        w.chat(),
        &w.bob,
        tandem_app::channels::CreateChannel {
            name: None,
            description: None,
            kind: ChannelKind::Direct,
            member_ids: vec![w.cy.id],
            read_only: false,
        },
    )
    .await
    .unwrap();
    let tandem_app::channels::Created::New(conversation) = created else {
        panic!("a new conversation")
    };
    let by_cy = w.send(&w.cy, conversation.id, "cy's words").await;
    let result = delete_message(w.chat(), &w.bob, by_cy.id).await;
    assert!(
        matches!(result, Err(ChatError::Forbidden(_))),
        "starting a conversation gives no say over the others' messages: {result:?}"
    );
    assert!(!w.read(&w.cy, by_cy.id).await.is_deleted);
    let moderator = w.promote(&w.bob, Role::Moderator).await;
    let deleted = delete_message(w.chat(), &moderator, by_cy.id)
        .await
        .unwrap();
    assert!(deleted.is_deleted);
}

#[tokio::test]
async fn an_author_who_left_cannot_delete_but_a_moderator_still_can() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "left behind").await;
    leave_channel(w.chat(), &w.bob, general.id).await.unwrap();
    let result = delete_message(w.chat(), &w.bob, message.id).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    let moderator = w.promote(&w.cy, Role::Moderator).await;
    assert!(
        delete_message(w.chat(), &moderator, message.id)
            .await
            .unwrap()
            .is_deleted
    );
}

#[tokio::test]
async fn deleting_a_reply_takes_it_off_its_roots_count() {
    let w = world().await;
    let general = w.general().await;
    let root = w.send(&w.ana, general.id, "root").await;
    let first = w
        .sent(&w.bob, reply(general.id, root.id, "one"))
        .await
        .message;
    w.sent(&w.bob, reply(general.id, root.id, "two")).await;
    assert_eq!(w.read(&w.ana, root.id).await.reply_count, 2);
    delete_message(w.chat(), &w.bob, first.id).await.unwrap();
    assert_eq!(w.read(&w.ana, root.id).await.reply_count, 1);
}

#[tokio::test]
async fn a_deleted_message_cannot_be_edited_reacted_to_pinned_or_reported() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "gone").await;
    delete_message(w.chat(), &w.bob, message.id).await.unwrap();
    let seq = w.last_seq(general.id).await;
    assert!(
        w.read(&w.bob, message.id).await.is_deleted,
        "read as a tombstone"
    );
    for who in [&w.bob, &w.ana] {
        for result in touch_all(&w, who, message.id).await {
            assert!(
                matches!(result, Err(ChatError::NotFound("message"))),
                "{result:?}"
            );
        }
    }
    assert_eq!(w.last_seq(general.id).await, seq);
}

#[tokio::test]
async fn messages_of_another_organization_or_an_unseen_private_channel_are_not_found() {
    let w = world().await;
    let general = w.general().await;
    let staff = w.staff().await;
    let public = w.send(&w.bob, general.id, "acme only").await;
    let private = w.send(&w.bob, staff.id, "staff only").await;
    let cases = [
        (&w.dee, public.id),
        (&w.dee, private.id),
        (&w.cy, private.id),
        (&w.cy, MessageId::new(9_999)),
    ];
    for (who, id) in cases {
        let read = get_message(w.chat(), who, id).await;
        assert!(
            matches!(read, Err(ChatError::NotFound("message"))),
            "{read:?}"
        );
        for result in touch_all(&w, who, id).await {
            assert!(
                matches!(result, Err(ChatError::NotFound("message"))),
                "user {} message {id}: {result:?}",
                who.id
            );
        }
    }
    assert_eq!(w.read(&w.bob, public.id).await, public);
    assert_eq!(w.read(&w.bob, private.id).await, private);
}

#[tokio::test]
async fn a_reaction_is_added_once_counted_per_emoji_and_removed() {
    let w = world().await;
    let general = w.general().await;
    join_channel(w.chat(), &w.cy, general.id).await.unwrap();
    let message = w.send(&w.ana, general.id, "ship it?").await;
    let thumbs = emoji("👍");

    let mine = set_reaction(w.chat(), &w.bob, message.id, &thumbs, true)
        .await
        .unwrap();
    assert_eq!(mine.reactions.len(), 1);
    assert_eq!(mine.reactions[0].emoji, thumbs);
    assert_eq!((mine.reactions[0].count, mine.reactions[0].me), (1, true));
    let seq = w.last_seq(general.id).await;
    let again = set_reaction(w.chat(), &w.bob, message.id, &thumbs, true)
        .await
        .unwrap();
    assert_eq!(again.reactions, mine.reactions);
    assert_eq!(w.last_seq(general.id).await, seq, "twice is once");

    set_reaction(w.chat(), &w.cy, message.id, &thumbs, true)
        .await
        .unwrap();
    w.t.clock.advance(Duration::from_secs(1));
    set_reaction(w.chat(), &w.cy, message.id, &emoji(":tada:"), true)
        .await
        .unwrap();
    let seen = w.read(&w.ana, message.id).await;
    let summary: Vec<(&str, i64, bool)> = seen
        .reactions
        .iter()
        .map(|r| (r.emoji.as_str(), r.count, r.me))
        .collect();
    assert_eq!(summary, [("👍", 2, false), (":tada:", 1, false)]);
    assert_eq!(seen.reactions[0].user_ids, [w.bob.id, w.cy.id]);

    let removed = set_reaction(w.chat(), &w.bob, message.id, &thumbs, false)
        .await
        .unwrap();
    assert_eq!(removed.reactions[0].user_ids, [w.cy.id]);
    assert!(!removed.reactions[0].me);
    let seq = w.last_seq(general.id).await;
    set_reaction(w.chat(), &w.bob, message.id, &thumbs, false)
        .await
        .unwrap();
    assert_eq!(
        w.last_seq(general.id).await,
        seq,
        "removing what is not there writes nothing"
    );

    let kinds: Vec<String> = w
        .announced(general.id)
        .iter()
        .filter(|a| a.starts_with("reaction_"))
        .map(|a| a.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "reaction_added",
            "reaction_added",
            "reaction_added",
            "reaction_removed"
        ]
    );
}

#[tokio::test]
async fn non_members_and_archived_channels_take_no_reactions_or_pins() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "react to me").await;
    let outsider = set_reaction(w.chat(), &w.cy, message.id, &emoji("👀"), true).await;
    assert!(
        matches!(outsider, Err(ChatError::Forbidden(_))),
        "{outsider:?}"
    );
    let outsider = set_pinned(w.chat(), &w.cy, message.id, true).await;
    assert!(
        matches!(outsider, Err(ChatError::Forbidden(_))),
        "{outsider:?}"
    );

    archive(&w, general.id).await;
    let archived = set_reaction(w.chat(), &w.bob, message.id, &emoji("👀"), true).await;
    assert!(
        matches!(archived, Err(ChatError::Forbidden(_))),
        "{archived:?}"
    );
    let archived = set_pinned(w.chat(), &w.ana, message.id, true).await;
    assert!(
        matches!(archived, Err(ChatError::Forbidden(_))),
        "{archived:?}"
    );
    let read = w.read(&w.bob, message.id).await;
    assert!(read.reactions.is_empty());
    assert_eq!(read.pinned_at, None);
}

#[tokio::test]
async fn members_pin_and_unpin_and_the_latest_pin_comes_first() {
    let w = world().await;
    let general = w.general().await;
    let first = w.send(&w.ana, general.id, "first").await;
    let second = w.send(&w.ana, general.id, "second").await;
    let pinned = set_pinned(w.chat(), &w.bob, first.id, true).await.unwrap();
    assert_eq!(pinned.pinned_at, Some(w.t.clock.now()));
    w.t.clock.advance(Duration::from_secs(60));
    set_pinned(w.chat(), &w.bob, second.id, true).await.unwrap();
    let seq = w.last_seq(general.id).await;
    let again = set_pinned(w.chat(), &w.ana, first.id, true).await.unwrap();
    assert_eq!(
        again.pinned_at, pinned.pinned_at,
        "pinning twice keeps the first pin"
    );
    assert_eq!(w.last_seq(general.id).await, seq);

    let listed = pinned_messages(w.chat(), &w.cy, general.id).await.unwrap();
    let ids: Vec<MessageId> = listed.iter().map(|m| m.id).collect();
    assert_eq!(ids, [second.id, first.id]);

    let unpinned = set_pinned(w.chat(), &w.ana, first.id, false).await.unwrap();
    assert_eq!(unpinned.pinned_at, None);
    let listed = pinned_messages(w.chat(), &w.cy, general.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, second.id);
    let announced = w.announced(general.id);
    assert_eq!(
        announced[announced.len() - 3..],
        [
            format!("message_pinned seq={} message={}", seq - 1, first.id),
            format!("message_pinned seq={seq} message={}", second.id),
            format!("message_unpinned seq={} message={}", seq + 1, first.id),
        ]
    );
}

#[tokio::test]
async fn pinned_messages_of_a_channel_one_cannot_see_are_not_found() {
    let w = world().await;
    let staff = w.staff().await;
    let message = w.send(&w.bob, staff.id, "pinned secret").await;
    set_pinned(w.chat(), &w.bob, message.id, true)
        .await
        .unwrap();
    for who in [&w.cy, &w.dee] {
        let result = pinned_messages(w.chat(), who, staff.id).await;
        assert!(matches!(result, Err(ChatError::NotFound(_))), "{result:?}");
    }
    assert_eq!(
        pinned_messages(w.chat(), &w.ana, staff.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_report_is_filed_once_while_it_is_open() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "buy cheap watches").await;
    w.t.clock.advance(Duration::from_secs(3));
    let why = "spam <a href=x>link</a> '; DELETE FROM reports; --";
    let report = report_message(w.chat(), &w.ana, message.id, reason(why))
        .await
        .unwrap();
    assert_eq!(report.message_id, message.id);
    assert_eq!(report.reported_by, w.ana.id);
    assert_eq!(report.reason.as_str(), why);
    assert_eq!(report.status, ReportStatus::Pending);
    assert_eq!(report.reviewed_by, None);
    assert_eq!(report.created_at, w.t.clock.now());

    let again = report_message(w.chat(), &w.ana, message.id, reason("still spam")).await;
    assert!(
        matches!(again, Err(ChatError::Conflict(UniqueField::OpenReport))),
        "{again:?}"
    );
    let by_reader = report_message(w.chat(), &w.cy, message.id, reason("spam")).await;
    let by_reader = by_reader.unwrap();
    assert_ne!(
        by_reader.id, report.id,
        "a reader of a public channel may report"
    );
}

#[tokio::test]
async fn nobody_reports_their_own_message() {
    let w = world().await;
    let general = w.general().await;
    let message = w.send(&w.bob, general.id, "my words").await;
    let result = report_message(w.chat(), &w.bob, message.id, reason("regret")).await;
    assert!(matches!(result, Err(ChatError::Forbidden(_))), "{result:?}");
    let later = report_message(w.chat(), &w.ana, message.id, reason("rude")).await;
    assert!(later.is_ok(), "{later:?}");
}
