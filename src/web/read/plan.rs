//! The hand-off to Forklift: from a selection of VMs, the `forklift.konveyor.io/v1beta1`
//! resources that migrate them: a `Provider` for the engine, a `NetworkMap` (per network,
//! as Forklift's oVirt adapter looks NICs up) and a `StorageMap` (per storage domain) from
//! the `[migration]` mappings, and a `Plan` naming the VMs.
//!
//! Blocked VMs, VMs the rules failed on and VMs not validated yet are refused with their
//! concerns; VMs with warnings go only when the caller says so. A vNIC profile or a storage
//! domain the selected VMs use without a mapping is an error naming it: never guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::migration::{Migration, NetworkTarget};
use crate::inventory::model::{Disk, Network, NicProfile, StorageDomain, Vm};
use crate::inventory::query::{self, ListQuery};
use crate::inventory::{self, InventoryRecord};
use crate::store::{ReadTxn, StoreError};
use crate::validation::{Readiness, VmConcerns};

/// What to hand off.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanRequest {
    /// The plan's name (a DNS label); the maps and the provider take it as a prefix.
    pub name: String,
    /// VMs of this cluster (name or id).
    pub cluster: Option<String>,
    /// VMs with this readiness: `ready` or `warnings`.
    pub readiness: Option<String>,
    /// These VMs (names or ids), instead of or within the filters.
    pub vms: Vec<String>,
    /// Take VMs with warnings too (they are refused otherwise).
    pub allow_warnings: bool,
    /// A warm migration.
    pub warm: bool,
    /// The plan's description.
    pub description: Option<String>,
}

/// Why a plan cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The request is wrong, or the selection cannot go; the message says what to change.
    #[error("{0}")]
    Refused(String),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::filters::FilterError> for PlanError {
    fn from(e: super::filters::FilterError) -> Self {
        match e {
            super::filters::FilterError::Unknown(why) => PlanError::Refused(why),
            super::filters::FilterError::Store(e) => PlanError::Store(e),
        }
    }
}

/// A Kubernetes object reference.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectRef {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
}

/// `metadata`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metadata {
    /// The name.
    pub name: String,
    /// The namespace.
    pub namespace: String,
}

/// One Forklift resource: `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<S> {
    /// `forklift.konveyor.io/v1beta1`.
    pub api_version: String,
    /// `Provider`, `NetworkMap`, `StorageMap` or `Plan`.
    pub kind: String,
    /// Its name and namespace.
    pub metadata: Metadata,
    /// Its spec.
    pub spec: S,
}

/// A `Provider`'s spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderSpec {
    /// `ovirt`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The engine's API URL.
    pub url: String,
    /// The secret holding the engine's user, password and CA.
    pub secret: ObjectRef,
}

/// The source and destination providers of a map or a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderPair {
    /// The oVirt provider.
    pub source: ObjectRef,
    /// The target cluster's provider.
    pub destination: ObjectRef,
}

/// A source object, by its engine id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceRef {
    /// The engine id.
    pub id: String,
}

/// Where a network's NICs go.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkDestination {
    /// `pod`, `multus` or `ignored`.
    #[serde(rename = "type")]
    pub kind: NetworkTarget,
    /// The NetworkAttachmentDefinition, for `multus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its namespace, for `multus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One pair of a `NetworkMap`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkPair {
    /// The network (of the VMs' vNIC profiles).
    pub source: SourceRef,
    /// Its target.
    pub destination: NetworkDestination,
}

/// A `NetworkMap`'s spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkMapSpec {
    /// The providers.
    pub provider: ProviderPair,
    /// The pairs.
    pub map: Vec<NetworkPair>,
}

/// Where a storage domain's disks go.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageDestination {
    /// The storage class.
    pub storage_class: String,
    /// The access mode, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<String>,
    /// The volume mode, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<String>,
}

/// One pair of a `StorageMap`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoragePair {
    /// The storage domain.
    pub source: SourceRef,
    /// Its target.
    pub destination: StorageDestination,
}

