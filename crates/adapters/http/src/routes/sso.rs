//! Single sign-on (OpenID Connect): the sign-in page's buttons, the redirect to the provider and
//! back, the ticket exchange, and the organization's providers (admins).
//!
//! `start` and `callback` are visited by the browser, not called by scripts: they answer with
//! redirects, errors included (to `/login?sso_error=<code>`, the codes of `ErrorCode`).

use crate::HttpSettings;
use crate::dto::auth::{AuthResponse, field};
use crate::dto::sso::{
    AddSsoProviderRequest, SsoButton, SsoButtonList, SsoCallbackQuery, SsoCompleteRequest,
    SsoLookupQuery, SsoProviderList, SsoProviderResponse, SsoStartQuery,
};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{Caller, Json, client_address, user_agent, validated};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tandem_app::AppContext;
use tandem_app::auth::{self, ClientInfo};
use tandem_domain::{Email, SsoProviderId};

/// The single sign-on providers for an address: those of the organization that owns its
/// domain, which may sign people in with it. Empty when there are none (or no such
/// organization), so the sign-in page shows a password field.
#[utoipa::path(tag = "auth", params(SsoLookupQuery), responses(
    (status = 200, description = "Sign-in buttons", body = SsoButtonList),
    (status = 422, description = "Not an email address", body = ErrorBody),
))]
#[get("/sso/providers")]
pub async fn providers_for(
    ctx: web::Data<AppContext>,
    query: web::Query<SsoLookupQuery>,
) -> Result<web::Json<SsoButtonList>, ApiError> {
    let email = field("email", Email::parse(&query.email))?;
    let providers = auth::sso_providers_for(&ctx.auth, &email).await?;
    let hint = percent_encode(email.as_str());
    Ok(web::Json(SsoButtonList {
        providers: providers
            .into_iter()
            .map(|p| SsoButton {
                id: p.id.get(),
                label: p.label.as_str().to_owned(),
                start_url: format!("/api/v1/auth/sso/{}/start?login_hint={hint}", p.id),
            })
            .collect(),
    }))
}

/// Sends the browser to the provider (303) for a new sign-in attempt, which lasts ten minutes.
#[utoipa::path(tag = "auth", params(("provider_id" = i64, Path), SsoStartQuery), responses(
    (status = 303, description = "To the provider; or, when it cannot start, to `/login?sso_error=<code>`"),
))]
#[get("/sso/{provider_id}/start")]
pub async fn start(
    ctx: web::Data<AppContext>,
    path: web::Path<i64>,
    query: web::Query<SsoStartQuery>,
) -> HttpResponse {
    let hint = query
        .login_hint
        .as_deref()
        .and_then(|h| Email::parse(h).ok());
    match auth::start_sso(
        &ctx.auth,
        SsoProviderId::new(path.into_inner()),
        hint.as_ref(),
    )
    .await
    {
        Ok(url) => see_other(&url),
        Err(error) => to_login_with(&ApiError::from(error)),
    }
}

/// Where the provider sends the browser back. Checks the attempt and the provider's answer,
/// finds or creates the account, and sends the browser to `/login/sso?ticket=…`, whose page
/// exchanges the ticket at `POST /auth/sso/complete` (tokens never travel in an address).
#[utoipa::path(tag = "auth", params(SsoCallbackQuery), responses(
    (status = 303, description = "To `/login/sso?ticket=…`, or to `/login?sso_error=<code>`"),
))]
#[get("/sso/callback")]
pub async fn callback(
    ctx: web::Data<AppContext>,
    query: web::Query<SsoCallbackQuery>,
) -> HttpResponse {
    let query = query.into_inner();
    let (Some(state), Some(code), None) = (query.state, query.code, query.error.as_ref()) else {
        // The provider refused, or the browser arrived without its answer.
        return to_login_with(&ApiError::new(
            ErrorCode::SsoProviderError,
            "the identity provider did not sign you in",
        ));
    };
    match auth::finish_sso(&ctx.auth, &state, &code).await {
        Ok(ticket) => see_other(&format!("/login/sso?ticket={ticket}")),
        Err(error) => to_login_with(&ApiError::from(error)),
    }
}

