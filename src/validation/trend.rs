//! Readiness per day: how many of a provider's VMs were ready, had warnings, were blocked or
//! failed, each day, overall, per cluster and per concern.
//!
//! A day's record is the last count taken that day: the validator counts after the batch
//! that empties its queue (and at most once a minute while it is busy), from the result
//! indexes, so a count costs index entries, not results. A day the service did not run has
//! no record: a trend shows it as a gap, not as the day before.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::history::day_of;
use super::record::{Readiness, VmConcerns};
use crate::inventory::model::Vm;
use crate::store::{ReadTxn, Record, Store, StoreError};

/// VMs per readiness (`ready`, `warnings`, `blocked`, `error`).
pub type Counts = BTreeMap<String, usize>;

/// One provider's readiness on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DailyReadiness {
    /// The day (UTC), `YYYY-MM-DD`.
    pub day: String,
    /// When it was counted.
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// VMs in the inventory then.
    pub vms: usize,
    /// VMs per readiness.
    pub readiness: Counts,
    /// VMs per readiness, per cluster (engine id).
    pub clusters: BTreeMap<String, Counts>,
    /// VMs per concern id.
    pub concerns: BTreeMap<String, usize>,
}

impl Record for DailyReadiness {
    const KIND: &'static str = "validation.daily";
}

/// Counts `provider`'s readiness now.
pub fn count(r: &ReadTxn, provider: &str, at: Timestamp) -> Result<DailyReadiness, StoreError> {
    let scope = format!("{provider}/");
    let mut cluster_of: HashMap<String, String> = HashMap::new();
    r.index_walk::<Vm>("cluster", &scope, |cluster, vm| {
        cluster_of.insert(vm.to_string(), cluster.to_string());
        true
    })?;
    let mut day = DailyReadiness {
        day: day_of(at),
        at,
        vms: r.count_prefix::<Vm>(&scope)?,
        ..DailyReadiness::default()
    };
    for readiness in Readiness::ALL {
        day.readiness.insert(readiness.as_str().to_string(), 0);
    }
    r.index_walk::<VmConcerns>("readiness", &scope, |readiness, vm| {
        *day.readiness.entry(readiness.to_string()).or_insert(0) += 1;
        if let Some(cluster) = cluster_of.get(vm) {
            *day.clusters
                .entry(cluster.clone())
                .or_default()
                .entry(readiness.to_string())
                .or_insert(0) += 1;
        }
        true
    })?;
    r.index_walk::<VmConcerns>("concern", &scope, |concern, _| {
        *day.concerns.entry(concern.to_string()).or_insert(0) += 1;
        true
    })?;
    Ok(day)
}

/// Counts every provider with VMs and keeps each count as its day's record.
pub fn record_today(store: &Store) -> Result<(), StoreError> {
    let now = Timestamp::now();
    let r = store.read()?;
    let providers = r.list::<crate::inventory::provider::ProviderState>()?;
    let mut days = Vec::new();
    for (provider, _) in providers {
        let day = count(&r, &provider, now)?;
        if day.vms > 0 {
            days.push((format!("{provider}/{}", day.day), day));
        }
    }
    drop(r);
    let mut w = store.write()?;
    // Counted again on the next batch anyway: no need to reach the disk before it.
    w.relaxed();
    for (key, day) in &days {
        w.upsert(key, day)?;
    }
    w.commit()
}

/// One day of a trend: the counts overall, or of one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrendDay {
    /// The day (UTC), `YYYY-MM-DD`.
    pub day: String,
    /// VMs per readiness.
    pub readiness: Counts,
}

/// The days of the last `days` days that have a count, oldest first. Each is read by its
/// key (`provider/DAY`), so a 30-day trend reads 30 keys however long the store keeps
/// counts.
fn window(r: &ReadTxn, provider: &str, days: u32) -> Result<Vec<DailyReadiness>, StoreError> {
    let now = Timestamp::now();
    let mut out = Vec::new();
    for back in (0..i64::from(days)).rev() {
        let day = day_of(now - jiff::SignedDuration::from_hours(24 * back));
        if let Some(s) = r.get::<DailyReadiness>(&format!("{provider}/{day}"))? {
            out.push(s.value);
        }
    }
    Ok(out)
}

/// A provider's readiness per day over the last `days` days, oldest first; only days with
/// a count. With `cluster`, that cluster's counts (a day it had no VMs counts none).
pub fn trend(
    r: &ReadTxn,
    provider: &str,
    days: u32,
    cluster: Option<&str>,
) -> Result<Vec<TrendDay>, StoreError> {
    Ok(window(r, provider, days)?
        .into_iter()
        .map(|d| TrendDay {
            readiness: match cluster {
                Some(c) => d.clusters.get(c).cloned().unwrap_or_default(),
                None => d.readiness,
            },
            day: d.day,
        })
        .collect())
}

/// How many VMs had `concern`, per day over the last `days` days, oldest first.
pub fn concern_trend(
    r: &ReadTxn,
    provider: &str,
    concern: &str,
    days: u32,
) -> Result<Vec<(String, usize)>, StoreError> {
    Ok(window(r, provider, days)?
        .into_iter()
        .map(|d| {
            let n = d.concerns.get(concern).copied().unwrap_or(0);
            (d.day, n)
        })
        .collect())
}
