//! Two-factor sign-in with an authenticator app, black-box on both backends. The codes are
//! computed here from the secret by RFC 6238 itself (HMAC-SHA1 over the time step, dynamic
//! truncation), independently of the server's implementation, at the server's time.

use hmac::{KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_app::ports::Clock;
use tandem_tests::{PASSWORD, Session, TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    enrolling_takes_the_password_and_a_first_code_then_logging_in_takes_two_steps,
    a_challenge_dies_after_five_wrong_codes_and_forged_challenges_are_refused,
    guessing_codes_across_challenges_meets_the_account_limit,
    two_factor_endpoints_refuse_what_does_not_fit_the_state,
    an_organization_that_requires_it_lets_people_in_only_to_set_it_up,
    an_admin_turns_it_off_for_someone_who_lost_their_phone,
    secrets_are_sealed_in_the_database_and_open_after_a_restart,
);

/// RFC 4648 base32 (no padding), as authenticator apps read the secret.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u64, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let index = ALPHABET
            .iter()
            .position(|a| *a == c.to_ascii_uppercase())
            .expect("base32");
        value = (value << 5) | index as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    out
}

/// The six-digit code of time step `step`.
fn hotp(secret: &str, step: u64) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(&base32_decode(secret)).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", binary % 1_000_000)
}

/// The code of the step `offset` steps from the server's current one.
fn code(app: &TestApp, secret: &str, offset: i64) -> String {
    let step = app.clock.now().timestamp() / 30 + offset;
    hotp(secret, u64::try_from(step).unwrap())
}

/// A six-digit code that is none of the three the server would accept now.
fn wrong_code(app: &TestApp, secret: &str) -> String {
    let right: Vec<_> = (-1..=1).map(|offset| code(app, secret, offset)).collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|candidate| !right.contains(candidate))
        .unwrap()
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    app.post_json(path, token, &body).await
}

