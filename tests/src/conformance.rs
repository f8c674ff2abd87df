//! The real-time API must be what its AsyncAPI document says: every frame a test receives on a
//! WebSocket is checked against the committed `openapi/asyncapi.json` (`ServerFrame`), and every
//! event a test reads from a stream against that stream's schema, with a JSON Schema validator.
//! A frame that does not conform fails the test that received it.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The schemas frames and events are checked against, by name.
const CHECKED: [&str; 4] = [
    "ServerFrame",
    "ActivityEvent",
    "NotificationsEvent",
    "DashboardEvent",
];

fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/asyncapi.json");
        let document: Value = serde_json::from_str(
            &std::fs::read_to_string(path).expect("openapi/asyncapi.json is committed"),
        )
        .expect("openapi/asyncapi.json is JSON");
        let schemas = document["components"]["schemas"].clone();
        CHECKED
            .into_iter()
            .map(|name| {
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": { "schemas": schemas },
                    "$ref": format!("#/components/schemas/{name}"),
                });
                let validator = jsonschema::validator_for(&root)
                    .unwrap_or_else(|error| panic!("the {name} schema compiles: {error}"));
                (name, validator)
            })
            .collect()
    })
}

/// Panics, naming what is wrong, when `instance` does not conform to the schema `name`.
pub fn check(name: &str, instance: &Value) {
    let validator = validators()
        .get(name)
        .unwrap_or_else(|| panic!("no schema {name} is checked"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the server sent a {name} that does not conform to openapi/asyncapi.json:\n{instance}\n{}",
        errors.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_document_does_not_describe_is_refused() {
        check("ServerFrame", &json!({ "type": "pong" }));
        check(
            "ServerFrame",
            &json!({ "type": "channel_updated", "seq": 3, "channel": null }),
        );
        for wrong in [
            json!({ "type": "ready" }),
            json!({ "type": "channel", "seq": 3 }),
            json!({ "type": "chat_message", "seq": "3" }),
            json!({ "type": "made_up" }),
        ] {
            let refused = std::panic::catch_unwind(|| check("ServerFrame", &wrong));
            assert!(refused.is_err(), "{wrong} passed");
        }
    }
}
