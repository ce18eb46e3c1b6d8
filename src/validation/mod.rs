//! Validation: which VMs are ready to migrate, and why not.
//!
//! Every VM of the inventory is checked against Rego rules, evaluated in-process by
//! regorus. The rules raise *concerns* (`{id, category, label, assessment}`); a VM with a
//! Critical concern is blocked, one with Warnings can go with care, the rest are ready; a VM
//! the rules failed on is `error`, never ready.
//!
//! - [`bundle`]: the Rego files (built-in, embedded from `config/policies/`, extended or
//!   replaced by a configured folder) and their version, a hash of their content;
//! - [`policy`]: a bundle compiled once per version, and the per-thread evaluator;
//! - [`functions`]: the OPA built-ins regorus lacks (`crypto` hashes, `net.cidr_intersects`);
//! - [`workload`]: the JSON document the rules read for one VM, built from the store;
//! - [`watcher`]: keeps the compiled policy current as the folder or the config changes;
//! - [`scheduler`]: which VMs are due (change feed, cascades, scheduled search);
//! - [`batch`]: one batch: workloads, rules on every core, one short write;
//! - [`record`]: the per-VM result kept in the store, apart from the VM record;
//! - [`history`]: every change of a VM's concerns, with its cause, written with the result;
//! - [`testing`]: `vmyard policy test`, the way `opa test` runs `test_*` rules;
//! - [`summary`], [`report`]: concerns per provider, and the readiness report;
//! - [`trend`]: readiness per day, overall, per cluster and per concern;
//! - [`status`]: progress, policy version and errors for the pages, API and metrics.
//!
//! Validation is a component like the collector: a task that reads the store and writes its
//! own table, and learns of inventory changes from the store's change feed. It never calls
//! into the collector, and the collector never waits for it.

pub mod batch;
pub mod bundle;
pub mod functions;
pub mod history;
pub mod policy;
pub mod record;
pub mod report;
pub mod scheduler;
pub mod status;
pub mod summary;
pub mod testing;
pub mod trend;
pub mod watcher;
pub mod workload;

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::watch::LiveConfig;
use crate::lifecycle::Shutdown;
use crate::store::Store;
pub use policy::{Concern, Policy};
pub use record::{Readiness, VmConcerns, vm_keys_matching};
pub use status::ValidationStatus;

/// What the rest of vmyard sees of the validator.
#[derive(Debug, Clone)]
pub struct Validation {
    status: status::StatusCell,
    policy: watch::Receiver<Option<Arc<Policy>>>,
}

impl Validation {
    /// Progress, policy and errors now.
    pub fn status(&self) -> ValidationStatus {
        self.status.get()
    }

    /// The policy in force, if one compiled.
    pub fn policy(&self) -> Option<Arc<Policy>> {
        self.policy.borrow().clone()
    }

    /// A validator that does nothing (for states built without one).
    pub fn idle() -> Validation {
        Validation {
            status: status::StatusCell::default(),
            policy: watch::channel(None).1,
        }
    }
}

/// The validator's own workers, one per core: its batches never queue behind other work
/// on a shared pool, and a stalled rule stalls only validation. The tokio threads that
/// serve the pages and run the collector are separate and share the cores with them.
pub fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("vmyard-validate-{i}"))
        .build()
        .unwrap_or_else(|_| {
            // Only a failure to spawn threads gets here; one thread still validates.
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
                .expect("a one-thread pool on the calling thread")
        })
}

/// Starts the validator: compiles the policy, then validates in the background until
/// shutdown.
pub async fn spawn(
    live: LiveConfig,
    store: Store,
    shutdown: Shutdown,
) -> (Validation, JoinHandle<()>) {
    let status = status::StatusCell::default();
    let pool = Arc::new(pool());
    status.update(|s| s.workers = pool.current_num_threads());
    let policy = watcher::spawn(live.clone(), status.clone(), shutdown.clone()).await;
    let scheduler = scheduler::Scheduler::new(store, status.clone(), pool);
    let task = shutdown
        .clone()
        .spawn("validator", scheduler.run(live, policy.clone(), shutdown));
    (Validation { status, policy }, task)
}
