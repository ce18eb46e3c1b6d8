//! Which VMs to validate, and when.
//!
//! Three sources make a VM due, and one queue (in order, without duplicates) holds them:
//! - **the change feed**, best effort: a VM written or removed is queued at once; a change
//!   to what a VM's workload includes (its cluster, host, vNIC profile, network, disk, disk
//!   profile, storage domain, data center, the engine's CPU list) queues every VM that uses
//!   it, running or not;
//! - **the scheduled search**, the guarantee: every `search_interval` the VMs whose result
//!   is missing, was computed for another revision or under another policy version are
//!   queued, except those already in the queue; results whose VM is gone are removed;
//! - **start-up and a lagging feed**: every VM is queued, since a change the feed dropped
//!   (or a cascade lost in a crash) cannot be told apart from no change.
//!
//! The queue is drained in batches of at most [`BATCH`] VMs, one at a time, on blocking
//! threads, so the collector's task never waits for the rules (see [`super::batch`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexSet;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::batch::{self, Outcome};
use super::policy::Policy;
use super::record::VmConcerns;
use super::status::StatusCell;
use crate::config::watch::LiveConfig;
use crate::inventory::model::*;
use crate::inventory::provider::{Phase, ProviderState};
use crate::lifecycle::Shutdown;
use crate::store::{ChangeKind, ChangeSet, ReadTxn, Record, Store, StoreError};

/// The most results written in one transaction.
pub const BATCH: usize = super::batch::BATCH_SIZE;

/// How long a batch that failed to read or write the store waits before the next.
const RETRY: Duration = Duration::from_secs(5);

/// The validator's task state.
pub struct Scheduler {
    store: Store,
    status: StatusCell,
    queue: IndexSet<String>,
    pool: Arc<rayon::ThreadPool>,
    paused_until: Option<tokio::time::Instant>,
    /// The store's epoch the queue was last filled in (see [`Store::epoch`]).
    epoch: u64,
    /// The providers whose inventory is being loaded for the first time, as the feed tells.
    loading: BTreeSet<String>,
    /// When the day's readiness was last counted.
    counted_at: Option<tokio::time::Instant>,
}

/// While batches keep coming, the day's readiness is counted at most this often (and
/// always after the batch that empties the queue).
const COUNT_EVERY: Duration = Duration::from_secs(60);

impl Scheduler {
    /// A scheduler over `store`, reporting to `status`.
    pub fn new(store: Store, status: StatusCell, pool: Arc<rayon::ThreadPool>) -> Self {
        Scheduler {
            pool,
            status,
            queue: IndexSet::new(),
            paused_until: None,
            epoch: store.epoch(),
            loading: BTreeSet::new(),
            counted_at: None,
            store,
        }
    }

    fn enqueue(&mut self, keys: impl IntoIterator<Item = String>) {
        self.queue.extend(keys);
    }

    /// Queues every VM of the store.
    pub fn enqueue_all(&mut self) -> Result<(), StoreError> {
        let keys = self.store.read()?.keys_prefix::<Vm>("")?;
        self.enqueue(keys);
        Ok(())
    }

    /// Queues what one committed change set makes due, and follows the providers' phases.
    pub fn on_changes(&mut self, set: &ChangeSet) -> Result<(), StoreError> {
        let r = self.store.read()?;
        for c in set.of_kind(ProviderState::KIND) {
            let state = r.get::<ProviderState>(&c.id)?.map(|s| s.value);
            self.note_provider(&c.id, state.as_ref());
        }
        for c in &set.changes {
            let due = affected(&r, c.kind, &c.id, c.op)?;
            self.enqueue(due);
        }
        Ok(())
    }

    /// The scheduled search: queues every VM whose result is missing or stale, and every
    /// result whose VM is gone (the batch removes it).
    pub fn search(&mut self, policy_version: &str) -> Result<usize, StoreError> {
        let r = self.store.read()?;
        let vms = r.revisions_prefix::<Vm>("")?;
        let results: std::collections::HashMap<String, (u64, String)> = r
            .list::<VmConcerns>()?
            .into_iter()
            .map(|(k, s)| (k, (s.value.revision_validated, s.value.policy_version)))
            .collect();
        let mut found = 0;
        for (key, revision) in &vms {
            let fresh = results
                .get(key)
                .is_some_and(|(rev, version)| rev == revision && version == policy_version);
            if !fresh && !self.queue.contains(key) {
                self.queue.insert(key.clone());
                found += 1;
            }
        }
        let live: std::collections::HashSet<&String> = vms.iter().map(|(k, _)| k).collect();
        for key in results.keys() {
            if !live.contains(key) && self.queue.insert(key.clone()) {
                found += 1;
            }
        }
        Ok(found)
    }

