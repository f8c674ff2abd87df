//! Contract suite for [`MessageSearch`]: what every search adapter must find, hide and rank,
//! and that no text a user can type makes it fail.
//!
//! Data goes in through the storage ports, so the suite also checks that the writes keep the
//! search current (edits, deletions). Every case creates its own organization, and searches
//! are scoped to it, so the suite can run again and again against one database.

mod world;

use chrono::TimeDelta;
use std::sync::Arc;
use tandem_app::ports::{
    ChannelRepository, MessageRepository, MessageSearch, SearchQuery, UserRepository,
};
use tandem_domain::{ChannelKind, MessageId, MessageType};
use world::{World, body, ids, now};

/// The search port and the storage ports that feed it, over one store.
#[derive(Clone)]
pub struct SearchPorts {
    pub users: Arc<dyn UserRepository>,
    pub channels: Arc<dyn ChannelRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub search: Arc<dyn MessageSearch>,
}

/// Names every case of this suite, in order, to a macro of yours (as
/// [`channel_cases!`](crate::channel_cases)).
#[macro_export]
macro_rules! search_cases {
    ($then:ident) => {
        $then!(
            a_word_finds_the_messages_that_contain_it,
            matching_ignores_case,
            a_partial_word_finds_the_longer_words_that_contain_it,
            words_in_scripts_written_without_spaces_are_found,
            every_term_must_match,
            repeated_and_whole_words_rank_above_partial_matches,
            only_public_channels_and_the_viewers_own_are_searched,
            the_channel_filter_keeps_one_channel,
            the_author_filter_keeps_one_author,
            before_and_after_bound_the_creation_time,
            the_file_filter_keeps_files_and_images,
            deleted_messages_are_never_found,
            an_edited_message_is_found_by_its_new_words_only,
            offset_and_limit_page_through_the_ranking,
            snippets_are_plain_text_around_the_match_with_highlights,
            hostile_queries_are_plain_text_and_never_fail,
        );
    };
}

macro_rules! run_each {
    ($($case:ident),* $(,)?) => {
        /// Runs every case in this suite against one store.
        pub async fn run_all(p: &SearchPorts) {
            $($case(p).await;)*
        }
    };
}

crate::search_cases!(run_each);

pub async fn a_word_finds_the_messages_that_contain_it(p: &SearchPorts) {
    let w = World::new(p).await;
    let hit = w.post("the release is on Friday").await;
    w.post("nothing to see here").await;

    let hits = w.search("release").await;
    assert_eq!(ids(&hits), [hit.id]);
    assert_eq!(hits[0].message, hit);
}

pub async fn matching_ignores_case(p: &SearchPorts) {
    let w = World::new(p).await;
    let hit = w.post("Deploy the API").await;

    assert_eq!(ids(&w.search("DEPLOY").await), [hit.id]);
    assert_eq!(ids(&w.search("api").await), [hit.id]);
}

pub async fn a_partial_word_finds_the_longer_words_that_contain_it(p: &SearchPorts) {
    let w = World::new(p).await;
    let hit = w.post("the deployment went fine").await;

    assert_eq!(ids(&w.search("deploy").await), [hit.id]);
    assert_eq!(ids(&w.search("ployme").await), [hit.id], "inside a word");
}

pub async fn words_in_scripts_written_without_spaces_are_found(p: &SearchPorts) {
    let w = World::new(p).await;
    let meeting = w.post("明日の会議は10時です").await;
    let sync = w.post("来週の打ち合わせを予定しました").await;

    assert_eq!(ids(&w.search("会議").await), [meeting.id], "two characters");
    assert_eq!(
        ids(&w.search("打ち合わせ").await),
        [sync.id],
        "five characters"
    );
    assert_eq!(ids(&w.search("10時").await), [meeting.id]);
}

pub async fn every_term_must_match(p: &SearchPorts) {
    let w = World::new(p).await;
    let both = w.post("deploy on friday").await;
    w.post("deploy on monday").await;
    w.post("lunch on friday").await;

    assert_eq!(ids(&w.search("friday deploy").await), [both.id]);
    assert_eq!(
        ids(&w.search("deploy fr").await),
        [both.id],
        "a short term too"
    );
}

/// Two messages of the same length with the word twice and once, and one where it is only
/// part of a longer word: in that order.
pub async fn repeated_and_whole_words_rank_above_partial_matches(p: &SearchPorts) {
    let w = World::new(p).await;
    let partial = w.post("redeployment is done").await;
    let once = w.post("deploy then review").await;
    let twice = w.post("deploy then deploy").await;
    w.post("unrelated chatter").await;

    let hits = w.search("deploy").await;
    assert_eq!(ids(&hits), [twice.id, once.id, partial.id], "{hits:#?}");
    assert!(
        hits.windows(2).all(|pair| pair[0].rank >= pair[1].rank),
        "{hits:#?}"
    );
}

