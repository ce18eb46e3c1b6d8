//! Pages that go wrong: a page handler returns `Result<Response, PageError>`, and `?` on a
//! store or view error shows the error page with its cause, never an empty table.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::store::StoreError;

/// Renders a template, or answers 500 when it cannot be rendered.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered\n",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// A plain error page with a status.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    (status, render(&ErrorPage { title, message })).into_response()
}

/// Why a page could not be shown; answered as the error page, with the cause.
#[derive(Debug, Clone)]
pub struct PageError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The page's title.
    pub title: String,
    /// What went wrong, for people.
    pub message: String,
}

impl PageError {
    /// An error with a status, a title and a message.
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        PageError {
            status,
            title: title.into(),
            message: message.into(),
        }
    }

    /// 404: there is no such object.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", message)
    }

    /// 400: the request makes no sense.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", message)
    }

    /// 500: vmyard itself failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            message,
        )
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.status, &self.title, &self.message)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        tracing::error!("page: {e}");
        PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The store could not be read",
            format!(
                "{e}. What this page shows cannot be read now; nothing is shown rather than an empty or partial list."
            ),
        )
    }
}

impl From<super::ApiError> for PageError {
    fn from(e: super::ApiError) -> Self {
        let title = match e.status {
            _ if e.code == "store" => "The store could not be read",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            s if s.is_server_error() => "Something went wrong",
            _ => "Refused",
        };
        PageError::new(e.status, title, e.message)
    }
}

impl From<crate::node::envelope::Problem> for PageError {
    fn from(p: crate::node::envelope::Problem) -> Self {
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_GATEWAY);
        PageError::new(status, p.title, p.detail)
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;
