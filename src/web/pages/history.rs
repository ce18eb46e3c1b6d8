//! The History page: per provider, readiness per day over 30, 90 or 365 days (overall or
//! of one cluster), and what changed in the VMs' concerns since a time, each change with
//! its cause. The VM and concern pages show their own part of the same history.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;

use super::charts::Trend;
use super::when::{When, when};
use super::{Layout, PageError, PageResult, render};
use crate::auth::{Identity, Role};
use crate::inventory::model::Cluster;
use crate::inventory::{InventoryRecord, sort_key};
use crate::validation::history::{Cause, ConcernRef};
use crate::validation::trend::TrendDay;
use crate::web::AppState;
use crate::web::read::history::{self, ChangeView, HistoryParams, TREND_DAYS, TrendParams};
use crate::web::routes::{Access, Routes};

/// Registers `/history`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/history", Access::Role(Role::Viewer), page)
}

/// The page's choices, from its address.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct HistoryQuery {
    /// 30, 90 or 365.
    days: Option<u32>,
    /// A cluster's engine id (or name).
    cluster: Option<String>,
    /// Since: an age (`7d`), a day or RFC 3339.
    since: Option<String>,
}

/// One change as a row.
pub(super) struct ChangeRow {
    pub at: When,
    pub vm: String,
    pub vm_href: Option<String>,
    pub cluster: String,
    pub before: &'static str,
    pub after: &'static str,
    pub after_badge: &'static str,
    pub appeared: Vec<ConcernRef>,
    pub cleared: Vec<ConcernRef>,
    pub cause: String,
}

/// A change's cause, as the pages say it.
pub(super) fn cause_text(c: &Cause) -> String {
    let event = |e: &Option<u64>| {
        e.map(|e| format!(", after engine event {e}"))
            .unwrap_or_default()
    };
    match c {
        Cause::Added => "first validated".into(),
        Cause::Removed => "removed from the engine".into(),
        Cause::Engine { event: e } => format!("changed in oVirt{}", event(e)),
        Cause::Rules { from } => format!("rules changed (from {from})"),
        Cause::EngineAndRules { event: e, from } => {
            format!(
                "changed in oVirt{} and rules changed (from {from})",
                event(e)
            )
        }
    }
}

/// Rows for changes of `provider`.
pub(super) fn rows(
    provider: &str,
    changes: Vec<ChangeView>,
    vm_exists: impl Fn(&str) -> bool,
) -> Vec<ChangeRow> {
    changes
        .into_iter()
        .map(|c| {
            let word = |r: Option<crate::validation::Readiness>| r.map_or("–", |r| r.as_str());
            ChangeRow {
                at: when(c.change.at),
                vm_href: vm_exists(&c.change.vm)
                    .then(|| format!("/inventory/{provider}/vms/{}", c.change.vm)),
                vm: c.vm_name,
                cluster: c.cluster_name,
                before: word(c.change.before),
                after: word(c.change.after),
                after_badge: c.change.after.map_or("info", |r| r.badge()),
                cause: cause_text(&c.change.cause),
                appeared: c.change.appeared,
                cleared: c.change.cleared,
            }
        })
        .collect()
}

/// A trend of readiness per day, drawn.
pub(super) fn trend_chart(title: String, days: u32, counts: &[TrendDay]) -> Trend {
    let first = super::charts::window_start(days);
    let series = |d: &TrendDay| {
        let n = |k: &str| d.readiness.get(k).copied().unwrap_or(0);
        vec![
            ("ready", n("ready"), "ready"),
            ("with warnings", n("warnings"), "warning"),
            ("blocked", n("blocked"), "critical"),
            ("failed", n("error"), "error"),
        ]
    };
    let counts = counts
        .iter()
        .filter_map(|d| Some((d.day.parse().ok()?, series(d))))
        .collect();
    Trend::new(title, days, first, counts)
}

struct ProviderHistory {
    name: String,
    trend: Trend,
    changes: Vec<ChangeRow>,
    truncated: bool,
    policies: Vec<(When, String)>,
    clusters: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    days: u32,
    spans: &'static [u32],
    cluster: String,
    since: String,
    /// The span of changes, in words ("a week ago", or the time as given).
    since_label: String,
    sinces: [(&'static str, &'static str); 4],
    providers: Vec<ProviderHistory>,
}

/// How many changes the page lists per provider.
const SHOWN: usize = 200;

async fn page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(q) = q.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Bad choice",
            format!(
                "The choices in the address could not be read: {}",
                e.body_text()
            ),
        )
    })?;
    let days = q.days.unwrap_or(30);
    let since = q
        .since
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "7d".into());
    let cluster = q.cluster.clone().unwrap_or_default();
    let r = app.store.read()?;
    let mut providers = Vec::new();
    for p in app
        .config
        .current()
        .providers
        .iter()
        .map(|p| p.name.clone())
    {
        // A cluster belongs to one provider: the others show their whole history.
        let mut clusters: Vec<(String, String)> = r
            .list_prefix::<Cluster>(&format!("{p}/"))?
            .into_iter()
            .map(|(_, c)| (c.value.id.clone(), c.value.display_name().to_string()))
            .collect();
        clusters.sort_by_key(|(_, name)| sort_key(name));
        let theirs = clusters
            .iter()
            .any(|(id, name)| *id == cluster || *name == cluster);
        let in_cluster = (theirs && !cluster.is_empty()).then(|| cluster.clone());
        let counts = history::trend(
            &r,
            &p,
            &TrendParams {
                days: Some(days),
                cluster: in_cluster.clone(),
            },
        )?;
        let view = history::history(
            &r,
            &p,
            &HistoryParams {
                from: Some(since.clone()),
                cluster: in_cluster,
                limit: Some(SHOWN),
                ..HistoryParams::default()
            },
        )?;
        let exists = |vm: &str| {
            r.get::<crate::inventory::model::Vm>(&crate::inventory::key(&p, vm))
                .ok()
                .flatten()
                .is_some()
        };
        providers.push(ProviderHistory {
            trend: trend_chart(format!("Readiness per day · {p}"), days, &counts),
            changes: rows(&p, view.changes, exists),
            truncated: view.truncated,
            policies: view
                .policies
                .into_iter()
                .map(|c| (when(c.at), c.version))
                .collect(),
            clusters,
            name: p,
        });
    }
    let sinces = [
        ("1d", "a day"),
        ("7d", "a week"),
        ("30d", "30 days"),
        ("90d", "90 days"),
    ];
    let since_label = sinces
        .iter()
        .find(|(v, _)| *v == since)
        .map_or_else(|| since.clone(), |(_, words)| format!("{words} ago"));
    Ok(render(&HistoryPage {
        since_label,
        layout: Layout::new(&app, &me, "Readiness over time", "/history"),
        days,
        spans: &TREND_DAYS,
        cluster,
        since,
        sinces,
        providers,
    }))
}
