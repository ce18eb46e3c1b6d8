//! The forms of the Machines page: declare a set or a machine, scale a set, delete either.
//! Each answers with a redirect to the page and a message, or the page with the reason a
//! command was refused.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use super::{ScaleConfirm, render_confirm, render_page};
use crate::auth::{Identity, Role};
use crate::machines::commands;
use crate::web::AppState;
use crate::web::respond::PageResult;
use crate::web::routes::{Access, Routes};

/// Registers the forms (operator).
pub(super) fn register(r: Routes) -> Routes {
    let operator = Access::Role(Role::Operator);
    r.post("/machines/sets", operator, create_set)
        .post("/machines/sets/{name}/scale", operator, scale_set)
        .post("/machines/sets/{name}/delete", operator, delete_set)
        .post("/machines/new", operator, create_machine)
        .post("/machines/{name}/delete", operator, delete_machine)
}

/// Back to the Machines page, which shows `what` once (see [`crate::web::flash`]).
fn done(app: &AppState, me: &Identity, what: String) -> PageResult {
    let id = app.flashes.put(&me.name, what);
    Ok(Redirect::to(&format!("/machines?flash={id}")).into_response())
}

#[derive(Debug, Deserialize)]
struct NewSet {
    name: String,
    class: String,
    replicas: String,
}

fn replicas(text: &str) -> Result<u32, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("replicas {text:?}: give a whole number from 0"))
}

async fn create_set(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Form(f): Form<NewSet>,
) -> PageResult {
    let result = replicas(&f.replicas).and_then(|n| {
        commands::create_set(
            &app.config.current(),
            &app.store,
            f.name.trim(),
            &f.class,
            n,
        )
        .map_err(|e| e.to_string())
    });
    match result {
        Ok(s) => {
            tracing::info!(set = %s.name, replicas = s.replicas, by = %me.name, "machine set declared");
            done(
                &app,
                &me,
                format!("Set {} declared with {} machines.", s.name, s.replicas),
            )
        }
        Err(e) => render_page(&app, &me, None, Some(e)),
    }
}

#[derive(Debug, Deserialize)]
struct ScaleForm {
    replicas: String,
    /// The machines the operator agreed to delete, comma-separated (the confirmation).
    #[serde(default)]
    confirm: Option<String>,
}

/// Scales a set. A scale down first shows the machines it deletes and asks; the answer
/// sends them back, and the scale goes ahead only if they are still the ones it deletes.
async fn scale_set(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(name): Path<String>,
    Form(f): Form<ScaleForm>,
) -> PageResult {
    let n = match replicas(&f.replicas) {
        Ok(n) => n,
        Err(e) => return render_page(&app, &me, None, Some(e)),
    };
    let confirm: Option<Vec<String>> = f.confirm.as_deref().map(|c| {
        c.split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect()
    });
    match commands::scale_set(&app.store, &name, n, confirm.as_deref(), false) {
        Ok(s) => {
            tracing::info!(set = %s.set.name, replicas = s.set.replicas, deleted = %s.deletes.join(", "), by = %me.name, "machine set scaled");
            let gone = if s.deletes.is_empty() {
                String::new()
            } else {
                format!(" Deleting {}.", s.deletes.join(", "))
            };
            done(
                &app,
                &me,
                format!("Set {} scaled to {}.{gone}", s.set.name, s.set.replicas),
            )
        }
        Err(commands::CommandError::Unconfirmed { deletes, .. }) => render_confirm(
            &app,
            &me,
            ScaleConfirm {
                set: name,
                replicas: n,
                deletes,
            },
        ),
        Err(e) => render_page(&app, &me, None, Some(e.to_string())),
    }
}

async fn delete_set(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(name): Path<String>,
) -> PageResult {
    match commands::delete_set(&app.store, &name) {
        Ok(()) => {
            tracing::info!(set = %name, by = %me.name, "machine set deletion asked");
            done(
                &app,
                &me,
                format!("Set {name} is being deleted with its machines."),
            )
        }
        Err(e) => render_page(&app, &me, None, Some(e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
struct NewMachine {
    name: String,
    class: String,
}

async fn create_machine(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Form(f): Form<NewMachine>,
) -> PageResult {
    match commands::create_machine(&app.config.current(), &app.store, f.name.trim(), &f.class) {
        Ok(m) => {
            tracing::info!(machine = %m.name, by = %me.name, "machine declared");
            done(&app, &me, format!("Machine {} declared.", m.name))
        }
        Err(e) => render_page(&app, &me, None, Some(e.to_string())),
    }
}

async fn delete_machine(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(name): Path<String>,
) -> PageResult {
    match commands::delete_machine(&app.store, &name) {
        Ok(()) => {
            tracing::info!(machine = %name, by = %me.name, "machine deletion asked");
            done(&app, &me, format!("Machine {name} is being deleted."))
        }
        Err(e) => render_page(&app, &me, None, Some(e.to_string())),
    }
}
