//! The Machines pages: sets (replicas wanted and ready, scale and delete), machines (phase,
//! last operation and error, a link to the VM in the inventory), classes, and forms to
//! declare them; each machine's page with its history of operations.
//!
//! The tables refresh themselves every two seconds through htmx (`/partials/machines`), so
//! a machine is seen going Creating → Pending → Running without reloading. Changes need
//! the `operator` role and go through [`crate::machines::commands`], like the API's.

mod detail;
mod forms;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{Layout, PageError, PageResult, fmt_time, render};
use crate::auth::{Identity, Role};
use crate::machines::commands::{self, ClassEntry};
use crate::machines::model::{Machine, Phase};
use crate::units::wire_name;
use crate::web::AppState;
use crate::web::read::machines::{SetView, sets_view};
use crate::web::routes::{Access, Routes};

/// Registers the machines pages and their forms.
pub(super) fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    let r = r
        .get("/machines", viewer, page)
        .get("/partials/machines", viewer, tables)
        .get("/machines/{name}", viewer, detail::detail);
    forms::register(r)
}

/// A machine row.
pub(super) struct MachineRow {
    /// The name.
    pub name: String,
    /// The class.
    pub class: String,
    /// The set, if any.
    pub set: String,
    /// The phase.
    pub phase: &'static str,
    /// The badge class of the phase.
    pub badge: &'static str,
    /// The last operation, in words.
    pub operation: String,
    /// Its error code, if it failed.
    pub error: String,
    /// The inventory page of its VM, once it has one.
    pub vm_href: Option<String>,
    /// Being deleted.
    pub deleting: bool,
}

/// The badge class of a phase.
pub(super) fn badge(phase: Phase) -> &'static str {
    match phase {
        Phase::Running => "ready",
        Phase::Creating | Phase::Pending | Phase::Available | Phase::Terminating => "info",
        Phase::CrashLoopBackOff | Phase::Unknown => "warning",
        Phase::Failed => "critical",
    }
}

/// The inventory page of a machine's VM, once it has one.
pub(super) fn vm_href(m: &Machine, classes: &[ClassEntry]) -> Option<String> {
    let provider = classes
        .iter()
        .find(|c| c.class.name == m.class)
        .map(|c| c.class.provider.as_str())?;
    let id = m
        .provider_id
        .as_deref()
        .and_then(crate::machines::driver::vm_id)?;
    Some(format!("/inventory/{provider}/vms/{id}"))
}

fn rows(app: &AppState, classes: &[ClassEntry]) -> Result<Vec<MachineRow>, PageError> {
    let machines = app.store.read()?.list::<Machine>()?;
    Ok(machines
        .into_iter()
        .map(|(_, s)| {
            let m = s.value;
            let vm_href = vm_href(&m, classes);
            let op = m.last_operation();
            MachineRow {
                operation: op
                    .map(|o| {
                        format!(
                            "{} {} {}",
                            wire_name(&o.kind),
                            wire_name(&o.state),
                            fmt_time(o.at)
                        )
                    })
                    .unwrap_or_default(),
                error: op
                    .and_then(|o| o.error_code)
                    .map(|c| c.name().to_string())
                    .unwrap_or_default(),
                phase: m.phase.as_str(),
                badge: badge(m.phase),
                deleting: m.deletion_requested.is_some(),
                set: m.set.clone().unwrap_or_default(),
                class: m.class,
                name: m.name,
                vm_href,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "machines/tables.html")]
struct Tables {
    sets: Vec<SetView>,
    machines: Vec<MachineRow>,
    operator: bool,
    csrf: String,
    frozen: Vec<String>,
}

fn tables_of(app: &AppState, layout: &Layout, classes: &[ClassEntry]) -> Result<Tables, PageError> {
    Ok(Tables {
        sets: sets_view(app)?,
        machines: rows(app, classes)?,
        operator: layout.role >= Role::Operator,
        csrf: layout.csrf.clone(),
        frozen: app
            .machines
            .reach()
            .into_iter()
            .filter(|r| r.frozen)
            .map(|r| r.provider)
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "machines/index.html")]
struct Page {
    layout: Layout,
    flash: Option<String>,
    error: Option<String>,
    confirm: Option<ScaleConfirm>,
    tables: Tables,
    classes: Vec<ClassEntry>,
    sweep: String,
}

/// `?flash=ID` after a form: the id of a message kept on the server.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Flash {
    flash: Option<String>,
}

async fn page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Query(q): Query<Flash>,
) -> PageResult {
    let flash = q.flash.and_then(|id| app.flashes.take(&me.name, &id));
    render_page(&app, &me, flash, None)
}

/// The Machines page, with a message.
/// A scale down waiting for the operator to confirm the machines it deletes.
pub(super) struct ScaleConfirm {
    pub(super) set: String,
    pub(super) replicas: u32,
    pub(super) deletes: Vec<String>,
}

impl ScaleConfirm {
    /// The names, as the form sends them back.
    fn joined(&self) -> String {
        self.deletes.join(",")
    }
}

pub(super) fn render_page(
    app: &AppState,
    me: &Identity,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    render_with(app, me, flash, error, None)
}

/// The page with a question: may the machines a scale down picks go?
pub(super) fn render_confirm(app: &AppState, me: &Identity, confirm: ScaleConfirm) -> PageResult {
    render_with(app, me, None, None, Some(confirm))
}

fn render_with(
    app: &AppState,
    me: &Identity,
    flash: Option<String>,
    error: Option<String>,
    confirm: Option<ScaleConfirm>,
) -> PageResult {
    let layout = Layout::new(app, me, "Machines", "/machines");
    let classes = commands::classes(&app.config.current(), &app.store)?;
    let sweep = app.machines.last_sweep();
    let sweep = match sweep.at {
        Some(at) => format!(
            "last orphan sweep {}: {} deleted, {} too young to judge{}",
            fmt_time(at),
            sweep.deleted.len(),
            sweep.spared,
            if sweep.skipped.is_empty() {
                String::new()
            } else {
                format!(", skipped: {}", sweep.skipped.join("; "))
            }
        ),
        None => "no orphan sweep yet".into(),
    };
    Ok(render(&Page {
        tables: tables_of(app, &layout, &classes)?,
        layout,
        flash,
        error,
        confirm,
        classes,
        sweep,
    }))
}

async fn tables(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let layout = Layout::new(&app, &me, "Machines", "/machines");
    let classes = commands::classes(&app.config.current(), &app.store)?;
    Ok(render(&tables_of(&app, &layout, &classes)?))
}
