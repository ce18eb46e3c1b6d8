//! Concerns aggregated per provider: VMs per concern, per category, per readiness.
//!
//! Counted from the result indexes (concern id, category, readiness), so a summary of 10,000
//! VMs reads index entries, not 10,000 results; one result per concern id is decoded for
//! its category and label.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::policy::severity;
use super::record::{Readiness, VmConcerns};
use crate::inventory::model::Vm;
use crate::store::{ReadTxn, StoreError};

/// One concern id and how many VMs have it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConcernCount {
    /// The concern id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its label (as raised for one of the VMs).
    pub label: String,
    /// How many VMs have it.
    pub vms: usize,
}

/// The concerns of one provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    /// VMs in the inventory.
    pub vms: usize,
    /// VMs with a result (of any revision or policy version).
    pub validated: usize,
    /// VMs per readiness: `ready`, `warnings`, `blocked`, `error` (the rules failed on it).
    pub readiness: BTreeMap<String, usize>,
    /// VMs with at least one concern of each category.
    pub categories: BTreeMap<String, usize>,
    /// Every concern raised, worst category first, then most VMs first.
    pub concerns: Vec<ConcernCount>,
}

/// Counts the entries of one index of the results of `provider`, per value.
fn count_index(
    r: &ReadTxn,
    provider: &str,
    index: &str,
) -> Result<BTreeMap<String, (usize, String)>, StoreError> {
    let mut out: BTreeMap<String, (usize, String)> = BTreeMap::new();
    r.index_walk::<VmConcerns>(index, &format!("{provider}/"), |value, id| {
        let e = out
            .entry(value.to_string())
            .or_insert_with(|| (0, id.to_string()));
        e.0 += 1;
        true
    })?;
    Ok(out)
}

/// The summary of one provider's results.
pub fn summarize(r: &ReadTxn, provider: &str) -> Result<Summary, StoreError> {
    let scope = format!("{provider}/");
    let mut s = Summary {
        vms: r.count_prefix::<Vm>(&scope)?,
        validated: r.count_prefix::<VmConcerns>(&scope)?,
        ..Summary::default()
    };
    for readiness in Readiness::ALL {
        s.readiness.insert(readiness.as_str().to_string(), 0);
    }
    for (value, (n, _)) in count_index(r, provider, "readiness")? {
        s.readiness.insert(value, n);
    }
    for category in ["Critical", "Warning", "Information"] {
        s.categories.insert(category.to_string(), 0);
    }
    for (value, (n, _)) in count_index(r, provider, "category")? {
        s.categories.insert(value, n);
    }
    for (id, (n, sample)) in count_index(r, provider, "concern")? {
        let found = r
            .get::<VmConcerns>(&sample)?
            .and_then(|res| res.value.concerns.into_iter().find(|c| c.id == id));
        let (category, label) = found
            .map(|c| (c.category, c.label))
            .unwrap_or_else(|| (String::new(), id.clone()));
        s.concerns.push(ConcernCount {
            id,
            category,
            label,
            vms: n,
        });
    }
    s.concerns.sort_by(|a, b| {
        (severity(&a.category), std::cmp::Reverse(a.vms), &a.id).cmp(&(
            severity(&b.category),
            std::cmp::Reverse(b.vms),
            &b.id,
        ))
    });
    Ok(s)
}
