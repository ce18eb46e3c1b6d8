//! Shutdown and liveness, shared by every long-lived task (at the bottom of the house:
//! every part may use it, it uses none).
//!
//! One [`ShutdownTrigger`] is fired on SIGTERM or Ctrl-C; every task holds a [`Shutdown`]
//! and returns when it fires. Each loop also beats through its `Shutdown` into the one
//! [`Liveness`] they share, and `/readyz` and the systemd watchdog only say "alive" while
//! every loop has beaten recently, so a wedged loop gets the service restarted instead of
//! hiding behind a healthy process.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Fires the shutdown.
#[derive(Debug)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

/// Waits for the shutdown, and beats the liveness of the task holding it; cheap to clone,
/// one per task.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
    liveness: Liveness,
}

/// A new trigger and its first listener, with a new liveness.
pub fn shutdown_pair() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (
        ShutdownTrigger { tx },
        Shutdown {
            rx,
            liveness: Liveness::default(),
        },
    )
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

    /// A trigger and listener of their own (to stop one task alone) that beat into the
    /// same liveness.
    pub fn child(&self) -> (ShutdownTrigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (
            ShutdownTrigger { tx },
            Shutdown {
                rx,
                liveness: self.liveness.clone(),
            },
        )
    }

    /// The liveness every task of this shutdown beats into.
    pub fn liveness(&self) -> Liveness {
        self.liveness.clone()
    }

    /// Records that loop `name` is alive; it must beat again within `within`. The beat is
    /// forgotten when the returned guard is dropped (the loop has ended on purpose).
    pub fn beat(&self, name: &str, within: Duration) -> Beat {
        self.liveness.beat(name, within);
        Beat {
            liveness: self.liveness.clone(),
            name: name.to_string(),
            within,
        }
    }
}

/// A loop's heartbeat: [`Beat::renew`] once per turn; forgotten when the loop ends.
#[derive(Debug)]
pub struct Beat {
    liveness: Liveness,
    name: String,
    within: Duration,
}

impl Beat {
    /// The loop is alive now.
    pub fn renew(&self) {
        self.liveness.beat(&self.name, self.within);
    }
}

impl Drop for Beat {
    fn drop(&mut self) {
        self.liveness.forget(&self.name);
    }
}

/// The last beat of every long-lived loop.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    beats: Arc<Mutex<BTreeMap<String, (Instant, Duration)>>>,
}

impl Liveness {
    /// Records that loop `name` is alive; it must beat again within `within`.
    pub fn beat(&self, name: &str, within: Duration) {
        self.beats
            .lock()
            .expect("liveness lock")
            .insert(name.to_string(), (Instant::now(), within));
    }

    /// Drops loop `name`, which has ended.
    pub fn forget(&self, name: &str) {
        self.beats.lock().expect("liveness lock").remove(name);
    }

    /// Every loop that beats, by name.
    pub fn loops(&self) -> Vec<String> {
        self.beats
            .lock()
            .expect("liveness lock")
            .keys()
            .cloned()
            .collect()
    }

    /// The loops that missed their beat.
    pub fn stalled(&self) -> Vec<String> {
        let now = Instant::now();
        self.beats
            .lock()
            .expect("liveness lock")
            .iter()
            .filter(|(_, (at, within))| now.duration_since(*at) > *within)
            .map(|(name, _)| name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_that_stops_beating_is_stalled_and_one_that_ends_is_forgotten() {
        let (_trigger, shutdown) = shutdown_pair();
        let (_child_trigger, child) = shutdown.child();
        let live = shutdown.liveness();
        let quick = shutdown.beat("quick", Duration::from_millis(1));
        let steady = child.beat("steady", Duration::from_secs(3600));
        assert_eq!(
            live.loops(),
            ["quick", "steady"],
            "a child beats into the same liveness"
        );
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(live.stalled(), ["quick"]);
        quick.renew();
        steady.renew();
        drop(quick);
        assert_eq!(
            live.loops(),
            ["steady"],
            "an ended loop is not stalled, it is gone"
        );
        assert!(live.stalled().is_empty());
    }
}
