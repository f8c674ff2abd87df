//! `ChannelFeed`: every stored change after the start exactly once, in `seq` order.

use std::time::Duration;
use tandem_app::auth::{self, Authenticated, Logout};
use tandem_app::channels::{self, ChatError, CreateChannel, Created};
use tandem_app::ports::{MessageRepository, NewMessage, Topic};
use tandem_app::realtime::{ChannelFeed, Envelope, FeedEnd, REORDER_WAIT};
use tandem_domain::{ChannelId, ChannelKind, ChannelName, MessageBody, MessageType};
use tandem_testkit::fakes::TestContext;

struct Room {
    t: TestContext,
    ana: Authenticated,
    bob: Authenticated,
    channel: ChannelId,
}

async fn room(kind: ChannelKind) -> Room {
    let t = TestContext::new();
    let ana = t.caller(&t.found("ana@acme.io", "ana", "Acme").await).await;
    let bob = t.caller(&t.join("bob@acme.io", "bob").await).await;
    let created = channels::create_channel(
        &t.ctx.chat,
        &ana.actor(),
        CreateChannel {
            name: Some(ChannelName::parse("general").unwrap()),
            description: None,
            kind,
            member_ids: vec![bob.user.id],
            read_only: false,
        },
    )
    .await
    .unwrap();
    let Created::New(channel) = created else {
        panic!("a new channel")
    };
    Room {
        t,
        ana,
        bob,
        channel: channel.id,
    }
}

impl Room {
    async fn open(&self, caller: &Authenticated, after_seq: Option<i64>) -> ChannelFeed {
        let ctx = self.t.ctx.realtime.clone();
        ChannelFeed::open(ctx, caller, self.channel, after_seq)
            .await
            .unwrap()
            .feed
    }

    /// Stores a message without announcing it, as if its announcement were lost or late.
    async fn store_quietly(&self, text: &str) -> i64 {
        let appended = self
            .t
            .store
            .append(NewMessage {
                channel_id: self.channel,
                user_id: self.ana.user.id,
                content: MessageBody::parse(text, 1000).unwrap(),
                message_type: MessageType::Text,
                reply_to_id: None,
                client_msg_id: None,
                mentions: Vec::new(),
                attachments: Vec::new(),
                created_at: tandem_app::ports::Clock::now(&*self.t.clock),
            })
            .await
            .unwrap();
        match appended {
            tandem_app::ports::Appended::Created { message, .. } => message.seq,
            tandem_app::ports::Appended::Existing(_) => panic!("a new message"),
        }
    }

    /// Publishes a frame for `seq` on the channel's topic, as another node would.
    async fn publish(&self, seq: i64, text: &str) {
        let envelope = Envelope::sequenced(seq, None, false, text);
        tandem_app::ports::EventBus::publish(
            &*self.t.bus,
            &Topic::Channel(self.channel),
            envelope.bytes(),
        )
        .await
        .unwrap();
    }
}

/// The next frame's seq and text.
async fn next(feed: &mut ChannelFeed) -> (i64, String) {
    let envelope = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .expect("the feed yields within its reorder wait")
        .unwrap();
    (envelope.seq(), envelope.text().to_owned())
}

/// Nothing more comes before paused time has moved well past the reorder wait.
async fn nothing_more(feed: &mut ChannelFeed) {
    let waited = tokio::time::timeout(REORDER_WAIT * 10, feed.next()).await;
    assert!(
        waited.is_err(),
        "unexpected {:?}",
        waited.map(|e| e.map(|e| e.text().to_owned()))
    );
}

