//! Who is connecting: the bearer token of a WebSocket handshake or an event stream request
//! (the `Authorization` header, else the `token` query parameter), and the caller behind it.

use crate::ws::close;
use actix_web::HttpRequest;
use actix_web::http::header;
use tandem_api_types::errors::{ApiError, ErrorCode};
use tandem_app::AppContext;
use tandem_app::auth::{self, Authenticated};

/// The token of the `Authorization: Bearer` header, else of the `token` query parameter.
pub(crate) fn token(req: &HttpRequest, query_token: Option<String>) -> Option<String> {
    let header = req.headers().get(header::AUTHORIZATION);
    tandem_api_types::bearer::header_or_query(header.and_then(|v| v.to_str().ok()), query_token)
}

/// The caller behind `token`.
///
/// # Errors
/// The API's error for a missing, invalid, expired or revoked token, a deactivated account,
/// or an authentication that could not be done.
pub(crate) async fn authenticate(
    ctx: &AppContext,
    token: Option<&str>,
) -> Result<Authenticated, ApiError> {
    let token = token.ok_or_else(ApiError::missing_token)?;
    Ok(auth::authenticate(&ctx.auth, token).await?)
}

/// How a socket that could not be opened is closed: the code and a reason a person can read.
pub(crate) type Refusal = (u16, String);

/// The close of a socket whose caller could not be authenticated.
pub(crate) fn refused(error: &ApiError) -> Refusal {
    let code = match error.code {
        ErrorCode::ServiceUnavailable | ErrorCode::InternalError => close::UNAVAILABLE,
        _ => close::UNAUTHENTICATED,
    };
    (code, error.message.clone())
}
