//! The inventory pages: each provider's tree (data center → clusters → hosts and VMs),
//! a list per kind with search, filters, sorting and paging, and a detail page per object
//! with its related objects linked.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};

mod detail;
mod list;
mod rows;

use super::cells::Cell;
use super::{Layout, PageError, PageResult, render};
use crate::auth::{Identity, Role};
use crate::inventory::decode::{COLLECTIONS, Kind};
use crate::inventory::model::*;
use crate::inventory::{self, InventoryRecord};
use crate::store::{ReadTxn, StoreError};
use crate::web::AppState;
use crate::web::read::providers::providers_view;
use crate::web::routes::{Access, Routes};

/// Registers the inventory pages.
pub(super) fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    r.get("/inventory", viewer, overview)
        .get("/inventory/{provider}", viewer, tree)
        .get("/inventory/{provider}/{kind}", viewer, list::list)
        .get("/inventory/{provider}/{kind}/{id}", viewer, detail::detail)
        .get("/partials/tree/{provider}/{host}", viewer, host_vms)
}

pub(super) struct KindLink {
    pub(super) label: &'static str,
    pub(super) href: String,
    pub(super) count: u64,
    pub(super) active: bool,
}

pub(super) fn kind_links(
    app: &AppState,
    provider: &str,
    active: Option<Kind>,
) -> Result<Vec<KindLink>, PageError> {
    // A provider not collected yet has no counts: each shows 0 until its listing ends.
    let counts = providers_view(app)?
        .into_iter()
        .find(|p| p.name == provider)
        .and_then(|p| p.state)
        .map(|s| s.counts)
        .unwrap_or_default();
    Ok(COLLECTIONS
        .iter()
        .rev()
        .map(|c| KindLink {
            label: c.kind.label(),
            href: format!("/inventory/{provider}/{}", c.path),
            count: counts.get(c.path).copied().unwrap_or(0),
            active: Some(c.kind) == active,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "inventory/overview.html")]
struct OverviewPage {
    layout: Layout,
    providers: Vec<crate::web::read::providers::ProviderView>,
    config_file: String,
}

async fn overview(State(app): State<AppState>, Extension(me): Extension<Identity>) -> PageResult {
    let providers = providers_view(&app)?;
    Ok(render(&OverviewPage {
        layout: Layout::new(&app, &me, "Inventory", "/inventory"),
        providers,
        config_file: app
            .config
            .status()
            .file
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "the config file".into()),
    }))
}

struct TreeCluster {
    name: String,
    href: String,
    hosts: Vec<TreeHost>,
    hosts_href: String,
    vms: usize,
    vms_href: String,
    /// VMs of the cluster on no host of it (not running).
    idle: usize,
}

struct TreeHost {
    id: String,
    name: String,
    href: String,
    status: Cell,
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

pub(super) fn known(app: &AppState, provider: &str) -> bool {
    app.config
        .current()
        .providers
        .iter()
        .any(|p| p.name == provider)
}

/// The VMs a host runs, by name, for the tree's host that is opened (htmx, on toggle).
#[derive(Template)]
#[template(path = "inventory/tree_vms.html")]
struct HostVms {
    vms: Vec<(String, String)>,
    more: usize,
    more_href: String,
}

/// How many VMs a host's branch lists; the rest are a link to the filtered list.
const TREE_VMS: usize = 100;

async fn host_vms(
    State(app): State<AppState>,
    Path((provider, host)): Path<(String, String)>,
) -> PageResult {
    if !known(&app, &provider) {
        return Err(PageError::not_found(format!(
            "There is no provider {provider}."
        )));
    }
    let r = app.store.read()?;
    let mut vms = Vec::new();
    let keys = r.ids_by::<Vm>("host", &inventory::key(&provider, &host))?;
    for key in keys.iter().take(TREE_VMS) {
        if let Some(vm) = r.get::<Vm>(key)? {
            vms.push((
                vm.value.display_name().to_string(),
                format!("/inventory/{provider}/vms/{}", vm.value.id),
            ));
        }
    }
    vms.sort_by_key(|(name, _)| name.to_lowercase());
    Ok(render(&HostVms {
        vms,
        more: keys.len().saturating_sub(TREE_VMS),
        more_href: format!("/inventory/{provider}/vms?host={host}"),
    }))
}

async fn tree(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(provider): Path<String>,
) -> PageResult {
    if !known(&app, &provider) {
        return Err(PageError::not_found(format!(
            "There is no provider {provider}."
        )));
    }
    let r = app.store.read()?;
    let scope = format!("{provider}/");
    let mut tree = Vec::new();
    for (key, dc) in r.list_prefix::<DataCenter>(&scope)? {
        let mut clusters = Vec::new();
        for ck in r.ids_by::<Cluster>("data_center", &key)? {
            // An index entry whose cluster is gone was deleted meanwhile: not shown.
            let Some(c) = r.get::<Cluster>(&ck)? else {
                continue;
            };
            let c = c.value;
            let mut hosts = Vec::new();
            for hk in r.ids_by::<Host>("cluster", &ck)? {
                let Some(h) = r.get::<Host>(&hk)? else {
                    continue;
                };
                let h = h.value;
                hosts.push(TreeHost {
                    href: format!("/inventory/{provider}/hosts/{}", h.id),
                    status: Cell::status(&h.status),
                    vms: r.ids_by::<Vm>("host", &hk)?.len(),
                    vms_href: format!("/inventory/{provider}/vms?host={}", h.id),
                    name: h.display_name().to_string(),
                    id: h.id,
                });
            }
            hosts.sort_by_key(|h| h.name.to_lowercase());
            let vms = r.ids_by::<Vm>("cluster", &ck)?.len();
            // VMs on a host of another cluster (migrating) are not counted twice as idle.
            let running: usize = hosts.iter().map(|h| h.vms).sum();
            clusters.push(TreeCluster {
                href: format!("/inventory/{provider}/clusters/{}", c.id),
                hosts,
                hosts_href: format!("/inventory/{provider}/hosts?cluster={}", c.id),
                vms,
                vms_href: format!("/inventory/{provider}/vms?cluster={}", c.id),
                idle: vms.saturating_sub(running),
                name: c.display_name().to_string(),
            });
        }
        clusters.sort_by_key(|c| c.name.to_lowercase());
        tree.push(TreeDc {
            href: format!("/inventory/{provider}/datacenters/{}", dc.value.id),
            name: dc.value.name,
            clusters,
        });
    }
    Ok(render(&TreePage {
        layout: Layout::new(&app, &me, format!("Inventory · {provider}"), "/inventory"),
        kinds: kind_links(&app, &provider, None)?,
        on_tree: true,
        provider,
        dcs: tree,
    }))
}

/// Links to referenced objects by name, looked up once per page.
pub(super) struct Names<'a> {
    pub(super) r: &'a ReadTxn,
    pub(super) provider: &'a str,
    names: crate::web::read::names::Names<'a>,
}

impl<'a> Names<'a> {
    pub(super) fn new(r: &'a ReadTxn, provider: &'a str) -> Self {
        Names {
            r,
            provider,
            names: crate::web::read::names::Names::new(r, provider),
        }
    }

    /// The name of a referenced object (its id when it is not stored).
    pub(super) fn name(&mut self, kind: Kind, id: &str) -> Result<String, StoreError> {
        self.names.name(kind, id)
    }

    /// A link to a referenced object, by name; an empty cell for no reference.
    pub(super) fn link(&mut self, kind: Kind, id: &str) -> Result<Cell, StoreError> {
        Ok(match self.names.link(kind, id)? {
            Some(l) => Cell::link(l.name.clone(), l.href(self.provider)),
            None => Cell::text(""),
        })
    }
}