/// Exchanges the sign-in page's ticket for tokens (once, within two minutes). With
/// `Tandem-Refresh: cookie`, the refresh token goes into its cookie.
#[utoipa::path(tag = "auth", request_body = SsoCompleteRequest, responses(
    (status = 200, description = "Signed in", body = AuthResponse),
    (status = 401, description = "`account_disabled`", body = ErrorBody),
    (status = 422, description = "`invalid_link`: unknown, used or expired ticket", body = ErrorBody),
))]
#[post("/sso/complete")]
pub async fn complete(
    ctx: web::Data<AppContext>,
    settings: web::Data<HttpSettings>,
    req: HttpRequest,
    body: Json<SsoCompleteRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let client = ClientInfo::new(
        client_address(&req, settings.trust_forwarded_headers),
        user_agent(&req),
    );
    let session = auth::redeem_ticket(&ctx.auth, &body.ticket, client).await?;
    let (body, cookie) = super::auth::issued(&req, &ctx, &settings, session);
    Ok(super::auth::tokens(HttpResponse::Ok(), body, cookie))
}

/// Your organization's single sign-on providers (admins).
#[utoipa::path(tag = "organizations", responses(
    (status = 200, description = "The providers", body = SsoProviderList),
    (status = 403, description = "Not an admin", body = ErrorBody),
), security(("bearer" = [])))]
#[get("/organizations/current/sso-providers")]
pub async fn list(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<SsoProviderList>, ApiError> {
    let providers = auth::list_sso_providers(&ctx.auth, &caller.actor()).await?;
    Ok(web::Json(SsoProviderList {
        providers: providers.into_iter().map(Into::into).collect(),
        redirect_uri: auth::sso_redirect_uri(&ctx.auth),
    }))
}

/// Add a single sign-on provider (admins). Register Tandem at the provider with the redirect
/// URI `<notifications.base_url>/api/v1/auth/sso/callback`; Tandem reads the issuer's
/// discovery document before storing it.
#[utoipa::path(tag = "organizations", request_body = AddSsoProviderRequest, responses(
    (status = 201, description = "Added", body = SsoProviderResponse),
    (status = 403, description = "Not an admin", body = ErrorBody),
    (status = 422, description = "Invalid fields, or `issuer_unusable`: its OpenID Connect configuration could not be read", body = ErrorBody),
), security(("bearer" = [])))]
#[post("/organizations/current/sso-providers")]
pub async fn add(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<AddSsoProviderRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = validated(body.into_inner())?.into_command()?;
    let provider = auth::add_provider(&ctx.auth, &caller.actor(), command).await?;
    Ok(HttpResponse::Created().json(SsoProviderResponse::from(provider)))
}

/// Remove a single sign-on provider (admins). The people it signed in keep their accounts. The
/// last one cannot go while single sign-on is the only way in.
#[utoipa::path(tag = "organizations", params(("provider_id" = i64, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Not an admin", body = ErrorBody),
    (status = 404, description = "No such provider in your organization", body = ErrorBody),
    (status = 422, description = "`sso_only`: the last provider while single sign-on is the only way in", body = ErrorBody),
), security(("bearer" = [])))]
#[delete("/organizations/current/sso-providers/{provider_id}")]
pub async fn remove(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth::remove_sso_provider(
        &ctx.auth,
        &caller.actor(),
        SsoProviderId::new(path.into_inner()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Back to the sign-in page, which says what went wrong.
fn to_login_with(error: &ApiError) -> HttpResponse {
    see_other(&format!("/login?sso_error={}", error.code.as_str()))
}

/// An address as a query value.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
