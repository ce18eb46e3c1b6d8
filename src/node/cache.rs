//! The per-section cache of the node facts and its background refresh.
//!
//! Each section has its own slot: the last snapshot, and a gate that lets one collection of
//! that section run at a time. Requests that arrive while a collection runs wait for it
//! rather than starting another; a collection that started before a request was made never
//! answers a request for fresh facts. Collections run on their own task, so a request that
//! gives up at its timeout does not waste the work: the snapshot still lands in the cache.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::task::JoinHandle;

use super::envelope::Dialect;
use super::property::Context;
use super::{Collected, Section, SourceError, Sources, collect_blocking};
use crate::config::watch::LiveConfig;
use crate::lifecycle::{Beat, Shutdown};

/// One collection of one section.
#[derive(Debug)]
pub struct Snapshot {
    /// The section.
    pub section: Section,
    /// When the collection started.
    pub collected_at: jiff::Timestamp,
    /// How long it took.
    pub took: Duration,
    /// The items' `data`, in their stable order.
    pub items: Vec<serde_json::Value>,
    /// The sources that failed.
    pub errors: Vec<SourceError>,
    started: Instant,
    rendered: Mutex<Option<(String, Dialect, Bytes)>>,
}

impl Snapshot {
    /// A snapshot of given items, collected now (for tests of the rendering).
    #[cfg(test)]
    pub fn of(section: Section, items: Vec<serde_json::Value>) -> Snapshot {
        Snapshot {
            section,
            collected_at: jiff::Timestamp::now(),
            took: Duration::ZERO,
            items,
            errors: Vec::new(),
            started: Instant::now(),
            rendered: Mutex::new(None),
        }
    }

    /// The JSON answer of `node` for this snapshot in a dialect, rendered once per node
    /// name and dialect in a row (one client mostly asks in one).
    pub fn body(&self, node: &str, dialect: Dialect) -> Bytes {
        let mut cached = self.rendered.lock().expect("render lock");
        if let Some((name, d, body)) = cached.as_ref()
            && name == node
            && *d == dialect
        {
            return body.clone();
        }
        let body = super::envelope::render_in(dialect, self.section, node, self);
        *cached = Some((node.to_string(), dialect, body.clone()));
        body
    }
}

/// Why facts could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CollectError {
    /// The collection did not finish in time (it goes on, and fills the cache when done).
    #[error("collecting {0} took longer than {1:?}; it goes on in the background")]
    Timeout(Section, Duration),
    /// The collection task itself failed.
    #[error("collecting {0} failed: {1}")]
    Failed(Section, String),
}

#[derive(Default)]
struct Slot {
    current: RwLock<Option<Arc<Snapshot>>>,
    gate: tokio::sync::Mutex<()>,
}

struct Inner {
    config: LiveConfig,
    sources: Sources,
    listener_port: u16,
    slots: Vec<Slot>,
}

/// The node's facts: a cache per section, refreshed in the background.
#[derive(Clone)]
pub struct Facts {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts").finish_non_exhaustive()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Facts {
    /// The node's live facts (memory in use, load, uptime, file systems), read now, off the
    /// async workers.
    pub async fn live(&self) -> super::live::Live {
        let src = self.inner.sources.clone();
        tokio::task::spawn_blocking(move || super::live::read(&src))
            .await
            .unwrap_or_else(|e| super::live::Live {
                errors: vec![format!("reading the live facts failed: {e}")],
                ..Default::default()
            })
    }

    /// Facts read from `sources`, named and tuned by the config in force.
    pub fn new(config: LiveConfig, sources: Sources, listener_port: u16) -> Facts {
        Facts {
            inner: Arc::new(Inner {
                config,
                sources,
                listener_port,
                slots: Section::ALL.iter().map(|_| Slot::default()).collect(),
            }),
        }
    }

    /// This node's name: `[node].name`, else the host name.
    pub fn node_name(&self) -> String {
        super::property::node_name(&self.inner.sources, &self.context())
    }

    fn context(&self) -> Context {
        let config = self.inner.config.current();
        Context {
            name: config.node.name.clone(),
            overrides: config.node.properties.clone(),
            listener_port: self.inner.listener_port,
        }
    }

    fn timeout(&self) -> Duration {
        self.inner.config.current().node.collect_timeout.0
    }

    /// The last snapshot of a section, if it was ever collected.
    pub fn cached(&self, section: Section) -> Option<Arc<Snapshot>> {
        self.inner.slots[section.index()]
            .current
            .read()
            .expect("slot lock")
            .clone()
    }

