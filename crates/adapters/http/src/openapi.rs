//! The OpenAPI document's fixed parts: title, description, tags, the bearer scheme and the
//! shared error schemas. Paths and their schemas are collected from the handlers.

use crate::dto::chat::HasFilter;
use crate::error::{ErrorBody, ErrorCode, FieldError};
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
                    .bearer_format("JWT")
                    .build(),
            ),
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
