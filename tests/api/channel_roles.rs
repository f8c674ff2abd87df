//! Channel roles, mutes in a channel and announcement (read-only) channels, through the REST API
//! and the WebSocket. The rules themselves are unit-tested exhaustively in the domain
//! (`docs/permissions.md`); these show each one reaches the user.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{Session, TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    the_creator_is_the_channels_admin_and_names_moderators,
    channel_moderators_delete_messages_and_mute_members_below_them,
    announcement_channels_take_posts_from_their_admins_only,
    roles_and_mutes_refuse_bad_input_direct_conversations_and_other_organizations,
);

fn member_path(channel: i64, user: i64) -> String {
    format!("/api/v1/channels/{channel}/members/{user}")
}

async fn set_role(
    app: &TestApp,
    token: &str,
    channel: i64,
    user: i64,
    role: &str,
) -> reqwest::Response {
    app.send_json(
        Method::PATCH,
        &member_path(channel, user),
        Some(token),
        &json!({ "role": role }),
    )
    .await
}

async fn mute(
    app: &TestApp,
    token: &str,
    channel: i64,
    user: i64,
    minutes: Value,
) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        &format!("{}/mute", member_path(channel, user)),
        Some(token),
        &json!({ "minutes": minutes }),
    )
    .await
}

async fn post(app: &TestApp, token: &str, channel: i64, content: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/channels/{channel}/messages"),
        Some(token),
        &json!({ "content": content }),
    )
    .await
}

