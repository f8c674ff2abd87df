//! `/api/v1/users`: listing, reading, editing, roles, deactivation, status — always within
//! one organization.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_tests::{TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    users_are_listed_a_page_at_a_time_within_the_organization,
    other_organizations_users_are_not_found_everywhere,
    members_edit_their_own_profile_only,
    roles_change_only_by_admins,
    the_last_admin_cannot_leave_the_organization_without_an_admin,
    deactivation_ends_sessions_and_hides_the_account,
    status_is_personal_and_feeds_the_online_list,
    taken_usernames_and_emails_conflict_on_update,
);

async fn put(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.send_json(
        Method::PUT,
        &format!("/api/v1/users/{id}"),
        Some(token),
        &body,
    )
    .await
}

async fn set_status(app: &TestApp, token: &str, id: i64, status: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/users/{id}/status"),
        Some(token),
        &json!({ "status": status }),
    )
    .await
}

async fn users_are_listed_a_page_at_a_time_within_the_organization(app: TestApp) {
    let (admin, _) = app.organization("acme.io", "Acme").await;
    for name in ["carol", "dave", "erin"] {
        app.register(name, "acme.io", None).await;
    }
    app.organization("globex.io", "Globex").await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/users/?limit=2".to_owned();
    loop {
        let (status, page) = status_and_json(app.get(&path, Some(&admin.access_token)).await).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let users = page["users"].as_array().unwrap();
        assert!(users.len() <= 2);
        seen.extend(users.iter().map(|u| {
            (
                u["id"].as_i64().unwrap(),
                u["organization_id"].as_i64().unwrap(),
            )
        }));
        match page["next_cursor"].as_i64() {
            Some(cursor) => path = format!("/api/v1/users?limit=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(seen.iter().all(|(_, org)| *org == admin.organization_id));
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "ordered by id: {seen:?}"
    );
    // Limits are clamped, not errors.
    let (_, page) = status_and_json(
        app.get("/api/v1/users?limit=1000", Some(&admin.access_token))
            .await,
    )
    .await;
    assert_eq!(page["users"].as_array().unwrap().len(), 5);
    assert_error(
        app.get("/api/v1/users", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn other_organizations_users_are_not_found_everywhere(app: TestApp) {
    let (acme_admin, _) = app.organization("acme.io", "Acme").await;
    let (_, globex_member) = app.organization("globex.io", "Globex").await;
    let id = globex_member.id;
    let token = Some(acme_admin.access_token.as_str());
    let attempts = [
        app.get(&format!("/api/v1/users/{id}"), token).await,
        put(
            &app,
            &acme_admin.access_token,
            id,
            json!({ "role": "admin" }),
        )
        .await,
        put(
            &app,
            &acme_admin.access_token,
            id,
            json!({ "is_active": false }),
        )
        .await,
        app.request(Method::DELETE, &format!("/api/v1/users/{id}"), token)
            .send()
            .await
            .unwrap(),
        app.post_json(
            &format!("/api/v1/users/{id}/status"),
            token,
            &json!({ "status": "busy" }),
        )
        .await,
        app.get("/api/v1/users/999999", token).await,
    ];
    for response in attempts {
        let body = assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
        assert!(
            !body.to_string().contains("globex"),
            "nothing of the other organization leaks: {body}"
        );
    }
    // Untouched.
    let (_, me) = status_and_json(
        app.get("/api/v1/auth/me", Some(&globex_member.access_token))
            .await,
    )
    .await;
    assert_eq!(
        (
            me["role"].as_str(),
            me["is_active"].as_bool(),
            me["status"].as_str()
        ),
        (Some("member"), Some(true), Some("offline"))
    );
}

async fn members_edit_their_own_profile_only(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    let changes = json!({ "display_name": "Bob B.", "profile_picture": "/api/v1/files/7/thumbnail", "username": "bobby" });
    let (status, user) =
        status_and_json(put(&app, &member.access_token, member.id, changes).await).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        (user["display_name"].as_str(), user["username"].as_str()),
        (Some("Bob B."), Some("bobby"))
    );
    assert_eq!(user["profile_picture"], "/api/v1/files/7/thumbnail");
    // null clears; absent leaves alone.
    let (_, user) = status_and_json(
        put(
            &app,
            &member.access_token,
            member.id,
            json!({ "display_name": null }),
        )
        .await,
    )
    .await;
    assert_eq!(user["display_name"], Value::Null);
    assert_eq!(user["profile_picture"], "/api/v1/files/7/thumbnail");
    // The new username logs in.
    app.login_ok("bobby").await;

    let forbidden = put(
        &app,
        &member.access_token,
        admin.id,
        json!({ "display_name": "Hacked" }),
    )
    .await;
    assert_error(forbidden, StatusCode::FORBIDDEN, "forbidden").await;
    let (status, _) = status_and_json(
        put(
            &app,
            &admin.access_token,
            member.id,
            json!({ "display_name": "Set by admin" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let bad = put(
        &app,
        &member.access_token,
        member.id,
        json!({ "profile_picture": "javascript:alert(1)", "username": "x" }),
    )
    .await;
    let body = assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["profile_picture", "username"]);

    // Impersonation: an address elsewhere (every viewer's browser would fetch it), invisible
    // characters that reorder or hide text.
    for (field, value) in [
        ("profile_picture", "https://tracker.example.com/pixel.gif"),
        ("display_name", "Ana\u{202E}nimda"),
        ("display_name", "A\u{200B}na"),
    ] {
        let refused = put(
            &app,
            &member.access_token,
            member.id,
            json!({ field: value }),
        )
        .await;
        let body = assert_error(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(body["details"][0]["field"], field, "{value:?}: {body}");
    }
}

async fn roles_change_only_by_admins(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    for body in [json!({ "role": "admin" }), json!({ "role": "moderator" })] {
        assert_error(
            put(&app, &member.access_token, member.id, body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let (status, user) = status_and_json(
        put(
            &app,
            &admin.access_token,
            member.id,
            json!({ "role": "moderator" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, user["role"].as_str()),
        (StatusCode::OK, Some("moderator"))
    );
    // A moderator is not an admin either.
    assert_error(
        put(
            &app,
            &member.access_token,
            admin.id,
            json!({ "role": "member" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The change applies at once, even to tokens issued before it.
    let (_, me) =
        status_and_json(app.get("/api/v1/auth/me", Some(&member.access_token)).await).await;
    assert_eq!(me["role"], "moderator");
    assert_error(
        put(
            &app,
            &admin.access_token,
            member.id,
            json!({ "role": "owner" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // Setting the role someone already has is allowed for anyone who may edit them.
    let (status, _) = status_and_json(
        put(
            &app,
            &member.access_token,
            member.id,
            json!({ "role": "moderator" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn the_last_admin_cannot_leave_the_organization_without_an_admin(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    assert_error(
        put(
            &app,
            &admin.access_token,
            admin.id,
            json!({ "role": "member" }),
        )
        .await,
        StatusCode::CONFLICT,
        "last_admin",
    )
    .await;
    let delete = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{}", admin.id),
            Some(&admin.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_error(delete, StatusCode::CONFLICT, "last_admin").await;
    // With a second admin, the first may step down.
    let (status, _) = status_and_json(
        put(
            &app,
            &admin.access_token,
            member.id,
            json!({ "role": "admin" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, user) = status_and_json(
        put(
            &app,
            &admin.access_token,
            admin.id,
            json!({ "role": "member" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, user["role"].as_str()),
        (StatusCode::OK, Some("member"))
    );
}

async fn deactivation_ends_sessions_and_hides_the_account(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    let carol = app.register("carol", "acme.io", None).await;
    let delete = |token: &str, id: i64| {
        app.request(Method::DELETE, &format!("/api/v1/users/{id}"), Some(token))
            .send()
    };

    assert_error(
        delete(&member.access_token, carol.id).await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let (status, user) =
        status_and_json(delete(&admin.access_token, member.id).await.unwrap()).await;
    assert_eq!(
        (status, user["is_active"].as_bool()),
        (StatusCode::OK, Some(false))
    );

    assert_error(
        app.get("/api/v1/auth/me", Some(&member.access_token)).await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    let refresh = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": member.refresh_token }),
        )
        .await;
    assert_error(refresh, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_error(
        app.login(&member.email, tandem_tests::PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "account_disabled",
    )
    .await;

    let ids = |page: &Value| {
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let (_, page) =
        status_and_json(app.get("/api/v1/users", Some(&admin.access_token)).await).await;
    assert!(!ids(&page).contains(&member.id));
    let (_, page) = status_and_json(
        app.get(
            "/api/v1/users?include_inactive=true",
            Some(&admin.access_token),
        )
        .await,
    )
    .await;
    assert!(ids(&page).contains(&member.id));
    let (_, page) = status_and_json(
        app.get(
            "/api/v1/users?include_inactive=true",
            Some(&carol.access_token),
        )
        .await,
    )
    .await;
    assert!(
        !ids(&page).contains(&member.id),
        "only admins see deactivated accounts"
    );

    // Reactivation by an admin; the account logs in again.
    let (status, user) = status_and_json(
        put(
            &app,
            &admin.access_token,
            member.id,
            json!({ "is_active": true }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, user["is_active"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    app.login_ok(&member.email).await;
    // Anyone may leave.
    let (status, _) = status_and_json(delete(&carol.access_token, carol.id).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

async fn status_is_personal_and_feeds_the_online_list(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    for status in ["online", "away", "busy"] {
        let (code, user) =
            status_and_json(set_status(&app, &member.access_token, member.id, json!(status)).await)
                .await;
        assert_eq!(
            (code, user["status"].as_str()),
            (StatusCode::OK, Some(status))
        );
        assert!(user["last_activity"].is_string());
    }
    for bad in [json!("sleeping"), json!(""), json!(3), Value::Null] {
        assert_error(
            set_status(&app, &member.access_token, member.id, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    assert_error(
        set_status(&app, &admin.access_token, member.id, json!("offline")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Online means connected: a chosen status alone does not put anyone in the list.
    let online_ids = |body: &Value| {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let online = app
        .get_ok("/api/v1/users/online", &admin.access_token)
        .await;
    assert!(online_ids(&online).is_empty(), "{online}");
    let socket = app.notifications(&member.access_token, member.id).await;
    let online = app
        .get_ok("/api/v1/users/online/", &admin.access_token)
        .await;
    assert_eq!(online_ids(&online), [member.id], "{online}");
    assert_eq!(
        online["users"][0]["status"], "busy",
        "with the status they chose"
    );
    socket.close().await;
    let mut gone = false;
    for _ in 0..50 {
        if online_ids(
            &app.get_ok("/api/v1/users/online", &admin.access_token)
                .await,
        )
        .is_empty()
        {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "closing the last connection takes them offline");
}

async fn taken_usernames_and_emails_conflict_on_update(app: TestApp) {
    let (admin, member) = app.organization("acme.io", "Acme").await;
    app.organization("globex.io", "Globex").await;
    let cases = [
        (json!({ "username": admin.username }), "username_taken"),
        (
            json!({ "email": admin.email.to_uppercase() }),
            "email_taken",
        ),
        (json!({ "username": "admin-globex-io" }), "username_taken"),
    ];
    for (body, code) in cases {
        assert_error(
            put(&app, &member.access_token, member.id, body).await,
            StatusCode::CONFLICT,
            code,
        )
        .await;
    }
    let (_, me) =
        status_and_json(app.get("/api/v1/auth/me", Some(&member.access_token)).await).await;
    assert_eq!(me["username"], member.username.as_str(), "nothing changed");
}