pub async fn only_public_channels_and_the_viewers_own_are_searched(p: &SearchPorts) {
    let w = World::new(p).await;
    let bob = w.other_user().await;
    let carol = w.other_user().await;
    // Public channels are readable whether the viewer joined them or not.
    let public_not_joined = w.channel(ChannelKind::Public, &[bob.id]).await;
    let private_member = w.channel(ChannelKind::Private, &[w.viewer.id]).await;
    let private_other = w.channel(ChannelKind::Private, &[bob.id]).await;
    let direct_member = w.channel(ChannelKind::Direct, &[w.viewer.id, bob.id]).await;
    let direct_other = w.channel(ChannelKind::Direct, &[bob.id, carol.id]).await;
    let elsewhere = World::new(p).await;

    let mut visible = vec![
        w.post("secret plan one").await.id,
        w.post_in(&public_not_joined, &bob, "secret plan two")
            .await
            .id,
        w.post_in(&private_member, &w.viewer, "secret plan three")
            .await
            .id,
        w.post_in(&direct_member, &bob, "secret plan four").await.id,
    ];
    w.post_in(&private_other, &bob, "secret plan five").await;
    w.post_in(&direct_other, &carol, "secret plan six").await;
    elsewhere.post("secret plan seven").await;

    let mut found = ids(&w.search("secret plan").await);
    visible.sort_unstable();
    found.sort_unstable();
    assert_eq!(found, visible);
    let only = w
        .run(SearchQuery {
            channel_id: Some(private_other.id),
            ..w.query("secret")
        })
        .await;
    assert!(only.is_empty(), "naming the channel does not open it");
}

pub async fn the_channel_filter_keeps_one_channel(p: &SearchPorts) {
    let w = World::new(p).await;
    let other = w.channel(ChannelKind::Public, &[w.viewer.id]).await;
    w.post("budget review").await;
    let wanted = w.post_in(&other, &w.viewer, "budget review").await;

    let hits = w
        .run(SearchQuery {
            channel_id: Some(other.id),
            ..w.query("budget")
        })
        .await;
    assert_eq!(ids(&hits), [wanted.id]);
}

pub async fn the_author_filter_keeps_one_author(p: &SearchPorts) {
    let w = World::new(p).await;
    let bob = w.other_user().await;
    w.post("standup notes").await;
    let wanted = w.post_in(&w.general, &bob, "standup notes").await;

    let hits = w
        .run(SearchQuery {
            author_id: Some(bob.id),
            ..w.query("standup")
        })
        .await;
    assert_eq!(ids(&hits), [wanted.id]);
}

/// Both bounds are exclusive.
pub async fn before_and_after_bound_the_creation_time(p: &SearchPorts) {
    let w = World::new(p).await;
    let start = now() - TimeDelta::hours(3);
    let at = |hours: i64| start + TimeDelta::hours(hours);
    let first = w.post_at("retro notes", at(0), MessageType::Text).await;
    let second = w.post_at("retro notes", at(1), MessageType::Text).await;
    let third = w.post_at("retro notes", at(2), MessageType::Text).await;

    let mut between = ids(&w
        .run(SearchQuery {
            after: Some(at(0)),
            before: Some(at(2)),
            ..w.query("retro")
        })
        .await);
    assert_eq!(between, [second.id]);
    between = ids(&w
        .run(SearchQuery {
            before: Some(at(1)),
            ..w.query("retro")
        })
        .await);
    assert_eq!(between, [first.id]);
    between = ids(&w
        .run(SearchQuery {
            after: Some(at(1)),
            ..w.query("retro")
        })
        .await);
    assert_eq!(between, [third.id]);
}

pub async fn the_file_filter_keeps_files_and_images(p: &SearchPorts) {
    let w = World::new(p).await;
    w.post_at("quarterly report", now(), MessageType::Text)
        .await;
    let file = w
        .post_at("quarterly report.pdf", now(), MessageType::File)
        .await;
    let image = w
        .post_at("quarterly report chart", now(), MessageType::Image)
        .await;

    let mut found = ids(&w
        .run(SearchQuery {
            has_file: true,
            ..w.query("quarterly")
        })
        .await);
    found.sort_unstable();
    let mut expected = vec![file.id, image.id];
    expected.sort_unstable();
    assert_eq!(found, expected);
}

pub async fn deleted_messages_are_never_found(p: &SearchPorts) {
    let w = World::new(p).await;
    let kept = w.post("incident postmortem draft").await;
    let gone = w.post("incident postmortem final").await;
    p.messages
        .delete(gone.id, w.viewer.id, now())
        .await
        .unwrap();

    assert_eq!(ids(&w.search("postmortem").await), [kept.id]);
    assert!(w.search("final").await.is_empty());
    assert!(w.search("fi").await.is_empty(), "nor by a short term");
}

