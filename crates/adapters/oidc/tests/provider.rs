//! The relying party against a real OpenID Connect provider (`tandem_testkit::oidc_provider`:
//! `oidc-provider`, OpenID Certified, run by Node). A person "signs in" there by the login hint;
//! everything else is the protocol.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use tandem_app::ports::{
    AuthorizationRequest, ClientCredentials, IdentityClaims, OidcError, OpenIdConnect,
    ProviderMetadata,
};
use tandem_oidc::HttpOpenIdConnect;
use tandem_testkit::oidc_provider::{OidcProvider, RegisteredClient};

const CLIENT_ID: &str = "tandem";
const SECRET: &str = "a client secret of the test provider";
const REDIRECT: &str = "http://127.0.0.1:9/api/v1/auth/sso/callback";

fn provider() -> OidcProvider {
    OidcProvider::start(&[RegisteredClient {
        client_id: CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_uri: REDIRECT.to_owned(),
    }])
}

fn client() -> HttpOpenIdConnect {
    HttpOpenIdConnect::new(std::time::Duration::from_secs(10)).unwrap()
}

fn random() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn attempt(login: &str) -> AuthorizationRequest {
    AuthorizationRequest {
        client_id: CLIENT_ID.to_owned(),
        redirect_uri: REDIRECT.to_owned(),
        state: random(),
        nonce: random(),
        code_verifier: random(),
        login_hint: Some(login.to_owned()),
    }
}

fn credentials() -> ClientCredentials {
    ClientCredentials {
        client_id: CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
    }
}

/// What a browser does between Tandem's redirect and the provider's: follows the redirects
/// (with the provider's cookies) until the provider sends it back to Tandem. Returns the
/// callback's `code` and `state`.
async fn browse_to_callback(url: String) -> (String, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = url;
    for _ in 0..6 {
        if url.starts_with(REDIRECT) {
            let parsed = reqwest::Url::parse(&url).unwrap();
            let query = |name: &str| {
                parsed
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_else(|| panic!("no {name} in {url}"))
            };
            return (query("code"), query("state"));
        }
        let response = browser.get(&url).send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("{url} answered {} without a redirect", response.status()))
            .to_str()
            .unwrap()
            .to_owned();
        url = reqwest::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
    }
    panic!("the provider never sent the browser back");
}

