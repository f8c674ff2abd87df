//! Registration, login and throttling.

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::{Value, json};
use tandem_tests::{PASSWORD, TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    registering_founds_an_organization_and_logs_in,
    registering_with_an_owned_domain_joins_that_organization_as_member,
    public_mail_domains_never_join_a_strangers_organization,
    an_unknown_domain_without_an_organization_name_is_refused,
    an_organization_closed_to_signups_refuses_newcomers,
    emails_and_usernames_are_unique_whatever_their_case,
    weak_passwords_are_refused_with_the_rule_they_break,
    logging_in_works_with_the_email_or_the_username,
    wrong_password_and_unknown_account_look_exactly_alike,
    repeated_failures_for_one_account_are_throttled,
    repeated_failures_from_one_address_are_throttled_across_accounts,
    a_guesser_cannot_lock_the_owner_out_from_elsewhere,
    token_responses_are_never_cached,
    sign_ups_from_one_address_are_throttled,
    me_answers_the_caller_and_refuses_anonymous_requests,
    injection_looking_strings_are_stored_verbatim,
);

/// No answer may ever carry password data, under any key.
fn assert_no_password_data(body: &Value) {
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("password") && !text.contains("$2b$") && !text.contains("$2y$"),
        "password data leaked: {body}"
    );
}

async fn registering_founds_an_organization_and_logs_in(app: TestApp) {
    let body = json!({ "email": "Ana@Acme.io", "username": "Ana", "password": PASSWORD, "organization_name": "Acme", "display_name": "Ana García" });
    let (status, body) =
        status_and_json(app.post_json("/api/v1/auth/register", None, &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().len() > 20);
    assert!(body["refresh_token"].as_str().unwrap().len() > 20);
    let user = &body["user"];
    assert_eq!(user["email"], "ana@acme.io");
    assert_eq!(user["username"], "ana");
    assert_eq!(user["display_name"], "Ana García");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["status"], "offline");
    assert_eq!(user["is_active"], true);
    for field in [
        "id",
        "organization_id",
        "profile_picture",
        "last_activity",
        "created_at",
    ] {
        assert!(user.get(field).is_some(), "user lacks {field}: {user}");
    }
    assert_no_password_data(&body);

    let token = body["access_token"].as_str().unwrap();
    let (status, org) =
        status_and_json(app.get("/api/v1/organizations/current", Some(token)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["name"], "Acme");
    assert_eq!(org["domain"], "acme.io");
    assert_eq!(org["subscription_plan"], "free");
    assert_eq!(org["id"], user["organization_id"]);
}

async fn registering_with_an_owned_domain_joins_that_organization_as_member(app: TestApp) {
    let admin = app.register("ana", "acme.io", Some("Acme")).await;
    // organization_name is only used when nobody owns the domain.
    let bob = app.register("bob", "acme.io", Some("Another name")).await;
    let carol = app.register("carol", "ACME.io", None).await;
    assert_eq!(bob.organization_id, admin.organization_id);
    assert_eq!(carol.organization_id, admin.organization_id);
    let (_, me) = status_and_json(app.get("/api/v1/auth/me", Some(&bob.access_token)).await).await;
    assert_eq!(me["role"], "member");
}

async fn public_mail_domains_never_join_a_strangers_organization(app: TestApp) {
    let ana = app.register("ana", "gmail.com", Some("Ana's team")).await;
    let refused = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "bob@gmail.com", "username": "bob", "password": PASSWORD }),
        )
        .await;
    let body = assert_error(
        refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["details"][0]["field"], "organization_name");
    let bob = app.register("bob", "gmail.com", Some("Bob's team")).await;
    assert_ne!(ana.organization_id, bob.organization_id);
    let (_, org) = status_and_json(
        app.get("/api/v1/organizations/current", Some(&ana.access_token))
            .await,
    )
    .await;
    assert_eq!(org["domain"], Value::Null);
}

async fn an_unknown_domain_without_an_organization_name_is_refused(app: TestApp) {
    let response = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "ana@acme.io", "username": "ana", "password": PASSWORD }),
        )
        .await;
    let body = assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["details"][0]["field"], "organization_name");
    assert_eq!(body["details"][0]["code"], "required");
    assert!(body["message"].as_str().unwrap().contains("acme.io"));
}

