//! The API reference: the OpenAPI document as a page to read, with every operation's
//! parameters and answers and every schema's fields, linked to each other.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;

use super::{Layout, PageResult, render};
use crate::auth::{Identity, Role};
use crate::web::AppState;
use crate::web::read::api_reference::ApiReference;
use crate::web::routes::{Access, Routes};

/// Registers `/docs/api`, showing `reference`.
pub(super) fn register(r: Routes, reference: Arc<ApiReference>) -> Routes {
    r.get(
        "/docs/api",
        Access::Role(Role::Viewer),
        move |State(app): State<AppState>, Extension(me): Extension<Identity>| {
            let reference = reference.clone();
            async move { show(&app, &me, &reference) }
        },
    )
}

#[derive(Template)]
#[template(path = "api_reference.html")]
struct ReferencePage<'a> {
    layout: Layout,
    api: &'a ApiReference,
}

fn show(app: &AppState, me: &Identity, api: &ApiReference) -> PageResult {
    Ok(render(&ReferencePage {
        layout: Layout::new(app, me, "API reference", "/settings"),
        api,
    }))
}