/// A `StorageMap`'s spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StorageMapSpec {
    /// The providers.
    pub provider: ProviderPair,
    /// The pairs.
    pub map: Vec<StoragePair>,
}

/// The maps a plan uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanMaps {
    /// The `NetworkMap`.
    pub network: ObjectRef,
    /// The `StorageMap`.
    pub storage: ObjectRef,
}

/// A VM of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanVm {
    /// The engine id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A `Plan`'s spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSpec {
    /// What the plan is for.
    pub description: String,
    /// The providers.
    pub provider: ProviderPair,
    /// The maps.
    pub map: PlanMaps,
    /// Where the VMs go.
    pub target_namespace: String,
    /// A warm migration.
    pub warm: bool,
    /// The VMs.
    pub vms: Vec<PlanVm>,
}

/// The four resources of a hand-off.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanBundle {
    /// The engine as a Forklift provider.
    pub provider: Resource<ProviderSpec>,
    /// The network map.
    pub network_map: Resource<NetworkMapSpec>,
    /// The storage map.
    pub storage_map: Resource<StorageMapSpec>,
    /// The plan.
    pub plan: Resource<PlanSpec>,
}

impl PlanBundle {
    /// The four as one YAML stream that `kubectl apply -f` takes.
    pub fn to_yaml(&self) -> Result<String, serde_norway::Error> {
        Ok([
            serde_norway::to_string(&self.provider)?,
            serde_norway::to_string(&self.network_map)?,
            serde_norway::to_string(&self.storage_map)?,
            serde_norway::to_string(&self.plan)?,
        ]
        .join("---\n"))
    }
}

const API_VERSION: &str = "forklift.konveyor.io/v1beta1";

fn resource<S>(kind: &str, name: &str, namespace: &str, spec: S) -> Resource<S> {
    Resource {
        api_version: API_VERSION.into(),
        kind: kind.into(),
        metadata: Metadata {
            name: name.into(),
            namespace: namespace.into(),
        },
        spec,
    }
}

