//! The refresh token in a cookie no script can read, for browsers.
//!
//! A client asks for it per request with the header `Tandem-Refresh: cookie`. The answers that
//! issue tokens then set the refresh token as the cookie `tandem_refresh` (`HttpOnly`,
//! `SameSite=Strict`, `Path=/api/v1/auth`, `Secure` when the request came over HTTPS) and leave
//! it out of the body; `POST /api/v1/auth/refresh` and `/logout` read it from there. Other
//! clients send and receive the refresh token in the body as before.
//!
//! Against cross-site request forgery, the cookie is read only from requests that carry the
//! header (a form, link or image of another site cannot send one, and a script of another site
//! can only with a CORS preflight, which never allows credentials here) and whose `Origin`, when
//! the browser names one, is this server's own; `SameSite=Strict` keeps other sites' requests
//! from carrying the cookie at all.

use crate::error::ApiError;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::header;

pub const COOKIE: &str = "tandem_refresh";
/// The request header that asks for the cookie (its value is `cookie`).
pub const HEADER: &str = "tandem-refresh";
const PATH: &str = "/api/v1/auth";

/// Whether the request asked for the refresh token in a cookie.
pub fn wanted(req: &HttpRequest) -> bool {
    req.headers()
        .get(HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cookie"))
}

/// The refresh token from the cookie, for a request that asked for cookies (`None` otherwise,
/// or when there is no cookie).
///
/// # Errors
/// `forbidden` when the request comes from another site's page.
pub fn read(req: &HttpRequest, trust_proxy: bool) -> Result<Option<String>, ApiError> {
    if !wanted(req) {
        return Ok(None);
    }
    same_origin(req, trust_proxy)?;
    Ok(req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty()))
}

/// The cookie holding `token` for `max_age`.
pub fn holding(
    req: &HttpRequest,
    trust_proxy: bool,
    token: String,
    max_age: std::time::Duration,
) -> Cookie<'static> {
    let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    base(req, trust_proxy, token)
        .max_age(time::Duration::seconds(seconds))
        .finish()
}

/// A cookie that removes the refresh cookie from the browser.
pub fn removal(req: &HttpRequest, trust_proxy: bool) -> Cookie<'static> {
    base(req, trust_proxy, String::new())
        .max_age(time::Duration::ZERO)
        .finish()
}

fn base(
    req: &HttpRequest,
    trust_proxy: bool,
    value: String,
) -> actix_web::cookie::CookieBuilder<'static> {
    Cookie::build(COOKIE, value)
        .path(PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(crate::security::over_https(
            req.connection_info().scheme(),
            trust_proxy,
        ))
}

/// A browser names the page's origin on every `POST`: it must be this server (the host the
/// request was sent to, or the one a trusted proxy names).
fn same_origin(req: &HttpRequest, trust_proxy: bool) -> Result<(), ApiError> {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host.trim_end_matches('/'));
    let own_host = if trust_proxy {
        Some(req.connection_info().host().to_owned())
    } else {
        req.headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    };
    match (origin_host, own_host) {
        (Some(theirs), Some(ours)) if theirs.eq_ignore_ascii_case(&ours) => Ok(()),
        _ => Err(ApiError::forbidden(
            "the refresh cookie is only accepted from this server's own pages".to_owned(),
        )),
    }
}
