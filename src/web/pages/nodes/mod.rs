//! The Nodes pages: this node and its peers with their key properties and reachability;
//! per node a summary (memory, CPU and disk sizes as small charts) and a page per section
//! with search, sorting and paging (a node has thousands of packages).

mod section;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{Layout, error_page, render};
use crate::auth::{Identity, Role};
use crate::node::Section;
use crate::web::AppState;
use crate::web::read::node::{self as fetch, NodeStatus};
use crate::web::routes::{Access, Routes};

/// Registers the Nodes pages.
pub(super) fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    r.get("/nodes", viewer, list)
        .get("/nodes/{nodename}", viewer, summary)
        .get("/nodes/{nodename}/system/{section}", viewer, section::page)
        .get(
            "/nodes/{nodename}/system/san/{kind}",
            viewer,
            section::san_page,
        )
}

/// A link to a section of a node, for the tabs.
pub(super) struct Tab {
    href: String,
    label: &'static str,
    active: bool,
}

/// The section tabs of a node, `active` highlighted (none on the summary).
pub(super) fn tabs(node: &str, active: Option<Section>) -> Vec<Tab> {
    let mut out = vec![Tab {
        href: format!("/nodes/{node}"),
        label: "Summary",
        active: active.is_none(),
    }];
    out.extend(Section::ALL.iter().map(|s| Tab {
        href: format!("/nodes/{node}/system/{}", s.path()),
        label: s.label(),
        active: active == Some(*s),
    }));
    out
}

pub(super) use crate::units::bytes;

struct NodeRow {
    name: String,
    kind: &'static str,
    reachable: bool,
    error: String,
    os: String,
    kernel: String,
    cpus: String,
    memory: String,
    labels: String,
    url: String,
    insecure: bool,
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn node_row(n: NodeStatus) -> NodeRow {
    let p = n.info.map(|i| i.properties).unwrap_or_default();
    let get = |k: &str| p.get(k).map(text).unwrap_or_default();
    NodeRow {
        kind: if n.local { "this node" } else { "peer" },
        reachable: n.reachable,
        error: n.error.unwrap_or_default(),
        os: format!("{} {}", get("os_vendor"), get("os_release"))
            .trim()
            .to_string(),
        kernel: get("os_kernel"),
        cpus: get("cpu_threads"),
        memory: p
            .get("mem_bytes")
            .and_then(Value::as_u64)
            .map(bytes)
            .unwrap_or_default(),
        labels: n
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        url: n.url.unwrap_or_default(),
        insecure: n.insecure,
        name: n.name,
    }
}

#[derive(Template)]
#[template(path = "nodes/list.html")]
struct ListPage {
    layout: Layout,
    nodes: Vec<NodeRow>,
    config_file: String,
}

async fn list(State(app): State<AppState>, Extension(me): Extension<Identity>) -> Response {
    let nodes = fetch::node_list(&app, &me).await;
    render(&ListPage {
        layout: Layout::new(&app, &me, "Nodes", "/nodes"),
        nodes: nodes.into_iter().map(node_row).collect(),
        config_file: app
            .config
            .status()
            .file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "the config file".into()),
    })
}

/// One bar of a chart.
struct Bar {
    label: String,
    value: String,
    /// Its length, in percent of the longest bar.
    pct: u64,
}

/// A small horizontal bar chart, drawn as SVG (the pages' CSP allows no inline styles).
struct Chart {
    title: &'static str,
    bars: Vec<Bar>,
}

impl Chart {
    fn new(title: &'static str, values: Vec<(String, u64, String)>) -> Chart {
        let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
        Chart {
            title,
            bars: values
                .into_iter()
                .map(|(label, v, value)| Bar {
                    label,
                    value,
                    pct: (v * 100 / max).max(1),
                })
                .collect(),
        }
    }

    fn height(&self) -> usize {
        self.bars.len() * 22
    }
}

#[derive(Template)]
#[template(path = "nodes/summary.html")]
struct SummaryPage {
    layout: Layout,
    node: String,
    tabs: Vec<Tab>,
    collected_at: String,
    facts: Vec<(String, String)>,
    charts: Vec<Chart>,
    problems: Vec<String>,
}

async fn summary(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(nodename): Path<String>,
) -> Response {
    let props = match fetch::section(&app, &me, &nodename, Section::Property).await {
        Ok(p) => p,
        Err(p) => {
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_GATEWAY);
            return error_page(status, &p.title, &p.detail);
        }
    };
    let node = props
        .items
        .first()
        .map(|i| i.meta.node.clone())
        .unwrap_or(nodename.clone());
    let value = |n: &str| {
        props
            .items
            .iter()
            .find(|i| i.data["name"] == n)
            .map(|i| i.data["value"].clone())
            .unwrap_or(Value::Null)
    };
    let mut problems: Vec<String> = props
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.source, e.error))
        .collect();
    let facts = [
        ("FQDN", "fqdn"),
        ("Operating system", "os_vendor"),
        ("Release", "os_release"),
        ("Kernel", "os_kernel"),
        ("Architecture", "os_arch"),
        ("CPU model", "cpu_model"),
        ("Manufacturer", "manufacturer"),
        ("Model", "model"),
        ("Serial", "serial"),
        ("Last boot", "last_boot"),
        ("Time zone", "tz"),
        ("vmyard", "version"),
    ]
    .iter()
    .map(|(label, name)| (label.to_string(), text(&value(name))))
    .collect();
    let num = |n: &str| value(n).as_u64().unwrap_or(0);
    let mut charts = vec![
        Chart::new(
            "Memory",
            vec![("total".into(), num("mem_bytes"), bytes(num("mem_bytes")))],
        ),
        Chart::new(
            "CPU",
            ["cpu_threads", "cpu_cores", "cpu_dies"]
                .iter()
                .zip(["threads", "cores", "sockets"])
                .map(|(n, l)| (l.to_string(), num(n), num(n).to_string()))
                .collect(),
        ),
    ];
    match fetch::section(&app, &me, &nodename, Section::Disk).await {
        Ok(disks) => charts.push(Chart::new(
            "Disks",
            disks
                .items
                .iter()
                .filter(|d| d.data["size"].as_u64().unwrap_or(0) > 0)
                .map(|d| {
                    let size = d.data["size"].as_u64().unwrap_or(0);
                    (text(&d.data["id"]), size, bytes(size))
                })
                .collect(),
        )),
        Err(p) => problems.push(format!("disks: {}", p.detail)),
    }
    render(&SummaryPage {
        layout: Layout::new(&app, &me, format!("Node {node}"), "/nodes"),
        tabs: tabs(&nodename, None),
        collected_at: props.collected_at,
        node,
        facts,
        charts,
        problems,
    })
}
