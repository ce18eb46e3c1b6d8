//! What is known of each provider's collection, kept in the store: the phase, the event
//! cursor, progress, the last error. The collector writes it; the validator, the pages and
//! the metrics read it (through the store and its change feed, never from the collector). The cursor is written in the same transaction as the changes the
//! events caused, so a crash can neither skip nor replay a change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::decode::Kind;
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

impl Record for ProviderState {
    const KIND: &'static str = "collector.provider";
}

/// The key of a count for a kind.
pub fn kind_key(kind: Kind) -> String {
    kind.path().to_string()
}
