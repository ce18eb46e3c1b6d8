//! The machine controller: a task that makes the engine match the declared machines and
//! machine sets.
//!
//! Each round (every second, and at once when a machine, set or class changes in the
//! store) it:
//! 1. plans every set ([`sets`]): new machines are declared, surplus and failed ones are
//!    marked for deletion, in the store, before any engine call;
//! 2. marks Failed the machines whose creation or health timeout passed ([`step::timed_out`]);
//! 3. starts one [`step`] per machine that is due and not already in a step: one driver
//!    call, chosen by the phase, with its back-off ([`backoff`]) and the engine's rate limit;
//! 4. on schedule, runs the orphan [`sweep`].
//!
//! While an engine has not answered for `freeze_after` ([`engines`]), nothing is created,
//! swept or marked Failed for it. Everything the controller knows is in the store, so a
//! restart at any point picks up where it was.

pub mod backoff;
pub mod engines;
pub mod sets;
pub mod step;
pub mod sweep;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

use super::commands::classes;
use super::model::{Machine, MachineSet, Operation, OperationState, OperationType, Phase};
use crate::config::watch::LiveConfig;
use crate::lifecycle::Shutdown;
use crate::store::{Store, StoreError};
pub use engines::{EngineReach, Engines};
pub use sweep::SweepReport;

/// How often the controller looks at every machine, changes or not.
const TICK: Duration = Duration::from_secs(1);
/// At most this many machine steps run at once (the rate limit paces their engine calls).
const MAX_STEPS: usize = 32;

/// What a step and a sweep need.
pub struct Context {
    /// The store.
    pub store: Store,
    /// The config.
    pub live: LiveConfig,
    /// Drivers and engine reachability.
    pub engines: Engines,
    /// Set by a step that calls for an orphan sweep before its schedule (as MCM sweeps when
    /// a machine's last operation turns OutOfRange, and when a machine is deleted).
    pub sweep_soon: std::sync::atomic::AtomicBool,
}

impl Context {
    /// Asks for an orphan sweep as soon as none is running.
    pub fn call_for_sweep(&self) {
        self.sweep_soon
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the rest of vmyard sees of the controller.
#[derive(Clone, Default)]
pub struct MachinesHandle {
    engines: Engines,
    sweep: Arc<Mutex<SweepReport>>,
    orphans_deleted: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for MachinesHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MachinesHandle")
    }
}

impl MachinesHandle {
    /// Each engine's reachability, and whether the controller is frozen for it.
    pub fn reach(&self) -> Vec<EngineReach> {
        self.engines.reach()
    }

    /// What the last orphan sweep did.
    pub fn last_sweep(&self) -> SweepReport {
        self.sweep.lock().expect("sweep report").clone()
    }

