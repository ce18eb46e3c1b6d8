//! Hot reload: the live config, its reload status, and the file watcher.
//!
//! [`LiveConfig`] holds the config in force behind a `tokio::sync::watch` channel: every part
//! either reads [`LiveConfig::current`] when it needs a value, or subscribes and reacts to a
//! change. An edit is loaded and validated in full before it replaces anything, so a bad edit
//! leaves the last good config in force and is recorded in [`ReloadStatus`], which the log,
//! the page banner, `/metrics` and the API all show until a good edit replaces it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jiff::Timestamp;
use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use super::{Config, ConfigError, load_file_text};
use crate::lifecycle::Shutdown;

/// Where the config stands: its file, when it was loaded, and the last refused edit.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReloadStatus {
    /// The file the config comes from; `None` for the built-in demo config.
    #[schema(value_type = Option<String>)]
    pub file: Option<PathBuf>,
    /// When the config in force was loaded.
    #[schema(value_type = String)]
    pub loaded_at: Timestamp,
    /// The last edit that was refused, while no valid edit has replaced it.
    pub error: Option<ReloadError>,
    /// Keys changed by a reload that only take effect at the next start.
    pub restart_needed: Vec<String>,
    /// Edits applied since start.
    pub reloads_ok: u64,
    /// Edits refused since start.
    pub reloads_failed: u64,
}

/// A refused edit.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReloadError {
    /// When the edit was refused.
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// Why, as `FILE:LINE:COL: KEY: MESSAGE`.
    pub message: String,
}

/// The config in force, shared by every part of the running service.
#[derive(Clone)]
pub struct LiveConfig {
    inner: Arc<Inner>,
}

struct Inner {
    tx: watch::Sender<Arc<Config>>,
    status: RwLock<ReloadStatus>,
    /// The config the service started with: what restart-only keys are compared against.
    booted: Arc<Config>,
    /// A fingerprint of the file's content and mode at the last reload, so that the several
    /// events one save raises lead to one reload.
    last_seen: std::sync::Mutex<Option<u64>>,
}

impl std::fmt::Debug for LiveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveConfig")
            .field("status", &self.status())
            .finish()
    }
}

impl LiveConfig {
    /// Wraps a config that was loaded from `file` (or built in, when `None`).
    pub fn new(config: Config, file: Option<PathBuf>) -> Self {
        let booted = Arc::new(config);
        let (tx, _) = watch::channel(booted.clone());
        let status = ReloadStatus {
            file,
            loaded_at: Timestamp::now(),
            error: None,
            restart_needed: Vec::new(),
            reloads_ok: 0,
            reloads_failed: 0,
        };
        LiveConfig {
            inner: Arc::new(Inner {
                tx,
                status: RwLock::new(status),
                booted,
                last_seen: std::sync::Mutex::new(None),
            }),
        }
    }

    /// The config in force now.
    pub fn current(&self) -> Arc<Config> {
        self.inner.tx.borrow().clone()
    }

    /// A receiver that wakes on every applied edit.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Config>> {
        self.inner.tx.subscribe()
    }

    /// The reload status now.
    pub fn status(&self) -> ReloadStatus {
        self.inner.status.read().expect("status lock").clone()
    }

    /// Loads the file again even if it did not change (SIGHUP): secret files may have.
    pub fn reload_now(&self) -> Result<(), ConfigError> {
        *self.inner.last_seen.lock().expect("last_seen lock") = None;
        self.reload()
    }

    /// Loads the file again; applies it when valid, records the error otherwise.
    pub fn reload(&self) -> Result<(), ConfigError> {
        let Some(file) = self.status().file else {
            return Ok(());
        };
        let text = read_settled(&file);
        if text.is_err() {
            // The file is away: whatever comes back next is read and judged afresh, even
            // the very text in force (its error must then clear).
            *self.inner.last_seen.lock().expect("last_seen lock") = None;
        }
        if let Ok(text) = &text {
            let print = fingerprint(&file, text);
            let mut last = self.inner.last_seen.lock().expect("last_seen lock");
            if *last == Some(print) {
                return Ok(());
            }
            *last = Some(print);
        }
        let loaded = text.and_then(|text| self.judge(&file, &text));
        self.settle(&file, loaded, false)
    }

    /// Looks at the file again while an error is shown, though nothing wrote to it: the
    /// cause may have gone without an edit (a `ca_file` that appeared, a passing "Too many
    /// open files", a `chmod` on a symlink's target). The same error again changes nothing
    /// and is not logged again.
    pub fn recheck(&self) -> Result<(), ConfigError> {
        let Some(file) = self.status().file else {
            return Ok(());
        };
        if self.status().error.is_none() {
            return Ok(());
        }
        let loaded = read_settled(&file).and_then(|text| self.judge(&file, &text));
        self.settle(&file, loaded, true)
    }

    /// Loads config text and refuses an edit that would remove every provider or every
    /// user at once, unless the file says so with `providers = []` or `users = []`.
    fn judge(&self, file: &Path, text: &str) -> Result<Config, ConfigError> {
        let config = load_file_text(file, text)?;
        let current = self.current();
        let sections: [(&str, Vec<&str>, bool); 2] = [
            (
                "providers",
                current.providers.iter().map(|p| p.name.as_str()).collect(),
                config.providers.is_empty(),
            ),
            (
                "users",
                current.users.iter().map(|u| u.name.as_str()).collect(),
                config.users.is_empty(),
            ),
        ];
        for (section, had, none_left) in sections {
            if !had.is_empty() && none_left && !super::load::explicitly_empty(text, section) {
                return Err(ConfigError {
                    file: Some(file.to_path_buf()),
                    position: None,
                    key: Some(section.to_string()),
                    message: format!(
                        "this edit removes every one of the {section} ({}) at once; the config \
                         in force stays. To remove them all, write `{section} = []` in the file",
                        had.join(", ")
                    ),
                });
            }
        }
        Ok(config)
    }

    /// Applies a loaded config, or records why it was refused. With `quiet`, a refusal
    /// for the reason already shown is neither logged nor counted again.
    fn settle(
        &self,
        file: &Path,
        loaded: Result<Config, ConfigError>,
        quiet: bool,
    ) -> Result<(), ConfigError> {
        match loaded {
            Ok(config) => {
                let restart = restart_only_changes(&self.inner.booted, &config);
                for key in &restart {
                    tracing::warn!(
                        key,
                        "config: this key changed; it takes effect at the next start"
                    );
                }
                {
                    let mut s = self.inner.status.write().expect("status lock");
                    s.loaded_at = Timestamp::now();
                    if s.error.take().is_some() {
                        tracing::info!("config: the reload error is cleared");
                    }
                    s.restart_needed = restart;
                    s.reloads_ok += 1;
                }
                self.inner.tx.send_replace(Arc::new(config));
                tracing::info!(file = %file.display(), "config: reloaded");
                Ok(())
            }
            Err(e) => {
                let mut s = self.inner.status.write().expect("status lock");
                let same = s
                    .error
                    .as_ref()
                    .is_some_and(|old| old.message == e.to_string());
                if quiet && same {
                    return Err(e);
                }
                tracing::error!("config: edit refused, the last good config stays in force: {e}");
                s.error = Some(ReloadError {
                    at: Timestamp::now(),
                    message: e.to_string(),
                });
                s.reloads_failed += 1;
                Err(e)
            }
        }
    }
}

