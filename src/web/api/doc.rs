//! The finishing pass over the generated OpenAPI document: the answers every operation can
//! give whatever its handler does, written once here rather than on each handler.
//!
//! - **The guard's answers.** 401 on every operation (no valid token or session); 403 on
//!   every write (a role too low, a missing CSRF token); 404 where the path names something.
//! - **The body's answers.** An operation that takes a JSON body also answers 400 (not
//!   JSON), 413 (over the body limit), 415 (not `application/json`) and 422 (a field
//!   invalid); one with query parameters answers 400 for a bad one.
//! - **The node API's error type.** Errors under `/api/v1/node…` are problem documents
//!   (`application/problem+json`), as the guard and the node handlers send them.
//! - **Flattened records.** A record flattened into another (`#[serde(flatten)]`) is
//!   referenced from an `allOf`; when the referenced schema forbids other properties (a
//!   config type that refuses unknown keys), the `allOf` would refuse the fields beside it.
//!   Such a reference is replaced by a copy that allows them.
//! - **Inventory objects are exactly their kind.** `InventoryObject` is any kind's schema
//!   plus a revision; `unevaluatedProperties: false` makes it refuse a field that neither
//!   the kind it matched nor the revision names, so a VM cannot pass as a data center that
//!   happens to have fewer required fields. utoipa's builders cannot say it.

use serde_json::{Map, Value, json};

use super::node::{PROBLEM_JSON, is_node_path};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Applies every rule above to `doc`, the document as utoipa generated it.
pub(super) fn finish(mut doc: Value) -> Value {
    inline_closed_flattened(&mut doc);
    if let Some(object) = doc.pointer_mut("/components/schemas/InventoryObject") {
        object["unevaluatedProperties"] = Value::Bool(false);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return doc;
    };
    for (path, item) in paths.iter_mut() {
        // om3's own paths send their problem documents as plain JSON, as om3 does.
        let om3 = path.starts_with("/api/node/");
        let node = is_node_path(path) && !om3;
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let has_body = op.contains_key("requestBody");
            let has_query = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("responses is an object");
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code)
                    .or_insert_with(|| error_response(node, om3, description));
            };
            add("401", "No valid API token or session");
            if method != "get" {
                add(
                    "403",
                    "The caller's role does not allow this, or a session's CSRF token is missing",
                );
            }
            if path.contains('{') {
                add("404", "Nothing of that name");
            }
            if has_body {
                add("400", "The body is not valid JSON");
                add("413", "The body is over 1 MiB");
                add("415", "The body is not sent as application/json");
                add(
                    "422",
                    "A field of the body is missing or invalid; the message names it",
                );
            }
            if has_query {
                add("400", "A query parameter is invalid; the message names it");
            }
            if node {
                for (code, response) in responses.iter_mut() {
                    if code.starts_with('4') || code.starts_with('5') {
                        as_problem(response);
                    }
                }
            }
            // Every answer says what it is (OpenAPI requires a description).
            for (code, response) in responses.iter_mut() {
                if let Some(r) = response.as_object_mut() {
                    r.entry("description")
                        .or_insert_with(|| Value::from(describe(code)));
                }
            }
        }
    }
    doc
}

/// What an answer of status `code` is, for an operation that does not say.
fn describe(code: &str) -> &'static str {
    match code {
        "200" => "The answer",
        "201" => "Made; the answer is what was made",
        "202" => "Accepted: the work goes on in the background",
        "204" => "Done",
        "400" => "The request is invalid; the message says why",
        "401" => "No valid API token or session",
        "403" => "The caller's role does not allow this",
        "404" => "Nothing of that name",
        "409" => "It conflicts with what exists; the message says how",
        "422" => "A field of the body is missing or invalid; the message names it",
        "502" => "A peer or the engine failed",
        "503" => "The store cannot be read or written now",
        "504" => "A peer or the engine took too long",
        _ => "An answer",
    }
}

