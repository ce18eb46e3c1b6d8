//! One section of one node as a table: search across every column, sorting by any column
//! (numbers as numbers), and pages of 200 rows; the filters live in the address.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::{Tab, tabs};
use crate::auth::Identity;
use crate::node::Section;
use crate::node::table::FactCell as Cell;
use crate::web::AppState;
use crate::web::pages::when::{When, when_text};
use crate::web::pages::{Layout, PageError, PageResult, render};
use crate::web::read::node_facts::section_table;

const PER_PAGE: usize = 200;

/// The address's filters.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TableQuery {
    /// Rows containing this text (any column, case-insensitive).
    q: Option<String>,
    /// The column to sort by.
    sort: Option<String>,
    /// Descending order.
    #[serde(default)]
    desc: bool,
    /// The page, from 1.
    page: Option<usize>,
}

struct Column {
    label: &'static str,
    href: String,
    sorted: Option<bool>,
}

#[derive(Template)]
#[template(path = "nodes/section.html")]
struct SectionPage {
    layout: Layout,
    node: String,
    tabs: Vec<Tab>,
    base: String,
    label: &'static str,
    collected_at: When,
    errors: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    q: String,
    sort: String,
    desc: bool,
    total: usize,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn href(base: &str, q: &str, sort: &str, desc: bool, page: usize) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut out = format!("{base}?page={page}");
    if !q.is_empty() {
        out.push_str(&format!("&q={}", enc(q)));
    }
    if !sort.is_empty() {
        out.push_str(&format!("&sort={}", enc(sort)));
    }
    if desc {
        out.push_str("&desc=true");
    }
    out
}

async fn show(
    app: AppState,
    me: Identity,
    nodename: String,
    section: &str,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Ok(Query(query)) = query else {
        return Err(PageError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "Bad filter",
            "The filters in the address could not be read.",
        ));
    };
    let Some(section) = Section::from_path(section) else {
        return Err(PageError::not_found("There is no such section."));
    };
    let table = section_table(&app, &me, &nodename, section).await?;
    let node = table.node;
    let mut all = table.rows;
    let q = query.q.unwrap_or_default();
    if !q.is_empty() {
        let needle = q.to_lowercase();
        all.retain(|r| r.iter().any(|c| c.text.to_lowercase().contains(&needle)));
    }
    let cols = table.columns;
    let sort = query.sort.unwrap_or_default();
    if let Some(i) = cols.iter().position(|(k, _)| *k == sort) {
        // A stable sort: rows that tie keep the section's own order.
        all.sort_by(|a, b| match (a[i].num, b[i].num) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a[i].text.to_lowercase().cmp(&b[i].text.to_lowercase()),
        });
        if query.desc {
            all.reverse();
        }
    }
    let total = all.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Vec<Cell>> = all
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let base = format!("/nodes/{nodename}/system/{}", section.path());
    let columns = cols
        .iter()
        .map(|(k, label)| {
            let sorted = (sort == *k).then_some(query.desc);
            let desc = sorted == Some(false);
            Column {
                label,
                href: href(&base, &q, k, desc, 1),
                sorted,
            }
        })
        .collect();
    Ok(render(&SectionPage {
        layout: Layout::new(&app, &me, format!("{} · {node}", section.label()), "/nodes"),
        tabs: tabs(&nodename, Some(section)),
        label: section.label(),
        collected_at: when_text(&table.collected_at),
        errors: table.errors,
        columns,
        rows,
        prev_href: (page > 1).then(|| href(&base, &q, &sort, query.desc, page - 1)),
        next_href: (page < pages).then(|| href(&base, &q, &sort, query.desc, page + 1)),
        base,
        q,
        sort,
        desc: query.desc,
        total,
        page,
        pages,
        node,
    }))
}

/// `/nodes/{nodename}/system/{section}`.
pub(super) async fn page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, section)): Path<(String, String)>,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    show(app, me, nodename, &section, query).await
}

/// `/nodes/{nodename}/system/san/{kind}`.
pub(super) async fn san_page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, kind)): Path<(String, String)>,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    show(app, me, nodename, &format!("san/{kind}"), query).await
}