/// Turns two-factor sign-in on for `who`; returns the secret and the recovery codes.
async fn enable(app: &TestApp, who: &Session) -> (String, Vec<String>) {
    let token = Some(who.access_token.as_str());
    let enrolment = post(
        app,
        "/api/v1/auth/two-factor/enrol",
        token,
        json!({ "password": PASSWORD }),
    )
    .await;
    let (status, enrolment) = status_and_json(enrolment).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let confirm = post(
        app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": code(app, &secret, -1) }),
    )
    .await;
    let (status, body) = status_and_json(confirm).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Logs in with the password; returns the challenge (two-factor sign-in must be on).
async fn challenge(app: &TestApp, login: &str) -> String {
    let (status, body) = status_and_json(app.login(login, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["two_factor_required"], true, "{body}");
    assert!(
        body.get("access_token").is_none(),
        "no tokens before the code: {body}"
    );
    body["challenge"].as_str().unwrap().to_owned()
}

async fn second_step(app: &TestApp, challenge: &str, code: &str) -> reqwest::Response {
    post(
        app,
        "/api/v1/auth/login/two-factor",
        None,
        json!({ "challenge": challenge, "code": code }),
    )
    .await
}

async fn status_of(app: &TestApp, who: &str) -> Value {
    app.get_ok("/api/v1/auth/two-factor", who).await
}

async fn enrolling_takes_the_password_and_a_first_code_then_logging_in_takes_two_steps(
    app: TestApp,
) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let token = Some(ana.access_token.as_str());
    let off = status_of(&app, &ana.access_token).await;
    assert_eq!(
        off,
        json!({ "enabled": false, "pending": false, "recovery_codes_left": 0 })
    );

    let wrong = post(
        &app,
        "/api/v1/auth/two-factor/enrol",
        token,
        json!({ "password": "not it at all" }),
    )
    .await;
    let body = assert_error(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["field"], "password", "{body}");

    let enrolment = post(
        &app,
        "/api/v1/auth/two-factor/enrol",
        token,
        json!({ "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        enrolment.headers().get("cache-control").unwrap(),
        "no-store",
        "a secret is never cached"
    );
    let (status, enrolment) = status_and_json(enrolment).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    assert_eq!(base32_decode(&secret).len(), 20, "160 bits");
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Tandem:ana%40acme.io?")
            && uri.contains(&format!("secret={secret}"))
            && uri.contains("issuer=Tandem"),
        "{uri}"
    );
    let pending = status_of(&app, &ana.access_token).await;
    assert_eq!(pending["pending"], true);
    // Until confirmed, the password alone still signs in.
    let (status, body) = status_and_json(app.login("ana", PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].is_string(), "{body}");

    let bad = post(
        &app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": wrong_code(&app, &secret) }),
    )
    .await;
    let body = assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["code"], "invalid_code", "{body}");
    let confirmed = post(
        &app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": code(&app, &secret, -1) }),
    )
    .await;
    let (status, body) = status_and_json(confirmed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 19 && c.matches('-').count() == 3),
        "{codes:?}"
    );
    let on = status_of(&app, &ana.access_token).await;
    assert_eq!(
        on,
        json!({ "enabled": true, "pending": false, "recovery_codes_left": 10 })
    );
    let again = post(
        &app,
        "/api/v1/auth/two-factor/enrol",
        token,
        json!({ "password": PASSWORD }),
    )
    .await;
    assert_error(again, StatusCode::CONFLICT, "two_factor_enabled").await;

    // The password now opens no session by itself.
    let first = challenge(&app, "ana@acme.io").await;
    let wrong = second_step(&app, &first, &wrong_code(&app, &secret)).await;
    let body = assert_error(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["code"], "invalid_code");
    let now = code(&app, &secret, 0);
    let signed_in = second_step(&app, &first, &now).await;
    assert_eq!(
        signed_in.headers().get("cache-control").unwrap(),
        "no-store"
    );
    let (status, body) = status_and_json(signed_in).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(app.get_ok("/api/v1/auth/me", access).await["id"], ana.id);
    // A used challenge is spent; a used code is spent too, even with a fresh challenge.
    let spent = second_step(&app, &first, &code(&app, &secret, 1)).await;
    let body = assert_error(spent, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["code"], "invalid_challenge");
    let replay = second_step(&app, &challenge(&app, "ana").await, &now).await;
    let body = assert_error(
        replay,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        body["details"][0]["code"], "invalid_code",
        "a replayed code: {body}"
    );

    // A recovery code works once, however it is typed.
    let typed = codes[0].replace('-', "").to_lowercase();
    let recovered = second_step(&app, &challenge(&app, "ana").await, &typed).await;
    assert_eq!(recovered.status(), StatusCode::OK);
    assert_eq!(
        status_of(&app, &ana.access_token).await["recovery_codes_left"],
        9
    );
    let twice = second_step(&app, &challenge(&app, "ana").await, &codes[0]).await;
    assert_error(twice, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // Turning it off takes the password and a code.
    let no_password = post(
        &app,
        "/api/v1/auth/two-factor/disable",
        token,
        json!({ "password": "not it at all", "code": code(&app, &secret, 1) }),
    )
    .await;
    assert_error(
        no_password,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let disabled = post(
        &app,
        "/api/v1/auth/two-factor/disable",
        token,
        json!({ "password": PASSWORD, "code": code(&app, &secret, 1) }),
    )
    .await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    let (status, body) = status_and_json(app.login("ana", PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["access_token"].is_string(),
        "the password alone again: {body}"
    );
}

async fn a_challenge_dies_after_five_wrong_codes_and_forged_challenges_are_refused(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let (secret, _) = enable(&app, &ana).await;
    let challenge_of_ana = challenge(&app, &ana.username).await;
    for _ in 0..5 {
        let wrong = second_step(&app, &challenge_of_ana, &wrong_code(&app, &secret)).await;
        let body = assert_error(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["details"][0]["code"], "invalid_code");
    }
    let right_too_late = second_step(&app, &challenge_of_ana, &code(&app, &secret, 0)).await;
    let body = assert_error(
        right_too_late,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["details"][0]["code"], "invalid_challenge", "{body}");

    // Challenges cannot be made up, nor moved to another account.
    let (_, random_part) = challenge(&app, &ana.username)
        .await
        .split_once('.')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    let code_now = code(&app, &secret, 0);
    for forged in [
        format!("{}.{}", bob.id, random_part),
        format!("{}.not-a-challenge", ana.id),
        "12345".to_owned(),
        format!("{}.{random_part}'; DROP TABLE two_factor; --", ana.id),
    ] {
        let refused = second_step(&app, &forged, &code_now).await;
        let body = assert_error(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(
            body["details"][0]["code"], "invalid_challenge",
            "{forged}: {body}"
        );
    }
    // Bob has no second factor: his password still opens his session.
    let (status, body) = status_and_json(app.login(&bob.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].is_string(), "{body}");
}

async fn guessing_codes_across_challenges_meets_the_account_limit(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (secret, _) = enable(&app, &ana).await;
    // Twenty wrong codes over four challenges (five each), then every attempt waits, the right
    // code included.
    for _ in 0..4 {
        let challenge = challenge(&app, "ana").await;
        for _ in 0..5 {
            let wrong = second_step(&app, &challenge, &wrong_code(&app, &secret)).await;
            assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let last = challenge(&app, "ana").await;
    let throttled = second_step(&app, &last, &code(&app, &secret, 0)).await;
    let retry_after = throttled.headers().get("retry-after").cloned();
    assert_error(throttled, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(retry_after.is_some());
}

async fn two_factor_endpoints_refuse_what_does_not_fit_the_state(app: TestApp) {
    for path in [
        "/api/v1/auth/two-factor/enrol",
        "/api/v1/auth/two-factor/confirm",
    ] {
        let anonymous = post(
            &app,
            path,
            None,
            json!({ "password": PASSWORD, "code": "123456" }),
        )
        .await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let token = Some(ana.access_token.as_str());
    let nothing_pending = post(
        &app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": "123456" }),
    )
    .await;
    assert_error(
        nothing_pending,
        StatusCode::CONFLICT,
        "two_factor_not_pending",
    )
    .await;
    let not_on = post(
        &app,
        "/api/v1/auth/two-factor/disable",
        token,
        json!({ "password": PASSWORD, "code": "123456" }),
    )
    .await;
    assert_error(not_on, StatusCode::CONFLICT, "two_factor_disabled").await;
    let renew = post(
        &app,
        "/api/v1/auth/two-factor/recovery-codes",
        token,
        json!({ "code": "123456" }),
    )
    .await;
    assert_error(renew, StatusCode::CONFLICT, "two_factor_disabled").await;
    let unknown_field = post(
        &app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": "123456", "remember_me": true }),
    )
    .await;
    assert!(unknown_field.status().is_client_error());
    let wrong_type = post(
        &app,
        "/api/v1/auth/two-factor/confirm",
        token,
        json!({ "code": 123456 }),
    )
    .await;
    assert!(wrong_type.status().is_client_error());
    let malformed = app
        .request(reqwest::Method::POST, "/api/v1/auth/login/two-factor", None)
        .header("content-type", "application/json")
        .body("{\"challenge\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;

    // New recovery codes replace the old ones.
    let (secret, old) = enable(&app, &ana).await;
    let renewed = post(
        &app,
        "/api/v1/auth/two-factor/recovery-codes",
        token,
        json!({ "code": code(&app, &secret, 0) }),
    )
    .await;
    let (status, body) = status_and_json(renewed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_first = body["recovery_codes"][0].as_str().unwrap().to_owned();
    let stale = second_step(&app, &challenge(&app, "ana").await, &old[0]).await;
    assert_error(stale, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fresh = second_step(&app, &challenge(&app, "ana").await, &new_first).await;
    assert_eq!(fresh.status(), StatusCode::OK);
}

async fn an_organization_that_requires_it_lets_people_in_only_to_set_it_up(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let policy = |token: String, value: Value| {
        let app = &app;
        async move {
            app.send_json(
                reqwest::Method::PATCH,
                "/api/v1/organizations/current",
                Some(&token),
                &json!({ "two_factor_policy": value }),
            )
            .await
        }
    };
    let by_member = policy(bob.access_token.clone(), json!("everyone")).await;
    assert_error(by_member, StatusCode::FORBIDDEN, "forbidden").await;
    let unknown = policy(ana.access_token.clone(), json!("sometimes")).await;
    let body = assert_error(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["details"][0]["field"], "two_factor_policy", "{body}");
    let (status, org) =
        status_and_json(policy(ana.access_token.clone(), json!("everyone")).await).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["two_factor_policy"], "everyone");

    // Bob signs in with his password alone, and reaches only his own account.
    let (status, signed_in) = status_and_json(app.login(&bob.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let bobs = Session::from_body(&signed_in);
    let refused = app.get("/api/v1/channels", Some(&bobs.access_token)).await;
    assert_error(refused, StatusCode::FORBIDDEN, "two_factor_setup_required").await;
    assert_eq!(
        app.get_ok("/api/v1/auth/me", &bobs.access_token).await["id"],
        bob.id
    );
    // He sets it up, refreshes, and is in.
    let (secret, _) = enable(&app, &bobs).await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": bobs.refresh_token }),
        )
        .await;
    let (status, refreshed) = status_and_json(refreshed).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let token = refreshed["access_token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/channels", Some(token)).await.status(),
        StatusCode::OK
    );
    // From now on his sign-in takes a code.
    let challenge = challenge(&app, &bob.username).await;
    let second = second_step(&app, &challenge, &code(&app, &secret, 1)).await;
    assert_eq!(second.status(), StatusCode::OK);

    // "admins": members choose; an admin without a second factor is held at the door.
    let (status, _) =
        status_and_json(policy(ana.access_token.clone(), json!("admins")).await).await;
    assert_eq!(status, StatusCode::OK);
    let ana_again = app.login_ok(&ana.username).await;
    let held = app
        .get("/api/v1/channels", Some(&ana_again.access_token))
        .await;
    assert_error(held, StatusCode::FORBIDDEN, "two_factor_setup_required").await;
    let carol = app.register("carol", "acme.io", None).await;
    assert_eq!(
        app.get("/api/v1/channels", Some(&carol.access_token))
            .await
            .status(),
        StatusCode::OK,
        "a member without a second factor is fine under `admins`"
    );
    // Until she enrols, she changes nothing, this policy included: like everyone it covers.
    let still_held = policy(ana_again.access_token.clone(), json!("optional")).await;
    assert_error(
        still_held,
        StatusCode::FORBIDDEN,
        "two_factor_setup_required",
    )
    .await;
}

async fn an_admin_turns_it_off_for_someone_who_lost_their_phone(app: TestApp) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let (other_admin, _) = app.organization("globex.io", "Globex").await;
    enable(&app, &bob).await;
    let path = format!("/api/v1/users/{}/two-factor", bob.id);
    let reset = |token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            app.request(reqwest::Method::DELETE, &path, Some(&token))
                .send()
                .await
                .unwrap()
        }
    };
    // Bob cannot skip his own second factor this way; another organization's admin cannot
    // even see him.
    assert_error(
        reset(bob.access_token.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        reset(other_admin.access_token.clone()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    assert_eq!(
        reset(ana.access_token.clone()).await.status(),
        StatusCode::NO_CONTENT
    );
    // His sessions ended (a lost phone may be in someone's hands); the password alone signs in.
    let ended = app.get("/api/v1/auth/me", Some(&bob.access_token)).await;
    assert_error(ended, StatusCode::UNAUTHORIZED, "token_revoked").await;
    let (status, body) = status_and_json(app.login(&bob.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].is_string(), "{body}");
    assert_error(
        reset(ana.access_token.clone()).await,
        StatusCode::CONFLICT,
        "two_factor_disabled",
    )
    .await;
}

async fn secrets_are_sealed_in_the_database_and_open_after_a_restart(app: TestApp) {
    let ana = app.register("ana", "acme.io", Some("Acme")).await;
    let (secret, _) = enable(&app, &ana).await;
    let database = app.database().await;
    let stored = database
        .identity()
        .two_factor(tandem_domain::UserId::new(ana.id))
        .await
        .unwrap()
        .expect("two-factor state")
        .secret;
    database.close().await.unwrap();
    assert!(stored.starts_with("v1:"), "sealed: {stored}");
    assert!(
        !stored.contains(&secret),
        "the secret is not readable in {stored}"
    );

    // The key is the server's own (kept in the data directory, or configured): a restarted
    // server still opens the secret.
    let app = app.restarted(json!({})).await;
    let answer = second_step(&app, &challenge(&app, "ana").await, &code(&app, &secret, 0)).await;
    assert_eq!(answer.status(), StatusCode::OK);
}
