//! One machine's page: what it is, its VM in the inventory, and its history of operations.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::when::{When, when};
use super::super::{Layout, PageError, PageResult, render};
use crate::auth::{Identity, Role};
use crate::machines::model::{Machine, Operation};
use crate::web::AppState;

struct OperationRow {
    at: When,
    kind: String,
    state: String,
    code: String,
    description: String,
}

impl From<&Operation> for OperationRow {
    fn from(o: &Operation) -> Self {
        OperationRow {
            at: when(o.at),
            kind: crate::units::wire_name(&o.kind),
            state: crate::units::wire_name(&o.state),
            code: o
                .error_code
                .map(|c| c.name().to_string())
                .unwrap_or_default(),
            description: o.description.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "machines/machine.html")]
struct Detail {
    layout: Layout,
    m: Machine,
    phase_badge: &'static str,
    created: When,
    phase_since: When,
    retry_after: Option<When>,
    vm_href: Option<String>,
    history: Vec<OperationRow>,
    operator: bool,
}

pub(super) async fn detail(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(name): Path<String>,
) -> PageResult {
    let Some(m) = app.store.read()?.get::<Machine>(&name)? else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            "No such machine",
            format!("There is no machine named {name}; it may have been deleted."),
        ));
    };
    let m = m.value;
    let classes = crate::machines::commands::classes(&app.config.current(), &app.store)?;
    let vm_href = super::vm_href(&m, &classes);
    let layout = Layout::new(&app, &me, format!("Machine {}", m.name), "/machines");
    Ok(render(&Detail {
        operator: layout.role >= Role::Operator,
        layout,
        phase_badge: super::badge(m.phase),
        created: when(m.created_at),
        phase_since: when(m.phase_since),
        retry_after: m.retry_after.map(when),
        history: m.history.iter().rev().map(OperationRow::from).collect(),
        vm_href,
        m,
    }))
}
