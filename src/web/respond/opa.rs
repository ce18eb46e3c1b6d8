//! OPA's error shape, for the paths of OPA's data API that vmyard serves (Forklift's policy
//! agent): `{"code": "invalid_parameter", "message": "..."}`, with OPA's codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Where OPA's data API lives.
pub const DATA_PREFIX: &str = "/v1/data/";

/// Whether `path` is on OPA's data API.
pub fn is_opa_path(path: &str) -> bool {
    path.starts_with(DATA_PREFIX)
}

/// An OPA error body.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpaError {
    /// OPA's code: `invalid_parameter`, `unauthorized`, `resource_not_found`,
    /// `internal_error`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// The OPA code of a status.
pub fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => "invalid_parameter",
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "unauthorized",
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "resource_not_found",
        _ => "internal_error",
    }
}

/// An error in OPA's shape.
pub fn opa_error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(OpaError {
            code: code_of(status).to_string(),
            message: message.into(),
        }),
    )
        .into_response()
}
