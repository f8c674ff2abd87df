//! The general request limiter: every request under `/api/` spends from a budget, with
//! stricter budgets for the routes worth attacking (signing in and everything around it,
//! search, invitations).
//!
//! A signed-in request spends from its person's budget, wherever it comes from; any other from
//! its client address's. The budgets live in Redis in a cluster (every node spends from the
//! same ones) and in this process on the embedded default. Every answer says where its budget
//! stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, `RateLimit-Policy`);
//! a refusal is `429 rate_limited` with `Retry-After`. Should the store fail, requests go on:
//! the limiter protects the server, it must never be the reason it stops answering.

use crate::error::respond;
use crate::extract::{TokenQuery, bearer_token, client_address};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use std::sync::Arc;
use tandem_api_types::errors::{ApiError as Shared, ceil_secs};
use tandem_app::AppContext;
use tandem_app::ports::{Admission, Quota, RequestThrottle};

/// How many requests each kind of caller may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    /// Off: no budget is checked and no header added.
    pub enabled: bool,
    /// A signed-in person, on any route without a stricter budget.
    pub person: Quota,
    /// A client address, for requests without a valid access token.
    pub address: Quota,
    /// A client address, on registering, logging in (both steps), unlocking, confirming an
    /// address, resetting a password, answering an invitation and changing two-factor sign-in.
    pub sign_in: Quota,
    /// A person searching messages.
    pub search: Quota,
    /// An admin sending invitations.
    pub invitations: Quota,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            person: Quota::per_minute(600),
            address: Quota::per_minute(300),
            sign_in: Quota::per_minute(60),
            search: Quota::per_minute(60),
            invitations: Quota::per_hour(200),
        }
    }
}

/// The limiter's policy and where it keeps the budgets.
#[derive(Clone)]
pub struct RequestLimits {
    pub policy: LimitPolicy,
    pub throttle: Arc<dyn RequestThrottle>,
}

impl std::fmt::Debug for RequestLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLimits")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Which budget a route spends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    General,
    SignIn,
    Search,
    Invitations,
}

impl Bucket {
    fn of(method: &Method, path: &str) -> Option<Self> {
        let api = path.strip_prefix("/api/")?;
        let Some(v1) = api.strip_prefix("v1/") else {
            return Some(Self::General);
        };
        let bucket = match (method, v1) {
            (
                &Method::POST,
                "auth/register"
                | "auth/login"
                | "auth/login/two-factor"
                | "auth/two-factor/enrol"
                | "auth/two-factor/confirm"
                | "auth/two-factor/disable"
                | "auth/two-factor/recovery-codes"
                | "auth/unlock"
                | "auth/verify-email"
                | "auth/verify-email/resend"
                | "auth/password-reset"
                | "auth/password-reset/confirm"
                | "auth/invitations/preview"
                | "auth/invitations/accept"
                | "auth/sso/complete",
            ) => Self::SignIn,
            (&Method::GET, "messages/search") => Self::Search,
            (&Method::POST, "invitations") => Self::Invitations,
            _ => Self::General,
        };
        Some(bucket)
    }

    const fn name(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::SignIn => "sign-in",
            Self::Search => "search",
            Self::Invitations => "invitations",
        }
    }
}

/// Whose budget a request spends: its person's, or its client address's.
#[derive(Debug, PartialEq, Eq)]
enum Spender {
    Person(i64),
    Address(String),
}

impl Spender {
    fn key(&self, bucket: Bucket) -> String {
        match self {
            Self::Person(id) => format!("{}:user:{id}", bucket.name()),
            Self::Address(address) => format!("{}:addr:{address}", bucket.name()),
        }
    }
}