pub async fn an_edited_message_is_found_by_its_new_words_only(p: &SearchPorts) {
    let w = World::new(p).await;
    let message = w.post("meet at the lighthouse").await;
    p.messages
        .edit(
            message.id,
            body("meet at the harbour"),
            Vec::new(),
            w.viewer.id,
            now(),
        )
        .await
        .unwrap();

    let hits = w.search("harbour").await;
    assert_eq!(ids(&hits), [message.id]);
    assert_eq!(hits[0].message.content, "meet at the harbour");
    assert!(w.search("lighthouse").await.is_empty());
}

pub async fn offset_and_limit_page_through_the_ranking(p: &SearchPorts) {
    let w = World::new(p).await;
    for i in 0..5 {
        w.post(&format!("sprint item {i}")).await;
    }
    let all = ids(&w.search("sprint").await);
    assert_eq!(all.len(), 5);

    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let page = w
            .run(SearchQuery {
                offset,
                limit: 2,
                ..w.query("sprint")
            })
            .await;
        paged.extend(ids(&page));
    }
    assert_eq!(paged, all);
    let none = w
        .run(SearchQuery {
            limit: 0,
            ..w.query("sprint")
        })
        .await;
    assert!(none.is_empty());
}

pub async fn snippets_are_plain_text_around_the_match_with_highlights(p: &SearchPorts) {
    let w = World::new(p).await;
    let short = w.post("Ship the **Widget** now").await;
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    let long = w
        .post(&format!("{filler}the widget launch\nis today {filler}"))
        .await;

    let hits = w.search("WIDGET").await;
    let hit = |id: MessageId| hits.iter().find(|h| h.message.id == id).unwrap();
    let short = hit(short.id);
    assert_eq!(short.snippet, "Ship the **Widget** now");
    assert_eq!(short.highlights, [(11, 17)]);

    let long = hit(long.id);
    let chars: Vec<char> = long.snippet.chars().collect();
    assert!(chars.len() <= 200, "{}", long.snippet);
    assert!(long.snippet.starts_with('…') && long.snippet.ends_with('…'));
    assert!(
        long.snippet.contains("the widget launch is today"),
        "{}",
        long.snippet
    );
    assert_eq!(long.highlights.len(), 1, "{:?}", long.highlights);
    let (start, end) = long.highlights[0];
    assert_eq!(chars[start..end].iter().collect::<String>(), "widget");
}

/// Text a user can type is searched for as text: never an error, never an operator.
pub async fn hostile_queries_are_plain_text_and_never_fail(p: &SearchPorts) {
    enum Expect {
        Nothing,
        Odd,
        Party,
        AnyOk,
    }
    let w = World::new(p).await;
    let plain = w.post("plain words only").await;
    let odd = w
        .post(r#"odd: 100% a_b "q" back\slash *star* NEAR(x) -x it's"#)
        .await;
    let party = w.post("release party 🎉 tonight").await;
    let long = "x".repeat(1000);
    let cases: &[(&str, Expect)] = &[
        ("", Expect::Nothing),
        ("   ", Expect::Nothing),
        ("\t\n", Expect::Nothing),
        ("\0", Expect::Nothing),
        ("\"", Expect::Odd),
        ("\"q\"", Expect::Odd),
        ("'", Expect::Odd),
        ("it's", Expect::Odd),
        ("\\", Expect::Odd),
        ("back\\slash", Expect::Odd),
        ("*", Expect::Odd),
        ("*star*", Expect::Odd),
        ("NEAR(", Expect::Odd),
        ("NEAR(x)", Expect::Odd),
        ("-x", Expect::Odd),
        ("100%", Expect::Odd),
        ("a_b", Expect::Odd),
        ("%_%", Expect::Nothing),
        ("%", Expect::Odd),
        ("_", Expect::Odd),
        ("'; DROP TABLE messages; --", Expect::Nothing),
        ("\" OR 1=1 --", Expect::Nothing),
        ("plain OR nothing", Expect::Nothing),
        ("a OR b", Expect::AnyOk),
        ("plain NOT words", Expect::Nothing),
        ("plain*", Expect::Nothing),
        ("pla\0in", Expect::AnyOk),
        ("🎉", Expect::Party),
        ("party 🎉", Expect::Party),
        ("🎉🎉🎉", Expect::Nothing),
        (&long, Expect::Nothing),
        ("( ) { } [ ] ^ $ | ? + . : ; ~ `", Expect::AnyOk),
        ("\u{202e}\u{200b}\u{feff}", Expect::AnyOk),
        ("SELECT * FROM users", Expect::Nothing),
    ];
    for (text, expect) in cases {
        let query = w.query(text);
        let hits = p
            .search
            .search(&query)
            .await
            .unwrap_or_else(|err| panic!("{text:?} failed: {err:?}"));
        let found = ids(&hits);
        match expect {
            Expect::Nothing => assert!(found.is_empty(), "{text:?} found {found:?}"),
            Expect::Odd => assert_eq!(found, [odd.id], "{text:?}"),
            Expect::Party => assert_eq!(found, [party.id], "{text:?}"),
            Expect::AnyOk => {}
        }
    }
    // And everything is still there.
    assert_eq!(ids(&w.search("plain").await), [plain.id]);
}