fn error_response(node: bool, om3: bool, description: &str) -> Value {
    let (content_type, schema) = if node {
        (PROBLEM_JSON, "Problem")
    } else if om3 {
        ("application/json", "Problem")
    } else {
        ("application/json", "ErrorBody")
    };
    json!({
        "description": description,
        "content": { content_type: { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// Moves a response's JSON content under the problem document's content type.
fn as_problem(response: &mut Value) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(body) = content.remove("application/json") {
        content.insert(PROBLEM_JSON.to_string(), body);
    }
}

/// See the module's last rule.
fn inline_closed_flattened(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let open_copy = |reference: &str| -> Option<Value> {
        let name = reference.strip_prefix("#/components/schemas/")?;
        let schema = schemas.get(name)?.as_object()?;
        if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
            return None;
        }
        let mut copy: Map<String, Value> = schema.clone();
        copy.remove("additionalProperties");
        Some(Value::Object(copy))
    };
    let Some(targets) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in targets.values_mut() {
        let Some(all_of) = schema.get_mut("allOf").and_then(Value::as_array_mut) else {
            continue;
        };
        for part in all_of.iter_mut() {
            if let Some(copy) = part["$ref"].as_str().and_then(&open_copy) {
                *part = copy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        finish(serde_json::to_value(super::super::ApiDoc::generated()).unwrap())
    }

    #[test]
    fn every_answer_is_described_and_every_parameter_is_where_it_is_sent() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                for (code, r) in op["responses"].as_object().unwrap() {
                    assert!(r["description"].is_string(), "{method} {path} {code}");
                }
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    let in_path = path.contains(&format!("{{{name}}}"));
                    assert_eq!(
                        p["in"] == "path",
                        in_path,
                        "{method} {path}: parameter {name} is in {}",
                        p["in"]
                    );
                }
            }
        }
        assert_eq!(doc["info"]["license"]["name"], "Apache-2.0");
        assert!(
            doc["paths"]["/api/node/name/{nodename}/system/{section}"]["get"].is_object(),
            "om3's path is documented"
        );
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = doc();
        let mut seen = std::collections::BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                if let Some(id) = item[method]["operationId"].as_str() {
                    let before = seen.insert(id.to_string(), format!("{method} {path}"));
                    assert!(
                        before.is_none(),
                        "operationId {id} twice: {before:?} and {method} {path}"
                    );
                }
            }
        }
        assert!(seen.len() > 30);
    }

    #[test]
    fn every_operation_documents_the_guards_answers() {
        let doc = doc();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let r = &op["responses"];
                assert!(r["401"].is_object(), "{method} {path} lacks 401");
                if method != "get" {
                    assert!(r["403"].is_object(), "{method} {path} lacks 403");
                }
                if !op["requestBody"].is_null() {
                    for code in ["400", "413", "415", "422"] {
                        assert!(r[code].is_object(), "{method} {path} lacks {code}");
                    }
                }
                if is_node_path(path) {
                    // om3's own paths send problem documents as plain JSON, as om3 does.
                    let want = if path.starts_with("/api/node/") {
                        "application/json"
                    } else {
                        PROBLEM_JSON
                    };
                    let content = r["401"]["content"].as_object().unwrap();
                    assert!(content.contains_key(want), "{method} {path}");
                    assert!(
                        content[want]["schema"]["$ref"]
                            .as_str()
                            .is_some_and(|s| s.ends_with("/Problem")),
                        "{method} {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_flattened_closed_record_allows_the_fields_beside_it() {
        let doc = doc();
        let entry = &doc["components"]["schemas"]["ClassEntry"];
        let parts = entry["allOf"].as_array().expect("ClassEntry is an allOf");
        assert!(
            parts
                .iter()
                .all(|p| p.get("additionalProperties") != Some(&Value::Bool(false))),
            "{entry}"
        );
        assert!(
            parts
                .iter()
                .any(|p| p["properties"]["template"].is_object())
        );
        // The request body keeps refusing unknown keys.
        assert_eq!(
            doc["components"]["schemas"]["MachineClass"]["additionalProperties"],
            false
        );
    }

    #[test]
    fn the_two_phases_are_two_schemas() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        let collector = schemas["CollectorPhase"]["enum"].as_array().unwrap();
        assert!(collector.iter().any(|v| v == "Refresh"));
        let machine = schemas["MachinePhase"]["enum"].as_array().unwrap();
        assert!(machine.iter().any(|v| v == "Running"));
        // Creating is written as MCM writes it, and documented so.
        assert!(machine.iter().any(|v| v == ""), "{machine:?}");
        assert!(!machine.iter().any(|v| v == "Creating"), "{machine:?}");
    }
}