/// The middleware: spends the request's budget, refuses it with `429` when none is left, and
/// tells the client where its budget stands.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some((bucket, limits)) = Bucket::of(req.method(), req.path()).and_then(|bucket| {
        let limits = req.app_data::<web::Data<RequestLimits>>()?;
        limits
            .policy
            .enabled
            .then(|| (bucket, web::Data::clone(limits)))
    }) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let spender = spender(&req, bucket).await;
    let quota = quota(&limits.policy, bucket, &spender);
    let admission = match limits.throttle.admit(&spender.key(bucket), quota).await {
        Ok(admission) => admission,
        Err(error) => {
            tracing::warn!(%error, "request budgets unavailable; the request goes on unchecked");
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
    };
    if let Some(retry_after) = admission.retry_after.filter(|_| !admission.allowed) {
        let message = match spender {
            Spender::Person(_) => format!(
                "you have made too many requests; try again in {} s",
                ceil_secs(retry_after).max(1)
            ),
            Spender::Address(_) => format!(
                "too many requests from your network address; try again in {} s",
                ceil_secs(retry_after).max(1)
            ),
        };
        let mut response = respond(&Shared::rate_limited(retry_after, message));
        describe(response.headers_mut(), quota, &admission);
        return Ok(req.into_response(response).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    describe(response.headers_mut(), quota, &admission);
    Ok(response.map_into_left_body())
}

fn quota(policy: &LimitPolicy, bucket: Bucket, spender: &Spender) -> Quota {
    match (bucket, spender) {
        (Bucket::General, Spender::Person(_)) => policy.person,
        (Bucket::General, Spender::Address(_)) => policy.address,
        (Bucket::SignIn, _) => policy.sign_in,
        (Bucket::Search, _) => policy.search,
        (Bucket::Invitations, _) => policy.invitations,
    }
}

/// The person a valid access token names (in `Authorization` or, for sockets and event
/// streams, `?token=`): a session's, or a personal access token's owner (a bot is its own
/// person, with a budget of its own); otherwise the client address. Signing in always counts
/// per address: its budget guards against guessing, which a token does not make less likely.
async fn spender(req: &ServiceRequest, bucket: Bucket) -> Spender {
    let address = || {
        let trust = req
            .app_data::<web::Data<crate::HttpSettings>>()
            .is_some_and(|settings| settings.trust_forwarded_headers);
        Spender::Address(
            client_address(req.request(), trust).unwrap_or_else(|| "unknown".to_owned()),
        )
    };
    if bucket == Bucket::SignIn {
        return address();
    }
    let token = bearer_token(req.request()).or_else(|| {
        web::Query::<TokenQuery>::from_query(req.query_string())
            .ok()
            .and_then(|query| query.into_inner().token)
    });
    let ctx = req.app_data::<web::Data<AppContext>>();
    match (token, ctx) {
        // The signature and expiry are checked (a forged token must not spend someone else's
        // budget); revocation is the handler's business, as for any request.
        (Some(token), Some(ctx)) => match ctx.auth.tokens.verify(&token) {
            Ok(verified) => Spender::Person(verified.claims.user_id.get()),
            // A personal access token is looked up (a made-up one must not escape the
            // address's budget); should the store fail, the address pays.
            Err(_) => match tandem_app::auth::token_holder(&ctx.auth, &token).await {
                Ok(Some(holder)) => Spender::Person(holder.get()),
                Ok(None) | Err(_) => address(),
            },
        },
        _ => address(),
    }
}

/// The `RateLimit` headers (the IETF draft's `Limit`/`Remaining`/`Reset` fields, which
/// common clients read, and the policy as `limit;w=seconds`).
fn describe(headers: &mut HeaderMap, quota: Quota, admission: &Admission) {
    let fields = [
        ("ratelimit-limit", quota.limit.to_string()),
        ("ratelimit-remaining", admission.remaining.to_string()),
        (
            "ratelimit-reset",
            ceil_secs(admission.reset_after).to_string(),
        ),
        (
            "ratelimit-policy",
            format!("{};w={}", quota.limit, ceil_secs(quota.period)),
        ),
    ];
    for (name, value) in fields {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_sorted_into_budgets() {
        let cases = [
            (Method::POST, "/api/v1/auth/login", Some(Bucket::SignIn)),
            (Method::POST, "/api/v1/auth/register", Some(Bucket::SignIn)),
            (
                Method::POST,
                "/api/v1/auth/password-reset",
                Some(Bucket::SignIn),
            ),
            (
                Method::POST,
                "/api/v1/auth/password-reset/confirm",
                Some(Bucket::SignIn),
            ),
            (
                Method::POST,
                "/api/v1/auth/invitations/accept",
                Some(Bucket::SignIn),
            ),
            (
                Method::POST,
                "/api/v1/auth/login/two-factor",
                Some(Bucket::SignIn),
            ),
            (
                Method::POST,
                "/api/v1/auth/sso/complete",
                Some(Bucket::SignIn),
            ),
            (Method::POST, "/api/v1/auth/refresh", Some(Bucket::General)),
            (Method::GET, "/api/v1/auth/me", Some(Bucket::General)),
            (Method::GET, "/api/v1/messages/search", Some(Bucket::Search)),
            (Method::GET, "/api/v1/messages/12", Some(Bucket::General)),
            (
                Method::POST,
                "/api/v1/invitations",
                Some(Bucket::Invitations),
            ),
            (Method::GET, "/api/v1/invitations", Some(Bucket::General)),
            (Method::GET, "/api/docs/", Some(Bucket::General)),
            (Method::GET, "/healthz", None),
            (Method::GET, "/metrics", None),
            (Method::GET, "/assets/index.js", None),
            (Method::GET, "/c/12", None),
            (Method::GET, "/apiary", None),
        ];
        for (method, path, expected) in cases {
            assert_eq!(Bucket::of(&method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn people_and_addresses_have_separate_keys_per_budget() {
        let person = Spender::Person(7);
        let address = Spender::Address("10.0.0.7".to_owned());
        assert_eq!(person.key(Bucket::General), "general:user:7");
        assert_eq!(person.key(Bucket::Search), "search:user:7");
        assert_eq!(address.key(Bucket::SignIn), "sign-in:addr:10.0.0.7");
        assert_ne!(person.key(Bucket::General), address.key(Bucket::General));
    }
}