    /// Takes the next batch off the queue.
    pub fn next_batch(&mut self) -> Vec<String> {
        let n = self.queue.len().min(BATCH);
        self.queue.drain(..n).collect()
    }

    /// VMs waiting.
    pub fn due(&self) -> usize {
        self.queue.len()
    }

    /// Runs until shutdown: follows the feed, searches on schedule, drains the queue.
    pub async fn run(
        mut self,
        live: LiveConfig,
        mut policy: watch::Receiver<Option<Arc<Policy>>>,
        mut shutdown: Shutdown,
    ) {
        let mut feed = self.store.subscribe();
        if let Err(e) = self.enqueue_all().and_then(|()| self.read_providers()) {
            tracing::error!("validation cannot read the store: {e}");
        }
        let mut interval = live.current().validation.search_interval.0;
        let mut search = tokio::time::interval(interval);
        search.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut config = live.subscribe();
        let mut in_flight: Option<JoinHandle<Outcome>> = None;
        // The loop turns at least once per search interval (the scheduled search), and a
        // batch runs on its own threads while it keeps turning.
        let within = |interval: Duration| interval * 2 + Duration::from_secs(60);
        let mut beat = shutdown.beat("validation", within(interval));
        loop {
            beat.renew();
            if self.store.epoch() != self.epoch {
                // Reopened after a write failure: results written since its last durable
                // commit are gone, and nobody can tell which. Every VM is due.
                self.epoch = self.store.epoch();
                tracing::info!("validation: the store was reopened; every VM is due");
                if let Err(e) = self.enqueue_all() {
                    tracing::error!("validation cannot read the store: {e}");
                }
            }
            self.status.update(|s| s.due = self.queue.len() as u64);
            if self
                .paused_until
                .is_some_and(|t| t <= tokio::time::Instant::now())
            {
                self.paused_until = None;
            }
            // While an engine's inventory is first being loaded, its VMs wait: the load is
            // what people wait for, and its pages would be validated again anyway as the
            // disks and profiles that follow them arrive. The feed says when it is over.
            if in_flight.is_none()
                && self.loading.is_empty()
                && self.paused_until.is_none()
                && !self.queue.is_empty()
                && let Some(p) = policy.borrow().clone()
            {
                let keys = self.next_batch();
                let store = self.store.clone();
                let pool = self.pool.clone();
                let count = self.queue.is_empty()
                    || self.counted_at.is_none_or(|t| t.elapsed() >= COUNT_EVERY);
                if count {
                    self.counted_at = Some(tokio::time::Instant::now());
                }
                in_flight = Some(tokio::task::spawn_blocking(move || {
                    batch::run(&store, &p, &pool, keys, count)
                }));
                continue;
            }
            tokio::select! {
                biased;
                _ = shutdown.wait() => break,
                done = async { in_flight.as_mut().expect("guarded").await }, if in_flight.is_some() => {
                    in_flight = None;
                    match done {
                        Ok(outcome) => self.record(outcome),
                        Err(e) => tracing::error!("a validation batch panicked: {e}"),
                    }
                }
                got = feed.recv() => match got {
                    Ok(set) => {
                        if let Err(e) = self.on_changes(&set) {
                            tracing::error!("validation cannot read the store: {e}");
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::info!(missed = n, "validation fell behind the change feed; every VM is due");
                        if let Err(e) = self.enqueue_all().and_then(|()| self.read_providers()) {
                            tracing::error!("validation cannot read the store: {e}");
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = tokio::time::sleep_until(self.paused_until.unwrap_or_else(tokio::time::Instant::now)), if self.paused_until.is_some() => {}
                _ = search.tick() => self.scheduled_search(&policy),
                changed = policy.changed() => {
                    if changed.is_err() { break }
                    // A new policy version makes every result stale; the search finds them.
                    self.scheduled_search(&policy);
                }
                changed = config.changed() => {
                    if changed.is_err() { break }
                    let now = live.current().validation.search_interval.0;
                    if now != interval {
                        interval = now;
                        beat = shutdown.beat("validation", within(interval));
                        search = tokio::time::interval_at(tokio::time::Instant::now() + now, now);
                    }
                }
            }
        }
        if let Some(task) = in_flight {
            // The batch finishes its commit (or not): either way the next start validates.
            let _ = task.await;
        }
    }

    /// Reads every provider's phase from the store (at the start, and after a lag).
    fn read_providers(&mut self) -> Result<(), StoreError> {
        self.loading.clear();
        for (name, s) in self.store.read()?.list::<ProviderState>()? {
            self.note_provider(&name, Some(&s.value));
        }
        Ok(())
    }

    /// Notes whether a provider's collector is listing its engine for the first time and
    /// getting on with it (a reconcile keeps the phase at Refresh; a failing engine holds
    /// nothing up).
    fn note_provider(&mut self, name: &str, state: Option<&ProviderState>) {
        let first_load = state
            .is_some_and(|s| s.phase == Phase::Load && s.cursor.is_none() && s.error.is_none());
        if first_load {
            self.loading.insert(name.to_string());
        } else {
            self.loading.remove(name);
        }
    }

    fn scheduled_search(&mut self, policy: &watch::Receiver<Option<Arc<Policy>>>) {
        let Some(version) = policy.borrow().as_ref().map(|p| p.version.clone()) else {
            return;
        };
        match self.search(&version) {
            Ok(n) if n > 0 => tracing::debug!(found = n, "VMs due for validation"),
            Ok(_) => {}
            Err(e) => tracing::error!("validation search: {e}"),
        }
    }

    fn record(&mut self, outcome: Outcome) {
        if let Some(e) = &outcome.error {
            tracing::error!("validation batch failed, its VMs stay due: {e}");
            // The VMs go back to the queue, after the others.
            self.enqueue(outcome.keys.clone());
        }
        self.status.update(|s| {
            s.validated += outcome.validated as u64;
            s.stale_dropped += outcome.stale as u64;
            s.failed += outcome.failed as u64;
            if let Some(e) = outcome.error.clone().or(outcome.eval_error.clone()) {
                s.last_error = Some(e);
            }
            s.last_batch = Some(super::status::BatchFigures {
                vms: outcome.keys.len(),
                millis: outcome.elapsed.as_millis() as u64,
                at: jiff::Timestamp::now(),
            });
        });
        if outcome.error.is_some() {
            // A store that fails to write is not retried in a tight loop.
            self.paused_until = Some(tokio::time::Instant::now() + RETRY);
        }
    }
}

/// The VM keys a change makes due: the VM itself, or the VMs using the changed object.
fn affected(r: &ReadTxn, kind: &str, id: &str, op: ChangeKind) -> Result<Vec<String>, StoreError> {
    let vms_by = |index: &str, scoped: &str| r.ids_by::<Vm>(index, scoped);
    let via_disks = |index: &str, scoped: &str| -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for disk in r.ids_by::<Disk>(index, scoped)? {
            out.extend(r.ids_by::<Vm>("disk", &disk)?);
        }
        Ok(out)
    };
    Ok(match kind {
        k if k == Vm::KIND => vec![id.to_string()],
        k if k == Cluster::KIND => vms_by("cluster", id)?,
        k if k == Host::KIND => vms_by("host", id)?,
        k if k == NicProfile::KIND => vms_by("profile", id)?,
        k if k == Disk::KIND => vms_by("disk", id)?,
        k if k == DiskProfile::KIND => via_disks("profile", id)?,
        k if k == StorageDomain::KIND => via_disks("storage_domain", id)?,
        k if k == Network::KIND => {
            let mut out = Vec::new();
            for profile in r.ids_by::<NicProfile>("network", id)? {
                out.extend(vms_by("profile", &profile)?);
            }
            out
        }
        k if k == DataCenter::KIND => {
            let mut out = Vec::new();
            for cluster in r.ids_by::<Cluster>("data_center", id)? {
                out.extend(vms_by("cluster", &cluster)?);
            }
            out
        }
        k if k == ServerCpuList::KIND && op == ChangeKind::Upsert => {
            r.keys_prefix::<Vm>(&format!("{id}/"))?
        }
        _ => Vec::new(),
    })
}
