//! The inventory pages: each provider's tree (data center → clusters → hosts and VMs),
//! a list per kind with search, filters, sorting and paging, and a detail page per object
//! with its related objects linked.

use std::collections::HashMap;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::cells::{Cell, bytes, scalar};
use super::{Layout, error_page, render};
use crate::auth::{Identity, Role};
use crate::inventory::decode::{COLLECTIONS, Kind};
use crate::inventory::query::ListQuery;
use crate::inventory::{self, model::*};
use crate::store::ReadTxn;
use crate::web::AppState;
use crate::web::api::inventory::{get_json, list_json, providers_view};
use crate::web::routes::{Access, Routes};

/// Registers the inventory pages.
pub fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    r.get("/inventory", viewer, overview)
        .get("/inventory/{provider}", viewer, tree)
        .get("/inventory/{provider}/{kind}", viewer, list)
        .get("/inventory/{provider}/{kind}/{id}", viewer, detail)
}

struct KindLink {
    label: &'static str,
    href: String,
    count: u64,
    active: bool,
}

fn kind_links(app: &AppState, provider: &str, active: Option<Kind>) -> Vec<KindLink> {
    let counts = providers_view(app)
        .ok()
        .and_then(|v| v.into_iter().find(|p| p.name == provider))
        .and_then(|p| p.state)
        .map(|s| s.counts)
        .unwrap_or_default();
    COLLECTIONS
        .iter()
        .rev()
        .map(|c| KindLink {
            label: c.kind.label(),
            href: format!("/inventory/{provider}/{}", c.path),
            count: counts.get(c.path).copied().unwrap_or(0),
            active: Some(c.kind) == active,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inventory/overview.html")]
struct OverviewPage {
    layout: Layout,
    providers: Vec<crate::web::api::inventory::ProviderView>,
    config_file: String,
}

async fn overview(State(app): State<AppState>, Extension(me): Extension<Identity>) -> Response {
    let providers = providers_view(&app).unwrap_or_default();
    render(&OverviewPage {
        layout: Layout::new(&app, &me, "Inventory", "/inventory"),
        providers,
        config_file: app
            .config
            .status()
            .file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "the config file".into()),
    })
}

struct TreeCluster {
    name: String,
    href: String,
    hosts: usize,
    hosts_href: String,
    vms: usize,
    vms_href: String,
}

struct TreeDc {
    name: String,
    href: String,
    clusters: Vec<TreeCluster>,
}

#[derive(Template)]
#[template(path = "inventory/tree.html")]
struct TreePage {
    layout: Layout,
    on_tree: bool,
    provider: String,
    kinds: Vec<KindLink>,
    dcs: Vec<TreeDc>,
}

fn known(app: &AppState, provider: &str) -> bool {
    app.config
        .current()
        .providers
        .iter()
        .any(|p| p.name == provider)
}

async fn tree(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(provider): Path<String>,
) -> Response {
    if !known(&app, &provider) {
        return error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("There is no provider {provider}."),
        );
    }
    let Ok(r) = app.store.read() else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store",
            "The store cannot be read.",
        );
    };
    let scope = format!("{provider}/");
    let dcs = r.list_prefix::<DataCenter>(&scope).unwrap_or_default();
    let tree = dcs
        .into_iter()
        .map(|(key, dc)| {
            let clusters = r
                .ids_by::<Cluster>("data_center", &key)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|ck| r.get::<Cluster>(&ck).ok().flatten().map(|c| (ck, c.value)))
                .map(|(ck, c)| TreeCluster {
                    href: format!("/inventory/{provider}/clusters/{}", c.id),
                    hosts: r
                        .ids_by::<Host>("cluster", &ck)
                        .map(|v| v.len())
                        .unwrap_or(0),
                    hosts_href: format!("/inventory/{provider}/hosts?cluster={}", c.id),
                    vms: r.ids_by::<Vm>("cluster", &ck).map(|v| v.len()).unwrap_or(0),
                    vms_href: format!("/inventory/{provider}/vms?cluster={}", c.id),
                    name: c.name,
                })
                .collect();
            TreeDc {
                href: format!("/inventory/{provider}/datacenters/{}", dc.value.id),
                name: dc.value.name,
                clusters,
            }
        })
        .collect();
    render(&TreePage {
        layout: Layout::new(&app, &me, format!("Inventory · {provider}"), "/inventory"),
        kinds: kind_links(&app, &provider, None),
        on_tree: true,
        provider,
        dcs: tree,
    })
}

