//! The one reading of an `Authorization` header, for every interface that takes a bearer
//! token (REST, WebSocket handshakes, event streams).

/// The token of an `Authorization: Bearer <token>` header value: the scheme in any case, the
/// token trimmed; `None` for another scheme or an empty token.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The token of an `Authorization` header value, else a non-empty `token` query parameter (for
/// clients that cannot set headers: `EventSource`, browser WebSockets, `<img src>`).
pub fn header_or_query(header: Option<&str>, query: Option<String>) -> Option<String> {
    header
        .and_then(bearer_token)
        .map(str::to_owned)
        .or(query.filter(|t| !t.is_empty()))
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
    fn the_header_wins_over_the_query_and_empty_values_count_as_none() {
        use super::header_or_query;
        let query = || Some("from-query".to_owned());
        assert_eq!(
            header_or_query(Some("Bearer h"), query()).as_deref(),
            Some("h")
        );
        assert_eq!(
            header_or_query(Some("Basic h"), query()).as_deref(),
            Some("from-query")
        );
        assert_eq!(header_or_query(None, Some(String::new())), None);
        assert_eq!(header_or_query(None, None), None);
    }
}
