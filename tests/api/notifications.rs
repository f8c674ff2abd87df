//! The notification centre (`/api/v1/notifications`), preferences
//! (`/users/me/notification-settings`, `/channels/{id}/notification-settings`) and email,
//! through a real SMTP server the tests start, with the server's clock moved forward instead
//! of sleeping.

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_tests::smtp::{Answer, SmtpSink};
use tandem_tests::{
    Backend, Session, TestApp, assert_error, on_every_backend, spawn_app_with, status_and_json,
};

on_every_backend!(
    a_mention_is_stored_counted_and_read_on_every_device,
    reading_a_channel_reads_its_notifications,
    channel_levels_decide_who_hears_and_mute_quiets_at_channel,
    replies_notify_the_people_of_the_thread_and_invitations_are_stored,
    the_centre_pages_newest_first_and_filters_unread,
    preferences_round_trip_and_bad_values_are_refused,
    other_organizations_and_other_peoples_notifications_are_out_of_reach,
    the_notifications_stream_carries_the_same_frames,
    reports_reach_the_moderators_and_nobody_else,
);

// Each email test on both backends, with a test mail server and fast sweeps.
tandem_tests::on_every_backend_by_value!(
    an_unread_mention_is_emailed_after_the_delay_and_a_read_one_is_not,
    digests_gather_what_is_unread_at_most_once_per_period,
    do_not_disturb_holds_email_until_it_ends_in_the_persons_time_zone,
    spanish_readers_get_spanish_email,
    a_refusing_server_fails_the_email_for_good_and_a_busy_one_is_retried,
    a_server_that_is_down_is_retried_then_recorded_as_failed,
    a_thousand_member_channel_is_notified_off_the_send_path,
    without_a_mail_server_emails_are_written_to_the_data_directory,
    a_flood_of_mentions_is_one_email_listing_the_oldest_twenty,
    failed_logins_that_pause_an_account_email_its_owner_a_way_back_in,
);

const WAIT: Duration = Duration::from_secs(15);

fn email(session: &Session) -> String {
    session.email.clone()
}

/// The caller's notifications, waiting until there are at least `count`.
async fn notifications(app: &TestApp, session: &Session, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let page = app
            .get_ok("/api/v1/notifications", &session.access_token)
            .await;
        let list = page["notifications"].as_array().unwrap().clone();
        if list.len() >= count {
            return list;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} notification(s) for {} did not arrive: {page}",
            count,
            session.username
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn unread(app: &TestApp, session: &Session) -> (u64, u64) {
    let counts = app
        .get_ok("/api/v1/notifications/unread_count", &session.access_token)
        .await;
    (
        counts["unread"].as_u64().unwrap(),
        counts["high_priority"].as_u64().unwrap(),
    )
}

/// The channel as the caller's channel list shows it.
async fn listed(app: &TestApp, session: &Session, channel: i64) -> Value {
    let channels = app.get_ok("/api/v1/channels", &session.access_token).await;
    channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == channel)
        .unwrap()
        .clone()
}

async fn set_level(app: &TestApp, session: &Session, channel: i64, body: Value) -> Value {
    app.send_ok(
        Method::PUT,
        &format!("/api/v1/channels/{channel}/notification-settings"),
        &session.access_token,
        &body,
    )
    .await
}

async fn settings(app: &TestApp, session: &Session, body: Value) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        "/api/v1/users/me/notification-settings",
        Some(&session.access_token),
        &body,
    )
    .await
}

/// Everyone in `#general`: a channel of the organization with the admin and the member.
async fn general(app: &TestApp) -> (Session, Session, i64) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    let channel = app.channel(&admin.access_token, "general", "public").await;
    app.join(&member.access_token, channel).await;
    (admin, member, channel)
}