async fn an_organization_closed_to_signups_refuses_newcomers(app: TestApp) {
    // Organizations are created with self-signup from the settings; this server has it off.
    let closed =
        tandem_tests::spawn_app_with(app.backend, json!({ "auth": { "self_signup": false } }))
            .await;
    closed.register("ana", "acme.io", Some("Acme")).await;
    let response = closed
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "bob@acme.io", "username": "bob", "password": PASSWORD }),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "signup_disabled").await;
    // Founding another organization stays possible; it cannot take the domain.
    let bob = closed.register("bob", "acme.io", Some("Skunkworks")).await;
    let (_, org) = status_and_json(
        closed
            .get("/api/v1/organizations/current", Some(&bob.access_token))
            .await,
    )
    .await;
    assert_eq!(org["domain"], Value::Null);
}

async fn emails_and_usernames_are_unique_whatever_their_case(app: TestApp) {
    app.register("ana", "acme.io", Some("Acme")).await;
    let cases = [
        (
            json!({ "email": "ANA@acme.io", "username": "ana2", "password": PASSWORD }),
            "email_taken",
        ),
        (
            json!({ "email": "ana2@acme.io", "username": "ANA", "password": PASSWORD }),
            "username_taken",
        ),
    ];
    for (body, code) in cases {
        assert_error(
            app.post_json("/api/v1/auth/register", None, &body).await,
            StatusCode::CONFLICT,
            code,
        )
        .await;
    }
}

async fn weak_passwords_are_refused_with_the_rule_they_break(app: TestApp) {
    let cases = [
        ("short", "password_too_short"),
        ("password123", "password_too_weak"),
        ("aaaaaaaaaaaa", "password_too_weak"),
        ("12345678", "password_too_weak"),
        ("ana-ana-ana", "password_too_weak"),
        // From the breach list shipped with the server, as typed or dressed up.
        ("Summer2024", "password_breached"),
        ("Passw0rd!", "password_breached"),
        ("correct horse battery staple", "password_breached"),
        (&*"long".repeat(20), "password_too_long"),
    ];
    for (password, code) in cases {
        let body = json!({ "email": "ana@acme.io", "username": "ana", "password": password, "organization_name": "Acme" });
        let error = assert_error(
            app.post_json("/api/v1/auth/register", None, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"][0]["field"], "password", "{password}");
        assert_eq!(error["details"][0]["code"], code, "{password}: {error}");
    }
}

async fn logging_in_works_with_the_email_or_the_username(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    for login in ["ana@acme.io", "ANA@ACME.IO", " ana@acme.io ", "ana", "Ana"] {
        let session = app.login_ok(login).await;
        assert_eq!(session.id, ana.id, "{login}");
    }
    let (_, me) = status_and_json(app.get("/api/v1/auth/me", Some(&ana.access_token)).await).await;
    assert!(
        me["last_activity"].is_string(),
        "login records activity: {me}"
    );
}

async fn wrong_password_and_unknown_account_look_exactly_alike(app: TestApp) {
    app.register("ana", "acme.io", Some("Acme")).await;
    let wrong = app.login("ana@acme.io", "not the password").await;
    let unknown = app.login("nobody@acme.io", "not the password").await;
    let (wrong_headers, unknown_headers) = (
        wrong.headers().get("www-authenticate").cloned(),
        unknown.headers().get("www-authenticate").cloned(),
    );
    let wrong = assert_error(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = assert_error(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong_headers, unknown_headers);
}

async fn repeated_failures_for_one_account_are_throttled(app: TestApp) {
    app.register("ana", "acme.io", Some("Acme")).await;
    for _ in 0..5 {
        assert_error(
            app.login("ana@acme.io", "guess").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let throttled = app.login("ana@acme.io", PASSWORD).await;
    let retry_after: u64 = throttled
        .headers()
        .get(RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    assert_error(throttled, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another account is not affected.
    app.register("bob", "acme.io", None).await;
    app.login_ok("bob@acme.io").await;
}

async fn repeated_failures_from_one_address_are_throttled_across_accounts(app: TestApp) {
    let strict = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "auth": { "max_failed_logins_per_address": 3 } }),
    )
    .await;
    strict.register("ana", "acme.io", Some("Acme")).await;
    // Guessing different accounts from one address: each account stays under its own limit.
    for login in ["bob@acme.io", "carol@acme.io", "dave@acme.io"] {
        assert_error(
            strict.login(login, "guess").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let throttled = strict.login("ana@acme.io", PASSWORD).await;
    assert!(throttled.headers().get(RETRY_AFTER).is_some());
    assert_error(throttled, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// Failed logins lock the (account, address) pair: a guesser at one address waits, the owner
/// at another logs in. (Behind a trusted proxy, the address is the last `X-Forwarded-For` hop.)
async fn a_guesser_cannot_lock_the_owner_out_from_elsewhere(app: TestApp) {
    let proxied = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "http": { "trust_forwarded_headers": true } }),
    )
    .await;
    proxied.register("ana", "acme.io", Some("Acme")).await;
    let login_from = |address: &'static str, password: &'static str| {
        proxied
            .client
            .post(proxied.url("/api/v1/auth/login"))
            .header("x-forwarded-for", address)
            .json(&json!({ "email": "ana@acme.io", "password": password }))
            .send()
    };
    for _ in 0..5 {
        assert_error(
            login_from("203.0.113.7", "guess").await.unwrap(),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    assert_error(
        login_from("203.0.113.7", PASSWORD).await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    let owner = login_from("198.51.100.2", PASSWORD).await.unwrap();
    assert_eq!(owner.status(), StatusCode::OK);
}

/// Responses carrying tokens say `Cache-Control: no-store` (RFC 6749, 5.1): no proxy or
/// browser cache keeps a copy.
async fn token_responses_are_never_cached(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let registered = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "bob@acme.io", "username": "bob", "password": PASSWORD }),
        )
        .await;
    let logged_in = app.login("ana@acme.io", PASSWORD).await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": ana.refresh_token }),
        )
        .await;
    for (what, response) in [
        ("register", registered),
        ("login", logged_in),
        ("refresh", refreshed),
    ] {
        assert!(
            response.status().is_success(),
            "{what}: {}",
            response.status()
        );
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("cache-control").as_deref(),
            Some("no-store"),
            "{what}"
        );
        assert_eq!(header("pragma").as_deref(), Some("no-cache"), "{what}");
    }
}

/// Sign-up attempts count per address, taken ones included (probing for `email_taken`).
async fn sign_ups_from_one_address_are_throttled(app: TestApp) {
    let strict = tandem_tests::spawn_app_with(
        app.backend,
        json!({ "auth": { "max_registrations_per_address_per_hour": 3 } }),
    )
    .await;
    strict.register("ana", "acme.io", Some("Acme")).await;
    strict.register("bob", "acme.io", None).await;
    let taken = strict
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "ana@acme.io", "username": "ana2", "password": PASSWORD }),
        )
        .await;
    assert_error(taken, StatusCode::CONFLICT, "email_taken").await;
    let throttled = strict
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "cy@acme.io", "username": "cy", "password": PASSWORD }),
        )
        .await;
    let retry_after: u64 = throttled.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 3600, "{retry_after}");
    assert_error(throttled, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Logging in is another matter.
    strict.login_ok("bob").await;
}

