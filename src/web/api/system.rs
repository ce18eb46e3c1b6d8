//! The service itself: status, the caller's identity, the effective config.

use axum::extract::State;
use axum::{Extension, Json};
use serde::Serialize;

use super::ErrorBody;
use crate::auth::Identity;
use crate::config::redact;
use crate::config::watch::ReloadStatus;
use crate::web::AppState;
use crate::web::read::service::{Status, service_status};

/// Service status, including the config reload status.
#[utoipa::path(get, path = "/api/v1/status", tag = "system", operation_id = "service_status",
    responses((status = 200, body = Status), (status = 401, body = ErrorBody)))]
pub(super) async fn status(State(app): State<AppState>) -> Json<Status> {
    Json(service_status(&app))
}

/// The caller, as the service sees them.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "system",
    responses((status = 200, body = Identity), (status = 401, body = ErrorBody)))]
pub(super) async fn whoami(Extension(me): Extension<Identity>) -> Json<Identity> {
    Json(me)
}

/// The effective config with its secrets redacted, and its reload status.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct ConfigView {
    /// The config in force, secrets shown as `<redacted>`.
    #[schema(value_type = Object)]
    pub effective: serde_json::Value,
    /// The file, load time and last refused edit.
    pub status: ReloadStatus,
}

/// The effective config (redacted).
#[utoipa::path(get, path = "/api/v1/config", tag = "system",
    responses((status = 200, body = ConfigView), (status = 401, body = ErrorBody)))]
pub(super) async fn config(State(app): State<AppState>) -> Json<ConfigView> {
    Json(ConfigView {
        effective: redact::to_json(&app.config.current()),
        status: app.config.status(),
    })
}