async fn a_mention_is_stored_counted_and_read_on_every_device(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    let mut other_device = app.notifications(&member.access_token, member.id).await;
    let sent = app
        .say(
            &admin.access_token,
            channel,
            &format!("@{} can you look at the release notes?", member.username),
        )
        .await;

    let live = other_device.expect("notification").await;
    let list = notifications(&app, &member, 1).await;
    let stored = &list[0];
    assert_eq!(
        live["notification"], *stored,
        "the same payload live and stored"
    );
    assert_eq!(stored["kind"], "mention");
    assert_eq!(stored["priority"], "high");
    assert_eq!(stored["channel_id"], channel);
    assert_eq!(stored["channel_name"], "general");
    assert_eq!(stored["message_id"], sent["id"]);
    assert_eq!(stored["seq"], sent["seq"]);
    assert_eq!(stored["sender"]["id"], admin.id);
    assert_eq!(stored["sender"]["username"], admin.username.as_str());
    assert_eq!(
        stored["excerpt"],
        format!("@{} can you look at the release notes?", member.username)
    );
    assert_eq!(stored["quiet"], false);
    assert!(stored["read_at"].is_null());
    assert_eq!(unread(&app, &member).await, (1, 1));
    // The author is not told about their own message.
    assert!(notifications(&app, &admin, 0).await.is_empty());

    let id = stored["id"].as_i64().unwrap();
    let answer = app
        .post_ok(
            "/api/v1/notifications/read",
            &member.access_token,
            &json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(answer, json!({ "unread": 0, "high_priority": 0 }));
    let read = other_device.expect("notifications_read").await;
    assert_eq!(read["ids"], json!([id]));
    assert_eq!(read["unread"], 0);
    assert!(!notifications(&app, &member, 1).await[0]["read_at"].is_null());
    // Reading again changes nothing and says so.
    let again = app
        .post_ok(
            "/api/v1/notifications/read",
            &member.access_token,
            &json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(again["unread"], 0);
}

async fn reading_a_channel_reads_its_notifications(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    for n in 0..3 {
        app.say(
            &admin.access_token,
            channel,
            &format!("@{} point {n}", member.username),
        )
        .await;
    }
    notifications(&app, &member, 3).await;
    assert_eq!(unread(&app, &member).await, (3, 3));
    let mut socket = app.notifications(&member.access_token, member.id).await;
    app.post_ok(
        &format!("/api/v1/channels/{channel}/read"),
        &member.access_token,
        &json!({}),
    )
    .await;
    let read = socket.expect("notifications_read").await;
    assert_eq!(read["ids"].as_array().unwrap().len(), 3);
    assert_eq!(unread(&app, &member).await, (0, 0));
}

async fn channel_levels_decide_who_hears_and_mute_quiets_at_channel(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    // By default a channel notifies mentions only.
    app.say(&admin.access_token, channel, "plain chatter").await;
    // A direct conversation notifies every message.
    let direct = app
        .post_ok(
            "/api/v1/channels",
            &admin.access_token,
            &json!({ "type": "direct", "member_ids": [member.id] }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.say(&admin.access_token, direct, "lunch?").await;
    let list = notifications(&app, &member, 1).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "new_message");
    assert_eq!(list[0]["priority"], "normal");
    assert_eq!(list[0]["channel_id"], direct);

    let shown = listed(&app, &member, channel).await;
    assert_eq!(shown["notification_level"], "default");
    assert_eq!(shown["muted"], false);

    // "all": every message.
    let chosen = set_level(&app, &member, channel, json!({ "level": "all" })).await;
    assert_eq!(
        chosen,
        json!({ "channel_id": channel, "level": "all", "muted": false })
    );
    app.say(&admin.access_token, channel, "now you hear this")
        .await;
    let list = notifications(&app, &member, 2).await;
    assert_eq!(list[0]["kind"], "new_message");
    assert_eq!(list[0]["excerpt"], "now you hear this");

    // "nothing": not even a mention.
    set_level(&app, &member, channel, json!({ "level": "nothing" })).await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} are you there?", member.username),
    )
    .await;
    // Jobs run in order: once a later direct message is told, the mention was handled.
    app.say(&admin.access_token, direct, "still there?").await;
    let list = notifications(&app, &member, 3).await;
    assert_eq!(
        list[0]["excerpt"], "still there?",
        "nothing for the mention: {list:?}"
    );

    // Muted: @channel arrives quiet, a mention by name loud.
    let chosen = set_level(
        &app,
        &member,
        channel,
        json!({ "level": "default", "muted": true }),
    )
    .await;
    assert_eq!(chosen["muted"], true);
    app.say(&admin.access_token, channel, "@channel release at five")
        .await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} you own the release", member.username),
    )
    .await;
    let list = notifications(&app, &member, 5).await;
    assert_eq!(list.len(), 5, "{list:?}");
    assert_eq!(
        list[0]["excerpt"],
        format!("@{} you own the release", member.username)
    );
    assert_eq!(list[0]["quiet"], false);
    assert_eq!(list[1]["excerpt"], "@channel release at five");
    assert_eq!(list[1]["kind"], "mention");
    assert_eq!(list[1]["quiet"], true);
    let shown = listed(&app, &member, channel).await;
    assert_eq!(shown["muted"], true);
}

