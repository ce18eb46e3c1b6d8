//! A list of one kind of object: search, filters, sorting by name, paging.

use std::collections::HashMap;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::super::cells::{Cell, UNKNOWN, bytes, scalar};
use super::super::{Layout, PageError, PageResult, render};
use super::{KindLink, Names, kind_links, known};
use crate::auth::Identity;
use crate::inventory::decode::Kind;
use crate::inventory::model::*;
use crate::inventory::query::ListQuery;
use crate::validation::VmConcerns;
use crate::web::AppState;
use crate::web::api::inventory::list_json;

fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Vm => &[
            "Name",
            "Status",
            "Readiness",
            "Cluster",
            "Host",
            "vCPUs",
            "Memory",
            "NICs",
            "Disks",
        ],
        Kind::Host => &["Name", "Status", "Cluster", "Address", "CPUs", "Memory"],
        Kind::Cluster => &["Name", "Data center", "CPU type", "Version"],
        Kind::DataCenter => &["Name", "Status"],
        Kind::Network => &["Name", "Data center", "VLAN", "Usages"],
        Kind::NicProfile => &["Name", "Network", "Port mirroring", "Pass-through"],
        Kind::DiskProfile => &["Name", "Storage domain"],
        Kind::StorageDomain => &[
            "Name", "Type", "Storage", "Status", "Used", "Free", "Capacity",
        ],
        Kind::Disk => &[
            "Name",
            "Status",
            "Storage type",
            "Provisioned",
            "Actual",
            "Shareable",
        ],
    }
}

/// A VM's readiness as a badge; "pending" before its first validation.
fn readiness_cell(names: &Names<'_>, id: &str) -> Cell {
    let result = names
        .r
        .get::<VmConcerns>(&crate::inventory::key(names.provider, id))
        .ok()
        .flatten();
    let (text, badge) = match result.map(|r| r.value.readiness()) {
        Some(readiness) => (readiness.as_str(), readiness.badge()),
        None => ("pending", "info"),
    };
    Cell {
        text: text.into(),
        badge: Some(badge),
        ..Cell::default()
    }
}

fn row(kind: Kind, v: &Value, names: &mut Names<'_>) -> Vec<Cell> {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let own = Cell::link(
        if s("name").is_empty() {
            s("id")
        } else {
            s("name")
        },
        format!("/inventory/{}/{}/{}", names.provider, kind.path(), s("id")),
    );
    match kind {
        Kind::Vm => vec![
            own,
            Cell::status(&s("status")),
            readiness_cell(names, &s("id")),
            names.link(Kind::Cluster, &s("cluster")),
            names.link(Kind::Host, &s("host")),
            Cell::num(
                (n("cpu_sockets") * n("cpu_cores").max(1) * n("cpu_threads").max(1)).to_string(),
            ),
            Cell::num(bytes(n("memory"))),
            Cell::num(v["nics"].as_array().map_or(0, Vec::len).to_string()),
            Cell::num(
                v["disk_attachments"]
                    .as_array()
                    .map_or(0, Vec::len)
                    .to_string(),
            ),
        ],
        Kind::Host => vec![
            own,
            Cell::status(&s("status")),
            names.link(Kind::Cluster, &s("cluster")),
            Cell::text(s("address")),
            Cell::num(
                (n("cpu_sockets") * n("cpu_cores").max(1) * n("cpu_threads").max(1)).to_string(),
            ),
            Cell::num(bytes(n("memory"))),
        ],
        Kind::Cluster => vec![
            own,
            names.link(Kind::DataCenter, &s("data_center")),
            Cell::text(s("cpu_type")),
            Cell::text(format!("{}.{}", n("version_major"), n("version_minor"))),
        ],
        Kind::DataCenter => vec![own, Cell::status(&s("status"))],
        Kind::Network => vec![
            own,
            names.link(Kind::DataCenter, &s("data_center")),
            Cell::num(
                v["vlan"]
                    .as_u64()
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
            ),
            Cell::text(
                v["usages"]
                    .as_array()
                    .map(|a| a.iter().map(scalar).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
            ),
        ],
        Kind::NicProfile => vec![
            own,
            names.link(Kind::Network, &s("network")),
            Cell::text(scalar(&v["port_mirroring"])),
            Cell::text(s("pass_through")),
        ],
        Kind::DiskProfile => vec![own, names.link(Kind::StorageDomain, &s("storage_domain"))],
        Kind::StorageDomain => {
            // A capacity the engine left out is unknown: a dash, and no bar.
            let (used, free) = (v["used"].as_u64(), v["available"].as_u64());
            let or_dash = |b: Option<u64>| b.map_or_else(|| UNKNOWN.to_string(), bytes);
            let usage = match (used, free) {
                (Some(used), Some(free)) if used + free > 0 => {
                    let pct = used * 100 / (used + free);
                    Cell {
                        text: format!("{pct}% used"),
                        bar: Some(pct),
                        ..Cell::default()
                    }
                }
                _ => Cell::text(UNKNOWN.to_string()),
            };
            vec![
                own,
                Cell::text(s("kind")),
                Cell::text(s("storage_type")),
                Cell::status(&s("status")),
                Cell::num(or_dash(used)),
                Cell::num(or_dash(free)),
                usage,
            ]
        }
        Kind::Disk => vec![
            own,
            Cell::status(&s("status")),
            Cell::text(s("storage_type")),
            Cell::num(bytes(n("provisioned_size"))),
            Cell::num(bytes(n("actual_size"))),
            Cell::text(scalar(&v["shareable"])),
        ],
    }
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
    columns: &'static [&'static str],
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
    filterable: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    sort_href: String,
}

fn choices(values: &[&str], selected: Option<&str>) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: v.to_string(),
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
    let page = list_json(&r, &provider, kind, &q)?;
    let mut names = Names {
        r: &r,
        provider: &provider,
        cache: HashMap::new(),
    };
    let rows = page["items"]
        .as_array()
        .map(|items| items.iter().map(|v| row(kind, v, &mut names)).collect())
        .unwrap_or_default();
    let total = page["total"].as_u64().unwrap_or(0) as usize;
    let per_page = q.per_page();
    let pages = total.div_ceil(per_page).max(1);
    let current = q.page().min(pages);
    let filterable = matches!(kind, Kind::Vm | Kind::Host);
    let clusters = if filterable {
        r.list_prefix::<Cluster>(&format!("{provider}/"))?
            .into_iter()
            .map(|(_, c)| Choice {
                selected: q.cluster.as_deref() == Some(c.value.id.as_str()),
                value: c.value.id,
                label: c.value.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let statuses = [
        "up",
        "down",
        "suspended",
        "paused",
        "image_locked",
        "maintenance",
        "non_responsive",
    ]
    .iter()
    .map(|s| Choice {
        value: s.to_string(),
        label: s.to_string(),
        selected: q.status.as_deref() == Some(*s),
    })
    .collect();
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
        columns: columns(kind),
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
        filterable,
        prev_href: (current > 1)
            .then(|| format!("{base}?{}", query_string(&q, current - 1, q.desc))),
        next_href: (current < pages)
            .then(|| format!("{base}?{}", query_string(&q, current + 1, q.desc))),
        sort_href: format!("{base}?{}", query_string(&q, 1, !q.desc)),
        provider,
    }))
}
