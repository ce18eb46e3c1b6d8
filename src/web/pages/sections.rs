//! The Inventory, Concerns, Machines and Nodes pages while their parts have nothing to show:
//! each says what it will hold and what to do to fill it, from the config in force.

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
    r.get("/concerns", viewer, concerns)
        .get("/machines", viewer, machines)
        .get("/nodes", viewer, nodes)
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

async fn concerns(State(app): State<AppState>, Extension(me): Extension<Identity>) -> Response {
    render(&SectionPage {
        layout: Layout::new(&app, &me, "Concerns", "/concerns"),
        heading: "No concerns yet".into(),
        text: "Concerns are what stands between a VM and its migration. They show here once VMs have been collected and validated.".into(),
        columns: vec![],
        rows: vec![],
    })
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

async fn nodes(State(app): State<AppState>, Extension(me): Extension<Identity>) -> Response {
    let config = app.config.current();
    let this = config.node.name.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default()
    });
    let mut rows = vec![vec![this, "this node".to_string(), String::new()]];
    rows.extend(
        config
            .peers
            .iter()
            .map(|p| vec![p.name.clone(), "peer".to_string(), p.url.0.to_string()]),
    );
    render(&SectionPage {
        layout: Layout::new(&app, &me, "Nodes", "/nodes"),
        heading: "This node and its peers".into(),
        text: "Peers are added with [[peers]] entries in the config.".into(),
        columns: vec!["Node", "Kind", "URL"],
        rows,
    })
}
