//! What is known of each provider's collection, kept in the store: the phase, the event
//! cursor, progress, the last error. The collector writes it; the validator, the pages and
//! the metrics read it (through the store and its change feed, never from the collector). The cursor is written in the same transaction as the changes the
//! events caused, so a crash can neither skip nor replay a change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::decode::{COLLECTIONS, Kind};
use crate::store::{Record, WriteFault};

/// The collector's phase, as in Forklift's collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = CollectorPhase)]
pub enum Phase {
    /// Connected; the newest event id noted.
    #[default]
    Started,
    /// Listing every collection.
    Load,
    /// Every collection listed; replaying the events that arrived meanwhile.
    Loaded,
    /// The store matches the engine.
    Parity,
    /// Following the event feed.
    Refresh,
}

impl Phase {
    /// The phase's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Started => "Started",
            Phase::Load => "Load",
            Phase::Loaded => "Loaded",
            Phase::Parity => "Parity",
            Phase::Refresh => "Refresh",
        }
    }
}

/// A failure, as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Failure {
    /// When it started (RFC 3339).
    pub since: String,
    /// What went wrong.
    pub message: String,
}

/// A provider's collection state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderState {
    /// The provider name.
    pub name: String,
    /// The engine URL it was loaded from (a change of URL means a new load).
    pub url: String,
    /// The phase.
    pub phase: Phase,
    /// Whether the store matches the engine (false while failing or loading).
    pub parity: bool,
    /// The last applied event id; `None` until a full load completed.
    pub cursor: Option<u64>,
    /// The engine's version (`full_version`).
    pub engine_version: String,
    /// Objects stored per kind.
    pub counts: BTreeMap<String, u64>,
    /// Objects loaded so far per kind, during a load.
    pub progress: BTreeMap<String, u64>,
    /// How many objects of a kind the engine says it holds, from the `summary` of its API
    /// root: only VMs, hosts and storage domains, and only for an admin user, so a kind
    /// absent here has no known total.
    #[serde(default)]
    pub totals: BTreeMap<String, u64>,
    /// When the last load finished (RFC 3339).
    pub loaded_at: Option<String>,
    /// When events were last read (RFC 3339).
    pub last_refresh: Option<String>,
    /// When the last full reconcile ran (RFC 3339).
    pub last_reconcile: Option<String>,
    /// Events applied since the store was created.
    pub events_applied: u64,
    /// Failures since the store was created.
    pub failures: u64,
    /// Objects the engine sent that could not be read.
    pub bad_objects: u64,
    /// The current failure, if any.
    pub error: Option<Failure>,
    /// What the engine could not give though the load went on: an optional endpoint it
    /// lacks, named with the engine version and what is missing because of it.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Whether TLS verification is off for this provider.
    pub insecure: bool,
}

impl ProviderState {
    /// The state as it may be shown. While the store cannot be written, nothing the
    /// collector reads is kept: the provider is not at parity, and the store's fault is its
    /// error, whatever the stored state last said.
    pub fn under(mut self, fault: Option<&WriteFault>) -> Self {
        if let Some(f) = fault {
            self.parity = false;
            self.error = Some(Failure {
                since: f.since.to_string(),
                message: f.explain(),
            });
        }
        self
    }
}

/// One kind's progress through a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProgress {
    /// The kind.
    pub kind: Kind,
    /// Objects loaded so far.
    pub loaded: u64,
    /// How many the engine says it holds, where it says.
    pub total: Option<u64>,
}

impl LoadProgress {
    /// The share loaded, in whole percent, where the total is known. Objects added during
    /// the load can take the count past the total the load started with: it stays at 100.
    pub fn percent(&self) -> Option<u64> {
        // Nothing to load (a total of 0) is all of it.
        self.total.map(|t| {
            (self.loaded.saturating_mul(100))
                .checked_div(t)
                .map_or(100, |p| p.min(100))
        })
    }
}

impl ProviderState {
    /// The load's progress per kind, in the order kinds are loaded: every kind begun, and
    /// every kind not yet begun whose total is known (at 0 loaded).
    pub fn load_progress(&self) -> Vec<LoadProgress> {
        COLLECTIONS
            .iter()
            .filter_map(|c| {
                let key = kind_key(c.kind);
                let total = self.totals.get(&key).copied();
                let loaded = self.progress.get(&key).copied();
                (loaded.is_some() || total.is_some()).then(|| LoadProgress {
                    kind: c.kind,
                    loaded: loaded.unwrap_or(0),
                    total,
                })
            })
            .collect()
    }
}

/// The totals an engine's API root states in its `summary`, by kind key. A kind the
/// summary leaves out, or gives as something other than a count, has no entry.
pub fn engine_totals(root: &serde_json::Value) -> BTreeMap<String, u64> {
    [
        ("vms", Kind::Vm),
        ("hosts", Kind::Host),
        ("storage_domains", Kind::StorageDomain),
    ]
    .into_iter()
    .filter_map(|(field, kind)| {
        let total = &root["summary"][field]["total"];
        // The engine sends the count as a string; accept a number as well.
        let n = total
            .as_str()
            .and_then(|t| t.parse().ok())
            .or_else(|| total.as_u64())?;
        Some((kind_key(kind), n))
    })
    .collect()
}

impl Record for ProviderState {
    const KIND: &'static str = "collector.provider";
}

/// The key of a count for a kind.
pub fn kind_key(kind: Kind) -> String {
    kind.path().to_string()
}

#[cfg(test)]
mod load_progress_tests {
    use super::*;

    #[test]
    fn totals_come_from_a_recorded_engines_summary_as_counts() {
        let root: serde_json::Value = serde_json::from_str(include_str!(
            "../sim/fixtures/ovirt-engine-4.4.10/content.json"
        ))
        .unwrap();
        let totals = engine_totals(&root);
        assert_eq!(totals.get("vms"), Some(&1));
        assert_eq!(totals.get("hosts"), Some(&1));
        assert_eq!(totals.get("storagedomains"), Some(&2));
        assert_eq!(totals.len(), 3, "{totals:?}");
    }

    #[test]
    fn a_root_without_a_summary_gives_no_totals() {
        let root = serde_json::json!({"product_info": {}, "summary": {"vms": {"total": "many"}}});
        assert!(engine_totals(&root).is_empty());
    }

    #[test]
    fn progress_lists_kinds_begun_and_kinds_with_a_total_in_load_order() {
        let s = ProviderState {
            progress: [("clusters".to_string(), 3), ("hosts".to_string(), 5)].into(),
            totals: [("hosts".to_string(), 10), ("vms".to_string(), 0)].into(),
            ..ProviderState::default()
        };
        let p = s.load_progress();
        let kinds: Vec<Kind> = p.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [Kind::Cluster, Kind::Host, Kind::Vm]);
        assert_eq!(p[0].percent(), None);
        assert_eq!(p[1].percent(), Some(50));
        // Nothing to load is all of it.
        assert_eq!(p[2].percent(), Some(100));
        let over = LoadProgress {
            kind: Kind::Vm,
            loaded: 12,
            total: Some(10),
        };
        assert_eq!(over.percent(), Some(100));
    }
}
