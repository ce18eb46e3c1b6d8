//! The validation API: the policy status, concerns aggregated per provider, each VM's
//! concerns and workload document, and the readiness report.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::inventory::known_provider;
use super::{ApiError, ErrorBody};
use crate::inventory::key;
use crate::inventory::model::Vm;
use crate::validation::report::{self, ReportRow};
use crate::validation::summary::{self, Summary};
use crate::validation::{ValidationStatus, VmConcerns, workload};
use crate::web::AppState;

/// Progress, policy version and errors of validation.
#[utoipa::path(get, path = "/api/v1/validation", tag = "validation", operation_id = "validation_status",
    responses((status = 200, body = ValidationStatus), (status = 401, body = ErrorBody)))]
pub async fn status(State(app): State<AppState>) -> Json<ValidationStatus> {
    Json(app.validation.status())
}

/// Concerns of a provider: VMs per concern, per category and per readiness.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/concerns", tag = "validation",
    params(("provider" = String, Path, description = "The provider name")),
    responses((status = 200, body = Summary), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn concerns(
    State(app): State<AppState>,
    Path(provider): Path<String>,
) -> Result<Response, ApiError> {
    known_provider(&app, &provider)?;
    let generation = app.store.generation();
    let body = app
        .answers
        .get_or_compute(format!("concerns\0{provider}"), generation, || {
            let s = summary::summarize(&app.store.read()?, &provider)?;
            serde_json::to_vec(&s)
                .map(Bytes::from)
                .map_err(|e| ApiError::internal(e.to_string()))
        })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// One VM's concerns, with the revision and policy version they were computed for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VmConcernsView {
    /// The result.
    #[serde(flatten)]
    pub result: VmConcerns,
    /// `ready`, `warnings` or `blocked`.
    pub readiness: String,
    /// The VM's revision now; the result is current when it equals `revision_validated`.
    pub revision: u64,
    /// Whether the result is for the VM as it is now, under the policy in force.
    pub current: bool,
}

/// One VM's concerns; 404 before its first validation.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/vms/{id}/concerns", tag = "validation",
    params(("provider" = String, Path, description = "The provider name"),
           ("id" = String, Path, description = "The VM's engine id")),
    responses((status = 200, body = VmConcernsView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn vm_concerns(
    State(app): State<AppState>,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Json<VmConcernsView>, ApiError> {
    known_provider(&app, &provider)?;
    let r = app.store.read()?;
    let k = key(&provider, &id);
    let Some(vm) = r
        .revisions_prefix::<Vm>(&k)?
        .into_iter()
        .find(|(key, _)| *key == k)
    else {
        return Err(ApiError::not_found(format!("no VM {id} in {provider}")));
    };
    let result = r
        .get::<VmConcerns>(&k)?
        .ok_or_else(|| ApiError::not_found(format!("VM {id} has not been validated yet")))?
        .value;
    let version = app.validation.policy().map(|p| p.version.clone());
    Ok(Json(VmConcernsView {
        readiness: result.readiness().as_str().to_string(),
        current: result.revision_validated == vm.1
            && version.as_deref() == Some(result.policy_version.as_str()),
        revision: vm.1,
        result,
    }))
}

/// The workload document the rules read for a VM, as the store holds it now.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/vms/{id}/workload", tag = "validation",
    params(("provider" = String, Path, description = "The provider name"),
           ("id" = String, Path, description = "The VM's engine id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn vm_workload(
    State(app): State<AppState>,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    known_provider(&app, &provider)?;
    workload::of_vm(&app.store.read()?, &provider, &id)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no VM {id} in {provider}")))
}

/// The report's format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The migration-readiness report of a provider: one row per VM, by name.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/report", tag = "validation",
    params(("provider" = String, Path, description = "The provider name"), ReportQuery),
    responses((status = 200, body = Vec<ReportRow>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn readiness_report(
    State(app): State<AppState>,
    Path(provider): Path<String>,
    q: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    known_provider(&app, &provider)?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv") {
        return Err(ApiError::bad_request(format!(
            "no report format {format}: use json or csv"
        )));
    }
    let store = app.store.clone();
    let p = provider.clone();
    let rows = tokio::task::spawn_blocking(move || report::rows(&store.read()?, &p))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
    let (body, kind) = if format == "csv" {
        (
            report::csv(&rows).map_err(|e| ApiError::internal(e.to_string()))?,
            "text/csv; charset=utf-8",
        )
    } else {
        (
            serde_json::to_vec(&rows).map_err(|e| ApiError::internal(e.to_string()))?,
            "application/json",
        )
    };
    let disposition =
        format!("attachment; filename=\"vmyard-{provider}-readiness-{stamp}.{format}\"");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
