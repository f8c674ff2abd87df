//! Tandem's HTTP adapter: the REST API under `/api/v1`, operational endpoints, the OpenAPI
//! document and its interactive docs, and the web app's entry page.
//!
//! Handlers parse requests into domain types, call one use case, and map its result; no
//! business rule lives here.

pub mod dto;
pub mod error;
pub mod extract;
pub mod limits;
mod methods;
pub mod openapi;
pub mod refresh_cookie;
pub mod routes;
pub mod scopes;
pub mod security;
pub mod spa;
pub mod telemetry;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, web};
use tandem_app::AppContext;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::scope::scope;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ErrorCode};
pub use routes::health::Probes;
pub use telemetry::HttpMetrics;

/// The HTTP adapter's own settings.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted JSON body, in bytes.
    pub json_limit_bytes: usize,
    /// Trust `X-Forwarded-For` / `Forwarded` for the client address (only behind a proxy you run).
    pub trust_forwarded_headers: bool,
    /// The built web app ([`spa`]).
    pub web_dir: std::path::PathBuf,
    /// The general request limiter ([`limits`]).
    pub limits: limits::RequestLimits,
    /// Security headers, CORS and who reads `/metrics` ([`security`]).
    pub security: security::BrowserSecurity,
}

/// Routes another adapter serves beside the REST API (the real-time transports), and their part
/// of the OpenAPI document.
pub struct Beside<F> {
    /// Registers the routes; they go ahead of the REST scope, which would otherwise claim them.
    pub configure: F,
    pub document: utoipa::openapi::OpenApi,
}

/// Builds the actix application: every route, middleware and error handler, with the routes
/// served `beside` the REST API.
pub fn app(
    ctx: web::Data<AppContext>,
    metrics: web::Data<HttpMetrics>,
    probes: routes::health::Probes,
    settings: HttpSettings,
    beside: Beside<impl FnOnce(&mut web::ServiceConfig)>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_limit = settings.json_limit_bytes;
    let web_dir = web::Data::new(spa::WebDir(settings.web_dir.clone()));
    let limits = web::Data::new(settings.limits.clone());
    let security_headers = web::Data::new(security::Headers::new(&settings.security));
    let cors_origins = settings.security.cors_allowed_origins.clone();
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .app_data(ctx)
        .app_data(metrics)
        .app_data(web::Data::new(probes))
        .app_data(web::Data::new(settings))
        .app_data(web_dir)
        .app_data(limits)
        .app_data(security_headers)
        .app_data(extract::json_config(json_limit))
        .app_data(extract::path_config())
        .app_data(extract::query_config())
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(routes::health::metrics)
        .map(|app| app.configure(beside.configure))
        .service(api_v1())
        .split_for_parts();
    let mut api = api.merge_from(beside.document);
    openapi::complete(&mut api);
    let document = web::Data::new(openapi::Document::render(&api));
    let allowed = web::Data::new(methods::AllowedMethods::of(&api));
    app.app_data(document)
        .app_data(allowed)
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/v1/openapi.json", api))
        .service(web::redirect("/api/docs", "/api/docs/"))
        .default_service(web::to(spa::serve))
        .wrap(from_fn(methods::middleware))
        .wrap(from_fn(limits::middleware))
        // Preflights are answered before any budget is spent, and refusals carry CORS headers.
        .wrap(Condition::new(
            !cors_origins.is_empty(),
            security::cors(&cors_origins),
        ))
        .wrap(from_fn(security::middleware))
        .wrap(Compress::default())
        .wrap(from_fn(telemetry::middleware))
        .wrap_fn(|mut req, srv| {
            trim_trailing_slash(&mut req);
            actix_web::dev::Service::call(srv, req)
        })
}

