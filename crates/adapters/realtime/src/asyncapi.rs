//! The real-time API as an AsyncAPI 3 document: the two WebSockets (a channel's, and a
//! person's notifications) and the three event streams, their messages, and the schemas of
//! every frame, taken from the same Rust types as `openapi/realtime.json` and the OpenAPI
//! document's streams. Committed as `openapi/asyncapi.json` (`tandem openapi --asyncapi`).

use serde_json::{Map, Value, json};

/// The document.
pub fn document() -> Value {
    let mut schemas = Map::new();
    for part in [
        serde_json::to_value(crate::openapi()),
        serde_json::to_value(tandem_api_types::realtime::schema_document()),
    ] {
        if let Ok(Value::Object(mut part)) = part
            && let Some(Value::Object(components)) = part.remove("components")
            && let Some(Value::Object(found)) = components.get("schemas").cloned()
        {
            schemas.extend(found);
        }
    }
    let message = |name: &str, title: &str, summary: &str| {
        json!({
            "name": name,
            "title": title,
            "summary": summary,
            "contentType": "application/json",
            "payload": { "$ref": format!("#/components/schemas/{name}") },
        })
    };
    let query = json!({
        "type": "object",
        "properties": {
            "token": {
                "type": "string",
                "description": "An access token or personal access token, for clients that cannot send `Authorization: Bearer` (browsers); never logged.",
            },
        },
    });
    let mut chat_query = query.clone();
    chat_query["properties"]["after_seq"] = json!({
        "type": "integer",
        "minimum": 0,
        "description": "Resume: replay the channel's stored changes after this `seq`, then live ones.",
    });
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Tandem real-time API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Live channels and notifications. WebSockets carry JSON text frames `{\"type\": ...}`: a client sends `ClientFrame`s and receives `ServerFrame`s. Every frame about a stored channel change carries its `seq`; a client that saw `seq` N resumes after N and never misses or repeats a change. The event streams (Server-Sent Events) carry the same channel frames as `data`. Authentication: `Authorization: Bearer <token>`, or `?token=`.",
            "license": { "name": "Apache-2.0" },
        },
        "defaultContentType": "application/json",
        "servers": {
            "websocket": {
                "host": "127.0.0.1:8080",
                "protocol": "ws",
                "description": "The embedded default's address; `wss` behind TLS.",
            },
            "events": {
                "host": "127.0.0.1:8080",
                "protocol": "http",
                "description": "Server-Sent Events (`text/event-stream`) on the same address.",
            },
        },
        "channels": {
            "chat": {
                "address": "/api/v1/ws/chat/{channel_id}",
                "title": "A channel's socket",
                "description": "The channel's stored changes in order, who is here, typing; and posting, editing, deleting, reacting, typing. The first frame is `ready`.",
                "servers": [{ "$ref": "#/servers/websocket" }],
                "parameters": { "channel_id": { "description": "The channel's id." } },
                "messages": {
                    "clientFrame": { "$ref": "#/components/messages/ClientFrame" },
                    "serverFrame": { "$ref": "#/components/messages/ServerFrame" },
                },
                "bindings": { "ws": { "method": "GET", "query": chat_query, "bindingVersion": "0.1.0" } },
            },
            "notifications": {
                "address": "/api/v1/ws/notifications/{user_id}",
                "title": "A person's notifications socket",
                "description": "Mentions, direct messages, invitations, stored notifications and unread changes, wherever the person is in the app. The first frame is `notifications_ready`.",
                "servers": [{ "$ref": "#/servers/websocket" }],
                "parameters": { "user_id": { "description": "Your own user id." } },
                "messages": {
                    "clientFrame": { "$ref": "#/components/messages/ClientFrame" },
                    "serverFrame": { "$ref": "#/components/messages/ServerFrame" },
                },
                "bindings": { "ws": { "method": "GET", "query": query, "bindingVersion": "0.1.0" } },
            },
            "activityStream": {
                "address": "/api/v1/sse/activity/{channel_id}",
                "title": "A channel's event stream",
                "description": "`ready`, then each stored change as an event named by its `type` with `id: <seq>`; `end` when the stream closes for a reason the client can act on. `Last-Event-ID` or `?after_seq=` resumes.",
                "servers": [{ "$ref": "#/servers/events" }],
                "parameters": { "channel_id": { "description": "The channel's id." } },
                "messages": { "activityEvent": { "$ref": "#/components/messages/ActivityEvent" } },
            },
            "notificationsStream": {
                "address": "/api/v1/sse/notifications",
                "title": "Your notifications as an event stream",
                "servers": [{ "$ref": "#/servers/events" }],
                "messages": { "notificationsEvent": { "$ref": "#/components/messages/NotificationsEvent" } },
            },
            "dashboardStream": {
                "address": "/api/v1/sse/dashboard",
                "title": "The admin dashboard's figures (admins)",
                "servers": [{ "$ref": "#/servers/events" }],
                "messages": { "dashboardEvent": { "$ref": "#/components/messages/DashboardEvent" } },
            },
        },
        "operations": {
            "sendChatFrame": {
                "action": "send",
                "channel": { "$ref": "#/channels/chat" },
                "summary": "Post, edit, delete, react, type, or ping.",
                "messages": [{ "$ref": "#/channels/chat/messages/clientFrame" }],
            },
            "receiveChatFrame": {
                "action": "receive",
                "channel": { "$ref": "#/channels/chat" },
                "messages": [{ "$ref": "#/channels/chat/messages/serverFrame" }],
            },
            "sendNotificationsFrame": {
                "action": "send",
                "channel": { "$ref": "#/channels/notifications" },
                "summary": "Ping, or mark notifications read.",
                "messages": [{ "$ref": "#/channels/notifications/messages/clientFrame" }],
            },
            "receiveNotificationsFrame": {
                "action": "receive",
                "channel": { "$ref": "#/channels/notifications" },
                "messages": [{ "$ref": "#/channels/notifications/messages/serverFrame" }],
            },
            "receiveActivityEvent": {
                "action": "receive",
                "channel": { "$ref": "#/channels/activityStream" },
                "messages": [{ "$ref": "#/channels/activityStream/messages/activityEvent" }],
            },
            "receiveNotificationsEvent": {
                "action": "receive",
                "channel": { "$ref": "#/channels/notificationsStream" },
                "messages": [{ "$ref": "#/channels/notificationsStream/messages/notificationsEvent" }],
            },
            "receiveDashboardEvent": {
                "action": "receive",
                "channel": { "$ref": "#/channels/dashboardStream" },
                "messages": [{ "$ref": "#/channels/dashboardStream/messages/dashboardEvent" }],
            },
        },
        "components": {
            "messages": {
                "ClientFrame": message("ClientFrame", "Client frame", "What a client sends on a socket."),
                "ServerFrame": message("ServerFrame", "Server frame", "What the server sends on a socket."),
                "ActivityEvent": message("ActivityEvent", "Activity event", "The `data` of a channel stream's event."),
                "NotificationsEvent": message("NotificationsEvent", "Notifications event", "The `data` of the notifications stream's event."),
                "DashboardEvent": message("DashboardEvent", "Dashboard event", "The `data` of the dashboard stream's event."),
            },
            "schemas": schemas,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` points at something the document has.
    #[test]
    fn every_reference_resolves() {
        let document = document();
        let mut refs = Vec::new();
        collect(&document, &mut refs);
        assert!(refs.len() > 20, "{refs:?}");
        for reference in refs {
            let pointer = reference.trim_start_matches('#');
            assert!(
                document.pointer(pointer).is_some(),
                "{reference} does not resolve"
            );
        }
    }

    fn collect(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    refs.push(r.clone());
                }
                map.values().for_each(|v| collect(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, refs)),
            _ => {}
        }
    }

    #[test]
    fn channel_changes_are_server_frames_as_sent() {
        let document = document();
        let variants = document["components"]["schemas"]["ServerFrame"]["oneOf"]
            .as_array()
            .unwrap();
        assert!(
            variants
                .iter()
                .any(|v| v["$ref"] == "#/components/schemas/ChannelFrame"),
            "{variants:?}"
        );
        assert!(
            !variants.iter().any(|v| v.get("allOf").is_some()),
            "no `type: channel` tag, which is never sent: {variants:?}"
        );
    }
}
