//! The access-token service against tokens an attacker could present.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_app::ports::{AccessClaims, TokenError, TokenService};
use tandem_crypto::{JwtConfigError, JwtTokenService};
use tandem_domain::{OrganizationId, Role, UserId};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";
const TTL: Duration = Duration::from_secs(900);

fn service() -> JwtTokenService {
    JwtTokenService::new(SECRET, TTL).unwrap()
}

fn ana() -> AccessClaims {
    AccessClaims {
        user_id: UserId::new(42),
        organization_id: OrganizationId::new(7),
        role: Role::Moderator,
        session_id: Some(3),
        two_factor_setup_required: false,
    }
}

/// Claims as the service writes them, for tests to tamper with.
fn valid_claims() -> Value {
    let now = Utc::now().timestamp();
    json!({
        "sub": "42", "org": 7, "role": "moderator", "jti": "a-token-id",
        "iat": now, "exp": now + 900, "iss": "tandem", "typ": "access",
    })
}

fn sign(algorithm: Algorithm, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[test]
fn an_issued_token_verifies_to_the_same_claims() {
    let service = service();
    let before = Utc::now().timestamp();
    let issued = service.issue(&ana()).unwrap();

    assert_eq!(issued.expires_in, 900);
    let verified = service.verify(&issued.token).unwrap();
    assert_eq!(verified.claims, ana());
    assert_eq!(verified.token_id, issued.token_id);
    assert_eq!(verified.expires_at, issued.expires_at);
    assert!(verified.issued_at.timestamp() >= before);
    // `exp` is whole seconds and `iat` has milliseconds: the lifetime is 900 s, less the
    // fraction of the second the token was issued in.
    let lifetime = (verified.expires_at - verified.issued_at).num_milliseconds();
    assert!((899_001..=900_000).contains(&lifetime), "{lifetime} ms");
    assert_ne!(
        service.issue(&ana()).unwrap().token_id,
        issued.token_id,
        "each token has its own id"
    );
}

#[test]
fn the_token_carries_the_documented_claims_and_header() {
    let issued = service().issue(&ana()).unwrap();
    let parts: Vec<&str> = issued.token.split('.').collect();
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };

    assert_eq!(decode(parts[0])["alg"], "HS256");
    let claims = decode(parts[1]);
    for (claim, expected) in [
        ("sub", json!("42")),
        ("org", json!(7)),
        ("role", json!("moderator")),
        ("iss", json!("tandem")),
        ("typ", json!("access")),
    ] {
        assert_eq!(claims[claim], expected, "{claim}");
    }
    assert_eq!(claims["jti"], json!(issued.token_id));
    // `iat` carries milliseconds (revocation cutoffs need them); `exp` is whole seconds.
    assert!(claims["iat"].is_f64() && claims["exp"].is_i64());
}

#[test]
fn a_tampered_payload_is_invalid() {
    let token = service().issue(&ana()).unwrap().token;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let forged = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);

    assert_eq!(service().verify(&forged), Err(TokenError::Invalid));
}

#[test]
fn a_token_signed_with_another_key_is_invalid() {
    let token = sign(
        Algorithm::HS256,
        &valid_claims(),
        b"another-secret-that-is-long-enough!!",
    );
    assert_eq!(service().verify(&token), Err(TokenError::Invalid));
}

#[test]
fn an_unsigned_token_with_alg_none_is_invalid() {
    let claims = valid_claims();
    for header in [
        json!({"alg": "none"}),
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None"}),
    ] {
        let token = format!("{}.{}.", b64(&header), b64(&claims));
        assert_eq!(
            service().verify(&token),
            Err(TokenError::Invalid),
            "{header}"
        );
    }
}