    /// Orphan VMs deleted since start.
    pub fn orphans_deleted(&self) -> u64 {
        self.orphans_deleted
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Starts the controller.
pub fn spawn(
    live: LiveConfig,
    store: Store,
    shutdown: Shutdown,
) -> (MachinesHandle, JoinHandle<()>) {
    let handle = MachinesHandle::default();
    let ctx = Arc::new(Context {
        store,
        live,
        engines: handle.engines.clone(),
        sweep_soon: Default::default(),
    });
    let task = shutdown
        .clone()
        .spawn("machine controller", run(ctx, handle.clone(), shutdown));
    (handle, task)
}

async fn run(ctx: Arc<Context>, handle: MachinesHandle, mut shutdown: Shutdown) {
    let mut feed = ctx.store.subscribe();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut steps: JoinSet<()> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, String> = HashMap::new();
    let mut sweeping: Option<JoinHandle<()>> = None;
    let mut next_sweep = tokio::time::Instant::now() + Duration::from_secs(5);
    // The loop turns every TICK; a round that takes a minute means it is wedged.
    let beat = shutdown.beat("machine controller", Duration::from_secs(60));
    loop {
        beat.renew();
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = tick.tick() => {}
            changed = feed.recv() => match changed {
                Ok(set) if !set.changes.iter().any(|c| c.kind.starts_with("machines.")) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                _ => {}
            },
            Some(done) = steps.join_next_with_id() => {
                let id = match &done { Ok((id, ())) => *id, Err(e) => e.id() };
                if let Some(name) = in_flight.remove(&id)
                    && let Err(e) = done
                {
                    tracing::error!(machine = %name, "machine step failed: {e}");
                }
            }
        }
        let busy: HashSet<String> = in_flight.values().cloned().collect();
        match round(&ctx, &busy) {
            Ok(due) => {
                for (name, class, action) in due {
                    if in_flight.len() >= MAX_STEPS {
                        break;
                    }
                    let ctx = ctx.clone();
                    let task_name = name.clone();
                    let abort = steps.spawn(async move {
                        if let Err(e) = step::run(&ctx, &task_name, class, action).await {
                            tracing::error!(machine = %task_name, "machine step: {e}");
                        }
                    });
                    in_flight.insert(abort.id(), name);
                }
            }
            Err(e) => tracing::error!("machine controller: {e}"),
        }
        if sweeping.as_ref().is_some_and(JoinHandle::is_finished) {
            sweeping = None;
        }
        let called = sweeping.is_none()
            && ctx
                .sweep_soon
                .swap(false, std::sync::atomic::Ordering::Relaxed);
        if sweeping.is_none() && (called || tokio::time::Instant::now() >= next_sweep) {
            let every = ctx.live.current().machines.sweep_interval.0;
            next_sweep = tokio::time::Instant::now() + every;
            let ctx = ctx.clone();
            let report = handle.sweep.clone();
            let deleted = handle.orphans_deleted.clone();
            sweeping = Some(shutdown.spawn("orphan sweep", async move {
                let done = sweep::sweep(&ctx).await;
                deleted.fetch_add(
                    done.deleted.len() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                *report.lock().expect("sweep report") = done;
            }));
        }
    }
    // A step cut short is safe: it is repeated from the store on the next start.
    steps.abort_all();
    if let Some(s) = sweeping {
        s.abort();
    }
}

type Due = Vec<(String, Option<super::model::MachineClass>, step::Action)>;

/// One round: plans the sets, marks timeouts, and says which machines are due.
fn round(ctx: &Context, busy: &HashSet<String>) -> Result<Due, StoreError> {
    let config = ctx.live.current();
    let classes = classes(&config, &ctx.store)?;
    let class_of = |name: &str| {
        classes
            .iter()
            .find(|e| e.class.name == name)
            .map(|e| e.class.clone())
    };
    plan_sets(&ctx.store)?;
    let now = jiff::Timestamp::now();
    let machines = ctx.store.read()?.list::<Machine>()?;
    let mut due = Vec::new();
    for (_, stored) in machines {
        let m = stored.value;
        if busy.contains(&m.name) {
            continue;
        }
        let class = class_of(&m.class);
        let frozen = class.as_ref().is_some_and(|c| {
            ctx.engines
                .frozen(&c.provider, config.machines.freeze_after.0)
        });
        let thawed_at = class
            .as_ref()
            .and_then(|c| ctx.engines.thawed_at(&c.provider));
        if !frozen && let Some(why) = step::timed_out(&m, now, &config, thawed_at) {
            tracing::warn!(machine = %m.name, "machine failed: {why}");
            step::update(&ctx.store, &m.name, |m| {
                m.enter(Phase::Failed, now);
                m.record(Operation {
                    kind: OperationType::HealthCheck,
                    state: OperationState::Failed,
                    description: why,
                    error_code: None,
                    at: now,
                });
            })?;
            continue;
        }
        if let Some(action) = step::due(&m, now, frozen) {
            due.push((m.name.clone(), class, action));
        }
    }
    Ok(due)
}

/// Applies every set's plan in one write: declares new machines, marks others for
/// deletion, and removes deleted sets whose machines are all gone.
///
/// Without sets (the usual case until someone makes one) no write transaction is opened, so
/// the controller never queues behind, or holds up, the collector's writes for nothing; with
/// sets, the plan is made from what the write transaction itself reads, so a scale written
/// meanwhile is never acted on half-seen.
fn plan_sets(store: &Store) -> Result<(), StoreError> {
    {
        let read = store.read()?;
        let in_sets = read
            .list::<Machine>()?
            .iter()
            .any(|(_, m)| m.value.set.is_some());
        if read.count::<MachineSet>()? == 0 && !in_sets {
            return Ok(());
        }
    }
    let mut txn = store.write()?;
    let sets = txn.list::<MachineSet>()?;
    let machines = txn.list::<Machine>()?;
    let now = jiff::Timestamp::now();
    let mut changed = false;
    for (_, stored) in &sets {
        let set = &stored.value;
        let owned: Vec<&Machine> = machines
            .iter()
            .map(|(_, m)| &m.value)
            .filter(|m| m.set.as_deref() == Some(set.name.as_str()))
            .collect();
        if set.deleting && owned.is_empty() {
            txn.delete::<MachineSet>(&set.name)?;
            changed = true;
            continue;
        }
        let plan = sets::plan(set, &owned);
        for name in &plan.remove {
            if let Some(mut m) = txn.get::<Machine>(name)?.map(|s| s.value)
                && m.deletion_requested.is_none()
            {
                m.deletion_requested = Some(now);
                txn.upsert(name, &m)?;
                changed = true;
            }
        }
        for _ in 0..plan.add {
            let name = loop {
                let candidate = sets::machine_name(&set.name);
                if txn.get::<Machine>(&candidate)?.is_none() {
                    break candidate;
                }
            };
            txn.upsert(
                &name,
                &Machine::new(&name, &set.class, Some(&set.name), now),
            )?;
            changed = true;
        }
    }
    // Machines of a set that no longer exists go too.
    for (_, stored) in &machines {
        let m = &stored.value;
        if let Some(set) = &m.set
            && m.deletion_requested.is_none()
            && !sets.iter().any(|(_, s)| s.value.name == *set)
            && let Some(mut fresh) = txn.get::<Machine>(&m.name)?.map(|s| s.value)
        {
            fresh.deletion_requested = Some(now);
            txn.upsert(&m.name, &fresh)?;
            changed = true;
        }
    }
    if changed {
        txn.commit()?;
    }
    Ok(())
}
