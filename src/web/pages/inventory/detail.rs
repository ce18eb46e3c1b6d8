//! One object's page: its fields in groups, its sub-lists, and links to what it contains or
//! uses, rendered from the typed [`crate::web::read::detail::Detail`].

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};

use super::super::cells::{Cell, UNKNOWN};
use super::super::when::{When, when};
use super::super::{Layout, PageError, PageResult, render};
use super::known;
use crate::auth::Identity;
use crate::inventory::decode::Kind;
use crate::validation::{Concern, policy::severity};
use crate::web::AppState;
use crate::web::read::detail::{self, Related, Shown};

struct Field {
    label: &'static str,
    cell: Cell,
}

struct Group {
    title: &'static str,
    fields: Vec<Field>,
}

struct SubTable {
    title: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

/// A VM's validation result, as the detail page shows it.
struct Validation {
    readiness: &'static str,
    badge: &'static str,
    validated_at: When,
    policy_version: String,
    current: bool,
    concerns: Vec<(&'static str, Concern)>,
    errors: Vec<String>,
}

impl From<detail::Validation> for Validation {
    fn from(v: detail::Validation) -> Self {
        let res = v.result;
        let readiness = res.readiness();
        Validation {
            readiness: readiness.as_str(),
            badge: readiness.badge(),
            validated_at: when(res.validated_at),
            policy_version: res.policy_version,
            current: v.current,
            concerns: res
                .concerns
                .into_iter()
                .map(|c| {
                    let badge = match severity(&c.category) {
                        0 => "critical",
                        1 => "warning",
                        _ => "info",
                    };
                    (badge, c)
                })
                .collect(),
            errors: res.errors,
        }
    }
}

#[derive(Template)]
#[template(path = "inventory/detail.html")]
struct DetailPage {
    validation: Option<Validation>,
    workload_href: String,
    layout: Layout,
    provider: String,
    kind_path: &'static str,
    kind_label: &'static str,
    name: String,
    groups: Vec<Group>,
    tables: Vec<SubTable>,
    related: Vec<Related>,
    /// A VM's changes of concerns over the last year, newest first.
    timeline: Vec<super::super::history::ChangeRow>,
}

/// A value as a cell: sizes people read, statuses coloured, references linked by name.
fn cell(provider: &str, v: Shown) -> Cell {
    match v {
        Shown::Text(t) => Cell::text(t),
        Shown::List(items) => Cell::text(items.join(", ")),
        Shown::Bytes(n) => Cell::opt_bytes(n),
        Shown::Count(n) => Cell::count(n),
        Shown::Speed(bits) => Cell::num(speed(bits)),
        Shown::Flag(b) => Cell::yes_no(b),
        Shown::Status(s) => Cell::status(&s),
        Shown::Link(l) => Cell::link(l.name.clone(), l.href(provider)),
        Shown::Links(ls) => Cell::text(
            ls.iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Shown::Unknown => Cell::text("unknown"),
        Shown::Empty => Cell::text("empty"),
    }
}

/// A link speed as NICs are sold: 10 Gb/s, 100 Mb/s; the engine gives bits per second.
fn speed(bits: u64) -> String {
    match bits {
        0 => UNKNOWN.to_string(),
        b if b >= 1_000_000_000 && b % 1_000_000_000 == 0 => format!("{} Gb/s", b / 1_000_000_000),
        b if b >= 1_000_000_000 => format!("{:.1} Gb/s", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{} Mb/s", b / 1_000_000),
        b => format!("{b} b/s"),
    }
}

pub(super) async fn detail(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind, id)): Path<(String, String, String)>,
) -> PageResult {
    let (Some(kind), true) = (Kind::from_path(&kind), known(&app, &provider)) else {
        return Err(PageError::not_found("There is no such object."));
    };
    let r = app.store.read()?;
    let Some(d) = detail::detail(&app, &r, &provider, kind, &id)? else {
        return Err(PageError::not_found(format!(
            "There is no {} {id} in {provider}; it may have been removed from the engine.",
            kind.path()
        )));
    };
    let groups = d
        .groups
        .into_iter()
        .filter(|g| !g.fields.is_empty())
        .map(|g| Group {
            title: g.title,
            fields: g
                .fields
                .into_iter()
                .map(|f| Field {
                    label: f.label,
                    cell: cell(&provider, f.value),
                })
                .collect(),
        })
        .collect();
    let tables = d
        .tables
        .into_iter()
        .map(|t| SubTable {
            title: t.title,
            columns: t.columns,
            rows: t
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(|v| cell(&provider, v)).collect())
                .collect(),
        })
        .collect();
    let timeline = if kind == Kind::Vm {
        let view = crate::web::read::history::history(
            &r,
            &provider,
            &crate::web::read::history::HistoryParams {
                from: Some("365d".into()),
                vm: Some(id.clone()),
                limit: Some(100),
                ..Default::default()
            },
        )?;
        super::super::history::rows(&provider, view.changes, |_| false)
    } else {
        Vec::new()
    };
    Ok(render(&DetailPage {
        timeline,
        validation: d.validation.map(Validation::from),
        workload_href: format!("/api/v1/providers/{provider}/vms/{id}/workload"),
        layout: Layout::new(&app, &me, d.name.clone(), "/inventory"),
        kind_path: kind.path(),
        kind_label: kind.label(),
        provider,
        name: d.name,
        groups,
        tables,
        related: d.related,
    }))
}
