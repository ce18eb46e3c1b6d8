//! The Plans page: the `[migration]` mappings in force, and a form that exports a Forklift
//! plan for a selection (a cluster's ready VMs, say) as a YAML file to download; a
//! selection that cannot go is shown with the reasons, on the page.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::{Layout, PageError, PageResult, render};
use crate::auth::{Identity, Role};
use crate::config::migration::{NetworkMapping, StorageMapping};
use crate::inventory::model::Cluster;
use crate::inventory::{InventoryRecord, sort_key};
use crate::web::AppState;
use crate::web::read::plan::{self, PlanError, PlanRequest};
use crate::web::routes::{Access, Routes};

/// Registers `/plans`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/plans", Access::Role(Role::Viewer), show).post(
        "/plans",
        Access::Role(Role::Viewer),
        export,
    )
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    layout: Layout,
    providers: Vec<String>,
    clusters: Vec<(String, String)>,
    networks: Vec<NetworkMapping>,
    storage: Vec<StorageMapping>,
    namespace: String,
    target_namespace: String,
    error: Option<String>,
    form: ExportForm,
}

/// The export form.
#[derive(Debug, Clone, Default, Deserialize)]
struct ExportForm {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    readiness: String,
    #[serde(default)]
    allow_warnings: Option<String>,
    #[serde(default)]
    warm: Option<String>,
}

fn page(app: &AppState, me: &Identity, form: ExportForm, error: Option<String>) -> PageResult {
    let config = app.config.current();
    let providers: Vec<String> = config.providers.iter().map(|p| p.name.clone()).collect();
    let r = app.store.read()?;
    let mut clusters = Vec::new();
    for p in &providers {
        for (_, c) in r.list_prefix::<Cluster>(&format!("{p}/"))? {
            clusters.push((c.value.id.clone(), c.value.display_name().to_string()));
        }
    }
    clusters.sort_by_key(|(_, n)| sort_key(n));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut resp = render(&PlansPage {
        layout: Layout::new(app, me, "Forklift plans", "/history"),
        providers,
        clusters,
        networks: config.migration.networks.clone(),
        storage: config.migration.storage.clone(),
        namespace: config.migration.namespace.clone(),
        target_namespace: config.migration.target_namespace.clone(),
        error,
        form,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

async fn show(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let form = ExportForm {
        name: "wave-1".into(),
        readiness: "ready".into(),
        ..ExportForm::default()
    };
    page(&app, &me, form, None)
}

/// The plan as a download, or the page with why it cannot be made.
async fn export(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Form(form): Form<ExportForm>,
) -> Result<Response, PageError> {
    let config = app.config.current();
    let provider = config
        .providers
        .iter()
        .find(|p| p.name == form.provider)
        .or_else(|| (config.providers.len() == 1).then(|| &config.providers[0]));
    let Some(provider) = provider else {
        return page(&app, &me, form, Some("Pick a provider.".into()));
    };
    let req = PlanRequest {
        name: form.name.trim().to_string(),
        cluster: Some(form.cluster.clone()).filter(|c| !c.is_empty()),
        readiness: Some(form.readiness.clone()).filter(|r| !r.is_empty()),
        allow_warnings: form.allow_warnings.is_some(),
        warm: form.warm.is_some(),
        ..PlanRequest::default()
    };
    let made = plan::plan(&app.store.read()?, provider, &config.migration, &req);
    match made {
        Ok(bundle) => {
            let yaml = bundle
                .to_yaml()
                .map_err(|e| PageError::internal(format!("writing YAML: {e}")))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/yaml".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.yaml\"", req.name),
                    ),
                ],
                yaml,
            )
                .into_response())
        }
        Err(PlanError::Refused(why)) => page(&app, &me, form, Some(why)),
        Err(PlanError::Store(e)) => Err(e.into()),
    }
}
