//! The one reading of an `Authorization` header, for every interface that takes a bearer
//! token (REST, WebSocket handshakes, event streams).

/// The token of an `Authorization: Bearer <token>` header value: the scheme in any case, the
/// token trimmed; `None` for another scheme or an empty token.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Two tokens in one request: one in the `Authorization` header and one in the `token` query
/// parameter. Refused rather than one picked: a request is refused for any credential it
/// carries that is wrong, and there is no telling which the client meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoTokens;

impl TwoTokens {
    pub const MESSAGE: &'static str = "send the token once: in the Authorization header or in the token query parameter, not both";
}

/// The token of an `Authorization` header value, or of the `token` query parameter (for
/// clients that cannot set headers: `EventSource`, browser WebSockets, `<img src>`). An empty
/// `token=` is a token too, and not a valid one: a credential sent is never ignored.
///
/// # Errors
/// [`TwoTokens`] when the request carries both.
pub fn header_or_query(
    header: Option<&str>,
    query: Option<String>,
) -> Result<Option<String>, TwoTokens> {
    let header = header.and_then(bearer_token).map(str::to_owned);
    match (header, query) {
        (Some(_), Some(_)) => Err(TwoTokens),
        (header, query) => Ok(header.or(query)),
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn only_a_non_empty_bearer_token_is_read() {
        assert_eq!(bearer_token("Bearer abc.def"), Some("abc.def"));
        assert_eq!(bearer_token("bearer   abc  "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn one_token_is_read_from_either_place_and_two_are_refused() {
        use super::{TwoTokens, header_or_query};
        let query = || Some("from-query".to_owned());
        assert_eq!(
            header_or_query(Some("Bearer h"), None),
            Ok(Some("h".to_owned()))
        );
        assert_eq!(
            header_or_query(None, query()),
            Ok(Some("from-query".to_owned()))
        );
        assert_eq!(header_or_query(Some("Bearer h"), query()), Err(TwoTokens));
        // A header of another scheme is no token.
        assert_eq!(
            header_or_query(Some("Basic h"), query()),
            Ok(Some("from-query".to_owned()))
        );
        // An empty one is sent all the same.
        assert_eq!(
            header_or_query(Some("Bearer h"), Some(String::new())),
            Err(TwoTokens)
        );
        assert_eq!(
            header_or_query(None, Some(String::new())),
            Ok(Some(String::new()))
        );
        assert_eq!(header_or_query(None, None), Ok(None));
    }
}
