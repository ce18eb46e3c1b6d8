//! One section of one node as a table: search across every column, sorting by any column
//! (numbers as numbers), and pages of 200 rows; the filters live in the address.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::{Tab, bytes, tabs, text};
use crate::auth::Identity;
use crate::node::Section;
use crate::web::AppState;
use crate::web::pages::{Layout, error_page, render};
use crate::web::read::node as fetch;

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

/// The columns of a section: the data key and its heading.
fn columns(section: Section) -> &'static [(&'static str, &'static str)] {
    match section {
        Section::Property => &[
            ("title", "Property"),
            ("name", "Name"),
            ("value", "Value"),
            ("source", "Source"),
            ("error", "Error"),
        ],
        Section::Asset => &[("key", "Key"), ("value", "Value")],
        Section::Hardware => &[
            ("type", "Type"),
            ("path", "Path"),
            ("class", "Class"),
            ("description", "Description"),
            ("driver", "Driver"),
        ],
        Section::Disk => &[
            ("id", "Device"),
            ("type", "Type"),
            ("size", "Size"),
            ("vendor", "Vendor"),
            ("model", "Model"),
            ("regions", "Regions"),
        ],
        Section::Package => &[
            ("name", "Name"),
            ("version", "Version"),
            ("arch", "Arch"),
            ("type", "Type"),
            ("installedat", "Installed"),
        ],
        Section::Patch => &[
            ("name", "Name"),
            ("installed_version", "Installed"),
            ("available_version", "Available"),
            ("security", "Security"),
            ("type", "Type"),
        ],
        Section::User | Section::Group => &[("id", "Id"), ("name", "Name")],
        Section::Ipaddress => &[
            ("intf", "Interface"),
            ("type", "Type"),
            ("address", "Address"),
            ("mask", "Prefix"),
            ("mac", "MAC"),
            ("flagdeprecated", "Deprecated"),
        ],
        Section::SanInitiator => &[("name", "Name"), ("type", "Type")],
        Section::SanPath => &[("initiator", "Initiator"), ("target", "Target")],
    }
}

/// A cell: what it shows, and the value it sorts by.
struct Cell {
    text: String,
    num: Option<f64>,
}

fn cell(section: Section, key: &str, v: &Value) -> Cell {
    let num = v.as_f64();
    let text = match (section, key) {
        (Section::Disk, "size") => v.as_u64().map(bytes).unwrap_or_default(),
        (Section::Disk, "regions") => v
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let size = r["size"].as_u64().map(bytes).unwrap_or_default();
                let object = text(&r["object"]);
                let on = if object.is_empty() {
                    String::new()
                } else {
                    format!(" on {object}")
                };
                format!("{} ({size}{on})", text(&r["id"]))
            })
            .collect::<Vec<_>>()
            .join(", "),
        (Section::SanPath, _) => format!("{} ({})", text(&v["name"]), text(&v["type"])),
        _ => text(v),
    };
    Cell { text, num }
}

/// The rows of a section: one per item, or one per key for the asset summary.
fn rows(section: Section, items: &[Value]) -> Vec<Vec<Cell>> {
    if section == Section::Asset {
        return items
            .iter()
            .flat_map(|i| i.as_object().cloned().unwrap_or_default())
            .map(|(k, v)| vec![Cell { text: k, num: None }, cell(section, "value", &v)])
            .collect();
    }
    items
        .iter()
        .map(|i| {
            columns(section)
                .iter()
                .map(|(k, _)| cell(section, k, &i[*k]))
                .collect()
        })
        .collect()
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
    collected_at: String,
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
) -> Response {
    let Ok(Query(query)) = query else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Bad filter",
            "The filters in the address could not be read.",
        );
    };
    let Some(section) = Section::from_path(section) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such section.",
        );
    };
    let list = match fetch::section(&app, &me, &nodename, section).await {
        Ok(l) => l,
        Err(p) => {
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_GATEWAY);
            return error_page(status, &p.title, &p.detail);
        }
    };
    let node = list
        .items
        .first()
        .map(|i| i.meta.node.clone())
        .unwrap_or(nodename.clone());
    let items: Vec<Value> = list.items.into_iter().map(|i| i.data).collect();
    let mut all = rows(section, &items);
    let q = query.q.unwrap_or_default();
    if !q.is_empty() {
        let needle = q.to_lowercase();
        all.retain(|r| r.iter().any(|c| c.text.to_lowercase().contains(&needle)));
    }
    let cols: Vec<(&str, &str)> = if section == Section::Asset {
        vec![("key", "Key"), ("value", "Value")]
    } else {
        columns(section).to_vec()
    };
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
    render(&SectionPage {
        layout: Layout::new(&app, &me, format!("{} · {node}", section.label()), "/nodes"),
        tabs: tabs(&nodename, Some(section)),
        label: section.label(),
        collected_at: list.collected_at,
        errors: list
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.source, e.error))
            .collect(),
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
    })
}

/// `/nodes/{nodename}/system/{section}`.
pub(super) async fn page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, section)): Path<(String, String)>,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    show(app, me, nodename, &section, query).await
}

/// `/nodes/{nodename}/system/san/{kind}`.
pub(super) async fn san_page(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, kind)): Path<(String, String)>,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    show(app, me, nodename, &format!("san/{kind}"), query).await
}
