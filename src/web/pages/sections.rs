//! The Machines page while machines have nothing to show: it says what it will hold and
//! what to do to fill it, from the config in force.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::{Layout, render};
use crate::auth::{Identity, Role};
use crate::web::AppState;
use crate::web::routes::{Access, Routes};

/// Registers the section pages.
pub fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    r.get("/machines", viewer, machines)
}

#[derive(Template)]
#[template(path = "section.html")]
struct SectionPage {
    layout: Layout,
    heading: String,
    text: String,
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn config_file(app: &AppState) -> String {
    app.config
        .status()
        .file
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "the config file".into())
}

async fn machines(State(app): State<AppState>, Extension(me): Extension<Identity>) -> Response {
    render(&SectionPage {
        layout: Layout::new(&app, &me, "Machines", "/machines"),
        heading: "No machines declared".into(),
        text: format!(
            "Machines and machine sets are declared from machine classes; classes may be added to {}.",
            config_file(&app)
        ),
        columns: vec![],
        rows: vec![],
    })
}
