//! The collectors: one task per `[[providers]]` entry, each keeping its engine's inventory
//! in the store.
//!
//! [`spawn`] starts a supervisor that follows the config: a provider added gets a collector,
//! one removed has its collector stopped and its data deleted, one whose URL, user,
//! password or TLS settings changed gets a fresh collector (which reloads when the URL
//! changed, and otherwise resumes from its cursor).
//!
//! - [`run`]: one provider's loop (load, events, reconcile, retry);
//! - [`sync`]: listing and reading engine objects into the store;
//! - [`events`]: what each engine event means;
//! - [`status`]: the per-provider state kept in the store (phase, cursor, progress, errors).

pub mod cascade;
pub mod events;
pub mod luns;
pub mod numa;
pub mod run;
pub mod status;
pub mod sync;

use std::collections::BTreeMap;

use tokio::task::JoinHandle;

use crate::config::Provider;
use crate::config::watch::LiveConfig;
use crate::inventory::decode::COLLECTIONS;
use crate::lifecycle::{Shutdown, ShutdownTrigger};
use crate::store::{Store, StoreError};
use status::ProviderState;

struct Running {
    provider: Provider,
    stop: ShutdownTrigger,
    task: JoinHandle<()>,
}

/// Whether two provider entries can share a collector (nothing it connects with changed).
fn same_connection(a: &Provider, b: &Provider) -> bool {
    a.url == b.url
        && a.user == b.user
        && a.password() == b.password()
        && a.ca_file == b.ca_file
        && a.insecure == b.insecure
        && a.retry_interval == b.retry_interval
        && a.refresh_interval == b.refresh_interval
        && a.reconcile_interval == b.reconcile_interval
        && a.request_timeout == b.request_timeout
}

/// Starts the supervisor of the collectors; it stops them all on shutdown.
pub fn spawn(config: LiveConfig, store: Store, shutdown: Shutdown) -> JoinHandle<()> {
    // It beats between config changes, and a change (stopping collectors, deleting a
    // removed provider's data) must end within the allowance.
    let within = SUPERVISOR_BEAT * 3 + STOP_WAIT * 2;
    shutdown.spawn_loop(
        "collector supervisor",
        within,
        |beat, mut shutdown| async move {
            let mut running: BTreeMap<String, Running> = BTreeMap::new();
            let mut changes = config.subscribe();
            let mut tick = tokio::time::interval(SUPERVISOR_BEAT);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut changed = true;
            loop {
                beat.renew();
                if changed {
                    let wanted: Vec<Provider> = config.current().providers.clone();
                    reconcile_collectors(&mut running, &wanted, &store, &shutdown).await;
                }
                tokio::select! {
                    _ = shutdown.wait() => break,
                    _ = tick.tick() => changed = false,
                    got = changes.changed() => {
                        if got.is_err() { break }
                        changed = true;
                    }
                }
            }
            for (_, r) in running {
                stop_collector(r).await;
            }
        },
    )
}

/// How long a collector may take to finish its step after it is told to stop.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How often the supervisor beats while no config change comes.
const SUPERVISOR_BEAT: std::time::Duration = std::time::Duration::from_secs(30);

/// Stops a collector and waits until its task has ended, so that nothing it still writes
/// can land after what follows (a removed provider's data deleted, a new collector started).
async fn stop_collector(mut r: Running) {
    r.stop.fire();
    if tokio::time::timeout(STOP_WAIT, &mut r.task).await.is_err() {
        tracing::warn!(provider = %r.provider.name, "collector: not stopped after {STOP_WAIT:?}; aborting it");
        r.task.abort();
        let _ = r.task.await;
    }
}

async fn reconcile_collectors(
    running: &mut BTreeMap<String, Running>,
    wanted: &[Provider],
    store: &Store,
    shutdown: &Shutdown,
) {
    let names: Vec<&str> = wanted.iter().map(|p| p.name.as_str()).collect();
    let gone: Vec<String> = running
        .keys()
        .filter(|n| !names.contains(&n.as_str()))
        .cloned()
        .collect();
    for name in gone {
        if let Some(r) = running.remove(&name) {
            stop_collector(r).await;
        }
        let (s, n) = (store.clone(), name.clone());
        match tokio::task::spawn_blocking(move || forget_provider(&s, &n)).await {
            Ok(Ok(())) => {
                tracing::info!(provider = %name, "collector: provider removed, its data deleted")
            }
            Ok(Err(e)) => {
                tracing::error!(provider = %name, "collector: cannot delete the data of a removed provider: {e}")
            }
            Err(e) => tracing::error!(provider = %name, "collector: the deletion panicked: {e}"),
        }
    }
    for p in wanted {
        if running
            .get(&p.name)
            .is_some_and(|r| same_connection(&r.provider, p))
        {
            continue;
        }
        if let Some(old) = running.remove(&p.name) {
            stop_collector(old).await;
        }
        match run::Collector::new(p.clone(), store.clone()) {
            Ok(c) => {
                let (stop, listen) = shutdown.child();
                let task = shutdown.spawn(format!("collector {}", p.name), c.run(listen));
                tracing::info!(provider = %p.name, url = %p.url.0, "collector: started");
                running.insert(
                    p.name.clone(),
                    Running {
                        provider: p.clone(),
                        stop,
                        task,
                    },
                );
            }
            Err(e) => {
                tracing::error!(provider = %p.name, "collector: cannot start: {e:#}");
                let (s, provider, why) = (store.clone(), p.clone(), format!("{e:#}"));
                let marked =
                    tokio::task::spawn_blocking(move || mark_not_started(&s, &provider, &why))
                        .await;
                if let Ok(Err(e)) = marked {
                    tracing::error!(provider = %p.name, "collector: cannot record the failure: {e}");
                }
            }
        }
    }
}

/// A provider whose collector cannot start says so: an error, never parity. What was
/// collected before stays, but it is no longer current.
fn mark_not_started(store: &Store, p: &Provider, why: &str) -> Result<(), StoreError> {
    let r = store.read()?;
    let mut state: ProviderState = r
        .get::<ProviderState>(&p.name)?
        .map(|s| s.value)
        .unwrap_or_else(|| ProviderState {
            name: p.name.clone(),
            url: p.url.0.to_string(),
            ..Default::default()
        });
    drop(r);
    state.parity = false;
    state.failures += 1;
    state.error = Some(status::Failure {
        since: jiff::Timestamp::now().to_string(),
        message: format!("the collector cannot start: {why}; fix the provider's config"),
    });
    let mut w = store.write()?;
    w.upsert(&p.name, &state)?;
    w.commit()
}

/// Deletes everything stored for a provider.
pub fn forget_provider(store: &Store, name: &str) -> Result<(), StoreError> {
    let r = store.read()?;
    let mut w = store.write()?;
    for c in &COLLECTIONS {
        for key in sync::stored_keys(&r, c.kind, name)? {
            sync::remove(&mut w, c.kind, &key)?;
        }
    }
    w.delete::<ProviderState>(name)?;
    w.delete::<crate::inventory::model::ServerCpuList>(name)?;
    w.commit()
}

/// The state of every provider in the store, as it may be shown (see
/// [`ProviderState::under`]).
pub fn states(store: &Store) -> Result<Vec<ProviderState>, StoreError> {
    let fault = store.write_fault();
    Ok(store
        .read()?
        .list::<ProviderState>()?
        .into_iter()
        .map(|(_, s)| s.value.under(fault.as_ref()))
        .collect())
}
