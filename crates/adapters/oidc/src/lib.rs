//! [`HttpOpenIdConnect`]: Tandem as an OpenID Connect relying party over HTTP (`reqwest`), with
//! ID tokens checked by `jsonwebtoken` against the provider's published keys.
//!
//! Only the authorization code flow with PKCE (S256) is spoken; the client authenticates at
//! the token endpoint with `client_secret_basic`. ID tokens must be signed asymmetrically (RSA,
//! ECDSA or EdDSA) by a key of the provider's JWKS: `none` and shared-secret (HMAC) signatures
//! are refused, so nobody holding the client secret can mint one.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{AlgorithmFamily, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tandem_app::ports::{
    AuthorizationRequest, ClientCredentials, IdentityClaims, OidcError, OpenIdConnect,
    ProviderMetadata,
};

/// Clock difference tolerated between Tandem and the provider.
const LEEWAY_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct HttpOpenIdConnect {
    http: reqwest::Client,
}

impl HttpOpenIdConnect {
    /// # Errors
    /// When the HTTP client cannot be built (TLS roots missing).
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            // A provider that redirects its own endpoints is misconfigured; never follow one
            // somewhere else with the client's credentials.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Tandem/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| OidcError::Unreachable(format!("{url}: {e}")))?;
        if !response.status().is_success() {
            return Err(OidcError::Unreachable(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| OidcError::Unreachable(format!("{url} is not the expected JSON: {e}")))
    }
}

/// The S256 code challenge of a verifier (RFC 7636).
pub fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenRefusal {
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    nonce: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: EmailVerified,
    name: Option<String>,
}

/// `email_verified` is a boolean, but some providers send the string `"true"`.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum EmailVerified {
    Bool(bool),
    Text(String),
    #[default]
    Missing,
}

impl EmailVerified {
    fn is_true(&self) -> bool {
        match self {
            Self::Bool(b) => *b,
            Self::Text(t) => t == "true",
            Self::Missing => false,
        }
    }
}

#[async_trait]
impl OpenIdConnect for HttpOpenIdConnect {
    async fn discover(&self, issuer: &str) -> Result<ProviderMetadata, OidcError> {
        let issuer = issuer.trim_end_matches('/');
        let url = format!("{issuer}/.well-known/openid-configuration");
        let found: Discovery = self.get_json(&url).await?;
        if found.issuer.trim_end_matches('/') != issuer {
            return Err(OidcError::InvalidProvider(format!(
                "it says its issuer is {:?}, not {issuer:?}",
                found.issuer
            )));
        }
        let missing = |what: &str| OidcError::InvalidProvider(format!("it names no {what}"));
        Ok(ProviderMetadata {
            issuer: found.issuer,
            authorization_endpoint: found
                .authorization_endpoint
                .ok_or_else(|| missing("authorization_endpoint"))?,
            token_endpoint: found
                .token_endpoint
                .ok_or_else(|| missing("token_endpoint"))?,
            jwks_uri: found.jwks_uri.ok_or_else(|| missing("jwks_uri"))?,
        })
    }

    fn authorization_url(
        &self,
        provider: &ProviderMetadata,
        request: &AuthorizationRequest,
    ) -> String {
        let challenge = code_challenge(&request.code_verifier);
        let mut params = vec![
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("client_id", request.client_id.as_str()),
            ("redirect_uri", request.redirect_uri.as_str()),
            ("state", request.state.as_str()),
            ("nonce", request.nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if let Some(hint) = &request.login_hint {
            params.push(("login_hint", hint.as_str()));
        }
        reqwest::Url::parse_with_params(&provider.authorization_endpoint, &params)
            .map_or_else(|_| provider.authorization_endpoint.clone(), String::from)
    }

    async fn redeem(
        &self,
        provider: &ProviderMetadata,
        client: &ClientCredentials,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError> {
        let response = self
            .http
            .post(&provider.token_endpoint)
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", code_verifier),
            ])
            .send()
            .await
            .map_err(|e| OidcError::Unreachable(format!("{}: {e}", provider.token_endpoint)))?;
        if !response.status().is_success() {
            let status = response.status();
            let refusal: Option<TokenRefusal> = response.json().await.ok();
            let reason = refusal
                .map(|r| {
                    [r.error, r.error_description]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(": ")
                })
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| status.to_string());
            return Err(OidcError::Refused(reason));
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|e| OidcError::Refused(format!("the token answer is not JSON: {e}")))?;
        let id_token = answer
            .id_token
            .ok_or_else(|| OidcError::Refused("the answer has no id_token".to_owned()))?;
        self.verify_id_token(provider, &client.client_id, &id_token, nonce, now)
            .await
    }

    async fn verify_id_token(
        &self,
        provider: &ProviderMetadata,
        client_id: &str,
        id_token: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<IdentityClaims, OidcError> {
        let invalid = |why: String| OidcError::InvalidIdToken(why);
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| invalid(format!("not a signed token: {e}")))?;
        if header.alg.family() == AlgorithmFamily::Hmac {
            return Err(invalid(format!(
                "signed with {:?}, a shared secret; only the provider's keys count",
                header.alg
            )));
        }
        let keys: JwkSet = self.get_json(&provider.jwks_uri).await?;
        let jwk = match &header.kid {
            Some(kid) => keys.find(kid),
            // Without a key id, the only key there is.
            None if keys.keys.len() == 1 => keys.keys.first(),
            None => None,
        }
        .ok_or_else(|| invalid("signed by a key the provider does not publish".to_owned()))?;
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|e| invalid(format!("the provider's key is unusable: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&provider.issuer]);
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked below against Tandem's clock.
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<Claims>(id_token, &key, &validation)
            .map_err(|e| invalid(e.to_string()))?
            .claims;
        if claims.exp + LEEWAY_SECS <= now.timestamp() {
            return Err(invalid("expired".to_owned()));
        }
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(invalid(
                "its nonce is not this sign-in's (a replayed token)".to_owned(),
            ));
        }
        Ok(IdentityClaims {
            subject: claims.sub,
            email: claims.email,
            email_verified: claims.email_verified.is_true(),
            name: claims.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, appendix B.
    #[test]
    fn the_challenge_is_the_rfc_example() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