/// Reads the file once it has stopped changing. An editor or `echo >` that truncates and
/// then writes leaves an empty file for an instant; reading it then would be refused, and
/// the refusal shown for an edit that is fine.
fn read_settled(file: &Path) -> Result<String, ConfigError> {
    let read = || {
        super::file::read_regular(file).map_err(|e| ConfigError {
            file: Some(file.to_path_buf()),
            position: None,
            key: None,
            message: format!("cannot read the file: {e}"),
        })
    };
    let mut text = read()?;
    for _ in 0..20 {
        std::thread::sleep(SETTLE);
        let again = read()?;
        if again == text {
            return Ok(text);
        }
        text = again;
    }
    Ok(text)
}

fn fingerprint(file: &Path, text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::PermissionsExt;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    std::fs::metadata(file)
        .map(|m| m.permissions().mode())
        .unwrap_or(0)
        .hash(&mut h);
    h.finish()
}

/// How long the file's content must stay the same before it is taken.
const SETTLE: Duration = Duration::from_millis(50);

/// Keys whose new value needs a restart: the listeners and the data folder are bound once.
fn restart_only_changes(old: &Config, new: &Config) -> Vec<String> {
    let mut keys = Vec::new();
    let (a, b) = (&old.server, &new.server);
    if a.listen != b.listen {
        keys.push("server.listen".to_string());
    }
    if a.socket != b.socket {
        keys.push("server.socket".to_string());
    }
    if a.idle_timeout != b.idle_timeout {
        keys.push("server.idle_timeout".to_string());
    }
    if a.tls_cert != b.tls_cert || a.tls_key != b.tls_key {
        keys.push("server.tls_cert".to_string());
    }
    if old.storage.data_dir != new.storage.data_dir {
        keys.push("storage.data_dir".to_string());
    }
    keys
}

/// How long the watcher may go between beats: it beats every [`RECHECK`], and one reload
/// (a settled read of the file and the secrets it names) must end within this.
const WATCHER_ALLOWANCE: Duration = Duration::from_secs(30);

/// How often the file is looked at again while a refused edit is shown (and the watcher
/// beats).
pub const RECHECK: Duration = Duration::from_secs(2);

/// How long the file must be quiet before it is read: editors write in several steps.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Watches the config file and reloads it on every edit, until shutdown.
///
/// The folder is watched rather than the file, because many editors save by writing a new
/// file and renaming it over the old one, which a watch on the old inode would miss.
pub fn spawn_watcher(live: LiveConfig, shutdown: Shutdown) -> anyhow::Result<()> {
    let Some(file) = live.status().file else {
        return Ok(());
    };
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = file.file_name().map(|n| n.to_os_string());
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let mut debouncer = new_debouncer(
        DEBOUNCE,
        None,
        move |res: notify_debouncer_full::DebounceEventResult| {
            let Ok(events) = res else { return };
            let touched = events
                .iter()
                .flat_map(|e| e.paths.iter())
                .any(|p| p.file_name().map(|n| n.to_os_string()) == name);
            if touched {
                // A full channel already holds a pending reload, which will read the newest file.
                let _ = tx.try_send(());
            }
        },
    )?;
    debouncer
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", dir.display()))?;
    shutdown.spawn_loop(
        "config watcher",
        WATCHER_ALLOWANCE,
        |beat, mut shutdown| async move {
            let _keep_alive = debouncer;
            let mut recheck = tokio::time::interval(RECHECK);
            recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                beat.renew();
                tokio::select! {
                    _ = shutdown.wait() => break,
                    got = rx.recv() => {
                        if got.is_none() { break; }
                        let live = live.clone();
                        let _ = tokio::task::spawn_blocking(move || live.reload()).await;
                    }
                    _ = recheck.tick() => {
                        if live.status().error.is_some() {
                            let live = live.clone();
                            let _ = tokio::task::spawn_blocking(move || live.recheck()).await;
                        }
                    }
                }
            }
        },
    );
    Ok(())
}
