//! A list of one kind of object: search, filters, sorting by name, paging.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use super::super::cells::Cell;
use super::super::{Layout, PageError, PageResult, render};
use super::rows::ListRow;
use super::{KindLink, Names, kind_links, known};
use crate::auth::Identity;
use crate::inventory::decode::Kind;
use crate::inventory::model::*;
use crate::inventory::query::{self, ListQuery};
use crate::inventory::{InventoryRecord, for_kind};
use crate::web::AppState;
use crate::web::read::filters;

/// A page of typed records of one kind, as table rows: the name first, then the kind's own
/// columns ([`ListRow`]). `outside`, when given, limits the list to those keys.
fn typed_rows<T: ListRow + Clone>(
    r: &crate::store::ReadTxn,
    provider: &str,
    q: &ListQuery,
    outside: Option<std::collections::HashSet<String>>,
    names: &mut Names<'_>,
) -> Result<(usize, Vec<Vec<Cell>>), PageError> {
    let page = query::list::<T>(r, provider, q, outside)?;
    let mut rows = Vec::with_capacity(page.items.len());
    for item in page.items {
        let record = item.value;
        let mut row = vec![Cell::link(
            record.display_name().to_string(),
            format!(
                "/inventory/{provider}/{}/{}",
                T::INVENTORY_KIND.path(),
                record.id()
            ),
        )];
        row.extend(record.cells(names)?);
        rows.push(row);
    }
    Ok((page.total, rows))
}

/// The headings of a kind's list.
fn columns<T: ListRow>() -> Vec<&'static str> {
    std::iter::once("Name")
        .chain(T::COLUMNS.iter().copied())
        .collect()
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "inventory/list.html")]
struct ListPageView {
    layout: Layout,
    on_tree: bool,
    provider: String,
    kind_path: &'static str,
    kind_label: &'static str,
    kinds: Vec<KindLink>,
    columns: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    total: usize,
    page: usize,
    pages: usize,
    q: String,
    desc: bool,
    clusters: Vec<Choice>,
    statuses: Vec<Choice>,
    readiness: Vec<Choice>,
    categories: Vec<Choice>,
    concern: String,
    /// The host filter, by name, when one is set (from a host's page).
    host: Option<Choice>,
    /// The storage domain filter, by name, when one is set (from a domain's page).
    storage_domain: Option<Choice>,
    filterable: bool,
    pager: Vec<PageLink>,
    sort_href: String,
}

/// One link of the pager: a page number, first, last, previous or next; no `href` for the
/// page shown and for a gap.
struct PageLink {
    label: String,
    href: Option<String>,
    current: bool,
    rel: &'static str,
}

/// First, previous, the pages around the current one, next and last.
fn pager(base: &str, q: &ListQuery, current: usize, pages: usize) -> Vec<PageLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let link = |label: String, page: usize, rel: &'static str| PageLink {
        href: (page != current).then(|| format!("{base}?{}", query_string(q, page, q.desc))),
        current: page == current && rel.is_empty(),
        label,
        rel,
    };
    let gap = || PageLink {
        label: "…".into(),
        href: None,
        current: false,
        rel: "",
    };
    let mut out = Vec::new();
    if current > 1 {
        out.push(link("« First".into(), 1, "first"));
        out.push(link("‹ Previous".into(), current - 1, "prev"));
    }
    let (from, to) = (current.saturating_sub(2).max(1), (current + 2).min(pages));
    if from > 1 {
        out.push(gap());
    }
    for p in from..=to {
        out.push(link(p.to_string(), p, ""));
    }
    if to < pages {
        out.push(gap());
    }
    if current < pages {
        out.push(link("Next ›".into(), current + 1, "next"));
        out.push(link(format!("Last ({pages}) »"), pages, "last"));
    }
    out
}

fn choices(values: &[&str], selected: Option<&str>) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: v.to_string(),
            // Engine words as people write them: `image_locked` is "image locked".
            label: v.replace('_', " "),
            selected: selected == Some(*v),
        })
        .collect()
}

