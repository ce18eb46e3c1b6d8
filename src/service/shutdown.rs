//! Shutdown and liveness, shared by every long-lived task.
//!
//! One [`ShutdownTrigger`] is fired on SIGTERM or Ctrl-C; every task holds a [`Shutdown`]
//! and returns when it fires. Each loop also beats a [`Liveness`] heartbeat, and the systemd
//! watchdog is only fed while every loop has beaten recently, so a wedged loop gets the
//! service restarted instead of hiding behind a healthy process.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Fires the shutdown.
#[derive(Debug)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

/// Waits for the shutdown; cheap to clone, one per task.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

/// A new trigger and its first listener.
pub fn shutdown_pair() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger { tx }, Shutdown { rx })
}

impl ShutdownTrigger {
    /// Tells every task to stop.
    pub fn fire(&self) {
        self.tx.send_replace(true);
    }
}

impl Shutdown {
    /// Returns once shutdown has been fired (at once if it already was).
    pub async fn wait(&mut self) {
        // An error means the trigger is gone, which also means: stop.
        let _ = self.rx.wait_for(|fired| *fired).await;
    }

    /// Whether shutdown has been fired.
    pub fn is_fired(&self) -> bool {
        *self.rx.borrow()
    }
}

/// The last beat of every long-lived loop.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    beats: Arc<Mutex<BTreeMap<&'static str, (Instant, Duration)>>>,
}

impl Liveness {
    /// Records that loop `name` is alive; it must beat again within `within`.
    pub fn beat(&self, name: &'static str, within: Duration) {
        self.beats
            .lock()
            .expect("liveness lock")
            .insert(name, (Instant::now(), within));
    }

    /// The loops that missed their beat.
    pub fn stalled(&self) -> Vec<&'static str> {
        let now = Instant::now();
        self.beats
            .lock()
            .expect("liveness lock")
            .iter()
            .filter(|(_, (at, within))| now.duration_since(*at) > *within)
            .map(|(name, _)| *name)
            .collect()
    }
}
