//! Which scope of a personal access token each operation needs, from its method and route
//! pattern. Reading takes `read`; the rest goes by what it changes: messages and what hangs on
//! them `write`, channels and their members `channels`, the organization's administration
//! `admin`. Managing the account itself (passwords, sessions, two-factor, tokens) and the
//! credentials of integrations (bots, incoming webhooks) takes a signed-in session: a token
//! cannot make credentials, or take over the account it belongs to.
//! What no rule names needs a session too.

use actix_web::http::Method;
use tandem_domain::TokenScope;

/// What a request needs of its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Scope(TokenScope),
    /// A signed-in session; no token may.
    Session,
}

/// What `method` on the route `pattern` (`/api/v1/channels/{channel_id}`) needs.
pub fn required(method: &Method, pattern: &str) -> Need {
    use TokenScope::{Admin, Channels, Read, Write};
    let path = pattern.strip_prefix("/api/v1").unwrap_or(pattern);
    let reads = method == Method::GET;
    if path == "/auth/me" && reads {
        return Need::Scope(Read);
    }
    if path.starts_with("/auth/")
        || path.starts_with("/users/me/tokens")
        || path.starts_with("/organizations/current/tokens")
        || path.starts_with("/bots")
        || path.starts_with("/outgoing-webhooks")
        || path.starts_with("/slash-commands")
        || path.starts_with("/channels/{channel_id}/hooks")
        || path == "/users/me/email"
    {
        return Need::Session;
    }
    if reads {
        return Need::Scope(Read);
    }
    let scope = if path.starts_with("/organizations") || path.starts_with("/invitations") {
        Admin
    } else if path == "/users/me/notification-settings" || path.starts_with("/notifications") {
        Write
    } else if path.starts_with("/users") {
        Admin
    } else if path.starts_with("/messages")
        || [
            "/channels/{channel_id}/messages",
            "/channels/{channel_id}/files",
            "/channels/{channel_id}/read",
            "/channels/{channel_id}/notification-settings",
            "/channels/{channel_id}/commands",
        ]
        .contains(&path)
    {
        Write
    } else if path.starts_with("/channels") {
        Channels
    } else {
        return Need::Session;
    };
    Need::Scope(scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenScope::{Admin, Channels, Read, Write};

    #[test]
    fn each_kind_of_request_needs_its_scope() {
        let cases = [
            (
                Method::GET,
                "/api/v1/channels/{channel_id}/messages",
                Need::Scope(Read),
            ),
            (Method::GET, "/api/v1/auth/me", Need::Scope(Read)),
            (
                Method::GET,
                "/api/v1/sse/activity/{channel_id}",
                Need::Scope(Read),
            ),
            (
                Method::POST,
                "/api/v1/channels/{channel_id}/messages",
                Need::Scope(Write),
            ),
            (
                Method::POST,
                "/api/v1/channels/{channel_id}/files",
                Need::Scope(Write),
            ),
            (
                Method::PUT,
                "/api/v1/messages/{message_id}",
                Need::Scope(Write),
            ),
            (
                Method::POST,
                "/api/v1/notifications/read",
                Need::Scope(Write),
            ),
            (Method::POST, "/api/v1/channels", Need::Scope(Channels)),
            (
                Method::POST,
                "/api/v1/channels/{channel_id}/archive",
                Need::Scope(Channels),
            ),
            (
                Method::PATCH,
                "/api/v1/channels/{channel_id}/members/{user_id}",
                Need::Scope(Channels),
            ),
            (
                Method::PATCH,
                "/api/v1/organizations/current",
                Need::Scope(Admin),
            ),
            (Method::POST, "/api/v1/invitations", Need::Scope(Admin)),
            (
                Method::DELETE,
                "/api/v1/users/{user_id}",
                Need::Scope(Admin),
            ),
            (Method::POST, "/api/v1/auth/password", Need::Session),
            (Method::POST, "/api/v1/auth/logout", Need::Session),
            (Method::GET, "/api/v1/auth/sessions", Need::Session),
            (Method::POST, "/api/v1/users/me/tokens", Need::Session),
            (Method::GET, "/api/v1/users/me/tokens", Need::Session),
            (
                Method::GET,
                "/api/v1/organizations/current/tokens",
                Need::Session,
            ),
            (Method::POST, "/api/v1/users/me/email", Need::Session),
            (Method::POST, "/api/v1/bots", Need::Session),
            (Method::GET, "/api/v1/bots", Need::Session),
            (
                Method::POST,
                "/api/v1/channels/{channel_id}/hooks",
                Need::Session,
            ),
            (
                Method::GET,
                "/api/v1/channels/{channel_id}/hooks",
                Need::Session,
            ),
            (Method::POST, "/api/v1/somewhere-new", Need::Session),
        ];
        for (method, pattern, need) in cases {
            assert_eq!(required(&method, pattern), need, "{method} {pattern}");
        }
    }

    /// Every documented operation outside the account's own is one some token can make.
    #[test]
    fn only_the_account_itself_is_closed_to_tokens() {
        let doc = crate::openapi_document(utoipa::openapi::OpenApi::default());
        let mut checked = 0;
        for (path, item) in &doc.paths.paths {
            for (method, present) in [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ] {
                if !present || !path.starts_with("/api/v1/") {
                    continue;
                }
                checked += 1;
                // The account, and the credentials others hold (tokens, bots, hooks; a hook's
                // own address needs no bearer at all).
                let own_account = path.starts_with("/api/v1/auth/")
                    || path.contains("/tokens")
                    || path.starts_with("/api/v1/bots")
                    || path.starts_with("/api/v1/outgoing-webhooks")
                    || path.starts_with("/api/v1/slash-commands")
                    || path.contains("/hooks")
                    || path == "/api/v1/users/me/email";
                if !own_account {
                    assert_ne!(required(&method, path), Need::Session, "{method} {path}");
                }
            }
        }
        assert!(checked > 60, "checked {checked} operations");
    }
}
