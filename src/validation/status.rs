//! The validator's progress and health, as the pages, the API and `/metrics` show it.

use std::sync::{Arc, RwLock};

use serde::Serialize;

/// Progress, policy and errors of validation.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ValidationStatus {
    /// The version (content hash) of the policy in force; absent until one compiled.
    pub policy_version: Option<String>,
    /// Where the policy in force came from.
    pub policy_source: String,
    /// How many rule files it has.
    pub policy_files: usize,
    /// Why the latest edit of the rules was refused (the last good policy keeps running).
    pub policy_error: Option<String>,
    /// VMs validated since vmyard started.
    pub validated: u64,
    /// VMs waiting to be validated.
    pub due: u64,
    /// Results dropped because their VM changed while they were computed.
    pub stale_dropped: u64,
    /// VMs whose evaluation failed (the error is kept with the VM's result).
    pub failed: u64,
    /// The last evaluation error, if any.
    pub last_error: Option<String>,
    /// The last batch: how many VMs, how long it took.
    pub last_batch: Option<BatchFigures>,
    /// Threads evaluating rules.
    pub workers: usize,
}

/// The figures of one batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchFigures {
    /// VMs in the batch.
    pub vms: usize,
    /// Wall time of the batch, in milliseconds (workloads, rules and commit).
    pub millis: u64,
    /// When it ended.
    #[schema(value_type = String)]
    pub at: jiff::Timestamp,
}

/// A shared, cheaply cloned view of the status.
#[derive(Debug, Clone, Default)]
pub struct StatusCell(Arc<RwLock<ValidationStatus>>);

impl StatusCell {
    /// A copy of the status now.
    pub fn get(&self) -> ValidationStatus {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes the status.
    pub fn update(&self, f: impl FnOnce(&mut ValidationStatus)) {
        f(&mut self.0.write().unwrap_or_else(|e| e.into_inner()));
    }
}
