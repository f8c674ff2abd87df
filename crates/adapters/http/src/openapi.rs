//! The OpenAPI document's fixed parts: title, description, tags, the bearer scheme and the
//! shared error schemas. Paths and their schemas are collected from the handlers.

use crate::dto::chat::HasFilter;
use crate::error::{ErrorBody, ErrorCode, FieldError};
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        description = "The REST API of Tandem, an open-source team chat server.\n\n\
            Authenticate with `POST /api/v1/auth/register` or `POST /api/v1/auth/login`, then send \
            `Authorization: Bearer <access_token>`. Access tokens live 15 minutes by default; exchange \
            the refresh token at `POST /api/v1/auth/refresh` for a new pair.\n\n\
            Every error has the body `{code, message, details?}`, where `code` is one of the stable \
            values of the `ErrorCode` schema. Everything you see is scoped to your organization: \
            other organizations' resources answer 404.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerScheme),
    // The event streams' other payloads, which no response names as its body, and query
    // parameters' enums, which the parameters only reference.
    components(schemas(
        ErrorBody,
        ErrorCode,
        FieldError,
        HasFilter
    )),
    tags(
        (name = "auth", description = "Accounts, sessions and tokens"),
        (name = "users", description = "People of your organization"),
        (name = "organizations", description = "Your organization"),
        (name = "invitations", description = "Inviting people by email (admins); accepting is under `/auth`"),
        (name = "bots", description = "Bot accounts: members run by a program through a token of their own, made and owned by admins"),
        (name = "commands", description = "Slash commands: Tandem's own and an organization's, answered by its endpoints"),
        (name = "hooks", description = "Incoming webhooks: secret addresses through which other systems post into a channel, as a bot"),
        (name = "outgoing-webhooks", description = "Outgoing webhooks: another system's endpoint subscribed to channel events, delivered signed (HMAC-SHA256) with retries and a delivery log"),
        (name = "tokens", description = "Personal access tokens: lasting, scoped credentials for scripts and other systems (`Authorization: Bearer tdm_pat_…`)"),
        (name = "notifications", description = "Your notification centre and notification preferences"),
        (name = "channels", description = "Channels, direct conversations, membership and read markers"),
        (name = "messages", description = "Messages, threads, reactions, pins, reports, search and the channel change log"),
        (name = "files", description = "Sharing files: uploads (multipart) and downloads"),
        (name = "realtime", description = "Server-Sent Events: a channel's activity and the admin dashboard (`text/event-stream`; the WebSocket gateway at /api/v1/ws/chat/{channel_id} speaks the same frames)"),
        (name = "operations", description = "Health, readiness and metrics (not under /api/v1)"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT, or a personal access token (tdm_pat_…)")
                    .build(),
            ),
        );
        // For clients that cannot send `Authorization`: `EventSource`, `<img src>`.
        components.add_security_scheme(
            "query_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "The same token as the bearer one, as the `token` query parameter; never logged",
            ))),
        );
    }
}

/// The document before the handlers' paths are added.
pub fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document rendered once at startup, as served at `/api/v1/openapi.json`.
#[derive(Debug)]
pub struct Document(String);

impl Document {
    pub fn render(doc: &utoipa::openapi::OpenApi) -> Self {
        Self(doc.to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document does not serialize");
            String::from("{}")
        }))
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn serve(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

/// What the handlers' own declarations leave to the document as a whole: the answers of the
/// common layers, and the shape of event-stream events.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    describe_query_tokens(doc);
    document_common_answers(doc);
    describe_event_streams(doc);
}

/// Every operation of the document, with its path.
fn operations(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &mut utoipa::openapi::path::Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path.as_str(), operation))
    })
}

/// The operations that read the token from a `token` query parameter as well take it as a
/// security scheme of its own (`query_token`), an alternative to the bearer header, rather
/// than as a parameter: a client (or a checker) then knows that the parameter is a credential.
fn describe_query_tokens(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;

    for (_, operation) in operations(doc) {
        let Some(parameters) = operation.parameters.as_mut() else {
            continue;
        };
        let before = parameters.len();
        parameters.retain(|p| {
            !matches!(p, RefOr::T(p) if p.name == "token" && matches!(p.parameter_in, ParameterIn::Query))
        });
        if parameters.len() < before {
            operation.security = Some(vec![
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("query_token", Vec::<String>::new()),
            ]);
        }
    }
}

/// The operations on the caller's own account (the handlers that take `Account` rather than
/// `Caller`): they answer before the address is confirmed or two-factor sign-in is set up.
/// Everything else that needs a token is about the organization.
fn account_scoped(path: &str) -> bool {
    path.starts_with("/api/v1/auth/") || path == "/api/v1/users/me/email"
}

