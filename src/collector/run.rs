//! One provider's collector: load, then follow the event feed, reconcile on a schedule, and
//! retry with backoff when the engine fails, resuming from the stored cursor every time.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use futures_util::{StreamExt, stream};
use jiff::Timestamp;
use serde_json::Value;

use super::cascade;
use super::events::{self, Action};
use super::status::{Failure, Phase, ProviderState, kind_key};
use super::sync::{self, SyncError};
use crate::config::Provider;
use crate::inventory::decode::{COLLECTIONS, Kind, Object};
use crate::inventory::{self, model::*};
use crate::lifecycle::{Beat, Shutdown};
use crate::ovirt::EngineClient;
use crate::store::{ReadTxn, Store};

/// A collector of one provider.
pub struct Collector {
    provider: Provider,
    client: Arc<EngineClient>,
    store: Store,
    last_reconcile: Instant,
    /// The store's epoch this collector last worked in (see [`Store::epoch`]).
    epoch: u64,
    /// Its liveness entry, renewed before every engine request and between cycles.
    beat: Option<Beat>,
}

/// How many request timeouts one step of a cycle (an engine request, with its one re-login
/// and retry, and the store write that follows) may take before the loop counts as wedged.
const STEP_REQUESTS: u32 = 4;

impl Collector {
    /// A collector for `provider`, writing to `store`.
    pub fn new(provider: Provider, store: Store) -> anyhow::Result<Collector> {
        let client = Arc::new(EngineClient::new(&provider)?);
        let epoch = store.epoch();
        Ok(Collector {
            provider,
            client,
            store,
            last_reconcile: Instant::now(),
            epoch,
            beat: None,
        })
    }

