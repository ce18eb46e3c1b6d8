//! The dashboard: is the inventory current, is the service healthy.

use askama::Template;
use axum::Extension;
use axum::extract::State;

use super::{Layout, PageResult, fmt_time, render};
use crate::auth::{Identity, Role};
use crate::web::AppState;
use crate::web::routes::{Access, Routes};

/// Registers `/`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/", Access::Role(Role::Viewer), dashboard)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    providers: Vec<crate::web::read::providers::ProviderView>,
    readiness: Vec<super::concerns::ProviderConcerns>,
    config_file: Option<String>,
    started_at: String,
    loaded_at: String,
    store: String,
}

async fn dashboard(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let status = app.config.status();
    Ok(render(&DashboardPage {
        layout: Layout::new(&app, &me, "Dashboard", "/"),
        providers: crate::web::read::providers::providers_view(&app)?,
        readiness: super::concerns::provider_charts(&app)?,
        config_file: status.file.map(|f| f.display().to_string()),
        started_at: fmt_time(app.started_at),
        loaded_at: fmt_time(status.loaded_at),
        store: app.store.path().display().to_string(),
    }))
}
