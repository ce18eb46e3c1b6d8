//! Readiness over time: what changed in a provider's VMs' concerns, and its readiness per
//! day.

use axum::Json;
use axum::extract::{Path, Query, State};

use super::inventory::known_provider;
use super::{ApiError, ErrorBody};
use crate::validation::trend::TrendDay;
use crate::web::AppState;
use crate::web::read::history::{self, HistoryParams, HistoryView, TrendParams};

/// What changed in the concerns of a provider's VMs between two times (a week by default),
/// each change with its cause: the VM changed in the engine, the rules changed, it was
/// added or removed.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/history", tag = "validation", operation_id = "history",
    params(("provider" = String, Path, description = "The provider name"), HistoryParams),
    responses((status = 200, body = HistoryView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn changes(
    State(app): State<AppState>,
    Path(provider): Path<String>,
    q: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<HistoryView>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    known_provider(&app, &provider)?;
    let r = app.store.read()?;
    Ok(Json(history::history(&r, &provider, &q)?))
}

/// A provider's readiness per day over 30, 90 or 365 days, overall or of one cluster;
/// a day vmyard did not run is absent, not a copy of the day before.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/trend", tag = "validation", operation_id = "trend",
    params(("provider" = String, Path, description = "The provider name"), TrendParams),
    responses((status = 200, body = Vec<TrendDay>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn trend(
    State(app): State<AppState>,
    Path(provider): Path<String>,
    q: Result<Query<TrendParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<TrendDay>>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    known_provider(&app, &provider)?;
    let r = app.store.read()?;
    Ok(Json(history::trend(&r, &provider, &q)?))
}