/// Names of referenced objects, looked up once per page.
struct Names<'a> {
    r: &'a ReadTxn,
    provider: &'a str,
    cache: HashMap<(Kind, String), String>,
}

impl Names<'_> {
    fn name(&mut self, kind: Kind, id: &str) -> String {
        if id.is_empty() {
            return String::new();
        }
        let key = (kind, id.to_string());
        if let Some(n) = self.cache.get(&key) {
            return n.clone();
        }
        let name = get_json(self.r, self.provider, kind, id)
            .ok()
            .flatten()
            .and_then(|v| v["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| id.to_string());
        self.cache.insert(key, name.clone());
        name
    }

    fn link(&mut self, kind: Kind, id: &str) -> Cell {
        if id.is_empty() {
            return Cell::text("");
        }
        let name = self.name(kind, id);
        Cell::link(
            name,
            format!("/inventory/{}/{}/{id}", self.provider, kind.path()),
        )
    }
}

fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Vm => &[
            "Name", "Status", "Cluster", "Host", "vCPUs", "Memory", "NICs", "Disks",
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
            let (used, free) = (n("used"), n("available"));
            let pct = (used * 100).checked_div(used + free).unwrap_or(0);
            vec![
                own,
                Cell::text(s("kind")),
                Cell::text(s("storage_type")),
                Cell::status(&s("status")),
                Cell::num(bytes(used)),
                Cell::num(bytes(free)),
                Cell {
                    text: format!("{pct}% used"),
                    bar: Some(pct),
                    ..Cell::default()
                },
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
    filterable: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    sort_href: String,
}

fn query_string(q: &ListQuery, page: usize, desc: bool) -> String {
    let mut parts = vec![format!("page={page}")];
    for (k, v) in [
        ("q", &q.q),
        ("cluster", &q.cluster),
        ("host", &q.host),
        ("status", &q.status),
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

async fn list(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind)): Path<(String, String)>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Bad filter",
            "The filters in the address could not be read.",
        );
    };
    let (Some(kind), true) = (Kind::from_path(&kind), known(&app, &provider)) else {
        return error_page(StatusCode::NOT_FOUND, "Not found", "There is no such list.");
    };
    let Ok(r) = app.store.read() else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store",
            "The store cannot be read.",
        );
    };
    let Ok(page) = list_json(&r, &provider, kind, &q) else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store",
            "The list could not be read.",
        );
    };
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
        r.list_prefix::<Cluster>(&format!("{provider}/"))
            .unwrap_or_default()
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
    render(&ListPageView {
        layout: Layout::new(
            &app,
            &me,
            format!("{} · {provider}", kind.label()),
            "/inventory",
        ),
        kinds: kind_links(&app, &provider, Some(kind)),
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
        filterable,
        prev_href: (current > 1)
            .then(|| format!("{base}?{}", query_string(&q, current - 1, q.desc))),
        next_href: (current < pages)
            .then(|| format!("{base}?{}", query_string(&q, current + 1, q.desc))),
        sort_href: format!("{base}?{}", query_string(&q, 1, !q.desc)),
        provider,
    })
}

struct Field {
    label: String,
    cell: Cell,
}

