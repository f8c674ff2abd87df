//! Single sign-on through a real OpenID Connect provider (`oidc-provider`, run by Node): admins
//! add it, people sign in through it — found by the provider's subject, linked by a verified
//! address, or created as members — and everything that is not a clean sign-in is refused:
//! unverified addresses, other domains, other organizations' accounts, wrong, replayed or
//! expired state, forged codes, used tickets.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_testkit::oidc_provider::{OidcProvider, RegisteredClient};
use tandem_tests::{PASSWORD, Session, TestApp, assert_error, on_every_backend, status_and_json};

on_every_backend!(
    admins_add_providers_that_answer_discovery_and_never_see_the_secret_again,
    a_verified_address_becomes_a_member_and_signs_in,
    an_existing_account_is_linked_once_and_found_by_the_provider_afterwards,
    unverified_addresses_other_domains_and_other_organizations_are_refused,
    wrong_replayed_expired_or_forged_answers_are_refused,
    an_organization_can_make_its_provider_the_only_way_in_for_members,
);

/// The test servers' `notifications.base_url`: the redirect URI registered at the provider.
const CALLBACK: &str = "http://127.0.0.1:8080/api/v1/auth/sso/callback";
const SECRET: &str = "the client secret at the test provider";

fn identity_provider() -> OidcProvider {
    OidcProvider::start(&[RegisteredClient {
        client_id: "tandem".to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_uri: CALLBACK.to_owned(),
    }])
}

async fn add_provider(
    app: &TestApp,
    admin: &Session,
    issuer: &str,
    domains: Value,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/organizations/current/sso-providers",
        Some(&admin.access_token),
        &json!({
            "label": "Acme SSO",
            "issuer": issuer,
            "client_id": "tandem",
            "client_secret": SECRET,
            "allowed_domains": domains,
        }),
    )
    .await
}

/// Acme (ana the admin, bob a member) with the provider for `acme.io` addresses.
async fn acme(app: &TestApp, provider: &OidcProvider) -> (Session, Session, i64) {
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    let added = add_provider(app, &ana, &provider.issuer, json!(["acme.io"])).await;
    let (status, body) = status_and_json(added).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (ana, bob, body["id"].as_i64().unwrap())
}

/// Where a browser ends up: the sign-in page with a ticket, or with an error code.
#[derive(Debug, PartialEq, Eq)]
enum Landing {
    Ticket(String),
    Error(String),
}

fn landing(location: &str) -> Landing {
    if let Some(ticket) = location.strip_prefix("/login/sso?ticket=") {
        Landing::Ticket(ticket.to_owned())
    } else if let Some(code) = location.strip_prefix("/login?sso_error=") {
        Landing::Error(code.to_owned())
    } else {
        panic!("the browser was sent to {location}")
    }
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.url()
    );
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A browser signing in as `login` through provider `id`, up to the provider's answer: the
/// callback address it was sent back to (on the test server), or where Tandem sent it instead.
async fn to_callback(app: &TestApp, id: i64, login: &str) -> Result<String, Landing> {
    let browser = browser();
    let start = browser
        .get(app.url(&format!("/api/v1/auth/sso/{id}/start?login_hint={login}")))
        .send()
        .await
        .unwrap();
    let mut url = location(&start);
    if url.starts_with('/') {
        return Err(landing(&url));
    }
    for _ in 0..6 {
        if let Some(rest) = url.strip_prefix(CALLBACK) {
            return Ok(app.url(&format!("/api/v1/auth/sso/callback{rest}")));
        }
        let response = browser.get(&url).send().await.unwrap();
        let next = location(&response);
        url = reqwest::Url::parse(&url)
            .unwrap()
            .join(&next)
            .unwrap()
            .to_string();
    }
    panic!("the provider never sent the browser back");
}

async fn follow(callback: &str) -> Landing {
    landing(&location(&browser().get(callback).send().await.unwrap()))
}

async fn sign_in(app: &TestApp, id: i64, login: &str) -> Landing {
    match to_callback(app, id, login).await {
        Ok(callback) => follow(&callback).await,
        Err(landed) => landed,
    }
}

async fn complete(app: &TestApp, ticket: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/sso/complete",
        None,
        &json!({ "ticket": ticket }),
    )
    .await
}

