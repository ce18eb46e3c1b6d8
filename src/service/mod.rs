//! The running service: wires the parts together, starts one task per long-lived job, and
//! stops them all on SIGTERM.
//!
//! Start-up order matters for the error a person sees: config first, then the store, then
//! the TLS identity, then the listeners, so each failure names its own cause and nothing is
//! half-started. systemd is told READY only once the listeners accept.

pub mod commands;
pub mod demo;
mod demo_history;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

pub use crate::lifecycle::{Liveness, Shutdown, ShutdownTrigger, shutdown_pair};

use crate::auth::session;
use crate::auth::throttle::LoginThrottle;
use crate::config::watch::{LiveConfig, spawn_watcher};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::web::{self, AppState};

/// A started service.
pub struct Running {
    /// The HTTPS address it listens on.
    pub https: SocketAddr,
    /// The unix socket, if any.
    pub socket: Option<PathBuf>,
    /// What the handlers see (for tests and the demo's banner).
    pub state: AppState,
    trigger: ShutdownTrigger,
    /// Every task started through its shutdown, tracked by name.
    shutdown: Shutdown,
}

impl Running {
    /// The base URL of the pages.
    pub fn url(&self) -> String {
        let host = match self.https.ip() {
            ip if ip.is_unspecified() => "localhost".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("https://{host}:{}/", self.https.port())
    }

    /// Starts a task through the service's one spawn point, awaited at shutdown.
    pub fn spawn(
        &self,
        name: &'static str,
        task: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        self.shutdown.spawn(name, task);
    }

    /// The shutdown signal a task started with [`Running::spawn`] waits on.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Stops every task, lets in-flight requests finish (up to [`STOP_DEADLINE`]), and
    /// closes the store. Tasks still running at the deadline are named in the log.
    pub async fn stop(self) {
        self.trigger.fire();
        if let Err(left) = self.shutdown.tasks().wait(STOP_DEADLINE).await {
            tracing::error!(
                left = %left.join(", "),
                "stopping: tasks still running after {} s; leaving them",
                STOP_DEADLINE.as_secs()
            );
        }
        // The last handle on the store goes with the state: redb closes the file cleanly.
        drop(self.state);
    }
}

/// Starts every part with the config in `live`; fails with a one-line reason.
pub async fn start(live: LiveConfig, demo: bool) -> anyhow::Result<Running> {
    start_on(live, demo, None).await
}

/// Takes the HTTPS address and the socket of `config`. The demo does it before it writes
/// anything, so a demo that cannot listen leaves its data folder as it was.
pub fn bind(config: &crate::config::Config) -> anyhow::Result<web::server::Bound> {
    web::server::bind(config.server.listen.0, &config.server.socket)
}

/// [`start`], on listeners already bound when `bound` is given. Otherwise the store is
/// opened first: a data folder that cannot hold it is the first error a start reports.
pub async fn start_on(
    live: LiveConfig,
    demo: bool,
    bound: Option<web::server::Bound>,
) -> anyhow::Result<Running> {
    let config = live.current();
    let store = Store::open(&config.storage.data_dir)?;
    // A store written by an older vmyard gets this version's index layout before anything
    // lists from it.
    crate::inventory::ensure_indexes(&store)?;
    let server = &config.server;
    let tls = web::tls::server_config(
        server.tls_cert.as_deref(),
        server.tls_key.as_deref(),
        &config.storage.data_dir,
    )?;
    let bound = match bound {
        Some(b) => b,
        None => bind(&config)?,
    };
    let https = bound.https_addr();
    let socket = bound.socket_path().map(|p| p.to_path_buf());

    let (trigger, shutdown) = shutdown_pair();
    let liveness = shutdown.liveness();
    // The validator compiles its rules first, so the pages show the policy from the start.
    let (validation, _) =
        crate::validation::spawn(live.clone(), store.clone(), shutdown.clone()).await;
    let (machines, _) =
        crate::machines::controller::spawn(live.clone(), store.clone(), shutdown.clone());
    let state = AppState {
        metrics: Metrics::new(
            live.clone(),
            store.clone(),
            validation.clone(),
            machines.clone(),
        ),
        machines,
        validation,
        config: live.clone(),
        store: store.clone(),
        throttle: Arc::new(LoginThrottle::default()),
        liveness: liveness.clone(),
        started_at: jiff::Timestamp::now(),
        demo,
        listen: https,
        answers: Default::default(),
        flashes: Default::default(),
        facts: crate::node::Facts::new(live.clone(), crate::node::Sources::default(), https.port()),
        peers: crate::node::peers::Peers::default(),
    };
    let router = web::routes(state.clone()).into_router();
    let idle = live.current().server.idle_timeout.0;
    // Each part starts its tasks through `shutdown`, which tracks them by name.
    web::server::serve(bound, router, tls, idle, shutdown.clone())?;
    spawn_watcher(live.clone(), shutdown.clone()).context("config watcher")?;
    crate::collector::spawn(live, store.clone(), shutdown.clone());
    state.facts.spawn(shutdown.clone());
    shutdown.spawn(
        "store healer",
        crate::store::heal_loop(store.clone(), shutdown.clone()),
    );
    shutdown.spawn(
        "session sweeper",
        sweep(store, state.config.clone(), liveness, shutdown.clone()),
    );
    match &socket {
        Some(socket) => tracing::info!(%https, socket = %socket.display(), "serving"),
        None => tracing::info!(%https, "serving"),
    }
    Ok(Running {
        https,
        socket,
        state,
        trigger,
        shutdown,
    })
}

/// How long shutdown waits for every task: longer than the HTTPS drain (10 s) and a
/// collector's stop (10 s).
pub const STOP_DEADLINE: Duration = Duration::from_secs(25);

/// How often the sweeper removes expired sessions and old readiness history.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The store's sweeper: removes expired sessions, and readiness history past its days.
async fn sweep(
    store: Store,
    live: crate::config::watch::LiveConfig,
    liveness: Liveness,
    mut shutdown: Shutdown,
) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tick.tick() => {}
        }
        liveness.beat("session-sweeper", SWEEP_EVERY * 3);
        let store = store.clone();
        let (keep, detail) = {
            let v = &live.current().validation;
            (v.history_days, v.history_detail_days)
        };
        let swept = tokio::task::spawn_blocking(move || {
            session::sweep(&store)
                .map_err(|e| format!("session sweep: {e}"))
                .and_then(|_| {
                    crate::validation::history::prune(&store, detail, keep)
                        .map_err(|e| format!("history sweep: {e}"))
                })
        })
        .await;
        match swept {
            Ok(Ok(n)) if n > 0 => tracing::debug!(n, "readiness history past its days removed"),
            Ok(Err(e)) => tracing::error!("{e}"),
            _ => {}
        }
    }
}

