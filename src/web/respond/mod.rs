//! One place for answers that are not the happy path, in the form each path answers in:
//!
//! - [`ApiError`]: the JSON API's `{"error": {"code", "message"}}`;
//! - [`PageError`]: the error page, with the cause, for page handlers (`?` works on store
//!   and API errors);
//! - [`problem`]: problem documents for the node facts API (om3's form on om3's paths);
//! - [`refusal`]: picks among the three by path, for the layers that refuse a request
//!   before any handler runs (the guard, the CSRF check, the body limits, the fallback).
//!
//! This module is a leaf of `web`: it depends on nothing else in `web`, so the guard,
//! the API and the pages can all use it without depending on each other.

mod api;
pub mod opa;
mod page;
pub mod problem;

pub use api::{ApiError, ApiJson, ErrorBody, ErrorDetail};
pub use page::{PageError, PageResult, error_page, render};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Whether a path is answered in JSON rather than HTML.
pub fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics" || path.starts_with("/partials/")
}

/// A refusal in the form `path` answers in: a problem document on the node API, the API's
/// error shape (with `code`) on other JSON paths, the error page (with `title`) elsewhere.
pub fn refusal(
    path: &str,
    status: StatusCode,
    code: &'static str,
    title: &str,
    message: impl Into<String>,
) -> Response {
    let message = message.into();
    if problem::is_node_path(path) {
        problem::problem_at(path, status, title, message)
    } else if opa::is_opa_path(path) {
        opa::opa_error(status, message)
    } else if wants_json(path) {
        ApiError::new(status, code, message).into_response()
    } else {
        error_page(status, title, &message)
    }
}