/// Signs in all the way: the session's user.
async fn signed_in_as(app: &TestApp, id: i64, login: &str) -> Value {
    let Landing::Ticket(ticket) = sign_in(app, id, login).await else {
        panic!("{login} was not signed in");
    };
    let (status, body) = status_and_json(complete(app, &ticket).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let me = app
        .get_ok("/api/v1/auth/me", body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me["id"], body["user"]["id"]);
    me
}

async fn admins_add_providers_that_answer_discovery_and_never_see_the_secret_again(app: TestApp) {
    let provider = identity_provider();
    let (ana, bob) = app.organization("acme.io", "Acme").await;
    assert_error(
        add_provider(&app, &bob, &provider.issuer, json!([])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for (issuer, code) in [
        ("http://127.0.0.1:9", "issuer_unusable"),
        ("http://idp.evil.example", "invalid_issuer"),
        ("javascript:alert(1)", "invalid_issuer"),
    ] {
        let body = assert_error(
            add_provider(&app, &ana, issuer, json!([])).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(body["details"][0]["code"], code, "{issuer}: {body}");
    }
    let bad_domain = add_provider(&app, &ana, &provider.issuer, json!(["not a domain"])).await;
    assert_error(
        bad_domain,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let added = add_provider(&app, &ana, &provider.issuer, json!(["acme.io"])).await;
    let (status, body) = status_and_json(added).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        !body.to_string().contains(SECRET),
        "the secret is never shown: {body}"
    );
    let id = body["id"].as_i64().unwrap();
    // What the database keeps is sealed with the server's key.
    let database = app.database().await;
    let (_, stored) = database
        .sso()
        .provider(tandem_domain::SsoProviderId::new(id))
        .await
        .unwrap()
        .expect("the provider is stored");
    database.close().await.unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains(SECRET),
        "{stored}"
    );
    let listed = app
        .get_ok(
            "/api/v1/organizations/current/sso-providers",
            &ana.access_token,
        )
        .await;
    assert_eq!(listed["providers"][0]["issuer"], provider.issuer.as_str());
    assert_eq!(
        listed["redirect_uri"], CALLBACK,
        "the one to register at the provider"
    );
    assert!(!listed.to_string().contains(SECRET));

    // The sign-in page finds it by the address's domain, and only there.
    let buttons = app
        .get("/api/v1/auth/sso/providers?email=carol%40acme.io", None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(buttons["providers"][0]["label"], "Acme SSO");
    let start = buttons["providers"][0]["start_url"].as_str().unwrap();
    assert_eq!(
        start,
        format!("/api/v1/auth/sso/{id}/start?login_hint=carol%40acme.io")
    );
    let elsewhere = app
        .get("/api/v1/auth/sso/providers?email=carol%40globex.io", None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(elsewhere["providers"], json!([]));
    assert_error(
        app.get("/api/v1/auth/sso/providers?email=not-an-address", None)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    // Another organization neither sees nor removes it.
    let (globex, _) = app.organization("globex.io", "Globex").await;
    let theirs = app
        .get_ok(
            "/api/v1/organizations/current/sso-providers",
            &globex.access_token,
        )
        .await;
    assert_eq!(theirs["providers"], json!([]));
    let path = format!("/api/v1/organizations/current/sso-providers/{id}");
    assert_error(
        app.request(Method::DELETE, &path, Some(&globex.access_token))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let removed = app
        .request(Method::DELETE, &path, Some(&ana.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sign_in(&app, id, "carol@acme.io").await,
        Landing::Error("not_found".to_owned())
    );
}

async fn a_verified_address_becomes_a_member_and_signs_in(app: TestApp) {
    let provider = identity_provider();
    let (ana, _, id) = acme(&app, &provider).await;
    let carol = signed_in_as(&app, id, "carol@acme.io").await;
    assert_eq!(
        (
            carol["email"].as_str(),
            carol["role"].as_str(),
            carol["email_verified"].as_bool(),
            carol["organization_id"].as_i64()
        ),
        (
            Some("carol@acme.io"),
            Some("member"),
            Some(true),
            Some(ana.organization_id)
        )
    );
    assert_eq!(carol["username"], "carol");

    // A ticket works once; the browser cookie mode works too.
    let Landing::Ticket(ticket) = sign_in(&app, id, "carol@acme.io").await else {
        panic!("carol signs in again");
    };
    let cookie_mode = app
        .request(Method::POST, "/api/v1/auth/sso/complete", None)
        .header("tandem-refresh", "cookie")
        .json(&json!({ "ticket": ticket }))
        .send()
        .await
        .unwrap();
    assert!(cookie_mode.headers().get("set-cookie").is_some());
    let (status, body) = status_and_json(cookie_mode).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["user"]["id"], carol["id"],
        "the same account, not a second one"
    );
    assert!(body.get("refresh_token").is_none());
    let again = assert_error(
        complete(&app, &ticket).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(again["details"][0]["code"], "invalid_link");
}

async fn an_existing_account_is_linked_once_and_found_by_the_provider_afterwards(app: TestApp) {
    let provider = identity_provider();
    let (_, bob, id) = acme(&app, &provider).await;
    let first = signed_in_as(&app, id, &bob.email).await;
    assert_eq!(first["id"], bob.id);
    // The second time, the provider's subject finds the account it was linked to.
    let second = signed_in_as(&app, id, &bob.email).await;
    assert_eq!(second["id"], bob.id);
}

async fn unverified_addresses_other_domains_and_other_organizations_are_refused(app: TestApp) {
    let provider = identity_provider();
    let (ana, _, id) = acme(&app, &provider).await;
    assert_eq!(
        sign_in(&app, id, "unverified-dan@acme.io").await,
        Landing::Error("sso_email_unverified".to_owned())
    );
    assert_eq!(
        sign_in(&app, id, "eve@globex.io").await,
        Landing::Error("sso_domain_not_allowed".to_owned())
    );
    // Nobody was created by a refused sign-in.
    let people = app
        .get_ok("/api/v1/users?limit=100", &ana.access_token)
        .await;
    let text = people.to_string();
    assert!(
        !text.contains("unverified-dan") && !text.contains("eve@globex.io"),
        "{text}"
    );

    // A provider open to any domain still never signs someone into another organization's account.
    let (globex_admin, _) = app.organization("globex.io", "Globex").await;
    let open = add_provider(&app, &ana, &provider.issuer, json!([])).await;
    let (status, body) = status_and_json(open).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let open_id = body["id"].as_i64().unwrap();
    assert_eq!(
        sign_in(&app, open_id, &globex_admin.email).await,
        Landing::Error("account_in_other_organization".to_owned())
    );
}

async fn wrong_replayed_expired_or_forged_answers_are_refused(app: TestApp) {
    let provider = identity_provider();
    let (_, _, id) = acme(&app, &provider).await;
    let invalid_state = Landing::Error("validation_failed".to_owned());

    // A clean sign-in, then the same answer again.
    let callback = to_callback(&app, id, "carol@acme.io").await.unwrap();
    assert!(matches!(follow(&callback).await, Landing::Ticket(_)));
    assert_eq!(follow(&callback).await, invalid_state, "a state works once");

    // A state Tandem never made, and none at all.
    let forged = app.url("/api/v1/auth/sso/callback?state=made-up&code=whatever");
    assert_eq!(follow(&forged).await, invalid_state);
    let bare = app.url("/api/v1/auth/sso/callback");
    assert_eq!(
        follow(&bare).await,
        Landing::Error("sso_provider_error".to_owned())
    );
    let refused = app.url("/api/v1/auth/sso/callback?state=x&error=access_denied");
    assert_eq!(
        follow(&refused).await,
        Landing::Error("sso_provider_error".to_owned())
    );

    // A real state with a code the provider never gave.
    let callback = to_callback(&app, id, "carol@acme.io").await.unwrap();
    let mut url = reqwest::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "code" {
                "forged-code".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(
        follow(url.as_str()).await,
        Landing::Error("sso_provider_error".to_owned())
    );

    // An answer that comes back after the attempt expired.
    let callback = to_callback(&app, id, "carol@acme.io").await.unwrap();
    app.clock.advance(Duration::from_secs(11 * 60));
    assert_eq!(follow(&callback).await, invalid_state);

    // Unknown providers and tickets.
    assert_eq!(
        sign_in(&app, 987_654, "carol@acme.io").await,
        Landing::Error("not_found".to_owned())
    );
    for ticket in ["made-up", "' OR 1=1 --", &"x".repeat(500)] {
        let answer = complete(&app, ticket).await;
        assert_eq!(
            answer.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{ticket}"
        );
    }
}

async fn an_organization_can_make_its_provider_the_only_way_in_for_members(app: TestApp) {
    let provider = identity_provider();
    let sso_only = |on: bool| json!({ "sso_only": on });
    let settings = "/api/v1/organizations/current";

    // Not without a provider to sign in through, and not by members.
    let (globex, _) = app.organization("globex.io", "Globex").await;
    let body = assert_error(
        app.send_json(
            Method::PATCH,
            settings,
            Some(&globex.access_token),
            &sso_only(true),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["details"][0]["code"], "no_sso_provider");
    let (ana, bob, id) = acme(&app, &provider).await;
    assert_error(
        app.send_json(
            Method::PATCH,
            settings,
            Some(&bob.access_token),
            &sso_only(true),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let changed = app
        .send_ok(Method::PATCH, settings, &ana.access_token, &sso_only(true))
        .await;
    assert_eq!(changed["sso_only"], true);
    // Its last provider stays while it is the only way in.
    let last = app
        .request(
            Method::DELETE,
            &format!("/api/v1/organizations/current/sso-providers/{id}"),
            Some(&ana.access_token),
        )
        .send()
        .await
        .unwrap();
    let body = assert_error(last, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["details"][0]["code"], "sso_only");

    // Members' passwords no longer sign them in, nor does signing up at the domain; the
    // provider does, and the admin keeps a password to fix the provider with.
    assert_error(
        app.login(&bob.email, PASSWORD).await,
        StatusCode::FORBIDDEN,
        "sso_required",
    )
    .await;
    assert_error(
        app.login(&bob.email, "not the password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        app.login(&ana.email, PASSWORD).await.status(),
        StatusCode::OK
    );
    let signup = app
        .post_json(
            "/api/v1/auth/register",
            None,
            &json!({ "email": "newcomer@acme.io", "username": "newcomer", "password": PASSWORD }),
        )
        .await;
    assert_error(signup, StatusCode::FORBIDDEN, "sso_required").await;
    assert_eq!(signed_in_as(&app, id, &bob.email).await["id"], bob.id);

    app.send_ok(Method::PATCH, settings, &ana.access_token, &sso_only(false))
        .await;
    assert_eq!(
        app.login(&bob.email, PASSWORD).await.status(),
        StatusCode::OK
    );
}