/// Runs until SIGTERM or Ctrl-C, talking to systemd on the way: READY once serving,
/// WATCHDOG while every loop beats, STOPPING at the end.
pub async fn run_until_signal(running: Running) -> anyhow::Result<()> {
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    if let Some(period) = sd_notify::watchdog_enabled() {
        let liveness = running.state.liveness.clone();
        let shutdown = running.shutdown.clone();
        running.shutdown.spawn(
            "watchdog feeder",
            feed_watchdog(period / 2, liveness, shutdown),
        );
    }
    wait_for_signal(&running.state.config).await;
    tracing::info!("stopping: finishing in-flight requests");
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    running.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn feed_watchdog(every: Duration, liveness: Liveness, mut shutdown: Shutdown) {
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tick.tick() => {}
        }
        let stalled = liveness.stalled();
        if stalled.is_empty() {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        } else {
            tracing::error!(stalled = %stalled.join(", "), "loops stalled: not feeding the systemd watchdog");
        }
    }
}

/// Waits for SIGTERM or Ctrl-C; SIGHUP on the way reloads the config (and the secret files
/// it names, whose edits the file watcher cannot see).
async fn wait_for_signal(config: &LiveConfig) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
    loop {
        tokio::select! {
            _ = term.recv() => return,
            _ = tokio::signal::ctrl_c() => return,
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading the config");
                let config = config.clone();
                let _ = tokio::task::spawn_blocking(move || config.reload_now()).await;
            }
        }
    }
}