async fn replies_notify_the_people_of_the_thread_and_invitations_are_stored(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    app.join(&carol.access_token, channel).await;
    let root = app
        .say(&member.access_token, channel, "shall we ship?")
        .await;
    app.post_ok(
        &format!("/api/v1/channels/{channel}/messages"),
        &carol.access_token,
        &json!({ "content": "yes", "reply_to_id": root["id"] }),
    )
    .await;
    let reply = app
        .post_ok(
            &format!("/api/v1/channels/{channel}/messages"),
            &admin.access_token,
            &json!({ "content": "shipping now", "reply_to_id": root["id"] }),
        )
        .await;
    // The root's author hears of both replies, the earlier replier of the later one.
    let list = notifications(&app, &member, 2).await;
    assert!(list.iter().all(|n| n["kind"] == "thread_reply"), "{list:?}");
    assert_eq!(list[0]["thread_root_id"], root["id"]);
    let carols = notifications(&app, &carol, 1).await;
    assert_eq!(carols.len(), 1, "{carols:?}");
    assert_eq!(carols[0]["message_id"], reply["id"]);

    // Being added to a channel is a notification of its own.
    let private = app.channel(&admin.access_token, "launch", "private").await;
    app.post_ok(
        &format!("/api/v1/channels/{private}/members"),
        &admin.access_token,
        &json!({ "user_id": carol.id }),
    )
    .await;
    let carols = notifications(&app, &carol, 2).await;
    assert_eq!(carols[0]["kind"], "channel_invite");
    assert_eq!(carols[0]["channel_id"], private);
    assert_eq!(carols[0]["channel_name"], "launch");
    assert_eq!(carols[0]["sender"]["id"], admin.id);
}

