//! The Concerns page: the policy in force, and per provider the VMs' readiness, the
//! concerns by category and every concern id with its VMs (a link to the filtered list);
//! the readiness report to download.
//!
//! The dashboard shows the same charts through [`provider_charts`].

use askama::Template;
use axum::Extension;
use axum::extract::State;

use super::charts::Chart;
use super::{Layout, PageError, PageResult, render};
use crate::auth::{Identity, Role};
use crate::validation::summary::{self, Summary};
use crate::validation::{ValidationStatus, policy::severity};
use crate::web::AppState;
use crate::web::routes::{Access, Routes};

/// Registers `/concerns`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/concerns", Access::Role(Role::Viewer), concerns)
        .get("/concerns/{id}", Access::Role(Role::Viewer), one)
}

#[derive(Template)]
#[template(path = "concern.html")]
struct ConcernPage {
    layout: Layout,
    badge: &'static str,
    c: crate::web::read::concern::ConcernView,
    /// Per provider, how many VMs had it each day over 90 days.
    trends: Vec<super::charts::Trend>,
}

/// `/concerns/{id}`: one concern, what to do about it, and the VMs it affects per cluster.
async fn one(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let providers: Vec<String> = app
        .config
        .current()
        .providers
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let r = app.store.read()?;
    let Some(c) = crate::web::read::concern::concern(&r, &providers, &id)? else {
        return Err(PageError::not_found(format!(
            "No VM has the concern {id} now, or the rules have no such concern."
        )));
    };
    const DAYS: u32 = 90;
    let first = super::charts::window_start(DAYS);
    let mut trends = Vec::new();
    for p in &providers {
        let counts = crate::validation::trend::concern_trend(&r, p, &id, DAYS)?
            .into_iter()
            .filter_map(|(day, n)| Some((day.parse().ok()?, vec![("VMs", n, "info")])))
            .collect();
        trends.push(super::charts::Trend::new(
            format!("VMs with it per day · {p}"),
            DAYS,
            first,
            counts,
        ));
    }
    Ok(render(&ConcernPage {
        layout: Layout::new(&app, &me, c.label.clone(), "/concerns"),
        badge: badge(&c.category),
        c,
        trends,
    }))
}

/// One provider's concerns, ready to draw.
pub(super) struct ProviderConcerns {
    /// The provider name.
    pub name: String,
    /// The counts.
    pub summary: Summary,
    /// VMs ready / with warnings / blocked / the rules failed on / not validated yet.
    pub readiness: Chart,
    /// VMs with a concern of each category.
    pub categories: Chart,
    /// Readiness per day over 30 days.
    pub trend: super::charts::Trend,
}

fn badge(category: &str) -> &'static str {
    match severity(category) {
        0 => "critical",
        1 => "warning",
        _ => "info",
    }
}

/// The charts of every configured provider.
pub(super) fn provider_charts(app: &AppState) -> Result<Vec<ProviderConcerns>, PageError> {
    let r = app.store.read()?;
    let mut out = Vec::new();
    for p in &app.config.current().providers {
        let s = summary::summarize(&r, &p.name)?;
        out.push({
            let list = format!("/inventory/{}/vms", p.name);
            let count = |k: &str| s.readiness.get(k).copied().unwrap_or(0);
            let pending = s.vms.saturating_sub(s.validated);
            let readiness = Chart::new(
                "VMs by readiness",
                vec![
                    (
                        "Ready".into(),
                        count("ready"),
                        "ready",
                        Some(format!("{list}?readiness=ready")),
                    ),
                    (
                        "With warnings".into(),
                        count("warnings"),
                        "warning",
                        Some(format!("{list}?readiness=warnings")),
                    ),
                    (
                        "Blocked".into(),
                        count("blocked"),
                        "critical",
                        Some(format!("{list}?readiness=blocked")),
                    ),
                    (
                        "Rules failed".into(),
                        count("error"),
                        "error",
                        Some(format!("{list}?readiness=error")),
                    ),
                    ("Not validated".into(), pending, "pending", None),
                ],
            );
            let categories = Chart::new(
                "VMs with concerns, by category",
                ["Critical", "Warning", "Information"]
                    .into_iter()
                    .map(|c| {
                        (
                            c.to_string(),
                            s.categories.get(c).copied().unwrap_or(0),
                            badge(c),
                            Some(format!("{list}?category={c}")),
                        )
                    })
                    .collect(),
            );
            let days = crate::validation::trend::trend(&r, &p.name, 30, None)?;
            ProviderConcerns {
                trend: super::history::trend_chart("Readiness per day, 30 days".into(), 30, &days),
                name: p.name.clone(),
                summary: s,
                readiness,
                categories,
            }
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "concerns.html")]
struct ConcernsPage {
    layout: Layout,
    status: ValidationStatus,
    providers: Vec<ProviderConcerns>,
    /// The search: concerns whose id or label holds it (ignoring case).
    q: String,
}

/// `?q=` on the Concerns page.
#[derive(Debug, Default, serde::Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

impl ConcernsPage {
    fn badge(&self, category: &str) -> &'static str {
        badge(category)
    }

    /// How many VMs of a provider the rules failed on.
    fn failed(&self, p: &ProviderConcerns) -> usize {
        p.summary.readiness.get("error").copied().unwrap_or(0)
    }
}

async fn concerns(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    search: Result<axum::extract::Query<Search>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let axum::extract::Query(search) = search.map_err(|e| {
        PageError::bad_request(format!("The search could not be read: {}", e.body_text()))
    })?;
    let q = search.q.trim().to_string();
    let mut providers = provider_charts(&app)?;
    if !q.is_empty() {
        let needle = q.to_lowercase();
        for p in &mut providers {
            p.summary.concerns.retain(|c| {
                c.id.to_lowercase().contains(&needle) || c.label.to_lowercase().contains(&needle)
            });
        }
    }
    Ok(render(&ConcernsPage {
        layout: Layout::new(&app, &me, "Concerns", "/concerns"),
        status: app.validation.status(),
        providers,
        q,
    }))
}