struct SubTable {
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

struct Related {
    label: String,
    count: usize,
    href: String,
}

#[derive(Template)]
#[template(path = "inventory/detail.html")]
struct DetailPage {
    layout: Layout,
    provider: String,
    kind_path: &'static str,
    kind_label: &'static str,
    name: String,
    fields: Vec<Field>,
    tables: Vec<SubTable>,
    related: Vec<Related>,
}

/// Which kind a reference field points at.
fn ref_kind(owner: Kind, field: &str) -> Option<Kind> {
    Some(match field {
        "cluster" => Kind::Cluster,
        "host" => Kind::Host,
        "data_center" | "data_centers" => Kind::DataCenter,
        "network" | "networks" => Kind::Network,
        "vnic_profiles" => Kind::NicProfile,
        "disk" => Kind::Disk,
        "storage_domain" | "storage_domains" | "lease_storage_domain" => Kind::StorageDomain,
        "profile" if owner == Kind::Disk => Kind::DiskProfile,
        "profile" => Kind::NicProfile,
        _ => return None,
    })
}

fn value_cell(owner: Kind, field: &str, v: &Value, names: &mut Names<'_>) -> Cell {
    if let (Some(k), Some(id)) = (ref_kind(owner, field), v.as_str()) {
        return names.link(k, id);
    }
    if let (Some(k), Some(ids)) = (ref_kind(owner, field), v.as_array()) {
        let text = ids
            .iter()
            .filter_map(Value::as_str)
            .map(|id| names.name(k, id))
            .collect::<Vec<_>>()
            .join(", ");
        return Cell::text(text);
    }
    if matches!(
        field,
        "memory" | "available" | "used" | "committed" | "provisioned_size" | "actual_size" | "size"
    ) {
        return Cell::num(bytes(v.as_u64().unwrap_or(0)));
    }
    if field == "status" {
        return Cell::status(v.as_str().unwrap_or_default());
    }
    Cell::text(scalar(v))
}

fn label(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

async fn detail(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind, id)): Path<(String, String, String)>,
) -> Response {
    let (Some(kind), true) = (Kind::from_path(&kind), known(&app, &provider)) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such object.",
        );
    };
    let Ok(r) = app.store.read() else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store",
            "The store cannot be read.",
        );
    };
    let Ok(Some(v)) = get_json(&r, &provider, kind, &id) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!(
                "There is no {} {id} in {provider}; it may have been removed from the engine.",
                kind.path()
            ),
        );
    };
    let mut names = Names {
        r: &r,
        provider: &provider,
        cache: HashMap::new(),
    };
    let mut fields = Vec::new();
    let mut tables = Vec::new();
    if let Some(map) = v.as_object() {
        for (k, val) in map {
            match val {
                Value::Array(items) if items.first().is_some_and(Value::is_object) => {
                    let columns: Vec<String> = items[0]
                        .as_object()
                        .map(|o| o.keys().cloned().collect())
                        .unwrap_or_default();
                    let rows = items
                        .iter()
                        .map(|item| {
                            columns
                                .iter()
                                .map(|c| value_cell(kind, c, &item[c.as_str()], &mut names))
                                .collect()
                        })
                        .collect();
                    tables.push(SubTable {
                        title: label(k),
                        columns: columns.iter().map(|c| label(c)).collect(),
                        rows,
                    });
                }
                Value::Array(items) if items.is_empty() => {}
                other => fields.push(Field {
                    label: label(k),
                    cell: value_cell(kind, k, other, &mut names),
                }),
            }
        }
    }
    let key = inventory::key(&provider, &id);
    let vms = |index: &str| r.ids_by::<Vm>(index, &key).map(|v| v.len()).unwrap_or(0);
    let base = format!("/inventory/{provider}");
    let related = match kind {
        Kind::Cluster => vec![
            Related {
                label: "VMs".into(),
                count: vms("cluster"),
                href: format!("{base}/vms?cluster={id}"),
            },
            Related {
                label: "Hosts".into(),
                count: r
                    .ids_by::<Host>("cluster", &key)
                    .map(|v| v.len())
                    .unwrap_or(0),
                href: format!("{base}/hosts?cluster={id}"),
            },
        ],
        Kind::Host => vec![Related {
            label: "Running VMs".into(),
            count: vms("host"),
            href: format!("{base}/vms?host={id}"),
        }],
        Kind::NicProfile | Kind::Disk => {
            let index = if kind == Kind::Disk {
                "disk"
            } else {
                "profile"
            };
            r.ids_by::<Vm>(index, &key)
                .unwrap_or_default()
                .iter()
                .map(|vk| Related {
                    label: format!("VM {}", names.name(Kind::Vm, inventory::engine_id(vk))),
                    count: 1,
                    href: format!("{base}/vms/{}", inventory::engine_id(vk)),
                })
                .collect()
        }
        Kind::StorageDomain => vec![Related {
            label: "Disks".into(),
            count: r
                .ids_by::<Disk>("storage_domain", &key)
                .map(|v| v.len())
                .unwrap_or(0),
            href: format!("{base}/disks"),
        }],
        Kind::DiskProfile => vec![Related {
            label: "Disks".into(),
            count: r
                .ids_by::<Disk>("profile", &key)
                .map(|v| v.len())
                .unwrap_or(0),
            href: format!("{base}/disks"),
        }],
        Kind::DataCenter => vec![Related {
            label: "Clusters".into(),
            count: r
                .ids_by::<Cluster>("data_center", &key)
                .map(|v| v.len())
                .unwrap_or(0),
            href: base.clone(),
        }],
        _ => Vec::new(),
    };
    let name = v["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or(&id)
        .to_string();
    render(&DetailPage {
        layout: Layout::new(&app, &me, name.clone(), "/inventory"),
        kind_path: kind.path(),
        kind_label: kind.label(),
        provider,
        name,
        fields,
        tables,
        related,
    })
}