fn query_string(q: &ListQuery, page: usize, desc: bool) -> String {
    let mut parts = vec![format!("page={page}")];
    for (k, v) in [
        ("q", &q.q),
        ("cluster", &q.cluster),
        ("host", &q.host),
        ("storage_domain", &q.storage_domain),
        ("status", &q.status),
        ("concern", &q.concern),
        ("category", &q.category),
        ("readiness", &q.readiness),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    if desc {
        parts.push("desc=true".into());
    }
    parts.join("&")
}

pub(super) async fn list(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind)): Path<(String, String)>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(q) = q.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Bad filter",
            format!(
                "The filters in the address could not be read: {}",
                e.body_text()
            ),
        )
    })?;
    let (Some(kind), true) = (Kind::from_path(&kind), known(&app, &provider)) else {
        return Err(PageError::not_found("There is no such list."));
    };
    let r = app.store.read()?;
    // Names stand for ids, and a value that matches nothing known is an error.
    let q = filters::resolve(&r, &provider, kind, &q)?;
    // Validation keeps its results under the VM's own key: its indexes filter VMs.
    let outside = if kind == Kind::Vm {
        crate::validation::vm_keys_matching(
            &r,
            &provider,
            [
                ("concern", q.concern.as_deref()),
                ("category", q.category.as_deref()),
                ("readiness", q.readiness.as_deref()),
            ],
        )?
    } else {
        None
    };
    let mut names = Names::new(&r, &provider);
    let (total, rows, columns) = for_kind!(kind, T => {
        let (total, rows) = typed_rows::<T>(&r, &provider, &q, outside, &mut names)?;
        (total, rows, columns::<T>())
    });
    let per_page = q.per_page();
    let pages = total.div_ceil(per_page).max(1);
    let current = q.page().min(pages);
    let filterable = matches!(kind, Kind::Vm | Kind::Host);
    let mut clusters: Vec<Choice> = if filterable {
        r.list_prefix::<Cluster>(&format!("{provider}/"))?
            .into_iter()
            .map(|(_, c)| Choice {
                selected: q.cluster.as_deref() == Some(c.value.id.as_str()),
                label: c.value.display_name().to_string(),
                value: c.value.id,
            })
            .collect()
    } else {
        Vec::new()
    };
    clusters.sort_by_key(|c| c.label.to_lowercase());
    let statuses = choices(
        filters::statuses(kind).unwrap_or_default(),
        q.status.as_deref(),
    );
    // A host filter comes from a host's page: shown by name, so the list says what it holds.
    let host = match q.host.as_deref() {
        Some(id) if !id.is_empty() => Some(Choice {
            value: id.to_string(),
            label: names.name(Kind::Host, id)?,
            selected: true,
        }),
        _ => None,
    };
    let storage_domain = match q.storage_domain.as_deref() {
        Some(id) if !id.is_empty() => Some(Choice {
            value: id.to_string(),
            label: names.name(Kind::StorageDomain, id)?,
            selected: true,
        }),
        _ => None,
    };
    let base = format!("/inventory/{provider}/{}", kind.path());
    Ok(render(&ListPageView {
        layout: Layout::new(
            &app,
            &me,
            format!("{} · {provider}", kind.label()),
            "/inventory",
        ),
        kinds: kind_links(&app, &provider, Some(kind))?,
        on_tree: false,
        kind_path: kind.path(),
        kind_label: kind.label(),
        columns,
        rows,
        total,
        page: current,
        pages,
        q: q.q.clone().unwrap_or_default(),
        desc: q.desc,
        clusters,
        statuses,
        readiness: choices(
            &["ready", "warnings", "blocked", "error"],
            q.readiness.as_deref(),
        ),
        categories: choices(
            &["Critical", "Warning", "Information"],
            q.category.as_deref(),
        ),
        concern: q.concern.clone().unwrap_or_default(),
        host,
        storage_domain,
        filterable,
        pager: pager(&base, &q, current, pages),
        sort_href: format!("{base}?{}", query_string(&q, 1, !q.desc)),
        provider,
    }))
}