async fn me_answers_the_caller_and_refuses_anonymous_requests(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (status, me) =
        status_and_json(app.get("/api/v1/auth/me", Some(&ana.access_token)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], ana.id);
    assert_no_password_data(&me);
    let anonymous = app.get("/api/v1/auth/me", None).await;
    assert!(anonymous.headers().get("www-authenticate").is_some());
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let basic = app
        .request(reqwest::Method::GET, "/api/v1/auth/me", None)
        .basic_auth("ana", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_error(basic, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn injection_looking_strings_are_stored_verbatim(app: TestApp) {
    let org = "Robert'); DROP TABLE users;-- <script>alert(1)</script>";
    let display = "<img src=x onerror=alert(1)> ' OR 1=1 --";
    let body = json!({ "email": "ana@acme.io", "username": "ana", "password": PASSWORD, "organization_name": org, "display_name": display });
    let (status, body) =
        status_and_json(app.post_json("/api/v1/auth/register", None, &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["display_name"], display);
    let token = body["access_token"].as_str().unwrap();
    let (_, stored) =
        status_and_json(app.get("/api/v1/organizations/current", Some(token)).await).await;
    assert_eq!(stored["name"], org);
    // SQL in a login is just a login that matches nobody.
    assert_error(
        app.login("' OR '1'='1", "' OR '1'='1").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.login("ana@acme.io' --", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let (status, users) = status_and_json(app.get("/api/v1/users", Some(token)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        users["users"].as_array().unwrap().len(),
        1,
        "the users table is intact"
    );
}
