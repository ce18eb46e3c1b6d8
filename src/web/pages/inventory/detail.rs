//! One object's page: its fields, its sub-lists, and links to what it contains or uses.

use std::collections::HashMap;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use serde_json::Value;

use super::super::cells::{Cell, UNKNOWN, bytes, scalar};
use super::super::{Layout, PageError, PageResult, render};
use super::{Names, known};
use crate::auth::Identity;
use crate::inventory::decode::Kind;
use crate::inventory::{self, model::*};
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::api::inventory::get_json;

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

/// A VM's validation result, as the detail page shows it.
struct Validation {
    readiness: &'static str,
    badge: &'static str,
    validated_at: String,
    policy_version: String,
    current: bool,
    concerns: Vec<(&'static str, crate::validation::Concern)>,
    errors: Vec<String>,
}

fn validation_of(
    app: &AppState,
    r: &crate::store::ReadTxn,
    key: &str,
    revision: u64,
) -> Result<Option<Validation>, StoreError> {
    use crate::validation::VmConcerns;
    // Not validated yet is `None`; a result that cannot be read is an error.
    let Some(res) = r.get::<VmConcerns>(key)? else {
        return Ok(None);
    };
    let res = res.value;
    let (readiness, badge) = (res.readiness().as_str(), res.readiness().badge());
    let version = app.validation.policy().map(|p| p.version.clone());
    Ok(Some(Validation {
        readiness,
        badge,
        validated_at: super::super::fmt_time(res.validated_at),
        current: res.revision_validated == revision
            && version.as_deref() == Some(res.policy_version.as_str()),
        policy_version: res.policy_version,
        concerns: res
            .concerns
            .into_iter()
            .map(|c| {
                let badge = match crate::validation::policy::severity(&c.category) {
                    0 => "critical",
                    1 => "warning",
                    _ => "info",
                };
                (badge, c)
            })
            .collect(),
        errors: res.errors,
    }))
}

#[derive(Template)]
#[template(path = "inventory/detail.html")]
struct DetailPage {
    validation: Option<Validation>,
    workload_href: String,
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

fn value_cell(
    owner: Kind,
    field: &str,
    v: &Value,
    names: &mut Names<'_>,
) -> Result<Cell, StoreError> {
    if let (Some(k), Some(id)) = (ref_kind(owner, field), v.as_str()) {
        return names.link(k, id);
    }
    if let (Some(k), Some(ids)) = (ref_kind(owner, field), v.as_array()) {
        let mut text = Vec::with_capacity(ids.len());
        for id in ids.iter().filter_map(Value::as_str) {
            text.push(names.name(k, id)?);
        }
        return Ok(Cell::text(text.join(", ")));
    }
    if matches!(
        field,
        "memory" | "available" | "used" | "committed" | "provisioned_size" | "actual_size" | "size"
    ) {
        return Ok(Cell::num(
            v.as_u64().map_or_else(|| UNKNOWN.to_string(), bytes),
        ));
    }
    if field == "status" {
        return Ok(Cell::status(v.as_str().unwrap_or_default()));
    }
    // Known to be none is an empty list (not shown); null is what the engine did not serve.
    if field == "numa_node_affinity" && v.is_null() {
        return Ok(Cell::text("unknown"));
    }
    Ok(Cell::text(scalar(v)))
}

fn label(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

pub(super) async fn detail(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((provider, kind, id)): Path<(String, String, String)>,
) -> PageResult {
    let (Some(kind), true) = (Kind::from_path(&kind), known(&app, &provider)) else {
        return Err(PageError::not_found("There is no such object."));
    };
    let r = app.store.read()?;
    let Some(v) = get_json(&r, &provider, kind, &id)? else {
        return Err(PageError::not_found(format!(
            "There is no {} {id} in {provider}; it may have been removed from the engine.",
            kind.path()
        )));
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
                    let mut rows = Vec::with_capacity(items.len());
                    for item in items {
                        let mut row = Vec::with_capacity(columns.len());
                        for c in &columns {
                            row.push(value_cell(kind, c, &item[c.as_str()], &mut names)?);
                        }
                        rows.push(row);
                    }
                    tables.push(SubTable {
                        title: label(k),
                        columns: columns.iter().map(|c| label(c)).collect(),
                        rows,
                    });
                }
                Value::Array(items) if items.is_empty() => {}
                other => fields.push(Field {
                    label: label(k),
                    cell: value_cell(kind, k, other, &mut names)?,
                }),
            }
        }
    }
    let key = inventory::key(&provider, &id);
    let vms = |index: &str| r.ids_by::<Vm>(index, &key).map(|v| v.len());
    let base = format!("/inventory/{provider}");
    let related = match kind {
        Kind::Cluster => vec![
            Related {
                label: "VMs".into(),
                count: vms("cluster")?,
                href: format!("{base}/vms?cluster={id}"),
            },
            Related {
                label: "Hosts".into(),
                count: r.ids_by::<Host>("cluster", &key)?.len(),
                href: format!("{base}/hosts?cluster={id}"),
            },
        ],
        Kind::Host => vec![Related {
            label: "Running VMs".into(),
            count: vms("host")?,
            href: format!("{base}/vms?host={id}"),
        }],
        Kind::NicProfile | Kind::Disk => {
            let index = if kind == Kind::Disk {
                "disk"
            } else {
                "profile"
            };
            let mut vms = Vec::new();
            for vk in r.ids_by::<Vm>(index, &key)? {
                let vm = inventory::engine_id(&vk);
                vms.push(Related {
                    label: format!("VM {}", names.name(Kind::Vm, vm)?),
                    count: 1,
                    href: format!("{base}/vms/{vm}"),
                });
            }
            vms
        }
        Kind::StorageDomain => vec![Related {
            label: "Disks".into(),
            count: r.ids_by::<Disk>("storage_domain", &key)?.len(),
            href: format!("{base}/disks"),
        }],
        Kind::DiskProfile => vec![Related {
            label: "Disks".into(),
            count: r.ids_by::<Disk>("profile", &key)?.len(),
            href: format!("{base}/disks"),
        }],
        Kind::DataCenter => vec![Related {
            label: "Clusters".into(),
            count: r.ids_by::<Cluster>("data_center", &key)?.len(),
            href: base.clone(),
        }],
        _ => Vec::new(),
    };
    let name = v["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or(&id)
        .to_string();
    let validation = if kind == Kind::Vm {
        validation_of(&app, &r, &key, v["revision"].as_u64().unwrap_or(0))?
    } else {
        None
    };
    Ok(render(&DetailPage {
        validation,
        workload_href: format!("/api/v1/providers/{provider}/vms/{id}/workload"),
        layout: Layout::new(&app, &me, name.clone(), "/inventory"),
        kind_path: kind.path(),
        kind_label: kind.label(),
        provider,
        name,
        fields,
        tables,
        related,
    }))
}