/// The members' roles by user id.
async fn roles(app: &TestApp, token: &str, channel: i64) -> Vec<(i64, String)> {
    let page = app
        .get_ok(&format!("/api/v1/channels/{channel}/members"), token)
        .await;
    page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_i64().unwrap(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A public channel created by carol (a plain member of the organization), joined by bob and
/// dave. Returns (ana the organization admin, bob, carol, dave, channel).
async fn team(app: &TestApp) -> (Session, Session, Session, Session, i64) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let dave = app.register("dave", "acme.io", None).await;
    let channel = app.channel(&carol.access_token, "design", "public").await;
    app.join(&bob.access_token, channel).await;
    app.join(&dave.access_token, channel).await;
    (ana, bob, carol, dave, channel)
}

async fn the_creator_is_the_channels_admin_and_names_moderators(app: TestApp) {
    let (ana, bob, carol, _dave, channel) = team(&app).await;
    let path = format!("/api/v1/channels/{channel}");
    let seen_by_carol = app.get_ok(&path, &carol.access_token).await;
    assert_eq!(seen_by_carol["role"], "admin");
    let seen_by_bob = app.get_ok(&path, &bob.access_token).await;
    assert_eq!(
        (
            seen_by_bob["role"].as_str(),
            seen_by_bob["read_only"].as_bool()
        ),
        (Some("member"), Some(false))
    );
    let seen_by_ana = app.get_ok(&path, &ana.access_token).await;
    assert_eq!(seen_by_ana["role"], Value::Null, "not a member: no role");

    // A member can neither hand out roles nor manage the channel.
    assert_error(
        set_role(&app, &bob.access_token, channel, bob.id, "admin").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut ws = app.socket(&bob.access_token, channel, "").await;
    ws.expect("ready").await;

    let made = set_role(&app, &carol.access_token, channel, bob.id, "moderator").await;
    let (status, body) = status_and_json(made).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["role"].as_str(), body["user"]["id"].as_i64()),
        (Some("moderator"), Some(bob.id))
    );
    let frame = ws.expect("member_updated").await;
    assert_eq!(frame["user"]["id"], bob.id);
    assert!(
        roles(&app, &bob.access_token, channel)
            .await
            .contains(&(bob.id, "moderator".to_owned()))
    );
    let list = app.get_ok("/api/v1/channels", &bob.access_token).await;
    let listed = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == channel)
        .unwrap();
    assert_eq!(listed["role"], "moderator");

    // A moderator does not manage the channel; an admin does.
    let rename = json!({ "name": "design-team" });
    assert_error(
        app.send_json(Method::PUT, &path, Some(&bob.access_token), &rename)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    set_role(&app, &carol.access_token, channel, bob.id, "admin").await;
    app.send_ok(Method::PUT, &path, &bob.access_token, &rename)
        .await;

    // Organization admins assign roles in every channel they can see, without joining it; the
    // change is in the channel's log.
    let back = set_role(&app, &ana.access_token, channel, bob.id, "member").await;
    assert_eq!(back.status(), StatusCode::OK);
    let log = app
        .get_ok(
            &format!("/api/v1/channels/{channel}/events?after_seq=0"),
            &carol.access_token,
        )
        .await;
    let updates: Vec<&Value> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "member_updated")
        .collect();
    assert_eq!(updates.len(), 3, "{log}");
    assert_error(
        app.send_json(
            Method::PUT,
            &path,
            Some(&bob.access_token),
            &json!({ "name": "mine" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Leaving gives up the role: coming back is as a member.
    app.post_ok(&format!("{path}/leave"), &carol.access_token, &json!({}))
        .await;
    app.join(&carol.access_token, channel).await;
    assert_eq!(
        app.get_ok(&path, &carol.access_token).await["role"],
        "member"
    );
}

async fn channel_moderators_delete_messages_and_mute_members_below_them(app: TestApp) {
    let (_ana, bob, carol, dave, channel) = team(&app).await;
    set_role(&app, &carol.access_token, channel, bob.id, "moderator").await;
    let spam = app.say(&dave.access_token, channel, "buy now").await["id"]
        .as_i64()
        .unwrap();
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/api/v1/messages/{spam}"),
            Some(&bob.access_token),
        )
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());

    // Dave cannot delete bob's message nor mute anyone.
    let bobs = app.say(&bob.access_token, channel, "please stop").await["id"]
        .as_i64()
        .unwrap();
    assert_error(
        app.request(
            Method::DELETE,
            &format!("/api/v1/messages/{bobs}"),
            Some(&dave.access_token),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        mute(&app, &dave.access_token, channel, bob.id, json!(10)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Bob mutes dave for an hour: dave reads but neither posts, reacts nor pins there.
    let muted = mute(&app, &bob.access_token, channel, dave.id, json!(60)).await;
    let (status, body) = status_and_json(muted).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["posting_muted_until"].is_string(), "{body}");
    let refused = assert_error(
        post(&app, &dave.access_token, channel, "again").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(
        refused["message"].as_str().unwrap().contains("muted"),
        "{refused}"
    );
    assert_error(
        app.post_json(
            &format!("/api/v1/messages/{bobs}/reactions"),
            Some(&dave.access_token),
            &json!({ "emoji": "👍" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut ws = app.socket(&dave.access_token, channel, "").await;
    ws.expect("ready").await;
    ws.send(json!({ "type": "chat_message", "content": "over the socket", "ref": "m1" }))
        .await;
    let error = ws.expect("error").await;
    assert_eq!(error["code"], "forbidden", "{error}");
    app.get_ok(
        &format!("/api/v1/channels/{channel}/messages"),
        &dave.access_token,
    )
    .await;
    let own = app
        .get_ok(&format!("/api/v1/channels/{channel}"), &dave.access_token)
        .await;
    assert!(own["posting_muted_until"].is_string(), "{own}");
    // The mute is this channel's only.
    let elsewhere = app.channel(&dave.access_token, "dave-room", "public").await;
    app.say(&dave.access_token, elsewhere, "still here").await;

    // Nobody mutes themselves or someone with as much say.
    assert_error(
        mute(&app, &bob.access_token, channel, bob.id, json!(5)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        mute(&app, &bob.access_token, channel, carol.id, json!(5)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Lifting the mute lets dave post again.
    let lifted = app
        .request(
            Method::DELETE,
            &format!("{}/mute", member_path(channel, dave.id)),
            Some(&bob.access_token),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(lifted).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["posting_muted_until"], Value::Null);
    assert_eq!(
        post(&app, &dave.access_token, channel, "thanks")
            .await
            .status(),
        StatusCode::CREATED
    );
}

async fn announcement_channels_take_posts_from_their_admins_only(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let created = app
        .post_ok(
            "/api/v1/channels",
            &carol.access_token,
            &json!({ "name": "announcements", "type": "public", "read_only": true }),
        )
        .await;
    assert_eq!(created["read_only"], true);
    let channel = created["id"].as_i64().unwrap();
    app.join(&bob.access_token, channel).await;
    let news = app
        .say(&carol.access_token, channel, "We ship on Friday")
        .await["id"]
        .as_i64()
        .unwrap();

    let refused = assert_error(
        post(&app, &bob.access_token, channel, "me too").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("announcement"),
        "{refused}"
    );
    let reply = app
        .post_json(
            &format!("/api/v1/channels/{channel}/messages"),
            Some(&bob.access_token),
            &json!({ "content": "in the thread", "reply_to_id": news }),
        )
        .await;
    assert_eq!(
        reply.status(),
        StatusCode::FORBIDDEN,
        "replies are posts too"
    );
    // Everyone still reacts; pinning is for the channel's moderators.
    app.post_ok(
        &format!("/api/v1/messages/{news}/reactions"),
        &bob.access_token,
        &json!({ "emoji": "🎉" }),
    )
    .await;
    assert_error(
        app.post_json(
            &format!("/api/v1/messages/{news}/pin"),
            Some(&bob.access_token),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    app.post_ok(
        &format!("/api/v1/messages/{news}/pin"),
        &carol.access_token,
        &json!({}),
    )
    .await;

    // The socket says so up front and refuses the same way.
    let mut ws = app.socket(&bob.access_token, channel, "").await;
    ws.expect("ready").await;
    ws.send(json!({ "type": "chat_message", "content": "sneaky" }))
        .await;
    assert_eq!(ws.expect("error").await["code"], "forbidden");

    // An organization admin posts once a member; channel admins open the channel up.
    app.join(&ana.access_token, channel).await;
    assert_eq!(
        post(&app, &ana.access_token, channel, "from the top")
            .await
            .status(),
        StatusCode::CREATED
    );
    let opened = app
        .send_ok(
            Method::PUT,
            &format!("/api/v1/channels/{channel}"),
            &carol.access_token,
            &json!({ "read_only": false }),
        )
        .await;
    assert_eq!(opened["read_only"], false);
    assert_eq!(
        post(&app, &bob.access_token, channel, "finally")
            .await
            .status(),
        StatusCode::CREATED
    );
    let history = app
        .get_ok(
            &format!("/api/v1/channels/{channel}/messages"),
            &bob.access_token,
        )
        .await;
    let announced = history["messages"].as_array().unwrap().iter().any(|m| {
        m["message_type"] == "system" && m["content"].as_str().unwrap().contains("everyone")
    });
    assert!(announced, "{history}");
    // Members cannot make it read-only again.
    assert_error(
        app.send_json(
            Method::PUT,
            &format!("/api/v1/channels/{channel}"),
            Some(&bob.access_token),
            &json!({ "read_only": true }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn roles_and_mutes_refuse_bad_input_direct_conversations_and_other_organizations(
    app: TestApp,
) {
    let (_ana, bob, carol, dave, channel) = team(&app).await;
    for role in [
        json!("owner"),
        json!(1),
        json!(null),
        json!("ADMIN' OR 1=1 --"),
    ] {
        let response = app
            .send_json(
                Method::PATCH,
                &member_path(channel, bob.id),
                Some(&carol.access_token),
                &json!({ "role": role }),
            )
            .await;
        assert!(
            matches!(
                response.status(),
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{role}: {}",
            response.status()
        );
    }
    let malformed = app
        .request(
            Method::PATCH,
            &member_path(channel, bob.id),
            Some(&carol.access_token),
        )
        .header("content-type", "application/json")
        .body("{\"role\":")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    for minutes in [json!(0), json!(-5), json!(43_201), json!(i64::MAX)] {
        assert_error(
            mute(&app, &carol.access_token, channel, dave.id, minutes.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    let text = mute(
        &app,
        &carol.access_token,
        channel,
        dave.id,
        json!("an hour"),
    )
    .await;
    assert!(text.status().is_client_error(), "{}", text.status());
    let untouched = app
        .get_ok(&format!("/api/v1/channels/{channel}"), &dave.access_token)
        .await;
    assert_eq!(untouched["posting_muted_until"], Value::Null);

    // Someone who is not a member, and unknown channels, are not found.
    let erin = app.register("erin", "acme.io", None).await;
    assert_error(
        set_role(&app, &carol.access_token, channel, erin.id, "moderator").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        set_role(&app, &carol.access_token, 987_654, bob.id, "moderator").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Direct conversations have no roles.
    let dm = app
        .post_ok(
            "/api/v1/channels",
            &carol.access_token,
            &json!({ "type": "direct", "member_ids": [bob.id] }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert_error(
        set_role(&app, &carol.access_token, dm, bob.id, "admin").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Another organization's admin sees none of it, and its members are not ours.
    let (other_admin, other_member) = app.organization("globex.io", "Globex").await;
    assert_error(
        set_role(&app, &other_admin.access_token, channel, bob.id, "member").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        mute(&app, &other_admin.access_token, channel, dave.id, json!(10)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        set_role(&app, &carol.access_token, channel, other_member.id, "admin").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(
        roles(&app, &carol.access_token, channel)
            .await
            .contains(&(bob.id, "member".to_owned()))
    );
}
