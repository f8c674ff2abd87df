//! Who is connecting: the bearer token of a WebSocket handshake or an event stream request
//! (the `Authorization` header, else the `token` query parameter), and the caller behind it.

use crate::ws::close;
use actix_web::HttpRequest;
use actix_web::http::header;
use tandem_api_types::bearer::TwoTokens;
use tandem_api_types::errors::{ApiError, ErrorCode};
use tandem_app::AppContext;
use tandem_app::auth::{self, Authenticated};
use tandem_domain::TokenScope;

/// The token of the `Authorization: Bearer` header or of the `token` query parameter; a
/// request with both is refused when it authenticates.
pub(crate) fn token(req: &HttpRequest, query_token: Option<String>) -> Token {
    let header = req.headers().get(header::AUTHORIZATION);
    tandem_api_types::bearer::header_or_query(header.and_then(|v| v.to_str().ok()), query_token)
}

/// What a request sent as its token.
pub(crate) type Token = Result<Option<String>, TwoTokens>;

/// The caller behind `token`.
///
/// # Errors
/// The API's error for a missing, invalid, expired or revoked token, a deactivated account,
/// or an authentication that could not be done.
pub(crate) async fn authenticate(
    ctx: &AppContext,
    token: &Token,
) -> Result<Authenticated, ApiError> {
    let token = token
        .as_ref()
        .map_err(|two| ApiError::from(*two))?
        .as_deref()
        .ok_or_else(ApiError::missing_token)?;
    let caller = auth::authenticate(&ctx.auth, token).await?;
    // A live stream reads: a personal access token needs the read scope for it.
    if !caller.allows(TokenScope::Read) {
        return Err(ApiError::insufficient_scope(TokenScope::Read));
    }
    Ok(caller)
}

/// How a socket that could not be opened is closed: the code and a reason a person can read.
pub(crate) type Refusal = (u16, String);

/// The close of a socket whose caller could not be authenticated.
pub(crate) fn refused(error: &ApiError) -> Refusal {
    let code = match error.code {
        ErrorCode::ServiceUnavailable | ErrorCode::InternalError => close::UNAVAILABLE,
        ErrorCode::InsufficientScope => close::FORBIDDEN,
        _ => close::UNAUTHENTICATED,
    };
    (code, error.message.clone())
}