#[tokio::test(start_paused = true)]
async fn live_frames_in_order_pass_through_once_and_repeats_are_dropped() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let start = feed.last_seq();
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    r.publish(first, "live one").await;
    r.publish(first, "live one again").await;
    r.publish(second, "live two").await;
    assert_eq!(next(&mut feed).await, (start + 1, "live one".to_owned()));
    assert_eq!(next(&mut feed).await, (start + 2, "live two".to_owned()));
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn a_frame_ahead_of_a_gap_waits_for_the_missing_one_that_arrives_live() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    r.publish(second, "live two").await;
    r.publish(first, "live one").await;
    assert_eq!(next(&mut feed).await, (first, "live one".to_owned()));
    assert_eq!(next(&mut feed).await, (second, "live two".to_owned()));
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn a_gap_still_open_after_the_reorder_wait_is_read_from_the_log() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    // The first one's announcement is lost: the second waits, then both come from the log.
    r.publish(second, "live two").await;
    let before = tokio::time::Instant::now();
    let (seq, text) = next(&mut feed).await;
    assert!(
        before.elapsed() >= REORDER_WAIT,
        "the feed waited for the missing seq"
    );
    assert_eq!(seq, first);
    assert!(
        text.starts_with(&format!("message_created seq={first}")),
        "{text}"
    );
    let (seq, text) = next(&mut feed).await;
    assert_eq!(seq, second);
    assert!(
        text.starts_with(&format!("message_created seq={second}")),
        "{text}"
    );
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn a_lagging_subscription_catches_up_from_the_log_at_once() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let first = r.store_quietly("one").await;
    r.t.bus.lag(&Topic::Channel(r.channel));
    let before = tokio::time::Instant::now();
    let (seq, text) = next(&mut feed).await;
    assert_eq!(
        before.elapsed(),
        Duration::ZERO,
        "no reorder wait for a known loss"
    );
    assert_eq!(seq, first);
    assert!(text.starts_with("message_created"), "{text}");
    // Its live announcement, arriving late, is a duplicate.
    r.publish(first, "live one").await;
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn opening_after_a_seq_replays_the_log_then_goes_live() {
    let r = room(ChannelKind::Public).await;
    let start = r.open(&r.ana, None).await.last_seq();
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    let mut feed = r.open(&r.ana, Some(start)).await;
    assert_eq!(next(&mut feed).await.0, first);
    assert_eq!(next(&mut feed).await.0, second);
    let third = r.store_quietly("three").await;
    r.publish(third, "live three").await;
    assert_eq!(next(&mut feed).await, (third, "live three".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn a_seq_from_the_future_starts_from_the_latest_instead_of_skipping() {
    let r = room(ChannelKind::Public).await;
    let latest = r.open(&r.ana, None).await.last_seq();
    let mut feed = r.open(&r.ana, Some(latest + 100)).await;
    assert_eq!(feed.last_seq(), latest);
    let next_seq = r.store_quietly("one").await;
    r.publish(next_seq, "live one").await;
    assert_eq!(next(&mut feed).await.0, latest + 1);
}

#[tokio::test(start_paused = true)]
async fn resuming_sends_only_what_the_feed_has_not_passed_on_in_order() {
    let r = room(ChannelKind::Public).await;
    let history = r.store_quietly("before").await;
    let mut feed = r.open(&r.ana, None).await;
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    r.publish(first, "live one").await;
    r.publish(second, "live two").await;
    assert_eq!(next(&mut feed).await.0, first);
    assert_eq!(next(&mut feed).await.0, second);

    // Everything after `history` went out on this feed already.
    assert!(!feed.resume(history));
    assert!(!feed.resume(second + 5));
    nothing_more(&mut feed).await;

    // From the start: the history this feed never sent, once, in order, and nothing after it.
    assert!(feed.resume(0));
    let mut replayed = Vec::new();
    for _ in 1..=history {
        replayed.push(next(&mut feed).await.0);
    }
    assert_eq!(replayed, (1..=history).collect::<Vec<_>>());
    nothing_more(&mut feed).await;
    assert!(!feed.resume(0));
}

#[tokio::test(start_paused = true)]
async fn a_resume_interleaved_with_live_frames_repeats_none_of_them() {
    let r = room(ChannelKind::Public).await;
    let start = r.open(&r.ana, None).await.last_seq();
    let mut feed = r.open(&r.ana, Some(start)).await;
    let first = r.store_quietly("one").await;
    r.publish(first, "live one").await;
    assert!(feed.resume(start - 1));
    // A live frame published while the resume is answered.
    let second = r.store_quietly("two").await;
    r.publish(second, "live two").await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next(&mut feed).await.0);
    }
    seen.sort_unstable();
    assert_eq!(seen, [start, first, second], "each once");
    assert!(!feed.resume(start - 1), "the resumed range is delivered");
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_resumes_costs_one_replay() {
    let r = room(ChannelKind::Public).await;
    for n in 0..5 {
        r.store_quietly(&format!("old {n}")).await;
    }
    let mut feed = r.open(&r.ana, None).await;
    let latest = feed.last_seq();
    let asked = (0..5_000).filter(|_| feed.resume(0)).count();
    assert_eq!(asked, 1);
    let mut replayed = Vec::new();
    for _ in 1..=latest {
        replayed.push(next(&mut feed).await.0);
    }
    assert_eq!(replayed, (1..=latest).collect::<Vec<_>>());
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn resumes_lower_and_lower_send_each_change_once() {
    let r = room(ChannelKind::Public).await;
    for n in 0..6 {
        r.store_quietly(&format!("old {n}")).await;
    }
    let mut feed = r.open(&r.ana, None).await;
    let latest = feed.last_seq();
    assert!(feed.resume(latest - 2));
    assert!(feed.resume(latest - 4));
    assert!(feed.resume(0));
    let mut replayed = Vec::new();
    for _ in 1..=latest {
        replayed.push(next(&mut feed).await.0);
    }
    replayed.sort_unstable();
    assert_eq!(replayed, (1..=latest).collect::<Vec<_>>());
    nothing_more(&mut feed).await;
}

#[tokio::test(start_paused = true)]
async fn unsequenced_frames_pass_through_as_they_come() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    r.publish(0, "typing").await;
    assert_eq!(next(&mut feed).await, (0, "typing".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn a_wait_cut_short_loses_nothing() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let (first, second) = (r.store_quietly("one").await, r.store_quietly("two").await);
    r.publish(second, "live two").await;
    // A transport's select! picks another branch while the feed waits for the gap.
    let cut = tokio::time::timeout(REORDER_WAIT / 4, feed.next()).await;
    assert!(cut.is_err());
    assert_eq!(next(&mut feed).await.0, first);
    assert_eq!(next(&mut feed).await.0, second);
}

#[tokio::test(start_paused = true)]
async fn someone_removed_from_a_private_channel_sees_it_then_the_feed_ends() {
    let r = room(ChannelKind::Private).await;
    let mut bobs = r.open(&r.bob, None).await;
    let mut anas = r.open(&r.ana, None).await;
    channels::remove_member(&r.t.ctx.chat, &r.ana.actor(), r.channel, r.bob.user.id)
        .await
        .unwrap();
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), bobs.next())
            .await
            .unwrap()
        {
            Ok(envelope) => seen.push(envelope.text().to_owned()),
            Err(end) => {
                assert_eq!(end, FeedEnd::AccessLost);
                break;
            }
        }
    }
    assert!(
        seen.last().is_some_and(|t| t.starts_with("member_left")),
        "bob saw his removal last: {seen:?}"
    );
    // Ana, still a member, goes on.
    let member_left = loop {
        let (_, text) = next(&mut anas).await;
        if text.starts_with("member_left") {
            break text;
        }
    };
    assert!(member_left.contains(&format!("user={}", r.bob.user.id)));
    let after = r.store_quietly("still here").await;
    r.publish(after, "live").await;
    assert_eq!(next(&mut anas).await.0, after);
}

#[tokio::test]
async fn a_feed_is_refused_for_channels_the_caller_cannot_see_and_negative_seqs() {
    let r = room(ChannelKind::Private).await;
    let outsider =
        r.t.caller(&r.t.found("cy@other.io", "cy", "Other").await)
            .await;
    let ctx = r.t.ctx.realtime.clone();
    let refused = ChannelFeed::open(ctx.clone(), &outsider, r.channel, None).await;
    assert!(matches!(refused, Err(ChatError::NotFound(_))));
    let negative = ChannelFeed::open(ctx, &r.ana, r.channel, Some(-1)).await;
    assert!(matches!(negative, Err(ChatError::Invalid { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_feed_ends_when_its_session_is_logged_out_and_others_go_on() {
    let r = room(ChannelKind::Public).await;
    // Ana on two devices: logging out on one ends that one's feed only.
    let phone =
        r.t.caller(&r.t.join("ana.phone@acme.io", "ana_phone").await)
            .await;
    let mut laptops = r.open(&r.ana, None).await;
    let mut phones = r.open(&phone, None).await;
    auth::logout(
        &r.t.ctx.auth,
        &r.ana,
        Logout {
            refresh_token: None,
        },
    )
    .await
    .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), laptops.next())
        .await
        .unwrap();
    assert_eq!(ended.err(), Some(FeedEnd::SessionEnded));
    let next_seq = r.store_quietly("still there").await;
    r.publish(next_seq, "live").await;
    assert_eq!(next(&mut phones).await.0, next_seq);
}

#[tokio::test(start_paused = true)]
async fn a_password_change_ends_every_feed_of_that_person() {
    let r = room(ChannelKind::Public).await;
    let mut first = r.open(&r.bob, None).await;
    let mut second = r.open(&r.bob, None).await;
    let change = auth::ChangePassword {
        current_password: tandem_testkit::fakes::PASSWORD.to_owned(),
        new_password: "another horse battery staple".to_owned(),
    };
    auth::change_password(&r.t.ctx.auth, &r.bob, change)
        .await
        .unwrap();
    for feed in [&mut first, &mut second] {
        let ended = tokio::time::timeout(Duration::from_secs(5), feed.next())
            .await
            .unwrap();
        assert_eq!(ended.err(), Some(FeedEnd::SessionEnded));
    }
}

#[tokio::test(start_paused = true)]
async fn a_feed_ends_when_its_access_token_expires() {
    let r = room(ChannelKind::Public).await;
    let mut feed = r.open(&r.ana, None).await;
    let left = (r.ana.expires_at - tandem_app::ports::Clock::now(&*r.t.clock))
        .to_std()
        .unwrap();
    let started = tokio::time::Instant::now();
    let ended = tokio::time::timeout(left * 2, feed.next()).await.unwrap();
    assert_eq!(ended.err(), Some(FeedEnd::SessionEnded));
    assert!(started.elapsed() >= left, "not before the token's expiry");
}
