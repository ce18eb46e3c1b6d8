//! One batch of validation: read the workloads, evaluate them on every core, write the
//! results.
//!
//! The workloads are read from one snapshot (no write lock held). The rules run on the
//! validator's own thread pool, one evaluator per worker, while nothing of the store is locked. The results
//! are then written in one short write transaction with the optimistic check of the design:
//! a VM whose revision moved since its snapshot was read gets no result (its change is on
//! the feed, so it is queued again); a VM that is gone loses its result. That write is the
//! only moment validation holds the store's single writer, for a few milliseconds per
//! thousand VMs, so it never holds up the collector for long. It is not fsynced
//! (results can always be computed again), so it costs the collector no disk flush either.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use super::history;
use super::policy::{Policy, Verdict};
use super::record::VmConcerns;
use super::workload::Lookup;
use crate::inventory::model::Vm;
use crate::inventory::provider::ProviderState;
use crate::store::{Store, StoreError};

/// The most results written in one transaction (the design's bound).
pub const BATCH_SIZE: usize = 1024;

/// What a batch did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The VM keys of the batch.
    pub keys: Vec<String>,
    /// Results written.
    pub validated: usize,
    /// Results dropped because the VM changed meanwhile.
    pub stale: usize,
    /// VMs whose evaluation failed or whose rules reported errors (the failure is written
    /// as their result, and their readiness is `error`).
    pub failed: usize,
    /// Results removed because the VM is gone.
    pub removed: usize,
    /// The store failed: nothing was written and the VMs stay due.
    pub error: Option<String>,
    /// The last evaluation error.
    pub eval_error: Option<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Validates the VMs of `keys` under `policy` and writes the results.
/// With `count`, the day's readiness counts are taken once the results are in (see
/// [`super::trend`]).
pub fn run(
    store: &Store,
    policy: &Policy,
    pool: &rayon::ThreadPool,
    keys: Vec<String>,
    count: bool,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = match validate(store, policy, pool, &keys) {
        Ok(o) => o,
        Err(e) => Outcome {
            error: Some(e.to_string()),
            ..Outcome::default()
        },
    };
    if count
        && outcome.error.is_none()
        && let Err(e) = super::trend::record_today(store)
    {
        outcome.error = Some(format!("counting the day's readiness: {e}"));
    }
    outcome.keys = keys;
    outcome.elapsed = started.elapsed();
    outcome
}

/// A VM read for validation: its revision and workload, or `None` when it is gone.
type Read = (String, Option<(u64, Value)>);

/// A VM's verdict: the revision it was read at and what the rules said, or `None` when
/// the VM is gone.
type Judged = (String, Option<(u64, Result<Verdict, String>)>);

fn read_workloads(
    store: &Store,
    pool: &rayon::ThreadPool,
    keys: &[String],
) -> Result<Vec<Read>, StoreError> {
    let r = store.read()?;
    // Each worker keeps its own lookup of the shared objects over the one snapshot.
    pool.install(|| {
        keys.par_iter()
            .map_init(HashMap::<String, Lookup>::new, |lookups, key| {
                let provider = key.split_once('/').map_or("", |(p, _)| p).to_string();
                let doc = match r.get::<Vm>(key)? {
                    Some(vm) => {
                        let lookup = lookups
                            .entry(provider.clone())
                            .or_insert_with(|| Lookup::new(&r, &provider));
                        Some((vm.revision, lookup.workload(&vm)?))
                    }
                    None => None,
                };
                Ok((key.clone(), doc))
            })
            .collect()
    })
}

fn validate(
    store: &Store,
    policy: &Policy,
    pool: &rayon::ThreadPool,
    keys: &[String],
) -> Result<Outcome, StoreError> {
    let docs = read_workloads(store, pool, keys)?;
    let verdicts: Vec<Judged> = pool.install(|| {
        docs.into_par_iter()
            .map_init(
                || policy.evaluator(),
                |evaluator, (key, doc)| {
                    let verdict =
                        doc.map(|(rev, w)| (rev, evaluator.validate_owned(w).map_err(|e| e.0)));
                    (key, verdict)
                },
            )
            .collect()
    });

    let now = jiff::Timestamp::now();
    let mut outcome = Outcome::default();
    let mut w = store.write()?;
    w.relaxed();
    history::note_policy(&mut w, &policy.version)?;
    // The newest engine event each provider's collector had applied, for the causes.
    let mut cursors: HashMap<String, Option<u64>> = HashMap::new();
    for (key, verdict) in verdicts {
        let Some((read_revision, verdict)) = verdict else {
            remove_result(&mut w, &key, &mut outcome)?;
            continue;
        };
        match w.revision::<Vm>(&key)? {
            None => {
                remove_result(&mut w, &key, &mut outcome)?;
                continue;
            }
            Some(now_revision) if now_revision != read_revision => {
                outcome.stale += 1;
                continue;
            }
            Some(_) => {}
        }
        // Either way the VM's readiness is `error`: it counts as failed, and the error
        // is the validator's last, naming the VM.
        let (concerns, errors) = match verdict {
            Ok(v) => {
                if !v.errors.is_empty() {
                    outcome.failed += 1;
                    outcome.eval_error = Some(format!(
                        "VM {key}: the rules reported: {}",
                        v.errors.join("; ")
                    ));
                }
                (v.concerns, v.errors)
            }
            Err(e) => {
                outcome.failed += 1;
                outcome.eval_error = Some(format!("VM {key}: {e}"));
                (
                    Vec::new(),
                    vec![format!("the rules failed on this VM: {e}")],
                )
            }
        };
        let result = VmConcerns {
            vm: crate::inventory::engine_id(&key).to_string(),
            revision_validated: read_revision,
            policy_version: policy.version.clone(),
            validated_at: now,
            concerns,
            errors,
        };
        let before = w.get::<VmConcerns>(&key)?.map(|s| s.value);
        if history::changes_concerns(before.as_ref(), Some(&result)) {
            let provider = key.split_once('/').map_or("", |(p, _)| p);
            let event = match cursors.get(provider) {
                Some(c) => *c,
                None => {
                    let c = w
                        .get::<ProviderState>(provider)?
                        .and_then(|s| s.value.cursor);
                    cursors.insert(provider.to_string(), c);
                    c
                }
            };
            let cluster = w
                .get::<Vm>(&key)?
                .map(|v| v.value.cluster)
                .unwrap_or_default();
            history::note(
                &mut w,
                history::Transition {
                    key: &key,
                    cluster: &cluster,
                    before: before.as_ref(),
                    after: Some(&result),
                    revision: Some(read_revision),
                    event,
                },
            )?;
        }
        w.upsert(&key, &result)?;
        outcome.validated += 1;
    }
    w.commit()?;
    Ok(outcome)
}

/// Removes the result of a VM that is gone, noting its removal in the history.
fn remove_result(
    w: &mut crate::store::WriteTxn,
    key: &str,
    outcome: &mut Outcome,
) -> Result<(), StoreError> {
    let Some(before) = w.get::<VmConcerns>(key)?.map(|s| s.value) else {
        return Ok(());
    };
    w.delete::<VmConcerns>(key)?;
    outcome.removed += 1;
    history::note(
        w,
        history::Transition {
            key,
            cluster: "",
            before: Some(&before),
            after: None,
            revision: None,
            event: None,
        },
    )?;
    Ok(())
}