/// Documents on every operation the answers that come from the server's common layers rather
/// than from the handler, where the handler's own list left them out: 401 for operations that
/// need a token, 400 for those with path or query parameters or a JSON body, 413/415/422 for
/// those with a JSON body, 404 for those naming a resource, 403 for those about the
/// organization (see [`account_scoped`]), 503 for every API operation (a
/// dependency unreachable, or the node shutting down). Every one of them has the error body.
fn document_common_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, operation) in operations(doc) {
        let api = path.starts_with("/api/v1/");
        let names_resource = path.contains('{');
        let secured = operation
            .security
            .as_ref()
            .is_some_and(|requirements| !requirements.is_empty());
        let has_query = operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
        let json_body = operation.request_body.as_ref().is_some_and(
            |body| matches!(body, RefOr::T(body) if body.content.contains_key("application/json")),
        );
        let mut answers: Vec<(&str, &str)> = Vec::new();
        if secured {
            answers.push((
                "401",
                "No valid access token: missing (`unauthenticated`), forged (`invalid_token`), expired (`token_expired`) or revoked (`token_revoked`)",
            ));
        }
        if secured && !account_scoped(path) {
            answers.push((
                "403",
                "The caller may not see the organization yet: their address is not confirmed (`email_unverified`), or the organization requires two-factor sign-in and they have not turned it on (`two_factor_setup_required`)",
            ));
        }
        if names_resource || has_query {
            answers.push((
                "400",
                "A path or query parameter has the wrong form (`invalid_parameter`)",
            ));
        }
        if json_body {
            answers.extend([
                ("400", "The body is not well-formed JSON (`malformed_json`)"),
                ("413", "The body is larger than the limit (`payload_too_large`)"),
                ("415", "The body is not sent as `application/json` (`unsupported_media_type`)"),
                ("422", "A field is missing, of the wrong type, unknown or invalid (`validation_failed`, with `details`)"),
            ]);
        }
        if api && names_resource {
            answers.push((
                "404",
                "No such resource for you (or it belongs to another organization): `not_found`",
            ));
        }
        if api {
            answers.push((
                "429",
                "The caller's request budget is spent (`rate_limited`): wait the `Retry-After` seconds. Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`",
            ));
            answers.push((
                "503",
                "The database or Redis is unreachable (`service_unavailable`), or this node is shutting down (`shutting_down`): retry",
            ));
        }
        let mut by_status: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (status, description) in answers {
            by_status.entry(status).or_default().push(description);
        }
        for (status, descriptions) in by_status {
            let described = descriptions.join("; or ");
            match operation.responses.responses.get_mut(status) {
                // The handler's own 403 gains the organization-wide reasons.
                Some(RefOr::T(own)) if status == "403" => {
                    own.description = format!("{}; or {described}", own.description);
                }
                Some(_) => {}
                None => {
                    operation
                        .responses
                        .responses
                        .insert(status.to_owned(), error(&described));
                }
            }
        }
    }
}

/// Describes each event of every `text/event-stream` response as what travels on the wire:
/// an object of the SSE fields (`event`, `id`, `retry`, `data`), whose `data` is a JSON text
/// (`contentMediaType`) of the schema the handler declared as the body (`contentSchema`). The
/// handlers name the payload; OpenAPI 3.1 readers take a stream's `schema` for one event.
fn describe_event_streams(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{RefOr, Schema};

    for (_, operation) in operations(doc) {
        for response in operation.responses.responses.values_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let Some(RefOr::T(content)) = response.content.get_mut("text/event-stream") else {
                continue;
            };
            let Some(payload) = content.schema.take() else {
                continue;
            };
            let text = |description: &str| {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(description))
            };
            let event: RefOr<Schema> = ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "One event of the stream, as its SSE fields; `data` is a JSON text",
                ))
                .property(
                    "event",
                    text("The event's name, which says which payload `data` holds"),
                )
                .property(
                    "id",
                    text("The event's id, to resume from with `Last-Event-ID`"),
                )
                .property(
                    "retry",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0))
                        .description(Some("Milliseconds to wait before reconnecting")),
                )
                .property(
                    "data",
                    text("The payload, as JSON")
                        .content_media_type("application/json")
                        .content_schema(Some(payload)),
                )
                .required("data")
                .into();
            content.schema = Some(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::account_scoped;

    /// Every handler that takes `Account` is one [`account_scoped`] names, and every one that
    /// takes `Caller` is not: read from the route sources, with the scopes they are mounted in.
    #[test]
    fn account_scoped_names_exactly_the_handlers_that_take_account() {
        let sources = [
            ("/api/v1/auth", include_str!("routes/auth.rs")),
            ("/api/v1/auth", include_str!("routes/two_factor.rs")),
            ("/api/v1", include_str!("routes/accounts.rs")),
            ("/api/v1", include_str!("routes/channels.rs")),
            ("/api/v1", include_str!("routes/messages.rs")),
            ("/api/v1", include_str!("routes/notifications.rs")),
            ("/api/v1", include_str!("routes/organizations.rs")),
            ("/api/v1", include_str!("routes/users.rs")),
        ];
        let mut seen = 0;
        for (scope, source) in sources {
            let mut route = None;
            for line in source.lines().map(str::trim) {
                if let Some(rest) = [
                    "#[get(\"",
                    "#[post(\"",
                    "#[put(\"",
                    "#[patch(\"",
                    "#[delete(\"",
                ]
                .iter()
                .find_map(|attr| line.strip_prefix(attr))
                {
                    // The admins' routes of these files are mounted beside `/auth`.
                    route = rest.split('"').next().map(|path| match path {
                        admin if admin.starts_with("/users/") => format!("/api/v1{admin}"),
                        own => format!("{scope}{own}"),
                    });
                }
                let Some(path) = &route else { continue };
                if line.contains(": Account") {
                    assert!(account_scoped(path), "{path} takes Account");
                    seen += 1;
                } else if line.contains(": Caller") {
                    assert!(!account_scoped(path), "{path} takes Caller");
                    seen += 1;
                }
            }
        }
        assert!(seen > 40, "read {seen} handlers");
    }
}
