//! Identity and access, with the default rule that addresses are confirmed: confirming by
//! emailed link (and the domain claims it decides), changing one's address, password resets,
//! invitations, the self-signup switch, and the sessions people see and end. Emails go through
//! a real SMTP server the tests start; links are read out of them as a person would.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_tests::smtp::{Received, SmtpSink};
use tandem_tests::{
    Backend, PASSWORD, Session, TestApp, assert_error, spawn_app_with, status_and_json,
};

tandem_tests::on_every_backend_by_value!(
    a_domain_joiner_sees_nothing_until_the_emailed_link_confirms_the_address,
    an_unconfirmed_founder_claims_no_domain_so_squatters_get_nobody,
    only_domains_the_operator_allows_are_claimed,
    a_new_address_replaces_the_old_one_only_once_confirmed,
    a_password_reset_answers_alike_for_everyone_and_ends_every_session,
    an_admin_forces_a_reset_and_the_old_password_stops_working,
    an_invitation_creates_the_account_with_its_role_and_channels,
    invitations_are_for_admins_revocable_expiring_and_scoped_to_the_organization,
    an_invitation_brings_in_an_unconfirmed_account_of_the_organization,
    self_signup_can_be_turned_off_and_invitations_still_work,
    sessions_are_listed_and_ended_one_by_one_or_all_but_this_one,
    admins_see_and_end_other_peoples_sessions,
    account_emails_to_one_address_are_limited,
    signing_up_with_a_taken_address_answers_as_a_free_one_and_tells_the_owner,
);

const WAIT: Duration = Duration::from_secs(15);
const BASE: &str = "https://chat.acme.io";

async fn identity_app(backend: Backend, sink: &SmtpSink, auth: Value) -> TestApp {
    let mut auth_settings = json!({ "require_email_verification": true });
    tandem_tests::merge(&mut auth_settings, auth);
    spawn_app_with(
        backend,
        json!({
            "auth": auth_settings,
            "mail": { "smtp_host": "127.0.0.1", "smtp_port": sink.port(), "tls": "none",
                      "from": "Tandem <tandem@acme.io>", "timeout_secs": 5 },
            "notifications": { "base_url": BASE },
            "jobs": { "poll_interval_ms": 50 },
        }),
    )
    .await
}

/// The token of the `page` link in `mail`'s text.
fn link_token(mail: &Received, page: &str) -> String {
    let text = mail.part("text/plain").expect("a text part");
    let prefix = format!("{BASE}/{page}?token=");
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {page} link in: {text}"))
        + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The newest of `count` emails to `address`.
async fn nth_mail(sink: &SmtpSink, address: &str, count: usize) -> Received {
    sink.wait_for(address, count, WAIT)
        .await
        .pop()
        .expect("an email")
}

/// Signs up as a person would where addresses are proven: the answer is only "a link is on
/// its way", then the chosen password logs in.
async fn register(app: &TestApp, email: &str, username: &str, org: Option<&str>) -> Session {
    let (status, answer) = sign_up(app, email, username, org).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "registering {email}: {answer}"
    );
    assert!(answer.get("access_token").is_none(), "{answer}");
    let session = app.login_ok(email).await;
    let me = app.get_ok("/api/v1/auth/me", &session.access_token).await;
    assert_eq!(me["email_verified"], false, "{me}");
    session
}

async fn sign_up(
    app: &TestApp,
    email: &str,
    username: &str,
    org: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({ "email": email, "username": username, "password": PASSWORD });
    if let Some(org) = org {
        body["organization_name"] = json!(org);
    }
    status_and_json(app.post_json("/api/v1/auth/register", None, &body).await).await
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/verify-email",
        None,
        &json!({ "token": token }),
    )
    .await
}