fn api_v1() -> utoipa_actix_web::scope::Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    scope("/api/v1")
        // Served here rather than by Swagger UI: this scope owns every `/api/v1` path.
        .route("/openapi.json", web::get().to(openapi::serve))
        .service(
            scope("/auth")
                .service(routes::auth::register)
                .service(routes::auth::login)
                .service(routes::two_factor::complete_login)
                .service(routes::two_factor::status)
                .service(routes::two_factor::enrol)
                .service(routes::two_factor::confirm)
                .service(routes::two_factor::disable)
                .service(routes::two_factor::renew_recovery_codes)
                .service(routes::auth::refresh)
                .service(routes::auth::logout)
                .service(routes::auth::me)
                .service(routes::auth::change_password)
                .service(routes::auth::unlock)
                .service(routes::auth::verify_email)
                .service(routes::auth::resend_verification)
                .service(routes::auth::request_password_reset)
                .service(routes::auth::confirm_password_reset)
                .service(routes::auth::sessions)
                .service(routes::auth::end_session)
                .service(routes::auth::end_other_sessions)
                .service(routes::auth::preview_invitation)
                .service(routes::auth::accept_invitation)
                .service(routes::sso::providers_for)
                .service(routes::sso::callback)
                .service(routes::sso::start)
                .service(routes::sso::complete),
        )
        // `/users/online` before `/users/{user_id}`, which would otherwise claim it.
        .service(routes::tokens::mine)
        .service(routes::tokens::create)
        .service(routes::tokens::revoke_mine)
        .service(routes::tokens::organization)
        .service(routes::tokens::revoke_any)
        .service(routes::bots::list)
        .service(routes::bots::create)
        .service(routes::bots::replace_token)
        .service(routes::bots::deactivate)
        .service(routes::hooks::post)
        .service(routes::outgoing::list)
        .service(routes::outgoing::create)
        .service(routes::outgoing::update)
        .service(routes::outgoing::remove)
        .service(routes::outgoing::deliveries)
        .service(routes::commands::available)
        .service(routes::commands::list)
        .service(routes::commands::create)
        .service(routes::commands::remove)
        .service(routes::notifications::get_settings)
        .service(routes::notifications::update_settings)
        .service(routes::notifications::list)
        .service(routes::notifications::unread_count)
        .service(routes::notifications::mark_read)
        .service(routes::accounts::invite)
        .service(routes::accounts::list)
        .service(routes::accounts::revoke)
        .service(routes::accounts::change_email)
        .service(routes::accounts::force_password_reset)
        .service(routes::accounts::user_sessions)
        .service(routes::accounts::end_user_sessions)
        .service(routes::accounts::end_user_session)
        .service(routes::two_factor::reset_for_user)
        .service(routes::users::online_users)
        .service(routes::users::list_users)
        .service(routes::users::get_user)
        .service(routes::users::update_user)
        .service(routes::users::delete_user)
        .service(routes::users::set_status)
        .service(routes::organizations::current)
        .service(routes::organizations::update)
        .service(routes::sso::list)
        .service(routes::sso::add)
        .service(routes::sso::remove)
        .service(routes::channels::list)
        .service(routes::channels::create)
        .service(routes::channels::get)
        .service(routes::channels::update)
        .service(routes::channels::remove)
        .service(routes::channels::archive)
        .service(routes::hooks::list)
        .service(routes::hooks::create)
        .service(routes::hooks::remove)
        .service(routes::commands::run)
        .service(routes::channels::unarchive)
        .service(routes::channels::join)
        .service(routes::channels::leave)
        .service(routes::channels::members)
        .service(routes::channels::add_member)
        .service(routes::channels::remove_member)
        .service(routes::channels::set_member_role)
        .service(routes::channels::mute_member)
        .service(routes::channels::unmute_member)
        .service(routes::channels::mark_read)
        .service(routes::notifications::set_channel_settings)
        .service(routes::channels::history)
        .service(routes::channels::send)
        .service(routes::files::upload)
        .service(routes::files::download)
        .service(routes::files::thumbnail)
        .service(routes::files::preview)
        .service(routes::channels::pins)
        .service(routes::channels::events)
        // `/messages/search` before `/messages/{message_id}`, which would otherwise claim it.
        .service(routes::messages::search)
        .service(routes::messages::get)
        .service(routes::messages::edit)
        .service(routes::messages::remove)
        .service(routes::messages::thread)
        .service(routes::messages::react)
        .service(routes::messages::unreact)
        .service(routes::messages::pin)
        .service(routes::messages::unpin)
        .service(routes::messages::report)
}

/// The OpenAPI document, built from the same route table the server uses, with the document
/// of the routes served beside the REST API.
pub fn openapi_document(beside: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(routes::health::metrics)
        .service(api_v1())
        .split_for_parts()
        .1
        .merge_from(beside);
    openapi::complete(&mut doc);
    doc
}

/// `/api/v1/users/` and `/api/v1/users` are the same resource: the specification writes
/// collection paths with a trailing slash, most clients without.
fn trim_trailing_slash(req: &mut ServiceRequest) {
    let path = req.path();
    if !(path.starts_with("/api/v1/") && path.len() > "/api/v1/".len() && path.ends_with('/')) {
        return;
    }
    let trimmed = path.trim_end_matches('/');
    let new_uri = match req.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    if let Ok(uri) = new_uri.parse::<Uri>() {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
}
