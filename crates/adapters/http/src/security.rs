//! Browser security: the headers every answer carries, HSTS over HTTPS, cross-origin access
//! for integrators' pages (off unless configured), and who may read `/metrics`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, web};
use std::net::IpAddr;

/// The browser-facing part of the HTTP settings.
#[derive(Debug, Clone, Default)]
pub struct BrowserSecurity {
    /// `Strict-Transport-Security` max-age on answers to HTTPS requests; `None`: never sent.
    pub hsts_max_age_secs: Option<u64>,
    /// Origins whose pages may call the API (CORS); empty: none but Tandem's own.
    pub cors_allowed_origins: Vec<String>,
    /// Origins the web app loads files from besides its own (a bucket serving presigned
    /// downloads).
    pub media_origins: Vec<String>,
    /// The bearer token that opens `/metrics` from anywhere.
    pub metrics_token: Option<String>,
}

impl BrowserSecurity {
    /// The web app's policy: its own scripts and styles only (nothing inline, nothing from
    /// elsewhere), never framed, forms and connections to this origin only.
    pub fn content_security_policy(&self) -> String {
        let media = self
            .media_origins
            .iter()
            .fold(String::new(), |all, origin| all + " " + origin);
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; \
             img-src 'self' data: blob:{media}; media-src 'self' blob:{media}; \
             font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// The interactive API documentation (Swagger UI) sets inline styles, so its pages get a
/// policy of their own, as strict on scripts and framing.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The policy values, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct Headers {
    app_policy: HeaderValue,
    docs_policy: HeaderValue,
    hsts: Option<HeaderValue>,
}

impl Headers {
    pub(crate) fn new(security: &BrowserSecurity) -> Self {
        Self {
            app_policy: HeaderValue::from_str(&security.content_security_policy())
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            docs_policy: HeaderValue::from_static(DOCS_POLICY),
            hsts: security.hsts_max_age_secs.and_then(|secs| {
                HeaderValue::from_str(&format!("max-age={secs}; includeSubDomains")).ok()
            }),
        }
    }
}

/// Adds the security headers to every answer (a handler's own choice of a header wins).
/// Whether a request came over HTTPS. Tandem serves plain HTTP: only a proxy it trusts can say
/// so (`X-Forwarded-Proto`, `Forwarded`), which is what `scheme` reads.
pub fn over_https(scheme: &str, trust_proxy: bool) -> bool {
    trust_proxy && scheme == "https"
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let headers = req.app_data::<web::Data<Headers>>().cloned();
    let is_docs = req.path().starts_with("/api/docs");
    let trust_proxy = req
        .app_data::<web::Data<crate::HttpSettings>>()
        .is_some_and(|settings| settings.trust_forwarded_headers);
    let over_https = over_https(req.connection_info().scheme(), trust_proxy);
    let mut response = next.call(req).await?;
    if let Some(headers) = headers {
        let policy = if is_docs {
            &headers.docs_policy
        } else {
            &headers.app_policy
        };
        let map = response.headers_mut();
        set_default(map, header::CONTENT_SECURITY_POLICY, policy.clone());
        set_default(
            map,
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        );
        set_default(
            map,
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        set_default(
            map,
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        set_default(
            map,
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        if let (Some(hsts), true) = (&headers.hsts, over_https) {
            set_default(map, header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
    }
    Ok(response)
}

fn set_default(map: &mut HeaderMap, name: header::HeaderName, value: HeaderValue) {
    if !map.contains_key(&name) {
        map.insert(name, value);
    }
}

/// Cross-origin access for the configured origins only: their pages may send the API's
/// methods with `Authorization` and JSON, and read the headers clients need. Credentials
/// (cookies) are never allowed cross-origin: integrators send bearer tokens.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([
            header::RETRY_AFTER,
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin.trim_end_matches('/'));
    }
    cors
}

/// Whether this request may read `/metrics`: with the configured bearer token from anywhere;
/// without one, only straight from this machine or a private network (a scraper next to the
/// node), never through a proxy, which would make it public.
pub(crate) fn may_read_metrics(req: &HttpRequest, token: Option<&str>) -> bool {
    if let (Some(expected), Some(given)) = (token, crate::extract::bearer_token(req)) {
        return constant_time_eq(expected.as_bytes(), given.as_bytes());
    }
    let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|name| req.headers().contains_key(*name));
    let nearby = req.peer_addr().is_some_and(|peer| match peer.ip() {
        IpAddr::V4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || ip.is_unique_local()
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private())
        }
    });
    token.is_none() && nearby && !proxied
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(peer: &str) -> TestRequest {
        TestRequest::default().peer_addr(peer.parse().unwrap())
    }

    #[test]
    fn metrics_answer_scrapers_nearby_but_not_through_a_proxy_or_from_afar() {
        assert!(may_read_metrics(
            &from("127.0.0.1:5000").to_http_request(),
            None
        ));
        assert!(may_read_metrics(
            &from("10.1.2.3:5000").to_http_request(),
            None
        ));
        assert!(may_read_metrics(
            &from("[::1]:5000").to_http_request(),
            None
        ));
        assert!(!may_read_metrics(
            &from("203.0.113.9:5000").to_http_request(),
            None
        ));
        let proxied = from("10.1.2.3:5000").insert_header(("x-forwarded-for", "203.0.113.9"));
        assert!(!may_read_metrics(&proxied.to_http_request(), None));
    }

    #[test]
    fn with_a_token_set_only_the_token_opens_metrics() {
        let token = Some("scrape-me-0123456789");
        let nearby = from("127.0.0.1:5000").to_http_request();
        assert!(
            !may_read_metrics(&nearby, token),
            "a token replaces the address rule"
        );
        let with = from("203.0.113.9:5000")
            .insert_header(("authorization", "Bearer scrape-me-0123456789"))
            .to_http_request();
        assert!(may_read_metrics(&with, token));
        let wrong = from("127.0.0.1:5000")
            .insert_header(("authorization", "Bearer scrape-me-0123456788"))
            .to_http_request();
        assert!(!may_read_metrics(&wrong, token));
    }

    #[test]
    fn the_app_policy_allows_no_inline_script_nor_framing_and_names_media_origins() {
        let policy = BrowserSecurity {
            media_origins: vec!["https://files.example.com".to_owned()],
            ..BrowserSecurity::default()
        }
        .content_security_policy();
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(
            policy.contains("img-src 'self' data: blob: https://files.example.com;"),
            "{policy}"
        );
    }
}
