//! Request extraction: the authenticated caller, and turning malformed bodies, paths and
//! queries into the API's error shape instead of actix's plain-text defaults.

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::scopes::Need;
use actix_web::dev::Payload;
use actix_web::error::{
    JsonPayloadError, PathError, PayloadError, QueryPayloadError, UrlencodedError,
};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::ops::Deref;
use tandem_api_types::errors::ApiError as Shared;
use tandem_app::AppContext;
use tandem_app::auth::{self, Authenticated};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

/// The authenticated caller. Extracting it answers 401 unless the request carries a valid,
/// unrevoked bearer token of an active account.
#[derive(Debug, Clone)]
pub struct Caller(pub Authenticated);

impl Deref for Caller {
    type Target = Authenticated;

    fn deref(&self) -> &Authenticated {
        &self.0
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authenticated(req, true);
        Box::pin(async move { found.await.map(Self) })
    }
}

/// The authenticated owner of an account, who may not see their organization yet (they joined
/// by their email's domain and have not proven the address): for the endpoints about their
/// own account only. Everything else takes [`Caller`], which answers 403 `email_unverified`.
#[derive(Debug, Clone)]
pub struct Account(pub Authenticated);

impl Deref for Account {
    type Target = Authenticated;

    fn deref(&self) -> &Authenticated {
        &self.0
    }
}

impl FromRequest for Account {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = authenticated(req, false);
        Box::pin(async move { found.await.map(Self) })
    }
}

fn authenticated(
    req: &HttpRequest,
    entry_required: bool,
) -> LocalBoxFuture<'static, Result<Authenticated, ApiError>> {
    let ctx = req.app_data::<web::Data<AppContext>>().cloned();
    let token = bearer_token(req);
    let need = crate::scopes::required(
        req.method(),
        &req.match_pattern().unwrap_or_else(|| req.path().to_owned()),
    );
    Box::pin(async move {
        let ctx = ctx
            .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "application state missing"))?;
        let token = token.ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "send an access token as `Authorization: Bearer <token>`",
            )
        })?;
        let caller = if entry_required {
            auth::authenticate(&ctx.auth, &token).await?
        } else {
            auth::authenticate_account(&ctx.auth, &token).await?
        };
        permitted(&caller, need)?;
        Ok(caller)
    })
}

/// Whether the caller's credential may make a request that needs `need`: a session may make
/// any (what its person may do is the use cases' to say), a personal access token only what
/// its scopes cover.
fn permitted(caller: &Authenticated, need: Need) -> Result<(), ApiError> {
    match need {
        _ if caller.scopes.is_none() => Ok(()),
        Need::Scope(scope) if caller.allows(scope) => Ok(()),
        Need::Scope(scope) => Err(ApiError(Shared::insufficient_scope(scope))),
        Need::Session => Err(ApiError::new(
            ErrorCode::InsufficientScope,
            "only a signed-in session may do this, not a personal access token",
        )),
    }
}

/// The `User-Agent` header, for the session a login opens.
pub fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::USER_AGENT)?.to_str().ok()
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    tandem_api_types::bearer::bearer_token(value).map(str::to_owned)
}

/// A `token` query parameter, for clients that cannot send `Authorization` (`<img src>`).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// An access token, for clients that cannot send `Authorization` (`<img src>`). Never
    /// logged.
    pub token: Option<String>,
}

/// The caller, by `Authorization: Bearer` or else a `token` query parameter.
///
/// # Errors
/// `unauthenticated` without a token; the authentication's errors otherwise.
pub(crate) async fn authenticate_with_query(
    req: &HttpRequest,
    ctx: &AppContext,
    query_token: Option<String>,
) -> Result<tandem_app::auth::Authenticated, ApiError> {
    let header = req.headers().get(header::AUTHORIZATION);
    let token = tandem_api_types::bearer::header_or_query(
        header.and_then(|v| v.to_str().ok()),
        query_token,
    )
    .map_err(ApiError::from)?
    .ok_or_else(|| ApiError(Shared::missing_token()))?;
    let caller = auth::authenticate(&ctx.auth, &token).await?;
    permitted(&caller, Need::Scope(tandem_domain::TokenScope::Read))?;
    Ok(caller)
}

/// Runs the `validator` rules of a request body and maps failures to a 422 with one entry per
/// field.
///
/// # Errors
/// `validation_failed` listing every invalid field.
pub fn validated<T: Validate>(body: T) -> Result<T, ApiError> {
    body.validate()
        .map_err(|errors| ApiError::validation(field_errors(&errors)))?;
    Ok(body)
}

fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    for (field, kind) in errors.errors() {
        if let ValidationErrorsKind::Field(list) = kind {
            for error in list {
                let message = error.message.as_ref().map_or_else(
                    || format!("failed the `{}` rule", error.code),
                    ToString::to_string,
                );
                out.push(FieldError {
                    field: field.to_string(),
                    code: error.code.to_string(),
                    message,
                });
            }
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

/// A JSON body, read as `web::Json` reads it (the size limit, the content type, and every
/// error in the API's shape from [`json_config`]), where a number with nothing after the
/// point (`274.0`) is the integer it equals, as JSON Schema counts it: a field the document
/// says is an integer takes it.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move { Ok(Self(read(json.await?.into_inner())?)) })
    }
}

/// `value` as a `T`, whole floats read as integers.
fn read<T: serde::de::DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    whole_numbers_as_integers(&mut value);
    serde_json::from_value(value).map_err(|error| shape_error(&error))
}

fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                // Below 2^53 every whole float is exact, and the cast keeps it.
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// A JSON body that may be left out: no body at all, or `null`, is `None`; a body that is there
/// is read like any other ([`Json`]), so a malformed one, an unknown field or a missing
/// `Content-Type` is an error, not silently taken for "no body".
pub struct OptionalJson<T>(pub Option<T>);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let absent = match length {
            Some(length) => length == "0",
            None => !headers.contains_key(header::TRANSFER_ENCODING),
        };
        if absent {
            return Box::pin(async { Ok(Self(None)) });
        }
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            match json.await?.into_inner() {
                // `null` says "nothing" as plainly as no body does.
                serde_json::Value::Null => Ok(Self(None)),
                value => Ok(Self(Some(read(value)?))),
            }
        })
    }
}

/// A body another system posts the ways Slack's incoming webhooks take it: JSON, or a form
/// (`application/x-www-form-urlencoded`) whose one `payload` field is that JSON, as
/// `curl --data-urlencode payload=…` sends it. Both are read alike: the size limit of JSON
/// bodies (counted on the body as sent), and the same errors for the same faults; a form
/// without one `payload`, or whose `payload` is not JSON, is `400 malformed_json`. Any other
/// content type is `415`.
pub struct JsonOrPayloadForm<T>(pub T);

impl<T> JsonOrPayloadForm<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for JsonOrPayloadForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use actix_web::HttpMessage;
        use actix_web::mime;

        let essence = req.mime_type().ok().flatten();
        let form = essence.as_ref().is_some_and(|m| {
            m.type_() == mime::APPLICATION && m.subtype() == mime::WWW_FORM_URLENCODED
        });
        let json = essence
            .as_ref()
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        if json {
            let body = Json::<T>::from_request(req, payload);
            return Box::pin(async move { Ok(Self(body.await?.into_inner())) });
        }
        if !form {
            return Box::pin(async {
                Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the body as JSON (`Content-Type: application/json`), or as a form \
                     whose `payload` field is the JSON (`application/x-www-form-urlencoded`)",
                )
                .into())
            });
        }
        let Some(limit) = req
            .app_data::<web::Data<crate::HttpSettings>>()
            .map(|settings| settings.json_limit_bytes)
        else {
            return Box::pin(async {
                Err(ApiError::new(ErrorCode::InternalError, "application state missing").into())
            });
        };
        let fields =
            actix_web::dev::UrlEncoded::<Vec<(String, String)>>::new(req, payload).limit(limit);
        Box::pin(async move {
            let fields = fields.await.map_err(|error| form_error(&error, limit))?;
            Ok(Self(read(payload_json(fields)?)?))
        })
    }
}

/// The JSON in a form's one `payload` field.
fn payload_json(fields: Vec<(String, String)>) -> Result<serde_json::Value, ApiError> {
    let mut payloads = fields.into_iter().filter(|(name, _)| name == "payload");
    let (Some((_, text)), None) = (payloads.next(), payloads.next()) else {
        return Err(ApiError::new(
            ErrorCode::MalformedJson,
            "the form needs exactly one `payload` field, holding the JSON: \
             `payload=<URL-encoded JSON>`",
        ));
    };
    serde_json::from_str(&text).map_err(|error| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the form's `payload` is not valid JSON: {error}"),
        )
    })
}

fn form_error(error: &UrlencodedError, limit_bytes: usize) -> ApiError {
    match error {
        UrlencodedError::Overflow { .. } | UrlencodedError::Payload(PayloadError::Overflow) => {
            too_large(limit_bytes)
        }
        UrlencodedError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the form's charset is not one Tandem reads: send it in UTF-8",
        ),
        other => ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body could not be read: {other}"),
        ),
    }
}

fn too_large(limit_bytes: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the body is larger than the limit of {limit_bytes} bytes"),
    )
}

/// JSON bodies: size limit, content type, syntax and shape errors in the API's error shape.
pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit_bytes)
        .error_handler(move |error, _req| {
            let api = match &error {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Payload(PayloadError::Overflow) => too_large(limit_bytes),
                JsonPayloadError::ContentType => ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the body as JSON with `Content-Type: application/json`",
                ),
                JsonPayloadError::Deserialize(inner) if inner.is_data() => shape_error(inner),
                JsonPayloadError::Deserialize(inner) => ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("the body is not valid JSON: {inner}"),
                ),
                other => ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("the body could not be read: {other}"),
                ),
            };
            api.into()
        })
}

/// Well-formed JSON of the wrong shape (a missing field, a number where text belongs): a 422
/// naming the field where serde tells it.
fn shape_error(error: &serde_json::Error) -> ApiError {
    let text = error.to_string();
    let field = text
        .split('`')
        .nth(1)
        .filter(|_| text.contains(" field `"))
        .unwrap_or("body")
        .to_owned();
    let code = if text.starts_with("missing field") {
        "required"
    } else if text.starts_with("unknown field") {
        "unknown_field"
    } else {
        "invalid_type"
    };
    let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
    ApiError::validation(vec![FieldError {
        field,
        code: code.to_owned(),
        message,
    }])
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error: PathError, _req| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("a path parameter has the wrong form: {error}"),
        )
        .into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("a query parameter has the wrong form: {error}"),
        )
        .into()
    })
}

/// The client's address for throttling. With `trust_forwarded` (only behind a proxy you run),
/// the last `X-Forwarded-For` hop is used: the one your proxy appended. Earlier hops and the
/// `Forwarded` header are whatever the client chose to send, so they are ignored.
pub fn client_address(req: &HttpRequest, trust_forwarded: bool) -> Option<String> {
    let forwarded = || {
        let value = req.headers().get("x-forwarded-for")?.to_str().ok()?;
        value
            .rsplit(',')
            .next()
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .map(str::to_owned)
    };
    let peer = || req.peer_addr().map(|a| a.ip().to_string());
    if trust_forwarded {
        forwarded().or_else(peer)
    } else {
        peer()
    }
}
