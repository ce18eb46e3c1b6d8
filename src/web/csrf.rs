//! CSRF tokens for browser sessions and for the login form.
//!
//! A logged-in session has one token, stored with the session and put in every form. Before
//! login there is no session, so the login form uses a double-submit token: the same random
//! value in a strict, HttpOnly cookie and in the form.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::respond::{ApiError, refusal};

/// The pre-login CSRF cookie.
pub(super) const LOGIN_COOKIE: &str = "__Host-vmyard-login-csrf";

/// Form bodies larger than this are refused before they are parsed.
const FORM_LIMIT: usize = 64 * 1024;

/// Constant-time equality of two tokens; an empty token never matches.
pub(super) fn same(a: &str, b: &str) -> bool {
    crate::auth::same_secret(a, b)
}

/// Passes the request on when it carries `expected`, in the header or the form body.
pub(super) async fn check(req: Request, expected: &str) -> Result<Request, Response> {
    if let Some(h) = req.headers().get("x-csrf-token") {
        return if same(h.to_str().unwrap_or_default(), expected) {
            Ok(req)
        } else {
            Err(rejected(&req))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(rejected(&req));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the form is too large",
        )
        .into_response()
    })?;
    let found = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    let req = Request::from_parts(parts, Body::from(bytes));
    match found {
        Some(token) if same(&token, expected) => Ok(req),
        _ => Err(rejected(&req)),
    }
}

fn rejected(req: &Request) -> Response {
    refusal(
        req.uri().path(),
        StatusCode::FORBIDDEN,
        "csrf",
        "Form expired",
        "the form's security token is missing or stale: reload the page and try again",
    )
}
