//! The hand-off to Forklift: `POST /api/v1/providers/{provider}/plans` makes the Provider,
//! NetworkMap, StorageMap and Plan that migrate a selection of VMs.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ApiError, ApiJson, ErrorBody};
use crate::web::AppState;
use crate::web::read::plan::{self, PlanError, PlanRequest};

/// How the resources are written.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub(super) struct PlanFormat {
    /// `yaml` (one stream for `kubectl apply -f`, the default) or `json`.
    format: Option<String>,
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Refused(why) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", why)
            }
            PlanError::Store(e) => e.into(),
        }
    }
}

/// The Forklift resources (`forklift.konveyor.io/v1beta1` Provider, NetworkMap, StorageMap,
/// Plan) that migrate the selected VMs, as YAML for `kubectl apply -f` (or JSON). Blocked VMs,
/// VMs not validated and, unless `allow_warnings`, VMs with warnings are refused with their
/// concerns (422); so is a vNIC profile or storage domain without a `[migration]` mapping.
#[utoipa::path(post, path = "/api/v1/providers/{provider}/plans", tag = "validation", operation_id = "make_plan",
    params(("provider" = String, Path, description = "The provider name"), PlanFormat),
    request_body = PlanRequest,
    responses((status = 200, description = "The four resources", content_type = "application/yaml", body = String),
              (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn make(
    State(app): State<AppState>,
    Path(provider): Path<String>,
    format: Result<Query<PlanFormat>, axum::extract::rejection::QueryRejection>,
    ApiJson(req): ApiJson<PlanRequest>,
) -> Result<Response, ApiError> {
    let Query(format) = format.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let config = app.config.current();
    let Some(p) = config.providers.iter().find(|p| p.name == provider) else {
        return Err(ApiError::not_found(format!("no provider {provider}")));
    };
    let r = app.store.read()?;
    let bundle = plan::plan(&r, p, &config.migration, &req)?;
    match format.format.as_deref().unwrap_or("yaml") {
        "yaml" => {
            let text = bundle
                .to_yaml()
                .map_err(|e| ApiError::internal(format!("writing YAML: {e}")))?;
            Ok(([(header::CONTENT_TYPE, "application/yaml")], text).into_response())
        }
        "json" => Ok(axum::Json(bundle).into_response()),
        other => Err(ApiError::bad_request(format!(
            "`format` is yaml or json, not `{other}`"
        ))),
    }
}