    /// Runs until shutdown, beating its liveness before every engine request and between
    /// cycles: a collector that hangs anywhere is seen within one wait and one step.
    pub async fn run(mut self, mut shutdown: Shutdown) {
        let mut backoff = self.provider.retry_interval.0;
        let name = format!("collector {}", self.provider.name);
        // The longest a healthy loop goes between beats: the longest wait between cycles,
        // then one step.
        let within = self
            .provider
            .refresh_interval
            .0
            .max(self.provider.retry_interval.0 * 12)
            + self.provider.request_timeout.0 * STEP_REQUESTS;
        self.beat = Some(shutdown.beat(&name, within));
        loop {
            self.alive();
            let result = tokio::select! {
                _ = shutdown.wait() => return,
                r = self.cycle() => r,
            };
            let wait = match result {
                Ok(()) => {
                    backoff = self.provider.retry_interval.0;
                    self.clear_error();
                    self.provider.refresh_interval.0
                }
                Err(e) => {
                    self.record_error(&e);
                    let wait = backoff;
                    backoff = (backoff * 2).min(self.provider.retry_interval.0 * 12);
                    wait
                }
            };
            tokio::select! {
                _ = shutdown.wait() => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// The loop is making progress.
    fn alive(&self) {
        if let Some(beat) = &self.beat {
            beat.renew();
        }
    }

    fn state(&self) -> ProviderState {
        let stored = self
            .store
            .read()
            .ok()
            .and_then(|r| r.get::<ProviderState>(&self.provider.name).ok().flatten());
        let mut s = stored.map(|s| s.value).unwrap_or_default();
        s.name = self.provider.name.clone();
        s.insecure = self.provider.insecure;
        s
    }

    fn save(&self, s: &ProviderState) -> Result<(), SyncError> {
        let mut w = self.store.write()?;
        w.upsert(&self.provider.name, s)?;
        w.commit()?;
        Ok(())
    }

    /// One pass: load when needed, then apply new events, then reconcile when due.
    async fn cycle(&mut self) -> Result<(), SyncError> {
        let mut s = self.state();
        let reopened = self.store.epoch() != self.epoch;
        if reopened {
            // The store was reopened after a write failure: it holds what its last durable
            // commit held, which the engine may have left behind since. Not at parity until
            // every collection has been listed again.
            tracing::info!(provider = %self.provider.name, "collector: the store was reopened; reconciling");
            s.parity = false;
            self.save(&s)?;
            self.epoch = self.store.epoch();
        }
        let url = self.provider.url.0.to_string();
        if s.cursor.is_none() || s.url != url {
            self.load(&mut s).await?;
        } else if reopened {
            // Listed before the events set parity again.
            self.reconcile(&mut s).await?;
        }
        self.apply_events(&mut s).await?;
        if self.last_reconcile.elapsed() >= self.provider.reconcile_interval.0 {
            self.reconcile(&mut s).await?;
        }
        Ok(())
    }

    /// Started → Load → Loaded: notes the newest event, lists every collection.
    pub async fn load(&mut self, s: &mut ProviderState) -> Result<(), SyncError> {
        let root = self.client.get("").await.map_err(sync::at("(API root)"))?;
        s.engine_version = sync::engine_version(&root);
        s.totals = crate::inventory::provider::engine_totals(&root);
        s.url = self.provider.url.0.to_string();
        s.phase = Phase::Started;
        s.parity = false;
        s.progress.clear();
        s.warnings.clear();
        self.save(s)?;
        let newest = self.newest_event().await?;
        s.phase = Phase::Load;
        self.save(s)?;
        for c in &COLLECTIONS {
            self.relist(c.kind, s, true).await?;
        }
        self.load_server_cpus(s).await?;
        s.phase = Phase::Loaded;
        s.cursor = Some(newest);
        s.loaded_at = Some(Timestamp::now().to_string());
        self.last_reconcile = Instant::now();
        self.save(s)?;
        tracing::info!(provider = %self.provider.name, version = %s.engine_version, "collector: loaded");
        Ok(())
    }

    /// Stores the engine's CPU list (cluster CPU types resolve against it). The list is
    /// optional: engines before 4.4 have no `options/ServerCPUList`. Such an engine still
    /// loads to parity; the provider carries a warning naming the engine version, and the
    /// rules see no `serverCpu` (unknown, not an empty list).
    async fn load_server_cpus(&self, s: &mut ProviderState) -> Result<(), SyncError> {
        let mut w = match self.client.get(SERVER_CPUS).await {
            Ok(body) => {
                let mut w = self.store.write()?;
                w.upsert(&self.provider.name, &ServerCpuList::parse(&body))?;
                w
            }
            Err(e) if e.is_not_found() => {
                let warning = missing_endpoint(
                    SERVER_CPUS,
                    &s.engine_version,
                    "cluster CPU types are not resolved to CPU models, and the rules see no serverCpu",
                );
                tracing::warn!(provider = %self.provider.name, "collector: {warning}");
                s.warnings.push(warning);
                let mut w = self.store.write()?;
                w.delete::<ServerCpuList>(&self.provider.name)?;
                w
            }
            Err(e) => return Err(sync::at(SERVER_CPUS)(e)),
        };
        w.upsert(&self.provider.name, &*s)?;
        w.commit()?;
        Ok(())
    }

    async fn newest_event(&self) -> Result<u64, SyncError> {
        let body = self
            .client
            .get("events?max=1")
            .await
            .map_err(sync::at("events?max=1"))?;
        Ok(crate::ovirt::wire::collection(&body, "event")
            .ok()
            .and_then(|e| e.first())
            .and_then(|e| e["id"].as_str())
            .and_then(|i| i.parse().ok())
            .unwrap_or(0))
    }

    /// Lists a collection, upserting each page, then deletes what it did not see, but only
    /// on proof that it is gone.
    ///
    /// Paged listings use offsets (`max=1000&search=page N`): an object deleted on an
    /// earlier page while the listing runs shifts the next one past the page boundary, and
    /// that one is never seen. So a paged listing counts only when it was stable: no
    /// removal of its kind was logged while it ran, and no stored object it left out turns
    /// out to exist. Otherwise it is listed again, and after [`STABLE_TRIES`] unstable
    /// listings, whole in one answer (one query on the engine, which cannot shift).
    async fn relist(
        &self,
        kind: Kind,
        s: &mut ProviderState,
        show_progress: bool,
    ) -> Result<(), SyncError> {
        let mut attempt = 0;
        loop {
            let whole = !sync::paged(kind) || attempt >= STABLE_TRIES;
            let since = if whole {
                None
            } else {
                Some(self.newest_event().await?)
            };
            let seen = self.list(kind, s, show_progress, whole).await?;
            let missed = self.settle_unseen(kind, s, &seen).await?;
            let removals = match since {
                Some(since) => self.removals_since(kind, since).await?,
                None => 0,
            };
            if whole || (missed == 0 && removals == 0) {
                return Ok(());
            }
            attempt += 1;
            tracing::info!(provider = %self.provider.name, kind = kind.path(), missed, removals, attempt, "collector: the listing shifted under removals; listing again");
        }
    }

    /// One pass over a collection: upserts every page and returns the ids it saw (and
    /// those it must keep as stored).
    async fn list(
        &self,
        kind: Kind,
        s: &mut ProviderState,
        show_progress: bool,
        whole: bool,
    ) -> Result<HashSet<String>, SyncError> {
        let c = kind.collection();
        let mut seen = HashSet::new();
        let mut n = 1;
        loop {
            self.alive();
            let page = sync::list_page(&self.client, c, (!whole).then_some(n)).await?;
            self.report_bad(s, &page.bad);
            self.note_gaps(s, &page.gaps);
            let mut w = self.store.write()?;
            // A page is repeated after a crash anyway: its commit need not reach the disk
            // before the durable commit that ends the listing.
            w.relaxed();
            seen.extend(page.keep.iter().cloned());
            for o in &page.objects {
                seen.insert(o.id().to_string());
                sync::put(&mut w, &self.provider.name, o)?;
            }
            if show_progress {
                s.progress.insert(kind_key(kind), seen.len() as u64);
                w.upsert(&self.provider.name, &*s)?;
            }
            w.commit()?;
            if whole || !sync::more_after(&page) {
                return Ok(seen);
            }
            n += 1;
        }
    }

    /// Settles the stored objects of a kind that a listing did not return. Each is read on
    /// its own: one that answers 404 is deleted, one that reads back is kept (upserted as
    /// read), one that cannot be read is left as stored. Returns how many the listing
    /// missed though they exist, which proves the listing shifted.
    async fn settle_unseen(
        &self,
        kind: Kind,
        s: &mut ProviderState,
        seen: &HashSet<String>,
    ) -> Result<usize, SyncError> {
        let unseen: Vec<String> = {
            let r = self.store.read()?;
            sync::stored_keys(&r, kind, &self.provider.name)?
                .into_iter()
                .map(|k| inventory::engine_id(&k).to_string())
                .filter(|id| !seen.contains(id))
                .collect()
        };
        let client = &self.client;
        let reads: Vec<_> = stream::iter(unseen.into_iter().map(|id| async move {
            self.alive();
            let mut gaps = sync::Gaps::new();
            let read = sync::read_one(client, kind, &id, &mut gaps).await;
            (id, read, gaps)
        }))
        .buffered(SETTLE_CONCURRENT)
        .collect()
        .await;
        let mut missed = 0;
        let mut w = self.store.write()?;
        for (id, read, gaps) in reads {
            self.note_gaps(s, &gaps);
            match read? {
                Some(Ok(o)) => {
                    missed += 1;
                    sync::put(&mut w, &self.provider.name, &o)?;
                }
                // It exists, but its answer cannot be read: kept as stored.
                Some(Err(bad)) => {
                    missed += 1;
                    self.report_bad(s, &[bad]);
                }
                None => {
                    sync::remove(&mut w, kind, &inventory::key(&self.provider.name, &id))?;
                }
            }
        }
        s.counts.insert(
            kind_key(kind),
            sync::count(&w, kind, &self.provider.name)? as u64,
        );
        w.upsert(&self.provider.name, &*s)?;
        w.commit()?;
        Ok(missed)
    }

    /// The events the engine logged after event `since`, oldest first.
    async fn events_since(&self, since: u64) -> Result<Vec<Value>, SyncError> {
        let request = format!("events?from={since}");
        let body = self
            .client
            .get(&request)
            .await
            .map_err(sync::at(&request))?;
        let mut list: Vec<Value> = crate::ovirt::wire::collection(&body, "event")
            .map_err(|e| crate::ovirt::EngineError::Malformed {
                path: "events".into(),
                problem: e.to_string(),
            })?
            .to_vec();
        list.sort_by_key(event_id);
        list.retain(|e| event_id(e) > since);
        Ok(list)
    }

    /// How many removals of objects of `kind` the engine logged after event `since`.
    async fn removals_since(&self, kind: Kind, since: u64) -> Result<usize, SyncError> {
        let list = self.events_since(since).await?;
        Ok(list.iter().filter(|e| events::removes(e, kind)).count())
    }

    /// Adds a warning for each follow-up endpoint the engine does not serve, once.
    fn note_gaps(&self, s: &mut ProviderState, gaps: &sync::Gaps) {
        for (endpoint, lost) in gaps {
            let warning = missing_endpoint(endpoint, &s.engine_version, lost);
            if !s.warnings.contains(&warning) {
                tracing::warn!(provider = %self.provider.name, "collector: {warning}");
                s.warnings.push(warning);
            }
        }
    }

    fn report_bad(&self, s: &mut ProviderState, bad: &[String]) {
        if let Some(first) = bad.first() {
            s.bad_objects += bad.len() as u64;
            tracing::warn!(provider = %self.provider.name, count = bad.len(), "collector: objects the engine sent could not be read, e.g. {first}");
        }
    }

    /// Reads the events since the cursor and applies them with the cursor, in one write.
    async fn apply_events(&self, s: &mut ProviderState) -> Result<(), SyncError> {
        self.alive();
        let cursor = s.cursor.unwrap_or(0);
        let list = self.events_since(cursor).await?;
        // Event ids are a sequence: a hole right after the cursor may mean the engine purged
        // the events that followed it. If the cursor's own event is gone too, the history no
        // longer reaches back: only a full reconcile can catch up.
        if cursor > 0
            && list.first().is_some_and(|e| event_id(e) > cursor + 1)
            && matches!(self.client.get(&format!("events/{cursor}")).await, Err(ref e) if e.is_not_found())
        {
            tracing::warn!(provider = %self.provider.name, cursor, "collector: the engine's event history no longer reaches the cursor; reconciling");
            let newest = list.last().map(event_id).unwrap_or(cursor);
            let mut s2 = s.clone();
            self.reconcile_all(&mut s2).await?;
            s2.cursor = Some(newest);
            s2.phase = Phase::Refresh;
            s2.parity = true;
            *s = s2;
            self.save(s)?;
            return Ok(());
        }
        s.last_refresh = Some(Timestamp::now().to_string());
        if list.is_empty() {
            if s.phase != Phase::Refresh || !s.parity {
                s.phase = Phase::Refresh;
                s.parity = true;
                self.save(s)?;
            }
            return Ok(());
        }
        let newest = list.last().map(event_id).unwrap_or(cursor);
        let r = self.store.read()?;
        let provider = self.provider.name.clone();
        let known = |kind: Kind, id: &str| {
            let key = inventory::key(&provider, id);
            match kind {
                Kind::Vm => r.get::<Vm>(&key).ok().flatten().is_some(),
                Kind::Host => r.get::<Host>(&key).ok().flatten().is_some(),
                Kind::Cluster => r.get::<Cluster>(&key).ok().flatten().is_some(),
                _ => false,
            }
        };
        let plan = events::coarsen(
            events::plan(list.iter().flat_map(|e| events::actions(e, &known))),
            RELIST_ABOVE,
        );
        // Read everything first; the write happens only once every read succeeded.
        let mut reads: BTreeMap<(Kind, String), Option<Object>> = BTreeMap::new();
        let mut relists = Vec::new();
        for action in &plan {
            match action {
                Action::Reread {
                    kind,
                    id,
                    with_disks,
                } => {
                    let got = self.read(s, *kind, id).await?;
                    if *with_disks {
                        let mut disks: HashSet<String> = HashSet::new();
                        if let Ok(Some(old)) = r.get::<Vm>(&inventory::key(&provider, id)) {
                            disks.extend(old.value.disk_attachments.iter().map(|a| a.disk.clone()));
                        }
                        if let Some(Object::Vm(vm)) = &got {
                            disks.extend(vm.disk_attachments.iter().map(|a| a.disk.clone()));
                        }
                        for d in disks {
                            let disk = self.read(s, Kind::Disk, &d).await?;
                            reads.insert((Kind::Disk, d), disk);
                        }
                    }
                    reads.insert((*kind, id.clone()), got);
                }
                Action::Relist(kind) => relists.push(*kind),
                Action::VmsOfStorageDomain(sd) => {
                    for disk in
                        r.ids_by::<Disk>("storage_domain", &inventory::key(&provider, sd))?
                    {
                        for vm in r.ids_by::<Vm>("disk", &disk)? {
                            let id = inventory::engine_id(&vm).to_string();
                            let got = self.read(s, Kind::Vm, &id).await?;
                            reads.insert((Kind::Vm, id), got);
                        }
                    }
                }
            }
        }
        self.cascade(s, &r, &mut reads, &mut relists).await?;
        drop(r);
        relists.sort();
        relists.dedup();
        for kind in relists {
            self.relist(kind, s, false).await?;
        }
        let mut w = self.store.write()?;
        for ((kind, id), got) in &reads {
            match got {
                Some(o) => {
                    sync::put(&mut w, &provider, o)?;
                }
                None => {
                    sync::remove(&mut w, *kind, &inventory::key(&provider, id))?;
                }
            }
        }
        // Objects came or went: the counts follow (a relist has set its own already).
        let touched: std::collections::BTreeSet<Kind> = reads.keys().map(|(k, _)| *k).collect();
        for kind in touched {
            s.counts
                .insert(kind_key(kind), sync::count(&w, kind, &provider)? as u64);
        }
        s.cursor = Some(newest);
        s.events_applied += list.len() as u64;
        s.phase = Phase::Refresh;
        s.parity = true;
        w.upsert(&provider, &*s)?;
        w.commit()?;
        Ok(())
    }

    /// Reads again what each container the engine confirmed gone held (see `cascade`),
    /// until nothing more is confirmed gone. More than `RELIST_ABOVE` things of one kind
    /// are listed instead.
    async fn cascade(
        &self,
        s: &mut ProviderState,
        r: &ReadTxn,
        reads: &mut BTreeMap<(Kind, String), Option<Object>>,
        relists: &mut Vec<Kind>,
    ) -> Result<(), SyncError> {
        let mut gone: Vec<(Kind, String)> = reads
            .iter()
            .filter(|(_, got)| got.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        while let Some((kind, id)) = gone.pop() {
            let mut per_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
            for (k, i) in cascade::held(r, &self.provider.name, kind, &id)? {
                if !relists.contains(&k) && !reads.contains_key(&(k, i.clone())) {
                    per_kind.entry(k).or_default().push(i);
                }
            }
            for (k, ids) in per_kind {
                if ids.len() > RELIST_ABOVE {
                    relists.push(k);
                    continue;
                }
                for i in ids {
                    let got = self.read(s, k, &i).await?;
                    if got.is_none() {
                        gone.push((k, i.clone()));
                    }
                    reads.insert((k, i), got);
                }
            }
        }
        Ok(())
    }

    /// Reads one object; an object that cannot be decoded is reported and left as stored.
    async fn read(
        &self,
        s: &mut ProviderState,
        kind: Kind,
        id: &str,
    ) -> Result<Option<Object>, SyncError> {
        self.alive();
        let mut gaps = sync::Gaps::new();
        let read = sync::read_one(&self.client, kind, id, &mut gaps).await?;
        self.note_gaps(s, &gaps);
        match read {
            None => Ok(None),
            Some(Ok(o)) => Ok(Some(o)),
            Some(Err(bad)) => {
                self.report_bad(s, &[bad]);
                // Keep what is stored: a malformed answer is not a deletion.
                let r = self.store.read()?;
                Ok(sync::stored(
                    &r,
                    kind,
                    &inventory::key(&self.provider.name, id),
                )?)
            }
        }
    }

    /// Lists every collection again and repairs any difference with the store.
    pub async fn reconcile(&mut self, s: &mut ProviderState) -> Result<(), SyncError> {
        self.reconcile_all(s).await?;
        self.last_reconcile = Instant::now();
        s.last_reconcile = Some(Timestamp::now().to_string());
        self.save(s)?;
        tracing::info!(provider = %self.provider.name, "collector: reconciled");
        Ok(())
    }

    async fn reconcile_all(&self, s: &mut ProviderState) -> Result<(), SyncError> {
        for c in &COLLECTIONS {
            self.relist(c.kind, s, false).await?;
        }
        s.last_reconcile = Some(Timestamp::now().to_string());
        Ok(())
    }

    fn record_error(&self, e: &SyncError) {
        let mut s = self.state();
        s.failures += 1;
        s.parity = false;
        if s.error.is_none() {
            // Logged once per episode, not once per attempt.
            tracing::error!(provider = %self.provider.name, "collector: {e}; retrying every {:?} or so", self.provider.retry_interval.0);
            s.error = Some(Failure {
                since: Timestamp::now().to_string(),
                message: e.to_string(),
            });
        } else if let Some(f) = &mut s.error {
            f.message = e.to_string();
        }
        let _ = self.save(&s);
    }

    fn clear_error(&self) {
        let mut s = self.state();
        if s.error.take().is_some() {
            tracing::info!(provider = %self.provider.name, "collector: the engine answers again");
            let _ = self.save(&s);
        }
    }
}

/// The engine's CPU list, an endpoint engines before 4.4 lack.
pub const SERVER_CPUS: &str = "options/ServerCPUList";

/// The warning for an optional endpoint the engine answered 404 for.
fn missing_endpoint(path: &str, version: &str, lost: &str) -> String {
    let engine = if version.is_empty() {
        "the engine (version unknown)".to_string()
    } else {
        format!("engine {version}")
    };
    format!("{engine} has no {path} (404): {lost}")
}

fn event_id(e: &Value) -> u64 {
    e["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0)
}

/// How many objects a listing left out are read at once to settle whether they are gone.
const SETTLE_CONCURRENT: usize = 8;

/// How many paged listings of a kind may shift under removals before it is listed whole.
const STABLE_TRIES: u32 = 3;

/// Above this many objects of one kind to read again, listing the kind is cheaper (a
/// page of 1000 costs about one read of a single object).
const RELIST_ABOVE: usize = 200;
