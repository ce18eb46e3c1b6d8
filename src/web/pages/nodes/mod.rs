//! The Nodes pages: this node and its peers with their key properties and reachability;
//! per node a summary (memory, CPU and disk sizes as small charts) and a page per section
//! with search, sorting and paging (a node has thousands of packages).

mod section;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};

use super::when::{When, when_text};
use super::{Layout, PageResult, render};
use crate::auth::{Identity, Role};
use crate::node::Section;
use crate::web::AppState;
use crate::web::read::node::{self as fetch, NodeStatus};
use crate::web::read::node_facts;
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

use super::cells::{Cell, UNKNOWN};
use crate::units::bytes;

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

fn node_row(n: NodeStatus) -> NodeRow {
    let info = n.info.as_ref();
    let get = |k: &str| info.map(|i| i.property_text(k)).unwrap_or_default();
    NodeRow {
        kind: if n.local { "this node" } else { "peer" },
        reachable: n.reachable,
        error: n.error.unwrap_or_default(),
        os: format!("{} {}", get("os_vendor"), get("os_release"))
            .trim()
            .to_string(),
        kernel: get("os_kernel"),
        cpus: get("cpu_threads"),
        memory: info
            .and_then(|i| i.property_u64("mem_bytes"))
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

async fn list(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let nodes = fetch::node_list(&app, &me).await;
    Ok(render(&ListPage {
        layout: Layout::new(&app, &me, "Nodes", "/nodes"),
        nodes: nodes.into_iter().map(node_row).collect(),
        config_file: app
            .config
            .status()
            .file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "the config file".into()),
    }))
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
    /// Bars of `(label, value, value as text)`; an unknown value is a dash and no bar.
    fn new(title: &'static str, values: Vec<(String, Option<u64>, String)>) -> Chart {
        let max = values.iter().filter_map(|v| v.1).max().unwrap_or(0).max(1);
        Chart {
            title,
            bars: values
                .into_iter()
                .map(|(label, v, value)| Bar {
                    label,
                    value: if v.is_some() { value } else { UNKNOWN.into() },
                    pct: v.map_or(0, |v| (v * 100 / max).max(1)),
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
    collected_at: When,
    facts: Vec<(String, Result<String, String>)>,
    /// Memory in use, load, uptime, pending updates: what Cockpit's overview shows.
    now: Vec<(String, String)>,
    /// Each file system: mount point, device and type, size, and how full.
    filesystems: Vec<Vec<Cell>>,
    charts: Vec<Chart>,
    problems: Vec<String>,
}

/// A span of seconds as people say it: `3 d 4 h`, `5 h 12 min`, `7 min`.
fn uptime(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

async fn summary(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(nodename): Path<String>,
) -> PageResult {
    let summary = node_facts::summary(&app, &me, &nodename).await?;
    let mut problems = summary.problems;
    let mut now = Vec::new();
    let mut filesystems = Vec::new();
    let mut memory = vec![(
        "total".to_string(),
        summary.memory,
        summary.memory.map(bytes).unwrap_or_default(),
    )];
    match &summary.live {
        Ok(live) => {
            if let (Some(total), Some(free)) = (live.mem_total, live.mem_available) {
                let used = total.saturating_sub(free);
                now.push((
                    "Memory".into(),
                    format!(
                        "{} used of {} ({} %) · {} available",
                        bytes(used),
                        bytes(total),
                        used * 100 / total.max(1),
                        bytes(free)
                    ),
                ));
                memory = vec![
                    ("used".into(), Some(used), bytes(used)),
                    ("available".into(), Some(free), bytes(free)),
                ];
            }
            now.push((
                "Load (1, 5, 15 min)".into(),
                live.load.map_or_else(
                    || UNKNOWN.to_string(),
                    |[a, b, c]| format!("{a:.2} · {b:.2} · {c:.2}"),
                ),
            ));
            now.push((
                "Up".into(),
                live.uptime_secs.map_or_else(|| UNKNOWN.to_string(), uptime),
            ));
            for fs in &live.filesystems {
                filesystems.push(vec![
                    Cell::text(fs.mount.clone()),
                    Cell::text(format!("{} ({})", fs.device, fs.fstype)),
                    Cell::bytes(fs.size),
                    Cell::usage(Some(fs.size.saturating_sub(fs.free)), Some(fs.free)),
                ]);
            }
            problems.extend(live.errors.iter().map(|e| format!("live facts: {e}")));
        }
        Err(detail) => problems.push(format!("live facts: {detail}")),
    }
    match &summary.patches {
        Ok((pending, security)) => now.push((
            "Pending updates".into(),
            format!("{pending}, {security} of them security fixes"),
        )),
        Err(detail) => problems.push(format!("patches: {detail}")),
    }
    let mut charts = vec![
        Chart::new("Memory", memory),
        Chart::new(
            "CPU",
            summary
                .cpu
                .into_iter()
                .map(|(l, n)| {
                    (
                        l.to_string(),
                        n,
                        n.map(|n| n.to_string()).unwrap_or_default(),
                    )
                })
                .collect(),
        ),
    ];
    match summary.disks {
        Ok(disks) => charts.push(Chart::new(
            "Disks",
            disks
                .into_iter()
                .map(|(id, size)| (id, Some(size), bytes(size)))
                .collect(),
        )),
        Err(detail) => problems.push(format!("disks: {detail}")),
    }
    Ok(render(&SummaryPage {
        layout: Layout::new(&app, &me, format!("Node {}", summary.node), "/nodes"),
        tabs: tabs(&nodename, None),
        collected_at: when_text(&summary.collected_at),
        now,
        filesystems,
        node: summary.node,
        facts: summary
            .facts
            .into_iter()
            .map(|(l, v)| (l.to_string(), v))
            .collect(),
        charts,
        problems,
    }))
}
