//! A list of one kind of object: search, filters, sorting by name, paging.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use super::super::cells::{Cell, SortKey};
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
/// columns ([`ListRow`]). `outside`, when given, limits the list to those keys. Sorted by
/// name, the store's name index gives the page; sorted by another column (`sort`, an index
/// into the row), every match is read and its cells compared.
fn typed_rows<T: ListRow + Clone>(
    r: &crate::store::ReadTxn,
    provider: &str,
    q: &ListQuery,
    outside: Option<std::collections::HashSet<String>>,
    sort: usize,
    names: &mut Names<'_>,
) -> Result<(usize, Vec<Vec<Cell>>), PageError> {
    let (total, records) = if sort == 0 {
        let page = query::list::<T>(r, provider, q, outside)?;
        (page.total, page.items)
    } else {
        // In name order, so that rows with the same value stay in name order.
        let all = query::list_all::<T>(
            r,
            provider,
            &ListQuery {
                desc: false,
                ..q.clone()
            },
            outside,
        )?;
        (all.len(), all)
    };
    let mut rows = Vec::with_capacity(records.len());
    for item in records {
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
    if sort > 0 {
        let per_page = q.per_page();
        rows = sort_rows(rows, sort, q.desc)
            .into_iter()
            .skip((q.page() - 1) * per_page)
            .take(per_page)
            .collect();
    }
    Ok((total, rows))
}

/// Sorts rows by one column, either way, with unknown values last both ways. The sort is
/// stable: rows with the same value keep their name order.
fn sort_rows(rows: Vec<Vec<Cell>>, column: usize, desc: bool) -> Vec<Vec<Cell>> {
    use std::cmp::Ordering;
    let mut keyed: Vec<(Option<SortKey>, Vec<Cell>)> = rows
        .into_iter()
        .map(|row| (row.get(column).and_then(Cell::sort_key), row))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) if desc => b.cmp(a),
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// The headings of a kind's list.
fn columns<T: ListRow>() -> Vec<&'static str> {
    std::iter::once("Name")
        .chain(T::COLUMNS.iter().copied())
        .collect()
}

/// A column's name in a `sort=` parameter: its heading in lower case, words joined by `-`
/// ("vCPUs" is `vcpus`, "Data center" is `data-center`).
fn column_slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The list's sort column, apart from the filters (which the API shares).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct SortQuery {
    /// A column, as [`column_slug`] names it; the name by default.
    sort: Option<String>,
}

/// A column heading: a link that sorts by it, or reverses the sort when it is the one.
struct Column {
    label: &'static str,
    href: String,
    /// `Some(desc)` for the column the list is sorted by.
    sorted: Option<bool>,
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
    columns: Vec<Column>,
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
    /// The sort column's `sort=` value; empty for the name.
    sort: String,
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
fn pager(base: &str, q: &ListQuery, sort: &str, current: usize, pages: usize) -> Vec<PageLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let link = |label: String, page: usize, rel: &'static str| PageLink {
        href: (page != current).then(|| format!("{base}?{}", query_string(q, sort, page, q.desc))),
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

fn query_string(q: &ListQuery, sort: &str, page: usize, desc: bool) -> String {
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
    if let Some(n) = q.per_page.filter(|n| *n != ListQuery::default().per_page()) {
        parts.push(format!("per_page={n}"));
    }
    if !sort.is_empty() {
        parts.push(format!("sort={sort}"));
    }
    if desc {
        parts.push("desc=true".into());
    }
    parts.join("&")
}

/// The index of the column a `sort=` names: 0, the name, when none is named; a name that
/// is no column is an error naming the columns.
fn sort_column(columns: &[&str], sort: Option<&str>) -> Result<usize, PageError> {
    let Some(wanted) = sort.filter(|s| !s.is_empty()) else {
        return Ok(0);
    };
    columns
        .iter()
        .position(|c| column_slug(c) == wanted)
        .ok_or_else(|| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "Bad sort",
                format!(
                    "This list has no column \"{wanted}\" to sort by: use {}.",
                    columns
                        .iter()
                        .map(|c| column_slug(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

pub(super) async fn list(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind)): Path<(String, String)>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
    sort: Result<Query<SortQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(sort) = sort.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Bad sort",
            format!(
                "The sort in the address could not be read: {}",
                e.body_text()
            ),
        )
    })?;
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
    let (total, rows, headings, sorted) = for_kind!(kind, T => {
        let headings = columns::<T>();
        let sorted = sort_column(&headings, sort.sort.as_deref())?;
        let (total, rows) = typed_rows::<T>(&r, &provider, &q, outside, sorted, &mut names)?;
        (total, rows, headings, sorted)
    });
    // The name is the default sort, so it needs no parameter.
    let sort_slug = if sorted == 0 {
        String::new()
    } else {
        column_slug(headings[sorted])
    };
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
    let columns = headings
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let slug = if i == 0 {
                String::new()
            } else {
                column_slug(label)
            };
            // A click on the sorted column reverses it; on another, sorts by it ascending.
            let desc = i == sorted && !q.desc;
            Column {
                label,
                href: format!("{base}?{}", query_string(&q, &slug, 1, desc)),
                sorted: (i == sorted).then_some(q.desc),
            }
        })
        .collect();
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
        pager: pager(&base, &q, &sort_slug, current, pages),
        sort: sort_slug,
        provider,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_by_their_headings_in_addresses() {
        assert_eq!(column_slug("vCPUs"), "vcpus");
        assert_eq!(column_slug("Data center"), "data-center");
        let headings = ["Name", "Status", "Memory"];
        assert_eq!(sort_column(&headings, None).unwrap(), 0);
        assert_eq!(sort_column(&headings, Some("")).unwrap(), 0);
        assert_eq!(sort_column(&headings, Some("memory")).unwrap(), 2);
        assert!(sort_column(&headings, Some("Memory")).is_err());
    }

    #[test]
    fn rows_sort_by_number_or_folded_text_with_unknowns_last_both_ways() {
        let row = |name: &str, cell: Cell| vec![Cell::text(name), cell];
        let rows = || {
            vec![
                row("a", Cell::bytes(2 << 30)),
                row("b", Cell::opt_bytes(None)),
                row("c", Cell::bytes(512 << 20)),
                row("d", Cell::bytes(2 << 30)),
            ]
        };
        let names = |rows: Vec<Vec<Cell>>| {
            rows.into_iter()
                .map(|r| r[0].text.clone())
                .collect::<Vec<_>>()
        };
        // By value, not by the text ("512 MiB" would sort after "2 GiB"); ties keep name order.
        assert_eq!(names(sort_rows(rows(), 1, false)), ["c", "a", "d", "b"]);
        assert_eq!(names(sort_rows(rows(), 1, true)), ["a", "d", "c", "b"]);
        let text = vec![row("x", Cell::text("beta")), row("y", Cell::text("Alpha"))];
        assert_eq!(names(sort_rows(text, 1, false)), ["y", "x"]);
    }
}
