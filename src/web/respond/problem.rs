//! Errors of the node facts API: problem documents, in the form the path answers in.
//!
//! vmyard's own paths (`/api/v1/node...`) send RFC 9457 `application/problem+json`; om3's
//! paths (`/api/node/...`) send om3's `Problem` as plain JSON, as om3 clients expect.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::node::envelope::{Dialect, Problem};

/// The content type of problem documents on vmyard's own paths (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The content type of problem documents on om3's paths: om3 sends its `Problem` with
/// echo's `ctx.JSON`, as plain JSON.
pub const OM3_PROBLEM: &str = "application/json";

/// Whether a path belongs to the node API, whose errors are problem documents.
pub fn is_node_path(path: &str) -> bool {
    path.starts_with("/api/node/") || path.starts_with("/api/v1/node")
}

/// The dialect a node API path answers in: om3's on om3's own paths.
pub fn dialect_of(path: &str) -> Dialect {
    if path.starts_with("/api/node/") {
        Dialect::Om3
    } else {
        Dialect::Vmyard
    }
}

/// The content type of a problem document in a dialect.
pub fn problem_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Om3 => OM3_PROBLEM,
        Dialect::Vmyard => PROBLEM_JSON,
    }
}

/// A problem document response, in the form the path answers in.
pub fn problem_at(
    path: &str,
    status: StatusCode,
    title: &str,
    detail: impl Into<String>,
) -> Response {
    problem(
        dialect_of(path),
        Problem::new(status.as_u16(), title, detail),
    )
}

/// A problem document response in a dialect.
pub fn problem(dialect: Dialect, p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, Json(p)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(problem_type(dialect)),
    );
    resp
}
