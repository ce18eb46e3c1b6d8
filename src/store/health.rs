//! Whether the store can be written, and its recovery when it could not.
//!
//! A write that fails (a full disk, an I/O error) leaves redb refusing every later write
//! until the database is closed and opened again ("Previous I/O error occurred"). Nothing
//! then reaches the disk, so nothing vmyard shows may claim to be current: the fault is kept
//! here, where every view of the store reads it (the providers lose their parity, `/readyz`
//! says not ready, `/metrics` and every page say why).
//!
//! [`heal_loop`] tries every few seconds to reopen the store once a probe write shows there
//! is room again. A reopened store holds what its last durable commit held; the
//! [`Store::epoch`] goes up so that the parts which keep work in memory (the collectors, the
//! validator) know to look at the store again rather than trust what they wrote meanwhile.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::Store;
use crate::lifecycle::Shutdown;

/// A store that cannot be written: since when, and what the system said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFault {
    /// When the first failing write of this episode happened.
    pub since: jiff::Timestamp,
    /// What the first failing write of this episode was told.
    pub message: String,
}

impl WriteFault {
    /// What people are told: the cause and what vmyard does about it.
    pub fn explain(&self) -> String {
        format!(
            "the store cannot be written since {}: {}; nothing collected or computed since is kept, and vmyard reopens the store once there is room again",
            self.since.strftime("%Y-%m-%d %H:%M:%S UTC"),
            self.message
        )
    }
}

/// The shared write health of one store.
#[derive(Debug, Default)]
pub(super) struct Health {
    fault: Mutex<Option<WriteFault>>,
    failures: AtomicU64,
    epoch: AtomicU64,
}

impl Health {
    pub(super) fn record(&self, what: &str, error: &dyn std::fmt::Display) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let message = format!("{what}: {error}");
        let mut fault = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        // The first failure of an episode is its cause; the ones after it only repeat
        // redb's "Previous I/O error" until the store is reopened.
        match fault.as_ref() {
            Some(_) => tracing::debug!("store: {message}"),
            None => {
                // Logged once per episode: every write fails the same way until it heals.
                tracing::error!("store: {message}; writes are refused until the store is reopened");
                *fault = Some(WriteFault {
                    since: jiff::Timestamp::now(),
                    message,
                });
            }
        }
    }

    pub(super) fn fault(&self) -> Option<WriteFault> {
        self.fault.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(super) fn clear(&self) {
        self.fault.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    pub(super) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub(super) fn reopened(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }
}

/// How much room a reopen wants to see first: redb grows its file by regions of about this.
const PROBE_BYTES: usize = 1 << 20;

/// Whether the data folder takes a write of [`PROBE_BYTES`] right now.
pub(super) fn probe_room(dir: &std::path::Path) -> std::io::Result<()> {
    let probe = dir.join(".vmyard-space-probe");
    let result = (|| {
        let mut f = std::fs::File::create(&probe)?;
        f.write_all(&vec![0u8; PROBE_BYTES])?;
        f.sync_all()
    })();
    let _ = std::fs::remove_file(&probe);
    result
}

/// How often a store that cannot be written is tried again.
const HEAL_EVERY: Duration = Duration::from_secs(2);

/// Reopens the store whenever it cannot be written and there is room again; beats its
/// liveness every turn and ends on shutdown.
pub async fn heal_loop(store: Store, mut shutdown: Shutdown) {
    let beat = shutdown.beat("store-healer", HEAL_EVERY * 10 + Duration::from_secs(60));
    loop {
        beat.renew();
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tokio::time::sleep(HEAL_EVERY) => {}
        }
        if store.write_fault().is_none() {
            continue;
        }
        // Opening checks every page of the file: blocking work, off the async workers.
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.reopen()).await {
            Ok(Ok(true)) => tracing::info!("store: reopened; writes are kept again"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::debug!("store: not reopened yet: {e}"),
            Err(e) => tracing::error!("store: the reopen panicked: {e}"),
        }
    }
}
