//! The demo's week of history. A demo starts with an empty store, so its trend would show
//! one day and its history only the first validation. Once that is done, the six days
//! before today are made up from today's results, for the demo only (the banner says so):
//! a week in which the site fixed some of its blocked VMs, some VMs gained a concern, and
//! readiness improved day by day.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::inventory::provider::ProviderState;
use crate::lifecycle::Shutdown;
use crate::store::{Store, StoreError};
use crate::validation::history::{self, Cause, ConcernChange, ConcernRef};
use crate::validation::trend::{self, DailyReadiness};
use crate::validation::{Readiness, Validation, VmConcerns};

/// How many days before today the demo makes up.
pub(super) const DAYS: i64 = 6;

/// Waits for the first validation of every VM (at most `within`), then writes the made-up
/// week. Does nothing when the store already holds history (a demo run again).
pub(super) async fn age(
    store: Store,
    validation: Validation,
    within: Duration,
    mut shutdown: Shutdown,
) {
    let mut feed = store.subscribe();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let status = validation.status();
        if status.due == 0 && status.validated > 0 {
            break;
        }
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tokio::time::sleep_until(deadline) => {
                tracing::info!("demo: validation did not finish in time; no made-up history");
                return;
            }
            // Any write may be the last result; the status is read again after it.
            got = feed.recv() => if got.is_err() { feed = store.subscribe() },
        }
    }
    match tokio::task::spawn_blocking(move || write_week(&store)).await {
        Ok(Ok(n)) if n > 0 => tracing::info!(
            changes = n,
            "demo: the {DAYS} days before today are made up from today's results"
        ),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!("demo history: {e}"),
        Err(e) => tracing::error!("demo history: {e}"),
    }
}

/// Writes the made-up days of every provider; returns how many changes.
fn write_week(store: &Store) -> Result<usize, StoreError> {
    let r = store.read()?;
    let now = Timestamp::now();
    let mut days = Vec::new();
    let mut changes = Vec::new();
    for (provider, _) in r.list::<ProviderState>()? {
        let today = trend::count(&r, &provider, now)?;
        let oldest_kept = history::day_of(now - SignedDuration::from_hours(24 * DAYS));
        if r.list_prefix::<DailyReadiness>(&format!("{provider}/"))?
            .iter()
            .any(|(_, d)| d.value.day < today.day && d.value.day >= oldest_kept)
        {
            continue;
        }
        let results: Vec<(String, VmConcerns)> = r
            .list_prefix::<VmConcerns>(&format!("{provider}/"))?
            .into_iter()
            .map(|(k, s)| (k, s.value))
            .collect();
        // The VMs fixed during the week: ready or with warnings now, blocked before by a
        // critical concern that the blocked VMs of today still have.
        let critical: Option<ConcernRef> = results
            .iter()
            .flat_map(|(_, r)| &r.concerns)
            .find(|c| c.category == "Critical")
            .map(|c| ConcernRef {
                id: c.id.clone(),
                category: c.category.clone(),
                label: c.label.clone(),
            });
        let Some(critical) = critical else { continue };
        let fixable: Vec<&(String, VmConcerns)> = results
            .iter()
            .filter(|(_, r)| r.readiness() != Readiness::Blocked)
            .collect();
        let per_day = (fixable.len() / 40).max(1);
        for d in 1..=DAYS {
            let at = now - SignedDuration::from_hours(24 * d);
            // Fewer VMs were ready each day further back: those fixed since then.
            let fixed_since = per_day * d as usize;
            let mut day = DailyReadiness {
                day: history::day_of(at),
                at,
                ..today.clone()
            };
            let moved = fixed_since.min(day.readiness.get("ready").copied().unwrap_or(0));
            *day.readiness.entry("ready".into()).or_default() -= moved;
            *day.readiness.entry("blocked".into()).or_default() += moved;
            *day.concerns.entry(critical.id.clone()).or_default() += moved;
            days.push((format!("{provider}/{}", day.day), day));
        }
        for (i, (key, result)) in fixable.iter().take(per_day * DAYS as usize).enumerate() {
            let d = 1 + (i / per_day) as i64;
            let at = now - SignedDuration::from_hours(24 * d)
                + SignedDuration::from_mins(37 * i as i64 % 600);
            let cluster = r
                .get::<crate::inventory::model::Vm>(key)?
                .map(|v| v.value.cluster)
                .unwrap_or_default();
            let change = ConcernChange {
                vm: result.vm.clone(),
                cluster,
                at,
                policy_version: result.policy_version.clone(),
                cause: Cause::Engine { event: None },
                before: Some(Readiness::Blocked),
                after: Some(result.readiness()),
                appeared: Vec::new(),
                cleared: vec![critical.clone()],
            };
            changes.push((history::change_key(key, at), change));
        }
    }
    drop(r);
    let mut w = store.write()?;
    for (key, day) in &days {
        w.upsert(key, day)?;
    }
    for (key, change) in &changes {
        w.upsert(key, change)?;
    }
    w.commit()?;
    Ok(changes.len())
}