    /// The last snapshot, or a collection within the timeout when there is none yet.
    pub async fn get(&self, section: Section) -> Result<Arc<Snapshot>, CollectError> {
        match self.cached(section) {
            Some(s) => Ok(s),
            None => self.refresh(section).await,
        }
    }

    /// A collection that starts after this call, within the configured timeout.
    pub async fn refresh(&self, section: Section) -> Result<Arc<Snapshot>, CollectError> {
        let timeout = self.timeout();
        match tokio::time::timeout(timeout, self.collect(section)).await {
            Ok(r) => r,
            Err(_) => Err(CollectError::Timeout(section, timeout)),
        }
    }

    /// Collects a section on its own task, with no timeout.
    pub fn collect(&self, section: Section) -> BoxFuture<Result<Arc<Snapshot>, CollectError>> {
        let this = self.clone();
        let asked = Instant::now();
        // Short-lived (one collection), not a loop: it runs on its own task so that a caller
        // that gives up does not cancel the collection others wait for.
        let task = tokio::spawn(async move { this.collect_after(section, asked).await });
        Box::pin(async move {
            task.await
                .map_err(|e| CollectError::Failed(section, e.to_string()))?
        })
    }

    async fn collect_after(
        &self,
        section: Section,
        asked: Instant,
    ) -> Result<Arc<Snapshot>, CollectError> {
        let slot = &self.inner.slots[section.index()];
        let _gate = slot.gate.lock().await;
        if let Some(s) = self.cached(section)
            && s.started >= asked
        {
            return Ok(s);
        }
        let collected_at = jiff::Timestamp::now();
        let started = Instant::now();
        let collected = if section == Section::Asset {
            self.asset().await
        } else {
            let ctx = self.context();
            let src = self.inner.sources.clone();
            tokio::task::spawn_blocking(move || collect_blocking(section, &ctx, &src))
                .await
                .map_err(|e| CollectError::Failed(section, e.to_string()))?
        };
        let snap = Arc::new(Snapshot {
            section,
            collected_at,
            took: started.elapsed(),
            items: collected.items,
            errors: collected.errors,
            started,
            rendered: Mutex::new(None),
        });
        for e in &snap.errors {
            tracing::debug!(%section, source = %e.source, error = %e.error, "node facts source failed");
        }
        *slot.current.write().expect("slot lock") = Some(snap.clone());
        Ok(snap)
    }

    async fn asset(&self) -> Collected {
        let (property, disk, package, patch, ipaddress) = tokio::join!(
            self.get(Section::Property),
            self.get(Section::Disk),
            self.get(Section::Package),
            self.get(Section::Patch),
            self.get(Section::Ipaddress),
        );
        fn r(x: &Result<Arc<Snapshot>, CollectError>) -> Result<&Snapshot, String> {
            x.as_deref().map_err(|e| e.to_string())
        }
        super::build_asset(
            r(&property),
            [
                ("disks", r(&disk)),
                ("packages", r(&package)),
                ("patches", r(&patch)),
                ("addresses", r(&ipaddress)),
            ],
        )
    }

    /// Collects every section now and then on its interval, until shutdown. Property and
    /// asset are collected again on every config edit too, since overrides feed them.
    /// Each section's loop beats as `node facts SECTION`: one whose collection hangs (a
    /// source that never answers) shows as stalled in `/readyz` after its interval and
    /// twice the collection timeout.
    pub fn spawn(&self, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        Section::ALL
            .into_iter()
            .map(|section| {
                let this = self.clone();
                shutdown.spawn_loop(
                    format!("node facts {section}"),
                    self.allowance(section),
                    move |beat, shutdown| this.refresh_loop(section, beat, shutdown),
                )
            })
            .collect()
    }

    /// How long a section's loop may go between beats: one collection (bounded by the
    /// timeout, with as much again for slack) and one wait.
    fn allowance(&self, section: Section) -> Duration {
        section.interval(&self.inner.config.current().node.refresh) + self.timeout() * 2
    }

    async fn refresh_loop(self, section: Section, beat: Beat, mut shutdown: Shutdown) {
        let mut edits = self.inner.config.subscribe();
        let follows_config = matches!(section, Section::Property | Section::Asset);
        loop {
            // The config may have changed the interval or the timeout.
            beat.renew_within(self.allowance(section));
            if let Err(e) = self.collect(section).await {
                tracing::warn!("node facts: {e}");
            }
            beat.renew_within(self.allowance(section));
            let every = section.interval(&self.inner.config.current().node.refresh);
            tokio::select! {
                _ = shutdown.wait() => return,
                _ = tokio::time::sleep(every) => {}
                Ok(()) = edits.changed(), if follows_config => {}
            }
        }
    }
}