/// Redeems a code for the test's registered redirect, now.
async fn redeem(
    oidc: &HttpOpenIdConnect,
    metadata: &ProviderMetadata,
    client: &ClientCredentials,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<IdentityClaims, OidcError> {
    oidc.redeem(
        metadata,
        client,
        code,
        verifier,
        REDIRECT,
        nonce,
        Utc::now(),
    )
    .await
}

/// A raw ID token for `login`, redeemed by hand, with the nonce it carries.
async fn id_token(provider: &ProviderMetadata, login: &str) -> (String, String) {
    let oidc = client();
    let request = attempt(login);
    let (code, _) = browse_to_callback(oidc.authorization_url(provider, &request)).await;
    let answer: serde_json::Value = reqwest::Client::new()
        .post(&provider.token_endpoint)
        .basic_auth(CLIENT_ID, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", request.code_verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        answer["id_token"].as_str().unwrap().to_owned(),
        request.nonce,
    )
}

#[tokio::test]
async fn a_person_signs_in_through_the_provider_with_pkce() {
    let provider = provider();
    let oidc = client();
    let metadata = oidc.discover(&provider.issuer).await.unwrap();
    assert_eq!(metadata.issuer, provider.issuer);
    assert!(metadata.token_endpoint.starts_with(&provider.issuer));

    let request = attempt("ana@acme.io");
    let url = oidc.authorization_url(&metadata, &request);
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(
        !url.contains(&request.code_verifier),
        "the verifier stays with Tandem"
    );
    let (code, state) = browse_to_callback(url).await;
    assert_eq!(
        state, request.state,
        "the provider sends the attempt's state back"
    );

    let claims = redeem(
        &oidc,
        &metadata,
        &credentials(),
        &code,
        &request.code_verifier,
        &request.nonce,
    )
    .await
    .unwrap();
    assert_eq!(claims.subject, "ana@acme.io");
    assert_eq!(claims.email.as_deref(), Some("ana@acme.io"));
    assert!(claims.email_verified);

    // A code works once.
    let again = redeem(
        &oidc,
        &metadata,
        &credentials(),
        &code,
        &request.code_verifier,
        &request.nonce,
    )
    .await;
    assert!(matches!(again, Err(OidcError::Refused(_))), "{again:?}");
}

#[tokio::test]
async fn a_code_needs_its_verifier_and_the_client_secret() {
    let provider = provider();
    let oidc = client();
    let metadata = oidc.discover(&provider.issuer).await.unwrap();
    let request = attempt("ana@acme.io");
    let (code, _) = browse_to_callback(oidc.authorization_url(&metadata, &request)).await;
    let stolen = redeem(
        &oidc,
        &metadata,
        &credentials(),
        &code,
        &random(),
        &request.nonce,
    )
    .await;
    assert!(matches!(stolen, Err(OidcError::Refused(_))), "{stolen:?}");

    let request = attempt("ana@acme.io");
    let (code, _) = browse_to_callback(oidc.authorization_url(&metadata, &request)).await;
    let impostor = ClientCredentials {
        client_secret: "not the secret".to_owned(),
        ..credentials()
    };
    let refused = redeem(
        &oidc,
        &metadata,
        &impostor,
        &code,
        &request.code_verifier,
        &request.nonce,
    )
    .await;
    assert!(matches!(refused, Err(OidcError::Refused(_))), "{refused:?}");
}

#[tokio::test]
async fn an_unverified_address_is_reported_as_unverified() {
    let provider = provider();
    let oidc = client();
    let metadata = oidc.discover(&provider.issuer).await.unwrap();
    let (token, nonce) = id_token(&metadata, "unverified-bo@acme.io").await;
    let claims = oidc
        .verify_id_token(&metadata, CLIENT_ID, &token, &nonce, Utc::now())
        .await
        .unwrap();
    assert_eq!(claims.email.as_deref(), Some("unverified-bo@acme.io"));
    assert!(!claims.email_verified);
}

#[tokio::test]
async fn forged_expired_replayed_and_misdirected_id_tokens_are_refused() {
    let provider = provider();
    let oidc = client();
    let metadata = oidc.discover(&provider.issuer).await.unwrap();
    let (token, nonce) = id_token(&metadata, "ana@acme.io").await;
    let now = Utc::now();
    let check =
        |token: String, nonce: String, client_id: &'static str, at, metadata: ProviderMetadata| {
            let oidc = oidc.clone();
            async move {
                oidc.verify_id_token(&metadata, client_id, &token, &nonce, at)
                    .await
            }
        };
    assert!(
        check(
            token.clone(),
            nonce.clone(),
            CLIENT_ID,
            now,
            metadata.clone()
        )
        .await
        .is_ok()
    );

    let refused = |result: Result<_, OidcError>, what: &str| {
        assert!(
            matches!(result, Err(OidcError::InvalidIdToken(_))),
            "{what}: {result:?}"
        );
    };
    refused(
        check(
            token.clone(),
            "another sign-in's nonce".to_owned(),
            CLIENT_ID,
            now,
            metadata.clone(),
        )
        .await,
        "a token replayed into another sign-in",
    );
    refused(
        check(
            token.clone(),
            nonce.clone(),
            "another-client",
            now,
            metadata.clone(),
        )
        .await,
        "a token issued to another client",
    );
    refused(
        check(
            token.clone(),
            nonce.clone(),
            CLIENT_ID,
            now + Duration::hours(2),
            metadata.clone(),
        )
        .await,
        "an expired token",
    );
    let elsewhere = ProviderMetadata {
        issuer: "http://issuer.example".to_owned(),
        ..metadata.clone()
    };
    refused(
        check(token.clone(), nonce.clone(), CLIENT_ID, now, elsewhere).await,
        "a token from another issuer",
    );

    // The claims changed, the signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["email"] = "boss@acme.io".into();
    claims["sub"] = "boss@acme.io".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    refused(
        check(forged, nonce.clone(), CLIENT_ID, now, metadata.clone()).await,
        "a token whose claims were changed",
    );
    // No signature at all, and one made with the client secret.
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    refused(
        check(unsigned, nonce.clone(), CLIENT_ID, now, metadata.clone()).await,
        "an unsigned token",
    );
    let hmac = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    refused(
        check(hmac, nonce, CLIENT_ID, now, metadata).await,
        "a token signed with the client secret",
    );
}

#[tokio::test]
async fn discovery_refuses_an_unreachable_provider_and_one_naming_another_issuer() {
    let provider = provider();
    let oidc = client();
    // The same server under another name: it says its issuer is the 127.0.0.1 one.
    let other_name = provider.issuer.replace("127.0.0.1", "localhost");
    let wrong = oidc.discover(&other_name).await;
    assert!(
        matches!(wrong, Err(OidcError::InvalidProvider(_))),
        "{wrong:?}"
    );
    let nobody = oidc.discover("http://127.0.0.1:9").await;
    assert!(
        matches!(nobody, Err(OidcError::Unreachable(_))),
        "{nobody:?}"
    );
}
