//! Shutdown and liveness, shared by every long-lived task (at the bottom of the house:
//! every part may use it, it uses none).
//!
//! One [`ShutdownTrigger`] is fired on SIGTERM or Ctrl-C; every task holds a [`Shutdown`]
//! and returns when it fires. Each loop also beats through its `Shutdown` into the one
//! [`Liveness`] they share, and `/readyz` and the systemd watchdog only say "alive" while
//! every loop has beaten recently, so a wedged loop gets the service restarted instead of
//! hiding behind a healthy process.
//!
//! Every long-lived task starts through [`Shutdown::spawn`] (or [`Shutdown::spawn_loop`],
//! which also gives it a liveness entry): it is tracked by name, and [`Tasks::wait`] waits
//! for all of them at shutdown, up to a deadline, then names those still running.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::task::TaskTracker;

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
    tasks: Tasks,
}

/// A new trigger and its first listener, with a new liveness.
pub fn shutdown_pair() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (
        ShutdownTrigger { tx },
        Shutdown {
            rx,
            liveness: Liveness::default(),
            tasks: Tasks::default(),
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
                tasks: self.tasks.clone(),
            },
        )
    }

    /// The tasks started through this shutdown (and its children).
    pub fn tasks(&self) -> Tasks {
        self.tasks.clone()
    }

    /// Starts a long-lived task, tracked under `name` until it ends.
    pub fn spawn<F>(&self, name: impl Into<String>, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(name.into(), task)
    }

    /// Starts a loop, tracked under `name`, with a liveness entry of the same name that it
    /// must renew ([`Beat::renew`]) within `within`: one that stops renewing shows as
    /// stalled in `/readyz`, by name.
    pub fn spawn_loop<F, Fut>(
        &self,
        name: impl Into<String>,
        within: Duration,
        task: F,
    ) -> JoinHandle<Fut::Output>
    where
        F: FnOnce(Beat, Shutdown) -> Fut,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        let name = name.into();
        let beat = self.beat(&name, within);
        self.tasks.spawn(name, task(beat, self.clone()))
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

    /// The loop is alive now, and must beat again within `within` (for loops whose
    /// allowance follows the config).
    pub fn renew_within(&self, within: Duration) {
        self.liveness.beat(&self.name, within);
    }
}

impl Drop for Beat {
    fn drop(&mut self) {
        self.liveness.forget(&self.name);
    }
}

/// The long-lived tasks, tracked by name.
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    running: Arc<Mutex<BTreeMap<u64, String>>>,
    next: Arc<AtomicU64>,
}

/// Removes a task from the running list when it ends (or is dropped unfinished).
struct Ended {
    running: Arc<Mutex<BTreeMap<u64, String>>>,
    id: u64,
}

impl Drop for Ended {
    fn drop(&mut self) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

impl Tasks {
    fn spawn<F>(&self, name: String, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, name);
        let ended = Ended {
            running: self.running.clone(),
            id,
        };
        self.tracker.spawn(async move {
            let _ended = ended;
            task.await
        })
    }

    /// The names of the tasks still running.
    pub fn running(&self) -> Vec<String> {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Waits until every task has ended, for at most `deadline`; `Err` names the tasks
    /// still running then. No task can start after this is called.
    pub async fn wait(&self, deadline: Duration) -> Result<(), Vec<String>> {
        self.tracker.close();
        match tokio::time::timeout(deadline, self.tracker.wait()).await {
            Ok(()) => Ok(()),
            Err(_) => Err(self.running()),
        }
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

    #[tokio::test(start_paused = true)]
    async fn shutdown_waits_for_tracked_tasks_up_to_a_deadline_and_names_the_rest() {
        let (trigger, shutdown) = shutdown_pair();
        let mut polite = shutdown.clone();
        shutdown.spawn("polite", async move { polite.wait().await });
        shutdown.spawn("stuck", std::future::pending::<()>());
        let tasks = shutdown.tasks();
        assert_eq!(tasks.running(), ["polite", "stuck"]);
        trigger.fire();
        let left = tasks.wait(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(left, ["stuck"], "the task that ignored shutdown is named");
    }

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
