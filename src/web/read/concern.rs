//! One concern as its page shows it: what it means and what to change in oVirt (its
//! assessment), and per provider the VMs it stands in the way of, counted per cluster.

use std::collections::BTreeMap;

use crate::inventory;
use crate::inventory::decode::Kind;
use crate::inventory::model::Vm;
use crate::store::{ReadTxn, StoreError};
use crate::validation::VmConcerns;

use super::names::{Link, Names};

/// One concern across the providers.
#[derive(Debug, Clone)]
pub struct ConcernView {
    /// Its id (`ovirt.disk.shared.detected`).
    pub id: String,
    /// Its title.
    pub label: String,
    /// `Critical`, `Warning` or `Information`.
    pub category: String,
    /// What it means for the migration and what to do, as the rules say it.
    pub assessment: String,
    /// The providers with VMs that have it.
    pub providers: Vec<ProviderShare>,
}

/// The VMs of one provider with the concern.
#[derive(Debug, Clone)]
pub struct ProviderShare {
    /// The provider.
    pub provider: String,
    /// How many of its VMs have it.
    pub vms: usize,
    /// How many per cluster, clusters by name; `None` for VMs in no known cluster.
    pub clusters: Vec<(Option<Link>, usize)>,
}

/// The concern `id` over `providers`; `None` when no VM has it.
pub fn concern(
    r: &ReadTxn,
    providers: &[String],
    id: &str,
) -> Result<Option<ConcernView>, StoreError> {
    let mut found: Option<crate::validation::Concern> = None;
    let mut shares = Vec::new();
    for provider in providers {
        let keys = r.ids_by::<VmConcerns>("concern", &inventory::key(provider, id))?;
        if keys.is_empty() {
            continue;
        }
        if found.is_none()
            && let Some(res) = r.get::<VmConcerns>(&keys[0])?
        {
            found = res.value.concerns.into_iter().find(|c| c.id == id);
        }
        let mut per_cluster: BTreeMap<String, usize> = BTreeMap::new();
        for key in &keys {
            // A result whose VM is gone is not counted: the page counts VMs.
            if let Some(vm) = r.get::<Vm>(key)? {
                *per_cluster.entry(vm.value.cluster).or_default() += 1;
            }
        }
        let mut names = Names::new(r, provider);
        let mut clusters = Vec::with_capacity(per_cluster.len());
        for (cluster, n) in per_cluster {
            clusters.push((names.link(Kind::Cluster, &cluster)?, n));
        }
        clusters.sort_by_key(|(l, _)| l.as_ref().map(|l| l.name.to_lowercase()));
        shares.push(ProviderShare {
            provider: provider.clone(),
            vms: clusters.iter().map(|(_, n)| n).sum(),
            clusters,
        });
    }
    Ok(found.map(|c| ConcernView {
        id: c.id,
        label: c.label,
        category: c.category,
        assessment: c.assessment,
        providers: shares,
    }))
}