#[test]
fn tokens_with_any_other_algorithm_are_invalid() {
    let claims = valid_claims();
    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        assert_eq!(
            service().verify(&sign(algorithm, &claims, SECRET)),
            Err(TokenError::Invalid),
            "{algorithm:?}"
        );
    }
    // An RS256 header over an HMAC signature: the classic key-confusion forgery.
    let hs = sign(Algorithm::HS256, &claims, SECRET);
    let signature = hs.rsplit('.').next().unwrap();
    let confused = format!(
        "{}.{}.{signature}",
        b64(&json!({"alg": "RS256", "typ": "JWT"})),
        b64(&claims)
    );
    assert_eq!(service().verify(&confused), Err(TokenError::Invalid));
}

#[test]
fn an_expired_token_is_expired() {
    let mut claims = valid_claims();
    let now = Utc::now().timestamp();
    claims["iat"] = json!(now - 1000);
    claims["exp"] = json!(now - 100);
    assert_eq!(
        service().verify(&sign(Algorithm::HS256, &claims, SECRET)),
        Err(TokenError::Expired)
    );
}

#[test]
fn an_expired_token_with_a_bad_signature_is_invalid_not_expired() {
    let mut claims = valid_claims();
    claims["exp"] = json!(Utc::now().timestamp() - 100);
    let token = sign(
        Algorithm::HS256,
        &claims,
        b"another-secret-that-is-long-enough!!",
    );
    assert_eq!(service().verify(&token), Err(TokenError::Invalid));
}

#[test]
fn a_token_that_expired_within_the_leeway_still_verifies() {
    let mut claims = valid_claims();
    claims["exp"] = json!(Utc::now().timestamp() - 2);
    assert!(
        service()
            .verify(&sign(Algorithm::HS256, &claims, SECRET))
            .is_ok()
    );
}

#[test]
fn wrong_or_missing_claims_make_a_token_invalid() {
    let cases: &[(&str, Option<Value>)] = &[
        ("typ", Some(json!("refresh"))),
        ("typ", None),
        ("iss", Some(json!("someone-else"))),
        ("iss", None),
        ("sub", Some(json!("not-a-number"))),
        ("sub", None),
        ("iat", None),
        ("exp", None),
        ("role", Some(json!("owner"))),
        ("org", Some(json!("7"))),
        ("jti", None),
    ];
    for (claim, value) in cases {
        let mut claims = valid_claims();
        match value {
            Some(value) => claims[*claim] = value.clone(),
            None => drop(claims.as_object_mut().unwrap().remove(*claim)),
        }
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            service().verify(&token),
            Err(TokenError::Invalid),
            "{claim} = {value:?}"
        );
    }
}

#[test]
fn garbage_is_invalid() {
    for garbage in [
        "",
        "abc",
        "a.b.c",
        "..",
        "eyJhbGciOiJIUzI1NiJ9..",
        &"x".repeat(10_000),
    ] {
        assert_eq!(
            service().verify(garbage),
            Err(TokenError::Invalid),
            "{garbage:.20}"
        );
    }
}

#[test]
fn short_secrets_and_odd_lifetimes_are_refused_at_construction() {
    assert_eq!(
        JwtTokenService::new(&[7; 31], TTL).unwrap_err(),
        JwtConfigError::SecretTooShort
    );
    assert_eq!(
        JwtTokenService::new(b"", TTL).unwrap_err(),
        JwtConfigError::SecretTooShort
    );
    assert!(JwtTokenService::new(&[7; 32], TTL).is_ok());
    assert_eq!(
        JwtTokenService::new(&[7; 32], Duration::ZERO).unwrap_err(),
        JwtConfigError::LifetimeOutOfRange
    );
}

#[test]
fn debug_output_never_shows_the_secret() {
    let debug = format!("{:?}", service());
    assert!(!debug.contains("0123456789abcdef"), "{debug}");
}

#[test]
fn the_two_factor_setup_requirement_travels_in_the_token() {
    let service = service();
    let required = AccessClaims {
        two_factor_setup_required: true,
        ..ana()
    };
    let token = service.issue(&required).unwrap().token;
    assert_eq!(service.verify(&token).unwrap().claims, required);
    let plain = service.issue(&ana()).unwrap().token;
    assert!(
        !service
            .verify(&plain)
            .unwrap()
            .claims
            .two_factor_setup_required
    );
}