/// Makes the hand-off of `provider`'s VMs that `req` selects.
pub fn plan(
    r: &ReadTxn,
    provider: &crate::config::Provider,
    m: &Migration,
    req: &PlanRequest,
) -> Result<PlanBundle, PlanError> {
    let p = provider.name.as_str();
    // The maps add `-network` and `-storage`: the name leaves room for them in 63.
    if let Some(why) = crate::machines::model::dns_label_problem(&req.name, 55) {
        return Err(PlanError::Refused(format!("the plan's name: {why}")));
    }
    let readiness = req.readiness.as_deref().filter(|r| !r.is_empty());
    if let Some(r) = readiness
        && !["ready", "warnings"].contains(&r)
    {
        return Err(PlanError::Refused(format!(
            "a plan takes `ready` or `warnings` VMs, not `{r}`"
        )));
    }
    // The selection, through the lists' own filters.
    let q = super::filters::resolve(
        r,
        p,
        inventory::decode::Kind::Vm,
        &ListQuery {
            cluster: req.cluster.clone(),
            ..ListQuery::default()
        },
    )?;
    let outside = crate::validation::vm_keys_matching(
        r,
        p,
        [
            ("concern", None),
            ("category", None),
            ("readiness", readiness),
        ],
    )?;
    let mut vms: Vec<Vm> = query::list_all::<Vm>(r, p, &q, outside)?
        .into_iter()
        .map(|i| i.value)
        .collect();
    if !req.vms.is_empty() {
        let wanted: BTreeSet<&str> = req.vms.iter().map(String::as_str).collect();
        vms.retain(|v| wanted.contains(v.id.as_str()) || wanted.contains(v.name.as_str()));
        let found: BTreeSet<&str> = vms
            .iter()
            .flat_map(|v| [v.id.as_str(), v.name.as_str()])
            .collect();
        let missing: Vec<&str> = wanted.difference(&found).copied().collect();
        if !missing.is_empty() {
            return Err(PlanError::Refused(format!(
                "not in the selection: {}",
                missing.join(", ")
            )));
        }
    }
    if vms.is_empty() {
        return Err(PlanError::Refused("no VM matches the selection".into()));
    }
    // Each VM must be able to go.
    let mut refused = Vec::new();
    for vm in &vms {
        let result = r.get::<VmConcerns>(&inventory::key(p, &vm.id))?;
        let why = match result.map(|s| s.value) {
            None => Some("not validated yet".to_string()),
            Some(res) => match res.readiness() {
                Readiness::Ready => None,
                Readiness::Warnings if req.allow_warnings => None,
                Readiness::Warnings => Some(format!(
                    "has warnings ({}): allow warnings to take it",
                    labels(&res, "Warning")
                )),
                Readiness::Blocked => Some(format!("blocked by {}", labels(&res, "Critical"))),
                Readiness::Error => {
                    Some(format!("the rules failed on it: {}", res.errors.join("; ")))
                }
            },
        };
        if let Some(why) = why {
            refused.push(format!("{} {why}", vm.display_name()));
        }
    }
    if !refused.is_empty() {
        return Err(PlanError::Refused(format!(
            "{} of {} VMs cannot go: {}",
            refused.len(),
            vms.len(),
            refused.join("; ")
        )));
    }
    let networks = network_pairs(r, p, m, &vms)?;
    let storage = storage_pairs(r, p, m, &vms)?;
    let ns = m.namespace.as_str();
    let source = ObjectRef {
        name: format!("{}-{p}", req.name),
        namespace: ns.into(),
    };
    let pair = ProviderPair {
        source: source.clone(),
        destination: ObjectRef {
            name: m.destination_provider.clone(),
            namespace: ns.into(),
        },
    };
    let secret = m
        .secret
        .clone()
        .unwrap_or_else(|| format!("{p}-credentials"));
    let network_name = format!("{}-network", req.name);
    let storage_name = format!("{}-storage", req.name);
    Ok(PlanBundle {
        provider: resource(
            "Provider",
            &source.name,
            ns,
            ProviderSpec {
                kind: "ovirt".into(),
                url: provider.url.0.to_string(),
                secret: ObjectRef {
                    name: secret,
                    namespace: ns.into(),
                },
            },
        ),
        network_map: resource(
            "NetworkMap",
            &network_name,
            ns,
            NetworkMapSpec {
                provider: pair.clone(),
                map: networks,
            },
        ),
        storage_map: resource(
            "StorageMap",
            &storage_name,
            ns,
            StorageMapSpec {
                provider: pair.clone(),
                map: storage,
            },
        ),
        plan: resource(
            "Plan",
            &req.name,
            ns,
            PlanSpec {
                description: req
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("{} VMs of {p}, handed off by vmyard", vms.len())),
                provider: pair,
                map: PlanMaps {
                    network: ObjectRef {
                        name: network_name.clone(),
                        namespace: ns.into(),
                    },
                    storage: ObjectRef {
                        name: storage_name.clone(),
                        namespace: ns.into(),
                    },
                },
                target_namespace: m.target_namespace.clone(),
                warm: req.warm,
                vms: vms
                    .iter()
                    .map(|v| PlanVm {
                        id: v.id.clone(),
                        name: v.name.clone(),
                    })
                    .collect(),
            },
        ),
    })
}

