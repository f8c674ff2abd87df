//! Presence from live connections, and typing indicators.

use std::time::Duration;
use tandem_app::ports::{PresenceStore, Topic};
use tandem_app::realtime::{PresenceConnection, Typing};
use tandem_domain::ChannelId;
use tandem_testkit::fakes::TestContext;

#[tokio::test]
async fn a_person_is_announced_online_with_their_first_connection_and_offline_with_their_last() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
    let organization = Topic::Organization(ana.organization_id);
    let ttl = Duration::from_secs(60);
    let phone = PresenceConnection::start(&t.ctx.realtime, &ana, ttl).await;
    let laptop = PresenceConnection::start(&t.ctx.realtime, &ana, ttl).await;
    let online = format!("presence user={} online", ana.id);
    assert_eq!(
        t.bus.published(&organization),
        std::slice::from_ref(&online)
    );
    assert!(t.presence.is_online(ana.id).await.unwrap());

    phone.end(&t.ctx.realtime).await;
    assert_eq!(
        t.bus.published(&organization),
        std::slice::from_ref(&online)
    );
    laptop.heartbeat(&t.ctx.realtime).await;
    laptop.end(&t.ctx.realtime).await;
    let offline = format!("presence user={} offline", ana.id);
    assert_eq!(t.bus.published(&organization), [online, offline]);
    assert!(!t.presence.is_online(ana.id).await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn typing_is_announced_once_per_half_lifetime_and_ends_when_not_refreshed() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
    let channel = ChannelId::new(7);
    let topic = Topic::Channel(channel);
    let ttl = Duration::from_secs(4);
    let mut typing = Typing::new(ana.clone(), channel, true, ttl);
    let (start, stop) = (
        format!("typing user={} start", ana.id),
        format!("typing user={} stop", ana.id),
    );
    typing.start(&t.ctx.realtime).await;
    typing.start(&t.ctx.realtime).await;
    assert_eq!(t.bus.published(&topic), std::slice::from_ref(&start));
    tokio::time::advance(ttl / 2).await;
    typing.start(&t.ctx.realtime).await;
    assert_eq!(t.bus.published(&topic), [start.clone(), start.clone()]);
    tokio::time::advance(ttl / 2).await;
    typing.expire(&t.ctx.realtime).await;
    assert_eq!(t.bus.published(&topic).len(), 2, "refreshed: still typing");
    tokio::time::advance(ttl).await;
    typing.expire(&t.ctx.realtime).await;
    assert_eq!(
        t.bus.published(&topic),
        [start.clone(), start, stop.clone()]
    );
    typing.stop(&t.ctx.realtime).await;
    assert_eq!(t.bus.published(&topic).len(), 3, "already stopped");
}

#[tokio::test]
async fn sending_ends_typing_and_people_who_may_not_post_are_never_announced() {
    let t = TestContext::new();
    let ana = t.found("ana@acme.io", "ana", "Acme").await.user;
    let channel = ChannelId::new(7);
    let topic = Topic::Channel(channel);
    let ttl = Duration::from_secs(4);
    let mut typing = Typing::new(ana.clone(), channel, true, ttl);
    typing.start(&t.ctx.realtime).await;
    typing.sent(&t.ctx.realtime).await;
    assert_eq!(
        t.bus.published(&topic),
        [
            format!("typing user={} start", ana.id),
            format!("typing user={} stop", ana.id)
        ]
    );
    let mut reader = Typing::new(ana, ChannelId::new(8), false, ttl);
    reader.start(&t.ctx.realtime).await;
    assert!(
        t.bus
            .published(&Topic::Channel(ChannelId::new(8)))
            .is_empty()
    );
}
