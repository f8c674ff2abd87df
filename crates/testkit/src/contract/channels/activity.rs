//! Recent activity of an organization, as the admin dashboard counts it.

use super::ChannelPorts;
use super::fixtures::*;
use tandem_app::ports::{Activity, NewMessage};
use tandem_domain::MessageType;

pub async fn activity_counts_the_organizations_recent_messages_and_their_channels(
    p: &ChannelPorts,
) {
    let team = Team::new(p).await;
    let general = team.channel(p).await;
    let random = team.channel(p).await;
    let quiet = team.channel(p).await;
    let start = now();
    let old = NewMessage {
        created_at: later(start, -600),
        ..message(quiet.id, team.ana, "ten minutes ago")
    };
    append(p, old).await;
    let root = post(p, general.id, team.ana, "one").await;
    reply(p, &root, team.bob, "two (a reply)").await;
    let deleted = post(p, random.id, team.bob, "three (deleted later)").await;
    p.messages
        .delete(deleted.id, team.bob, now())
        .await
        .unwrap();
    let system = NewMessage {
        message_type: MessageType::System,
        ..message(random.id, team.ana, "carol joined")
    };
    append(p, system).await;
    let elsewhere = Team::new(p).await;
    let theirs = elsewhere.channel(p).await;
    post(p, theirs.id, elsewhere.ana, "another organization").await;

    let since = later(start, -60);
    assert_eq!(
        p.messages.activity_since(team.org, since).await.unwrap(),
        Activity {
            messages: 3,
            active_channels: 2
        },
        "replies and deleted messages count; old, system and other organizations' do not"
    );
    assert_eq!(
        p.messages
            .activity_since(team.org, later(start, 60))
            .await
            .unwrap(),
        Activity::default()
    );
}
