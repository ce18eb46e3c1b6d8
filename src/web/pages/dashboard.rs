//! The dashboard: is the inventory current, is the service healthy.

use askama::Template;
use axum::Extension;
use axum::extract::State;

use super::when::{When, when};
use super::{Layout, PageResult, render};
use crate::auth::{Identity, Role};
use crate::web::AppState;
use crate::web::routes::{Access, Routes};

/// Registers `/`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/", Access::Role(Role::Viewer), dashboard).get(
        "/partials/readiness",
        Access::Role(Role::Viewer),
        readiness_partial,
    )
}

/// The readiness charts alone, which the dashboard refreshes every few seconds, as it does
/// the providers' table: a load or an edit of the rules shows without a reload.
#[derive(Template)]
#[template(path = "partials/readiness.html")]
struct ReadinessPartial {
    readiness: Vec<super::concerns::ProviderConcerns>,
}

async fn readiness_partial(State(app): State<AppState>) -> PageResult {
    Ok(render(&ReadinessPartial {
        readiness: super::concerns::provider_charts(&app)?,
    }))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    providers: Vec<crate::web::read::providers::ProviderView>,
    readiness: Vec<super::concerns::ProviderConcerns>,
    config_file: Option<String>,
    started_at: When,
    loaded_at: When,
    store: String,
}

async fn dashboard(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let status = app.config.status();
    Ok(render(&DashboardPage {
        layout: Layout::new(&app, &me, "Dashboard", "/"),
        providers: crate::web::read::providers::providers_view(&app)?,
        readiness: super::concerns::provider_charts(&app)?,
        config_file: status.file.map(|f| f.display().to_string()),
        started_at: when(app.started_at),
        loaded_at: when(status.loaded_at),
        store: app.store.path().display().to_string(),
    }))
}