fn labels(res: &VmConcerns, category: &str) -> String {
    res.concerns
        .iter()
        .filter(|c| c.category == category)
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pairs for the networks of every vNIC profile the VMs use. Forklift's oVirt adapter
/// looks a NIC up in the map by its profile's *network* id (`NetworksMapped`,
/// `ref.Ref{ID: nic.Profile.Network}`), so the pairs are per network; a mapping may name the
/// profile (id, name, `network/profile`) or the network (id, name). An unmapped profile is
/// an error naming it; two profiles of one network mapped apart are an error too, since one
/// network has one destination in Forklift.
fn network_pairs(
    r: &ReadTxn,
    p: &str,
    m: &Migration,
    vms: &[Vm],
) -> Result<Vec<NetworkPair>, PlanError> {
    let used: BTreeSet<&str> = vms
        .iter()
        .flat_map(|v| &v.nics)
        .map(|n| n.profile.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    // Network id → (the profile that mapped it, its destination).
    let mut by_network: BTreeMap<String, (String, &crate::config::migration::NetworkMapping)> =
        BTreeMap::new();
    let mut missing = Vec::new();
    for id in used {
        let Some(profile) = r
            .get::<NicProfile>(&inventory::key(p, id))?
            .map(|s| s.value)
        else {
            return Err(PlanError::Refused(format!(
                "vNIC profile {id} is not in the inventory yet: try again once it is collected"
            )));
        };
        let network = r
            .get::<Network>(&inventory::key(p, &profile.network))?
            .map(|s| s.value);
        // As people name it: `network/profile`.
        let shown = network.as_ref().map_or_else(
            || profile.name.clone(),
            |n| format!("{}/{}", n.name, profile.name),
        );
        let mut names = vec![
            id.to_string(),
            profile.name.clone(),
            profile.network.clone(),
            shown.clone(),
        ];
        if let Some(n) = &network {
            names.push(n.name.clone());
        }
        match m.networks.iter().find(|n| names.contains(&n.source)) {
            Some(mapping) => match by_network.get(&profile.network) {
                // Two entries that send the network to the same place agree.
                Some((other, earlier))
                    if (earlier.kind, &earlier.name, &earlier.namespace)
                        != (mapping.kind, &mapping.name, &mapping.namespace) =>
                {
                    return Err(PlanError::Refused(format!(
                        "the vNIC profiles {other} and {shown} are on one network but mapped apart: Forklift maps a network to one destination"
                    )));
                }
                Some(_) => {}
                None => {
                    by_network.insert(profile.network.clone(), (shown, mapping));
                }
            },
            None => missing.push(shown),
        }
    }
    if !missing.is_empty() {
        return Err(PlanError::Refused(format!(
            "no [[migration.networks]] mapping for the vNIC profiles {}",
            missing.join(", ")
        )));
    }
    Ok(by_network
        .into_iter()
        .map(|(network, (_, n))| NetworkPair {
            source: SourceRef { id: network },
            destination: NetworkDestination {
                kind: n.kind,
                name: n.name.clone(),
                namespace: n.namespace.clone(),
            },
        })
        .collect())
}

/// The pairs for every storage domain the VMs' disks are on; an unmapped one is an error.
fn storage_pairs(
    r: &ReadTxn,
    p: &str,
    m: &Migration,
    vms: &[Vm],
) -> Result<Vec<StoragePair>, PlanError> {
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    for a in vms.iter().flat_map(|v| &v.disk_attachments) {
        let Some(disk) = r.get::<Disk>(&inventory::key(p, &a.disk))? else {
            return Err(PlanError::Refused(format!(
                "disk {} is not in the inventory yet: try again once it is collected",
                a.disk
            )));
        };
        for sd in &disk.value.storage_domains {
            // Many disks share a domain: its name is read once.
            if used.contains_key(sd) {
                continue;
            }
            let name = r
                .get::<StorageDomain>(&inventory::key(p, sd))?
                .map_or_else(|| sd.clone(), |s| s.value.name);
            used.insert(sd.clone(), name);
        }
    }
    let mut pairs = Vec::new();
    let mut missing = Vec::new();
    for (id, name) in used {
        match m
            .storage
            .iter()
            .find(|s| s.source == id || s.source == name)
        {
            Some(s) => pairs.push(StoragePair {
                source: SourceRef { id },
                destination: StorageDestination {
                    storage_class: s.storage_class.clone(),
                    access_mode: s.access_mode.clone(),
                    volume_mode: s.volume_mode.clone(),
                },
            }),
            None => missing.push(name),
        }
    }
    if !missing.is_empty() {
        return Err(PlanError::Refused(format!(
            "no [[migration.storage]] mapping for the storage domains {}",
            missing.join(", ")
        )));
    }
    Ok(pairs)
}