async fn the_centre_pages_newest_first_and_filters_unread(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    for n in 0..5 {
        app.say(
            &admin.access_token,
            channel,
            &format!("@{} number {n}", member.username),
        )
        .await;
    }
    let all = notifications(&app, &member, 5).await;
    let ids: Vec<i64> = all.iter().map(|n| n["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    let mut seen = Vec::new();
    let mut path = "/api/v1/notifications?limit=2".to_owned();
    loop {
        let page = app.get_ok(&path, &member.access_token).await;
        seen.extend(
            page["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_i64() {
            Some(cursor) => path = format!("/api/v1/notifications?limit=2&before={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);

    // Mark all read up to the second newest: the newest stays unread.
    let answer = app
        .post_ok(
            "/api/v1/notifications/read",
            &member.access_token,
            &json!({ "up_to": ids[1] }),
        )
        .await;
    assert_eq!(answer["unread"], 1);
    let unread_only = app
        .get_ok(
            "/api/v1/notifications?unread_only=true",
            &member.access_token,
        )
        .await;
    let left: Vec<i64> = unread_only["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left, vec![ids[0]]);
    assert_eq!(unread_only["unread"], 1);
}

async fn preferences_round_trip_and_bad_values_are_refused(app: TestApp) {
    let (_, member) = app.organization("acme.io", "Acme").await;
    let defaults = app
        .get_ok(
            "/api/v1/users/me/notification-settings",
            &member.access_token,
        )
        .await;
    assert_eq!(
        defaults,
        json!({
            "email_enabled": true, "email_delay_minutes": 10, "email_digest": "immediately",
            "desktop_enabled": true, "dnd_start": null, "dnd_end": null, "time_zone": "UTC",
            "language": "en", "dnd_active": false,
        })
    );
    let (status, changed) = status_and_json(
        settings(
            &app,
            &member,
            json!({ "email_digest": "hourly", "email_delay_minutes": 30, "time_zone": "Europe/Madrid",
                    "dnd_start": "22:00", "dnd_end": "07:30", "language": "es", "desktop_enabled": false }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["email_digest"], "hourly");
    assert_eq!(changed["email_delay_minutes"], 30);
    assert_eq!(changed["time_zone"], "Europe/Madrid");
    assert_eq!(changed["dnd_start"], "22:00");
    assert_eq!(changed["dnd_end"], "07:30");
    assert_eq!(changed["language"], "es");
    assert_eq!(changed["email_enabled"], true, "left out: kept");
    let stored = app
        .get_ok(
            "/api/v1/users/me/notification-settings",
            &member.access_token,
        )
        .await;
    assert_eq!(stored, changed);
    // null turns do-not-disturb off.
    let (_, off) = status_and_json(
        settings(&app, &member, json!({ "dnd_start": null, "dnd_end": null })).await,
    )
    .await;
    assert!(
        off["dnd_start"].is_null() && off["dnd_end"].is_null(),
        "{off}"
    );

    for (body, field, code) in [
        (
            json!({ "time_zone": "Mars/Olympus" }),
            "time_zone",
            "invalid_time_zone",
        ),
        (
            json!({ "email_delay_minutes": 1441 }),
            "email_delay_minutes",
            "invalid_email_delay",
        ),
        (
            json!({ "email_delay_minutes": -1 }),
            "email_delay_minutes",
            "invalid_email_delay",
        ),
        (
            json!({ "dnd_start": "25:00", "dnd_end": "07:00" }),
            "dnd_start",
            "invalid_time",
        ),
        (
            json!({ "dnd_start": "22:00" }),
            "dnd_end",
            "invalid_dnd_hours",
        ),
        (
            json!({ "dnd_start": "09:00", "dnd_end": "09:00" }),
            "dnd_end",
            "invalid_dnd_hours",
        ),
    ] {
        let error = assert_error(
            settings(&app, &member, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"][0]["field"], field, "{body}: {error}");
        assert_eq!(error["details"][0]["code"], code, "{body}: {error}");
    }
    // Wrong types and unknown values and fields are refused as the body they are.
    for body in [
        json!({ "email_digest": "weekly" }),
        json!({ "language": "fr" }),
        json!({ "email_enabled": "yes" }),
        json!({ "dnd_start": 2200 }),
        json!({ "surprise": true }),
    ] {
        let response = settings(&app, &member, body.clone()).await;
        assert!(
            response.status() == StatusCode::BAD_REQUEST
                || response.status() == StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            response.status()
        );
    }
    let kept = app
        .get_ok(
            "/api/v1/users/me/notification-settings",
            &member.access_token,
        )
        .await;
    assert_eq!(
        kept["time_zone"], "Europe/Madrid",
        "nothing changed by refusals"
    );
    assert_error(
        app.get("/api/v1/users/me/notification-settings", None)
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn other_organizations_and_other_peoples_notifications_are_out_of_reach(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    let (outsider, _) = app.organization("globex.io", "Globex").await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} secret plans", member.username),
    )
    .await;
    let id = notifications(&app, &member, 1).await[0]["id"]
        .as_i64()
        .unwrap();

    // Another organization's channel, and a channel one is not a member of, are not found.
    assert_error(
        app.send_json(
            Method::PUT,
            &format!("/api/v1/channels/{channel}/notification-settings"),
            Some(&outsider.access_token),
            &json!({ "muted": true }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let private = app.channel(&admin.access_token, "board", "private").await;
    assert_error(
        app.send_json(
            Method::PUT,
            &format!("/api/v1/channels/{private}/notification-settings"),
            Some(&member.access_token),
            &json!({ "muted": true }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Someone else's ids, or "all up to" from someone else, leave them unread.
    for body in [json!({ "ids": [id] }), json!({ "up_to": id })] {
        let answer = app
            .post_ok("/api/v1/notifications/read", &outsider.access_token, &body)
            .await;
        assert_eq!(answer["unread"], 0);
    }
    assert_eq!(unread(&app, &member).await, (1, 1));
    assert!(
        notifications(&app, &outsider, 0).await.is_empty(),
        "nobody sees another person's notifications"
    );

    // Bad selections.
    for body in [
        json!({}),
        json!({ "ids": [id], "up_to": id }),
        json!({ "ids": (0..501).collect::<Vec<i64>>() }),
    ] {
        assert_error(
            app.post_json(
                "/api/v1/notifications/read",
                Some(&member.access_token),
                &body,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    for body in [json!({ "ids": "all" }), json!({ "ids": [id], "also": 1 })] {
        let response = app
            .post_json(
                "/api/v1/notifications/read",
                Some(&member.access_token),
                &body,
            )
            .await;
        assert!(response.status().is_client_error(), "{body}");
    }
    for path in [
        "/api/v1/notifications?limit=abc",
        "/api/v1/notifications?before=9223372036854775808",
        "/api/v1/notifications?unread_only=maybe",
    ] {
        let response = app.get(path, Some(&member.access_token)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(unread(&app, &member).await, (1, 1), "nothing lost");
}

async fn the_notifications_stream_carries_the_same_frames(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    let mut stream = app
        .sse(
            "/api/v1/sse/notifications",
            Some(&member.access_token),
            None,
        )
        .await;
    let ready = stream.next_within(WAIT).await.expect("ready");
    assert_eq!(ready.event, "ready");
    assert_eq!(ready.json()["user_id"], member.id);
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} over the stream", member.username),
    )
    .await;
    let event = loop {
        let event = stream
            .next_within(WAIT)
            .await
            .expect("a notification event");
        if event.event == "notification" {
            break event;
        }
    };
    let data: Value = serde_json::from_str(&event.data).unwrap();
    let stored = &notifications(&app, &member, 1).await[0];
    assert_eq!(data["notification"], *stored);
}

async fn reports_reach_the_moderators_and_nobody_else(app: TestApp) {
    let (admin, member, channel) = general(&app).await;
    let carol = app.register("carol", "acme.io", None).await;
    app.join(&carol.access_token, channel).await;
    let rude = app
        .say(&carol.access_token, channel, "something rude")
        .await;
    let (status, body) = status_and_json(
        app.post_json(
            &format!("/api/v1/messages/{}/report", rude["id"]),
            Some(&member.access_token),
            &json!({ "reason": "harassment: aimed at me" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let list = notifications(&app, &admin, 1).await;
    assert_eq!(list[0]["kind"], "report_opened");
    assert_eq!(list[0]["priority"], "high");
    assert_eq!(list[0]["message_id"], rude["id"]);
    assert_eq!(list[0]["excerpt"], "something rude");
    assert_eq!(list[0]["sender"]["id"], member.id, "who reported it");
    // Neither the reporter nor the author is told; a plain member is no moderator.
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} @{} sync", member.username, carol.username),
    )
    .await;
    for person in [&member, &carol] {
        let theirs = notifications(&app, person, 1).await;
        assert!(
            theirs.iter().all(|n| n["kind"] != "report_opened"),
            "{theirs:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Email

/// A server whose emails go to `sink`, sweeping every 100 ms, with `max_attempts` tries per job.
async fn mail_app(backend: Backend, sink: &SmtpSink, max_attempts: u32) -> TestApp {
    spawn_app_with(
        backend,
        json!({
            "mail": { "smtp_host": "127.0.0.1", "smtp_port": sink.port(), "tls": "none",
                      "from": "Tandem <tandem@acme.io>", "timeout_secs": 5 },
            "notifications": { "email_sweep_interval_ms": 100, "base_url": "https://chat.acme.io" },
            "jobs": { "poll_interval_ms": 50, "max_attempts": max_attempts },
        }),
    )
    .await
}

const MINUTE: Duration = Duration::from_secs(60);

/// Waits until the server has queued and sent what came due: `marker` gets a mention (with no
/// delay), and once its email arrives, every sweep before it has run.
async fn sweeps_done(
    app: &TestApp,
    sink: &SmtpSink,
    admin: &Session,
    marker: &Session,
    channel: i64,
    expected: usize,
) {
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} marker", marker.username),
    )
    .await;
    sink.wait_for(&email(marker), expected, WAIT).await;
}

/// An organization with `#general`, and `marker`, who wants every email at once.
async fn mail_world(app: &TestApp) -> (Session, Session, Session, i64) {
    let (admin, member, channel) = general(app).await;
    let marker = app.register("marker", "acme.io", None).await;
    app.join(&marker.access_token, channel).await;
    let (status, body) =
        status_and_json(settings(app, &marker, json!({ "email_delay_minutes": 0 })).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (admin, member, marker, channel)
}

async fn an_unread_mention_is_emailed_after_the_delay_and_a_read_one_is_not(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, marker, channel) = mail_world(&app).await;
    let sent = app
        .say(
            &admin.access_token,
            channel,
            &format!("@{} <b>urgent</b> & \"quoted\"", member.username),
        )
        .await;
    notifications(&app, &member, 1).await;
    // Within the delay: nothing yet.
    app.clock.advance(5 * MINUTE);
    sweeps_done(&app, &sink, &admin, &marker, channel, 1).await;
    assert!(
        sink.received()
            .iter()
            .all(|m| !m.to.contains(&email(&member)))
    );

    app.clock.advance(6 * MINUTE);
    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert_eq!(mail.from, "tandem@acme.io");
    assert_eq!(
        mail.header("Subject").unwrap(),
        format!("{} mentioned you in #general", admin.username)
    );
    assert!(mail.header("To").unwrap().contains(&email(&member)));
    assert!(mail.header("From").unwrap().contains("Tandem"));
    let text = mail.part("text/plain").expect("a plain-text part");
    let html = mail.part("text/html").expect("an HTML part");
    let link = format!("https://chat.acme.io/c/{channel}?message={}", sent["id"]);
    assert!(text.contains(&link), "{text}");
    assert!(
        text.contains("<b>urgent</b> & \"quoted\""),
        "plain text is plain: {text}"
    );
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(
        html.contains("&lt;b&gt;urgent&lt;/b&gt; &amp; &quot;quoted&quot;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<b>urgent"), "{html}");

    // Read before its delay passed: no email.
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} read me quickly", member.username),
    )
    .await;
    let newest = notifications(&app, &member, 2).await[0]["id"]
        .as_i64()
        .unwrap();
    app.post_ok(
        "/api/v1/notifications/read",
        &member.access_token,
        &json!({ "up_to": newest }),
    )
    .await;
    app.clock.advance(11 * MINUTE);
    sweeps_done(&app, &sink, &admin, &marker, channel, 2).await;
    assert_eq!(sink.wait_for(&email(&member), 1, WAIT).await.len(), 1);
}

async fn digests_gather_what_is_unread_at_most_once_per_period(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, marker, channel) = mail_world(&app).await;
    settings(&app, &member, json!({ "email_digest": "hourly" })).await;
    let direct = app
        .post_ok(
            "/api/v1/channels",
            &admin.access_token,
            &json!({ "type": "direct", "member_ids": [member.id] }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} first", member.username),
    )
    .await;
    app.say(&admin.access_token, direct, "a direct word").await;
    notifications(&app, &member, 2).await;
    app.clock.advance(11 * MINUTE);
    let digest = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert_eq!(
        digest.header("Subject").unwrap(),
        "You have 2 unread notifications"
    );
    let text = digest.part("text/plain").unwrap();
    assert!(
        text.contains("first") && text.contains("a direct word"),
        "{text}"
    );

    // The next one waits for the hour to pass.
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} second", member.username),
    )
    .await;
    notifications(&app, &member, 3).await;
    app.clock.advance(11 * MINUTE);
    sweeps_done(&app, &sink, &admin, &marker, channel, 1).await;
    assert_eq!(sink.wait_for(&email(&member), 1, WAIT).await.len(), 1);
    app.clock.advance(50 * MINUTE);
    let later = sink.wait_for(&email(&member), 2, WAIT).await.remove(1);
    let text = later.part("text/plain").unwrap();
    assert!(text.contains("second") && !text.contains("first"), "{text}");
}

async fn do_not_disturb_holds_email_until_it_ends_in_the_persons_time_zone(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, marker, channel) = mail_world(&app).await;
    // Quiet hours around the present moment in Tokyo: from an hour ago to an hour from now.
    let tokyo = chrono::Utc::now() + chrono::TimeDelta::hours(9);
    let start = (tokyo - chrono::TimeDelta::hours(1))
        .format("%H:%M")
        .to_string();
    let end = (tokyo + chrono::TimeDelta::hours(1))
        .format("%H:%M")
        .to_string();
    let (status, body) = status_and_json(
        settings(
            &app,
            &member,
            json!({ "time_zone": "Asia/Tokyo", "dnd_start": start, "dnd_end": end, "email_delay_minutes": 0 }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dnd_active"], true, "{body}");
    // The same hours in New York are not now.
    let (_, elsewhere) = status_and_json(
        settings(
            &app,
            &marker,
            json!({ "time_zone": "America/New_York", "dnd_start": start, "dnd_end": end }),
        )
        .await,
    )
    .await;
    assert_eq!(elsewhere["dnd_active"], false, "{elsewhere}");

    let mut socket = app.notifications(&member.access_token, member.id).await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} at night", member.username),
    )
    .await;
    let live = socket.expect("notification").await;
    assert_eq!(
        live["notification"]["quiet"], true,
        "no pop-up at night: {live}"
    );
    let stored = notifications(&app, &member, 1).await;
    assert_eq!(
        stored[0]["quiet"], false,
        "stored as sent; the live frame says quiet"
    );
    app.clock.advance(30 * MINUTE);
    sweeps_done(&app, &sink, &admin, &marker, channel, 1).await;
    assert!(
        sink.received()
            .iter()
            .all(|m| !m.to.contains(&email(&member)))
    );
    app.clock.advance(61 * MINUTE);
    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert!(mail.part("text/plain").unwrap().contains("at night"));
}

async fn spanish_readers_get_spanish_email(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, _, channel) = mail_world(&app).await;
    settings(
        &app,
        &member,
        json!({ "language": "es", "email_delay_minutes": 0 }),
    )
    .await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} ¿revisas esto? ñandú", member.username),
    )
    .await;
    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert_eq!(
        mail.header("Subject").unwrap(),
        format!("{} te mencionó en #general", admin.username)
    );
    let text = mail.part("text/plain").unwrap();
    assert!(text.starts_with("Hola "), "{text}");
    assert!(text.contains("¿revisas esto? ñandú"), "{text}");
    assert!(mail.part("text/html").unwrap().contains("lang=\"es\""));
}

/// `background_jobs{state="dead"}` from `/metrics`.
async fn dead_jobs(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("background_jobs{state=\"dead\"} "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the dead jobs gauge")
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_refusing_server_fails_the_email_for_good_and_a_busy_one_is_retried(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, marker, channel) = mail_world(&app).await;
    settings(&app, &member, json!({ "email_delay_minutes": 0 })).await;
    sink.answer(Answer::Refuse);
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} bounced", member.username),
    )
    .await;
    wait_until("the refused email to be recorded as failed", async || {
        dead_jobs(&app).await == 1
    })
    .await;
    assert_eq!(sink.attempts(), 1, "a refusal is not retried");
    assert!(sink.received().is_empty());

    // A busy server (451) is tried again after a backoff, and the email arrives.
    sink.answer(Answer::TryLater(1));
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} busy", member.username),
    )
    .await;
    wait_until("the first try", async || sink.attempts() >= 2).await;
    app.clock.advance(MINUTE);
    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert!(mail.part("text/plain").unwrap().contains("busy"));
    assert_eq!(dead_jobs(&app).await, 1);
    // Everyone else is still served.
    sweeps_done(&app, &sink, &admin, &marker, channel, 1).await;
}

async fn a_server_that_is_down_is_retried_then_recorded_as_failed(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 3).await;
    let (admin, member, _, channel) = mail_world(&app).await;
    settings(&app, &member, json!({ "email_delay_minutes": 0 })).await;
    sink.stop();
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} nobody home", member.username),
    )
    .await;
    // Three tries with backoffs in between, each made due by moving the clock.
    wait_until("the email to fail for good after its tries", async || {
        app.clock.advance(10 * MINUTE);
        dead_jobs(&app).await >= 1
    })
    .await;
    // Nothing stored was lost: the notification is still there, unread.
    assert_eq!(unread(&app, &member).await.0, 1);
    assert!(sink.received().is_empty());
}

async fn a_thousand_member_channel_is_notified_off_the_send_path(backend: Backend) {
    let app = tandem_tests::spawn_app(backend).await;
    let (admin, _, channel) = general(&app).await;
    // Eight sign-ups at a time: the setup, not the subject, of this test.
    let people: Vec<Session> = futures_util::stream::iter(0..998)
        .map(|n| {
            let app = &app;
            async move {
                let person = app.register(&format!("p{n:04}"), "acme.io", None).await;
                app.join(&person.access_token, channel).await;
                person
            }
        })
        .buffered(8)
        .collect()
        .await;
    app.say(&admin.access_token, channel, "@channel all hands at noon")
        .await;
    // 999 members besides the author: each one notified exactly once.
    for person in [&people[0], &people[499], &people[997]] {
        let list = notifications(&app, person, 1).await;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["kind"], "mention");
        assert_eq!(list[0]["excerpt"], "@channel all hands at noon");
    }
    wait_until("every member's notification", async || {
        let mut told = 0;
        for person in people.iter().step_by(50) {
            told += unread(&app, person).await.0;
        }
        told == 20
    })
    .await;
}

async fn without_a_mail_server_emails_are_written_to_the_data_directory(backend: Backend) {
    let app = spawn_app_with(
        backend,
        json!({
            "notifications": { "email_sweep_interval_ms": 100 },
            "jobs": { "poll_interval_ms": 50 },
        }),
    )
    .await;
    let (admin, member, channel) = general(&app).await;
    settings(&app, &member, json!({ "email_delay_minutes": 0 })).await;
    app.say(
        &admin.access_token,
        channel,
        &format!("@{} on file", member.username),
    )
    .await;
    let dir = app.data_dir().join("mail");
    let mut found = None;
    wait_until("an .eml file", async || {
        found = std::fs::read_dir(&dir)
            .ok()
            .and_then(|mut entries| entries.next())
            .and_then(Result::ok)
            .map(|entry| entry.path());
        found.is_some()
    })
    .await;
    let path = found.unwrap();
    assert_eq!(path.extension().unwrap(), "eml");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = mailparse::parse_mail(text.as_bytes()).unwrap();
    use mailparse::MailHeaderMap;
    assert_eq!(
        parsed.headers.get_first_value("Subject").unwrap(),
        format!("{} mentioned you in #general", admin.username)
    );
    assert!(
        parsed
            .headers
            .get_first_value("To")
            .unwrap()
            .contains(&member.email)
    );
}

async fn a_flood_of_mentions_is_one_email_listing_the_oldest_twenty(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (admin, member, _, channel) = mail_world(&app).await;
    for n in 0..25 {
        app.say(
            &admin.access_token,
            channel,
            &format!("@{} ping {n:02}", member.username),
        )
        .await;
    }
    notifications(&app, &member, 25).await;
    app.clock.advance(11 * MINUTE);
    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert_eq!(
        mail.header("Subject").unwrap(),
        "You have 25 unread notifications"
    );
    let text = mail.part("text/plain").unwrap();
    assert!(
        text.contains("ping 00") && text.contains("ping 19"),
        "{text}"
    );
    assert!(
        !text.contains("ping 20"),
        "only the oldest twenty are listed: {text}"
    );
    assert!(text.contains("and 5 more in Tandem"), "{text}");
    // All 25 were taken by that one email: nothing more comes.
    app.clock.advance(11 * MINUTE);
    let marker = app.login_ok("marker@acme.io").await;
    sweeps_done(&app, &sink, &admin, &marker, channel, 1).await;
    assert_eq!(sink.wait_for(&email(&member), 1, WAIT).await.len(), 1);
}

async fn failed_logins_that_pause_an_account_email_its_owner_a_way_back_in(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = mail_app(backend, &sink, 8).await;
    let (_, member) = app.organization("acme.io", "Acme").await;
    for _ in 0..5 {
        assert_error(
            app.login(&member.email, "not the password").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    // Paused for this address, the right password included.
    assert_error(
        app.login(&member.email, tandem_tests::PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    // Someone guessing an account that does not exist alerts nobody.
    for _ in 0..6 {
        app.login("nobody@acme.io", "guess").await;
    }

    let mail = sink.wait_for(&email(&member), 1, WAIT).await.remove(0);
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Sign-in to your Tandem account is paused"
    );
    let text = mail.part("text/plain").unwrap();
    assert!(
        text.contains("5 times") && text.contains("127.0.0.1"),
        "{text}"
    );
    let start = text
        .find("https://chat.acme.io/unlock?token=")
        .expect("the link")
        + 34;
    let token: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(token.starts_with(&format!("{}.", member.id)), "{token}");

    for bad in [
        "",
        "abc",
        &format!("{}.", member.id),
        "7.not-the-secret",
        &"x".repeat(200),
    ] {
        assert_error(
            app.post_json("/api/v1/auth/unlock", None, &json!({ "token": bad }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    let response = app
        .post_json("/api/v1/auth/unlock", None, &json!({ "token": token }))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.login_ok(&member.email).await;
    // Single use.
    let error = assert_error(
        app.post_json("/api/v1/auth/unlock", None, &json!({ "token": token }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "invalid_unlock_token");
    assert_eq!(
        sink.received().len(),
        1,
        "one email, to the real account only"
    );
}
