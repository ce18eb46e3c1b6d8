//! Keeps the compiled policy current: compiles the bundle at start, again when the config
//! names another folder, and again when a file of the folder changes.
//!
//! A bundle that fails to load or compile is refused: the error goes to the log and the
//! status (hence the pages, the API and `/metrics`), and the last good policy keeps running.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer;
use tokio::sync::{mpsc, watch};

use super::bundle::Bundle;
use super::policy::Policy;
use super::status::StatusCell;
use crate::config::watch::LiveConfig;
use crate::lifecycle::Shutdown;

/// How long the folder must be quiet before it is read (an editor writes in several steps).
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Where the rules come from, as the config says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    dir: Option<PathBuf>,
    replace: bool,
}

fn source_of(live: &LiveConfig) -> Source {
    let v = &live.current().validation;
    Source {
        dir: v.policy_dir.clone(),
        replace: v.replace_builtin,
    }
}

/// Loads and compiles the bundle of `source`; updates the status either way. Returns the
/// new policy when it differs from `current`.
fn compile(source: &Source, current: Option<&Policy>, status: &StatusCell) -> Option<Policy> {
    let result = Bundle::load(source.dir.as_deref(), source.replace)
        .map_err(|e| e.to_string())
        .and_then(|bundle| {
            if current.is_some_and(|p| p.version == bundle.version()) {
                return Ok(None);
            }
            Policy::compile(&bundle).map(Some).map_err(|e| e.0)
        });
    match result {
        Ok(policy) => {
            status.update(|s| {
                s.policy_error = None;
                if let Some(p) = &policy {
                    s.policy_version = Some(p.version.clone());
                    s.policy_source = p.source.clone();
                    s.policy_files = p.files;
                }
            });
            if let Some(p) = &policy {
                tracing::info!(version = %p.version, source = %p.source, "validation policy in force");
            }
            policy
        }
        Err(e) => {
            tracing::error!("validation rules refused, the last good ones stay in force: {e}");
            status.update(|s| s.policy_error = Some(e));
            None
        }
    }
}

/// Compiles the policy now (so the first one is there when this returns) and keeps it
/// current in the background; the receiver always holds the policy in force.
pub async fn spawn(
    live: LiveConfig,
    status: StatusCell,
    shutdown: Shutdown,
) -> watch::Receiver<Option<Arc<Policy>>> {
    let mut source = source_of(&live);
    let first = {
        let (source, status) = (source.clone(), status.clone());
        tokio::task::spawn_blocking(move || compile(&source, None, &status))
            .await
            .ok()
            .flatten()
    };
    let (tx, rx) = watch::channel(first.map(Arc::new));
    // Beats between edits; one compile of the rules must end within the allowance.
    let within = RULES_BEAT * 3 + COMPILE_ALLOWANCE;
    shutdown.spawn_loop("rules watcher", within, |beat, mut shutdown| async move {
        let mut config = live.subscribe();
        let (touched_tx, mut touched) = mpsc::channel::<()>(1);
        let mut watching = watch_dir(&source, touched_tx.clone());
        let mut tick = tokio::time::interval(RULES_BEAT);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            beat.renew();
            tokio::select! {
                _ = shutdown.wait() => break,
                _ = tick.tick() => continue,
                changed = config.changed() => {
                    if changed.is_err() { break }
                    let now = source_of(&live);
                    if now == source { continue }
                    source = now;
                    watching = watch_dir(&source, touched_tx.clone());
                }
                _ = touched.recv() => {}
            }
            let _keep = &watching;
            let current = tx.borrow().clone();
            let (src, st) = (source.clone(), status.clone());
            let compiled =
                tokio::task::spawn_blocking(move || compile(&src, current.as_deref(), &st)).await;
            if let Ok(Some(policy)) = compiled {
                let _ = tx.send(Some(Arc::new(policy)));
            }
        }
    });
    rx
}

/// How often the rules watcher beats while no edit comes.
const RULES_BEAT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long one compile of the rules may take before the watcher counts as wedged.
const COMPILE_ALLOWANCE: std::time::Duration = std::time::Duration::from_secs(120);

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Watches the rule folder, when there is one; a folder that cannot be watched is logged
/// (its rules still load, and the next config change or SIGHUP tries again).
fn watch_dir(source: &Source, touched: mpsc::Sender<()>) -> Option<Debouncer> {
    let dir = source.dir.clone()?;
    let watcher = new_debouncer(
        DEBOUNCE,
        None,
        move |res: notify_debouncer_full::DebounceEventResult| {
            let Ok(events) = res else { return };
            let rego = events
                .iter()
                .filter(|e| !e.kind.is_access())
                .flat_map(|e| e.paths.iter())
                .any(|p| p.extension().is_some_and(|x| x == "rego"));
            if rego {
                // A full channel already holds a pending reload, which reads the newest files.
                let _ = touched.try_send(());
            }
        },
    );
    match watcher {
        Ok(mut w) => match w.watch(&dir, RecursiveMode::NonRecursive) {
            Ok(()) => Some(w),
            Err(e) => {
                tracing::warn!("cannot watch the policy folder {}: {e}", dir.display());
                None
            }
        },
        Err(e) => {
            tracing::warn!("cannot watch the policy folder {}: {e}", dir.display());
            None
        }
    }
}