/// Confirms `session`'s address with the `nth` email it received.
async fn confirm(app: &TestApp, sink: &SmtpSink, session: &Session, nth: usize) -> Value {
    let mail = nth_mail(sink, &session.email, nth).await;
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Confirm your email address"
    );
    let (status, user) =
        status_and_json(verify(app, &link_token(&mail, "verify-email")).await).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["email_verified"], true);
    user
}

async fn invalid_link(response: reqwest::Response) {
    let error = assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "invalid_link", "{error}");
}

async fn organization(app: &TestApp, session: &Session) -> Value {
    app.get_ok("/api/v1/organizations/current", &session.access_token)
        .await
}

/// A founder who confirmed their address (so the domain is claimed), and a member who joined
/// by domain and confirmed theirs.
async fn confirmed_organization(app: &TestApp, sink: &SmtpSink) -> (Session, Session) {
    let admin = register(app, "carla@acme.io", "carla", Some("Acme")).await;
    confirm(app, sink, &admin, 1).await;
    let member = register(app, "member@acme.io", "member", None).await;
    confirm(app, sink, &member, 1).await;
    (admin, member)
}

async fn a_domain_joiner_sees_nothing_until_the_emailed_link_confirms_the_address(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let founder = register(&app, "ana@acme.io", "ana", Some("Acme")).await;
    // A founder works in their new organization at once; it claims no domain yet.
    app.channel(&founder.access_token, "general", "public")
        .await;
    assert_eq!(organization(&app, &founder).await["domain"], Value::Null);
    confirm(&app, &sink, &founder, 1).await;
    assert_eq!(organization(&app, &founder).await["domain"], "acme.io");

    let bruno = register(&app, "bruno@acme.io", "bruno", None).await;
    assert_eq!(bruno.organization_id, founder.organization_id);
    for path in [
        "/api/v1/channels",
        "/api/v1/users",
        "/api/v1/organizations/current",
        "/api/v1/notifications",
    ] {
        assert_error(
            app.get(path, Some(&bruno.access_token)).await,
            StatusCode::FORBIDDEN,
            "email_unverified",
        )
        .await;
    }
    // Their own account answers: who they are, and another link.
    let me = app.get_ok("/api/v1/auth/me", &bruno.access_token).await;
    assert_eq!(me["email_verified"], false);
    let resent = app
        .request(
            Method::POST,
            "/api/v1/auth/verify-email/resend",
            Some(&bruno.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    let first = nth_mail(&sink, &bruno.email, 1).await;
    let second = nth_mail(&sink, &bruno.email, 2).await;
    // The newer link replaced the older one.
    invalid_link(verify(&app, &link_token(&first, "verify-email")).await).await;
    for forged in [
        "",
        "x",
        "'; DELETE FROM users; --",
        &"a".repeat(129),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = verify(&app, forged).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{forged:?}"
        );
    }
    let token = link_token(&second, "verify-email");
    assert_eq!(verify(&app, &token).await.status(), StatusCode::OK);
    let channels = app.get_ok("/api/v1/channels", &bruno.access_token).await;
    assert!(channels["channels"].is_array(), "{channels}");
    // Single use.
    invalid_link(verify(&app, &token).await).await;
    // Already confirmed: asking again sends nothing.
    let resent = app
        .request(
            Method::POST,
            "/api/v1/auth/verify-email/resend",
            Some(&bruno.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.wait_for(&bruno.email, 2, WAIT).await.len(), 2);
}

async fn an_unconfirmed_founder_claims_no_domain_so_squatters_get_nobody(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    // Someone who does not own a bigcorp.io mailbox founds "BigCorp" with that address.
    let squatter = register(&app, "ceo@bigcorp.io", "ceo", Some("BigCorp")).await;
    // The real employees are not joined to it: the domain is unclaimed.
    let error = assert_error(
        app.post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "dana@bigcorp.io", "username": "dana", "password": PASSWORD }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["field"], "organization_name");
    // A real employee founds theirs, proves the mailbox, and the domain is theirs.
    let dana = register(&app, "dana@bigcorp.io", "dana", Some("BigCorp (real)")).await;
    assert_ne!(dana.organization_id, squatter.organization_id);
    confirm(&app, &sink, &dana, 1).await;
    assert_eq!(organization(&app, &dana).await["domain"], "bigcorp.io");
    let eli = register(&app, "eli@bigcorp.io", "eli", None).await;
    assert_eq!(eli.organization_id, dana.organization_id);
    // The squatter confirming later (had they the mailbox) cannot take it over.
    confirm(&app, &sink, &squatter, 1).await;
    assert_eq!(organization(&app, &squatter).await["domain"], Value::Null);
}

async fn only_domains_the_operator_allows_are_claimed(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(
        backend,
        &sink,
        json!({ "claimable_domains": ["acme.io", "*.corp.example"] }),
    )
    .await;
    let outside = register(&app, "ana@other.io", "ana", Some("Other")).await;
    confirm(&app, &sink, &outside, 1).await;
    assert_eq!(organization(&app, &outside).await["domain"], Value::Null);
    let sub = register(&app, "bo@eu.corp.example", "bo", Some("Corp EU")).await;
    confirm(&app, &sink, &sub, 1).await;
    assert_eq!(organization(&app, &sub).await["domain"], "eu.corp.example");
    let listed = register(&app, "cy@acme.io", "cy", Some("Acme")).await;
    confirm(&app, &sink, &listed, 1).await;
    assert_eq!(organization(&app, &listed).await["domain"], "acme.io");
}

async fn a_new_address_replaces_the_old_one_only_once_confirmed(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    // Not through the profile: the address must be proven first.
    let error = assert_error(
        app.send_json(
            Method::PUT,
            &format!("/api/v1/users/{}", member.id),
            Some(&member.access_token),
            &json!({ "email": "m2@acme.io" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "confirmation_needed");
    let change = |email: &str, password: &str| {
        let body = json!({ "email": email, "password": password });
        let (app, token) = (&app, &member.access_token);
        async move {
            app.post_json("/api/v1/users/me/email", Some(token), &body)
                .await
        }
    };
    let error = assert_error(
        change("m2@acme.io", "not my password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "incorrect");
    let error = assert_error(
        change("member@acme.io", PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "unchanged");
    assert_error(
        change(&admin.email, PASSWORD).await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
    assert_error(
        change("not an address", PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        change("m2@acme.io", PASSWORD).await.status(),
        StatusCode::ACCEPTED
    );
    // Nothing changed yet.
    let me = app.get_ok("/api/v1/auth/me", &member.access_token).await;
    assert_eq!(me["email"], "member@acme.io");
    let mail = nth_mail(&sink, "m2@acme.io", 1).await;
    let (status, user) =
        status_and_json(verify(&app, &link_token(&mail, "verify-email")).await).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["email"], "m2@acme.io");
    app.login_ok("m2@acme.io").await;
    assert_error(
        app.login("member@acme.io", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}

async fn a_password_reset_answers_alike_for_everyone_and_ends_every_session(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (_, member) = confirmed_organization(&app, &sink).await;
    // Someone guessing paused sign-in from this address.
    for _ in 0..5 {
        app.login(&member.email, "wrong guess").await;
    }
    assert_error(
        app.login(&member.email, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;

    let ask = |email: &str| {
        let body = json!({ "email": email });
        let app = &app;
        async move {
            app.post_json("/api/v1/auth/password-reset", None, &body)
                .await
        }
    };
    let known = status_and_json(ask(&member.email).await).await;
    let unknown = status_and_json(ask("nobody@acme.io").await).await;
    let malformed = status_and_json(ask("not an address").await).await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(known, unknown, "the answer tells nothing");
    assert_eq!(known, malformed);

    // The unlock email of the pause arrived first; the reset email is the second.
    let mails = sink.wait_for(&member.email, 3, WAIT).await;
    let reset = mails
        .iter()
        .find(|m| m.header("Subject").unwrap() == "Reset your Tandem password")
        .expect("the reset email");
    let token = link_token(reset, "reset-password");
    let confirm_reset = |token: &str, password: &str| {
        let body = json!({ "token": token, "password": password });
        let app = &app;
        async move {
            app.post_json("/api/v1/auth/password-reset/confirm", None, &body)
                .await
        }
    };
    // A weak choice is refused, and the link still works.
    let error = assert_error(
        confirm_reset(&token, "password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["field"], "password");
    invalid_link(confirm_reset("forged-token", "a fresh long passphrase").await).await;
    assert_eq!(
        confirm_reset(&token, "a fresh long passphrase")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    invalid_link(confirm_reset(&token, "another long passphrase").await).await;
    // Every session ended; the old password is gone; the pause is lifted.
    assert_error(
        app.get("/api/v1/channels", Some(&member.access_token))
            .await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    assert_error(
        app.post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": member.refresh_token }),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_error(
        app.login(&member.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let (status, body) =
        status_and_json(app.login(&member.email, "a fresh long passphrase").await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Nobody else got an email.
    assert!(sink.received().iter().all(|m| {
        m.to.iter()
            .all(|to| to.ends_with("@acme.io") && to != "nobody@acme.io")
    }),);
}

async fn an_admin_forces_a_reset_and_the_old_password_stops_working(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    let force = |token: &str, id: i64| {
        app.request(
            Method::POST,
            &format!("/api/v1/users/{id}/password-reset"),
            Some(token),
        )
        .send()
    };
    assert_error(
        force(&member.access_token, admin.id).await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let other = register(&app, "zoe@other.io", "zoe", Some("Other")).await;
    assert_error(
        force(&admin.access_token, other.id).await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        force(&admin.access_token, member.id)
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    assert_error(
        app.get("/api/v1/channels", Some(&member.access_token))
            .await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    assert_error(
        app.login(&member.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let mail = nth_mail(&sink, &member.email, 2).await;
    let token = link_token(&mail, "reset-password");
    let response = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": token, "password": "my own new passphrase" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) =
        status_and_json(app.login(&member.email, "my own new passphrase").await).await;
    assert_eq!(status, StatusCode::OK);
}

async fn invite(app: &TestApp, admin: &Session, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/invitations", Some(&admin.access_token), &body)
        .await
}

async fn accept(app: &TestApp, body: Value) -> (StatusCode, Value) {
    status_and_json(
        app.post_json("/api/v1/auth/invitations/accept", None, &body)
            .await,
    )
    .await
}

async fn an_invitation_creates_the_account_with_its_role_and_channels(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, _) = confirmed_organization(&app, &sink).await;
    let secret = app.channel(&admin.access_token, "leads", "private").await;
    let (status, invitation) = status_and_json(
        invite(
            &app,
            &admin,
            json!({ "email": "Bruno@Elsewhere.io", "role": "moderator", "channel_ids": [secret] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{invitation}");
    assert_eq!(invitation["email"], "bruno@elsewhere.io");
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["role"], "moderator");
    assert!(
        invitation.get("token").is_none(),
        "the link is only emailed"
    );
    let listed = app.get_ok("/api/v1/invitations", &admin.access_token).await;
    assert_eq!(listed["invitations"][0]["id"], invitation["id"]);

    let mail = nth_mail(&sink, "bruno@elsewhere.io", 1).await;
    assert_eq!(
        mail.header("Subject").unwrap(),
        "carla invited you to Acme on Tandem"
    );
    let token = link_token(&mail, "invite");
    let preview = app
        .post_json(
            "/api/v1/auth/invitations/preview",
            None,
            &json!({ "token": token }),
        )
        .await;
    let (status, preview) = status_and_json(preview).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["organization_name"], "Acme");
    assert_eq!(preview["account_exists"], false);
    assert_eq!(preview["inviter"], "carla");

    let (status, error) = accept(&app, json!({ "token": token, "password": PASSWORD })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["details"][0]["field"], "username");
    let (status, error) = accept(
        &app,
        json!({ "token": token, "username": "bruno", "password": "bruno123" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let (status, error) = accept(
        &app,
        json!({ "token": token, "username": "member", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["code"], "username_taken");

    let (status, body) = accept(
        &app,
        json!({ "token": token, "username": "bruno", "display_name": "Bruno Díaz", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bruno = Session::from_body(&body);
    assert_eq!(body["user"]["role"], "moderator");
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(bruno.organization_id, admin.organization_id);
    let channels = app.get_ok("/api/v1/channels", &bruno.access_token).await;
    assert!(
        channels["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == secret),
        "the invitation's private channel: {channels}"
    );
    let (status, _) = accept(
        &app,
        json!({ "token": token, "username": "bruno2", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    let pending = app.get_ok("/api/v1/invitations", &admin.access_token).await;
    assert_eq!(pending["invitations"], json!([]));
    let all = app
        .get_ok("/api/v1/invitations?status=all", &admin.access_token)
        .await;
    assert_eq!(all["invitations"][0]["status"], "accepted");
    assert_eq!(all["invitations"][0]["accepted_by"], bruno.id);
}

async fn invitations_are_for_admins_revocable_expiring_and_scoped_to_the_organization(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    let other = register(&app, "zoe@other.io", "zoe", Some("Other")).await;
    let theirs = app.channel(&other.access_token, "theirs", "public").await;

    assert_error(
        invite(&app, &member, json!({ "email": "x@elsewhere.io" })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get("/api/v1/invitations", Some(&member.access_token))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        invite(&app, &admin, json!({ "email": member.email })).await,
        StatusCode::CONFLICT,
        "already_member",
    )
    .await;
    let error = assert_error(
        invite(
            &app,
            &admin,
            json!({ "email": "x@elsewhere.io", "channel_ids": [theirs] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error["details"][0]["code"], "invalid_channel");
    for bad in [
        json!({ "email": "x@elsewhere.io", "role": "owner" }),
        json!({ "email": "x@elsewhere.io", "channel_ids": "all" }),
        json!({ "email": "x@elsewhere.io", "surprise": true }),
        json!({ "email": 42 }),
    ] {
        let response = invite(&app, &admin, bad.clone()).await;
        assert!(
            response.status().is_client_error(),
            "{bad}: {}",
            response.status()
        );
    }

    // Revoking: the link stops working; revoking again, or another organization's, is 404.
    let (_, first) =
        status_and_json(invite(&app, &admin, json!({ "email": "x@elsewhere.io" })).await).await;
    let id = first["id"].as_i64().unwrap();
    let mail = nth_mail(&sink, "x@elsewhere.io", 1).await;
    let revoked_token = link_token(&mail, "invite");
    assert_error(
        app.request(
            Method::DELETE,
            &format!("/api/v1/invitations/{id}"),
            Some(&other.access_token),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let revoke = app
        .request(
            Method::DELETE,
            &format!("/api/v1/invitations/{id}"),
            Some(&admin.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let (status, _) = accept(
        &app,
        json!({ "token": revoked_token, "username": "xavier", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(
        app.request(
            Method::DELETE,
            &format!("/api/v1/invitations/{id}"),
            Some(&admin.access_token),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Inviting again replaces the pending invitation: only the newest link works.
    invite(&app, &admin, json!({ "email": "y@elsewhere.io" })).await;
    invite(&app, &admin, json!({ "email": "y@elsewhere.io" })).await;
    let older = link_token(&nth_mail(&sink, "y@elsewhere.io", 1).await, "invite");
    let newer = link_token(&nth_mail(&sink, "y@elsewhere.io", 2).await, "invite");
    let pending = app.get_ok("/api/v1/invitations", &admin.access_token).await;
    assert_eq!(
        pending["invitations"].as_array().unwrap().len(),
        1,
        "{pending}"
    );
    let (status, _) = accept(
        &app,
        json!({ "token": older, "username": "yara", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A week and a day later, the newer link has expired too.
    app.clock.advance(Duration::from_secs(8 * 24 * 3600));
    let (status, error) = accept(
        &app,
        json!({ "token": newer, "username": "yara", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["details"][0]["code"], "invalid_link");
    let all = app
        .get_ok("/api/v1/invitations?status=all", &admin.access_token)
        .await;
    let statuses: Vec<&str> = all["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["expired", "revoked", "revoked"]);
    // The other organization's admin sees none of these.
    let theirs = app
        .get_ok("/api/v1/invitations?status=all", &other.access_token)
        .await;
    assert_eq!(theirs["invitations"], json!([]));
}

async fn an_invitation_brings_in_an_unconfirmed_account_of_the_organization(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, _) = confirmed_organization(&app, &sink).await;
    // Joined by domain, never opened the confirmation.
    let cleo = register(&app, "cleo@acme.io", "cleo", None).await;
    let (status, _) = status_and_json(
        invite(
            &app,
            &admin,
            json!({ "email": cleo.email, "role": "moderator" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let mail = sink
        .wait_for(&cleo.email, 2, WAIT)
        .await
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("invited you"))
        .unwrap();
    let token = link_token(&mail, "invite");
    let preview = app
        .post_json(
            "/api/v1/auth/invitations/preview",
            None,
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(status_and_json(preview).await.1["account_exists"], true);
    let (status, error) = accept(&app, json!({ "token": token, "password": "not hers" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["details"][0]["code"], "incorrect");
    let (status, body) = accept(&app, json!({ "token": token, "password": PASSWORD })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["id"], cleo.id);
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(body["user"]["role"], "moderator");
    let session = Session::from_body(&body);
    app.get_ok("/api/v1/channels", &session.access_token).await;

    // An address with an account in another organization cannot be brought over.
    let other = register(&app, "zoe@other.io", "zoe", Some("Other")).await;
    invite(&app, &admin, json!({ "email": other.email })).await;
    let mail = sink
        .wait_for(&other.email, 2, WAIT)
        .await
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("invited you"))
        .unwrap();
    let (status, error) = accept(
        &app,
        json!({ "token": link_token(&mail, "invite"), "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["code"], "account_in_other_organization");
}

async fn self_signup_can_be_turned_off_and_invitations_still_work(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    let close = json!({ "self_signup": false });
    assert_error(
        app.send_json(
            Method::PATCH,
            "/api/v1/organizations/current",
            Some(&member.access_token),
            &close,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let org = app
        .send_ok(
            Method::PATCH,
            "/api/v1/organizations/current",
            &admin.access_token,
            &close,
        )
        .await;
    assert_eq!(org["self_signup"], false);
    assert_error(
        app.post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "dan@acme.io", "username": "dan", "password": PASSWORD }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "signup_disabled",
    )
    .await;
    invite(&app, &admin, json!({ "email": "dan@acme.io" })).await;
    let token = link_token(&nth_mail(&sink, "dan@acme.io", 1).await, "invite");
    let (status, body) = accept(
        &app,
        json!({ "token": token, "username": "dan", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["role"], "member");
}

async fn login_from(app: &TestApp, email: &str, agent: &str) -> Session {
    let response = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .header("user-agent", agent)
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Session::from_body(&body)
}

async fn sessions(app: &TestApp, session: &Session) -> Vec<Value> {
    app.get_ok("/api/v1/auth/sessions", &session.access_token)
        .await["sessions"]
        .as_array()
        .unwrap()
        .clone()
}

async fn sessions_are_listed_and_ended_one_by_one_or_all_but_this_one(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    let laptop = login_from(&app, &member.email, "Firefox on the laptop").await;
    let phone = login_from(&app, &member.email, "Tandem for Android\t2.1").await;
    let listed = sessions(&app, &laptop).await;
    assert_eq!(listed.len(), 3, "sign-up, laptop, phone: {listed:?}");
    let current: Vec<&Value> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Firefox on the laptop");
    assert_eq!(current[0]["address"], "127.0.0.1");
    let phone_session = listed
        .iter()
        .find(|s| {
            s["user_agent"]
                .as_str()
                .is_some_and(|a| a.starts_with("Tandem for Android"))
        })
        .expect("the phone");
    assert_eq!(
        phone_session["user_agent"], "Tandem for Android2.1",
        "control characters are dropped"
    );
    // Refreshing keeps the session (and moves its last use).
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": phone.refresh_token }),
        )
        .await;
    let refreshed = Session::from_body(&status_and_json(refreshed).await.1);
    assert_eq!(sessions(&app, &laptop).await.len(), 3);

    // Someone else's session id is not found.
    let admins = sessions(&app, &admin).await;
    assert_error(
        app.request(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{}", admins[0]["id"]),
            Some(&laptop.access_token),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let ended = app
        .request(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{}", phone_session["id"]),
            Some(&laptop.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    // The phone's tokens, the new one from the refresh included, are refused at once.
    for token in [&phone.access_token, &refreshed.access_token] {
        assert_error(
            app.get("/api/v1/channels", Some(token)).await,
            StatusCode::UNAUTHORIZED,
            "token_revoked",
        )
        .await;
    }
    assert_error(
        app.post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": refreshed.refresh_token }),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(sessions(&app, &laptop).await.len(), 2);

    let (status, body) = status_and_json(
        app.request(
            Method::DELETE,
            "/api/v1/auth/sessions",
            Some(&laptop.access_token),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ended"], 1);
    assert_error(
        app.get("/api/v1/channels", Some(&member.access_token))
            .await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    let left = sessions(&app, &laptop).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
    app.get_ok("/api/v1/channels", &laptop.access_token).await;
    // Logging out ends the session too.
    let out = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&laptop.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let again = login_from(&app, &member.email, "Firefox on the laptop").await;
    assert_eq!(sessions(&app, &again).await.len(), 1);
    assert_error(
        app.request(
            Method::DELETE,
            "/api/v1/auth/sessions/not-a-number",
            Some(&again.access_token),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
}

async fn admins_see_and_end_other_peoples_sessions(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (admin, member) = confirmed_organization(&app, &sink).await;
    let other = register(&app, "zoe@other.io", "zoe", Some("Other")).await;
    let path = format!("/api/v1/users/{}/sessions", member.id);
    assert_error(
        app.get(
            &format!("/api/v1/users/{}/sessions", admin.id),
            Some(&member.access_token),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get(&path, Some(&other.access_token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let listed = app.get_ok(&path, &admin.access_token).await;
    let theirs = listed["sessions"].as_array().unwrap();
    assert_eq!(theirs.len(), 1);
    let one = app
        .request(
            Method::DELETE,
            &format!("{path}/{}", theirs[0]["id"]),
            Some(&admin.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get("/api/v1/channels", Some(&member.access_token))
            .await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    let first = login_from(&app, &member.email, "one").await;
    login_from(&app, &member.email, "two").await;
    let (status, body) = status_and_json(
        app.request(Method::DELETE, &path, Some(&admin.access_token))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ended"], 2);
    assert_error(
        app.get("/api/v1/channels", Some(&first.access_token)).await,
        StatusCode::UNAUTHORIZED,
        "token_revoked",
    )
    .await;
    // The admin's own session is untouched.
    app.get_ok("/api/v1/channels", &admin.access_token).await;
}

async fn account_emails_to_one_address_are_limited(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = identity_app(
        backend,
        &sink,
        json!({ "max_account_emails_per_address_per_hour": 3 }),
    )
    .await;
    let (_, member) = confirmed_organization(&app, &sink).await;
    for _ in 0..6 {
        let response = app
            .post_json(
                "/api/v1/auth/password-reset",
                None,
                &json!({ "email": member.email }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::ACCEPTED,
            "the answer stays the same"
        );
    }
    // The confirmation, then three resets; give stragglers a moment to show up.
    sink.wait_for(&member.email, 4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resets = sink
        .received()
        .into_iter()
        .filter(|m| m.to.contains(&member.email) && m.header("Subject").unwrap().contains("Reset"))
        .count();
    assert_eq!(resets, 3);
}

async fn signing_up_with_a_taken_address_answers_as_a_free_one_and_tells_the_owner(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let app = identity_app(backend, &sink, json!({})).await;
    let (_, member) = confirmed_organization(&app, &sink).await;

    // A free address and a taken one, side by side: the same status, the same body but for
    // the address it names, and no tokens either way.
    let (free_status, free) = sign_up(&app, "dora@acme.io", "dora", None).await;
    let (taken_status, taken) = sign_up(&app, "Carla@ACME.io", "carla2", None).await;
    assert_eq!(free_status, StatusCode::ACCEPTED, "{free}");
    assert_eq!(taken_status, StatusCode::ACCEPTED, "{taken}");
    assert_eq!(
        free["message"]
            .as_str()
            .unwrap()
            .replace("dora@acme.io", "ADDRESS"),
        taken["message"]
            .as_str()
            .unwrap()
            .replace("carla@acme.io", "ADDRESS"),
    );
    assert_eq!(free.as_object().unwrap().len(), 1, "{free}");
    assert_eq!(taken.as_object().unwrap().len(), 1, "{taken}");

    // A username in use is said either way, as making the account would have said it: a
    // taken username cannot tell a taken address from a free one.
    for address in ["erin@acme.io", "carla@acme.io"] {
        let (status, error) = sign_up(&app, address, "dora", None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{address}: {error}");
        assert_eq!(error["code"], "username_taken", "{address}: {error}");
    }

    // The new account confirms with its link; the owner of the taken address is told, with a
    // link to choose a new password, and no second account exists.
    let dora_mail = nth_mail(&sink, "dora@acme.io", 1).await;
    assert_eq!(
        dora_mail.header("Subject").unwrap(),
        "Confirm your email address"
    );
    let told = nth_mail(&sink, "carla@acme.io", 2).await;
    assert_eq!(
        told.header("Subject").unwrap(),
        "You already have a Tandem account"
    );
    let text = told.part("text/plain").unwrap();
    assert!(
        text.contains("Someone tried to create a Tandem account with carla@acme.io"),
        "{text}"
    );
    let reset = link_token(&told, "reset-password");
    let (status, body) = status_and_json(
        app.post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": reset, "password": "harbor violet kettle 2" }),
        )
        .await,
    )
    .await;
    assert!(status.is_success(), "the owner's link works: {body}");
    assert_eq!(
        app.login("carla@acme.io", "harbor violet kettle 2")
            .await
            .status(),
        StatusCode::OK
    );
    let users = app
        .get_ok("/api/v1/users?limit=100", &member.access_token)
        .await;
    let carlas = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"].as_str().is_some_and(|e| e.starts_with("carla")))
        .count();
    assert_eq!(carlas, 1, "{users}");
    // The would-be second account's password opens nothing.
    assert_error(
        app.login("carla2", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    // The same for a founder's sign-up: no account is made, and the owner is told.
    let (status, body) = sign_up(&app, "carla@acme.io", "carla3", Some("Carla's other")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let told = nth_mail(&sink, "carla@acme.io", 3).await;
    assert_eq!(
        told.header("Subject").unwrap(),
        "You already have a Tandem account"
    );
    assert_error(
        app.login("carla3", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}
