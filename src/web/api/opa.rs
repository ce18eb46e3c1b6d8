//! vmyard as Forklift's policy agent: the two paths of OPA's data API that Forklift's
//! inventory calls, with OPA's request and answer shapes, evaluated by the rules in force
//! (which reload without a restart, unlike Forklift's OPA sidecar).
//!
//! - `POST /v1/data/io/konveyor/forklift/ovirt/validate` with `{"input": WORKLOAD}`
//!   answers `{"result": {"rules_version", "errors", "concerns"}}`;
//! - `GET` (or `POST`) `/v1/data/io/konveyor/forklift/ovirt/rules_version` answers
//!   `{"result": {"rules_version": N}}`.
//!
//! An undefined document answers `{}` (no `result`), as OPA does; errors are OPA's
//! `{"code", "message"}`. Both need an API token, like the rest of the API.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::validation::Policy;
use crate::web::AppState;
use crate::web::respond::opa::opa_error;

/// Where the oVirt package's documents are.
pub const PACKAGE_PATH: &str = "/v1/data/io/konveyor/forklift/ovirt";

/// The answer of a document: `{"result": ...}`, or `{}` when it is undefined.
fn answer(document: Option<Value>) -> Response {
    match document {
        Some(result) => Json(json!({ "result": result })).into_response(),
        None => Json(json!({})).into_response(),
    }
}

fn policy(app: &AppState) -> Result<Arc<Policy>, Box<Response>> {
    app.validation.policy().ok_or_else(|| {
        let why = app
            .validation
            .status()
            .policy_error
            .unwrap_or_else(|| "the rules are not compiled yet".into());
        Box::new(opa_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no rules in force: {why}"),
        ))
    })
}

/// `POST .../validate`: the `validate` document for the body's `input`.
pub(super) async fn validate(State(app): State<AppState>, body: Bytes) -> Response {
    let input = match input_of(&body) {
        Ok(i) => i,
        Err(e) => return *e,
    };
    let policy = match policy(&app) {
        Ok(p) => p,
        Err(e) => return *e,
    };
    // The rules run on a blocking thread: an evaluation may take milliseconds.
    let evaluated = tokio::task::spawn_blocking(move || policy.evaluator().document(input)).await;
    match evaluated {
        Ok(Ok(document)) => answer(document),
        Ok(Err(e)) => opa_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => opa_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET`/`POST .../rules_version`: the bundle's `rules_version` document (it reads no input).
pub(super) async fn rules_version(State(app): State<AppState>) -> Response {
    match policy(&app) {
        Ok(p) => answer(p.rules_version.clone()),
        Err(e) => *e,
    }
}

/// The `input` of an OPA request body: absent (an empty body or no `input` key) is an
/// undefined input, given to the rules as an empty object.
fn input_of(body: &[u8]) -> Result<Value, Box<Response>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        Box::new(opa_error(
            StatusCode::BAD_REQUEST,
            format!("body contains malformed input document: {e}"),
        ))
    })?;
    match doc {
        Value::Object(mut o) => Ok(o.remove("input").unwrap_or_else(|| json!({}))),
        _ => Err(Box::new(opa_error(
            StatusCode::BAD_REQUEST,
            "body must be an object with an `input` key",
        ))),
    }
}
