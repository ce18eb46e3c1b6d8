//! Moving engine objects into the store: listing whole collections (paged), reading single
//! objects, and writing them as upserts and deletes so that every step can be repeated.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::inventory::decode::{Collection, Kind, Object, decode};
use crate::inventory::{self, InventoryRecord, for_kind};
use crate::ovirt::wire::collection;
use crate::ovirt::{EngineClient, EngineError};
use crate::store::{ReadTxn, StoreError, WriteTxn};

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The engine failed or lied.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// A request the collector needs failed: named, so that an engine lacking an endpoint
    /// (or refusing it) says which one.
    #[error("GET {path}: {source}")]
    Request {
        /// What was asked, relative to the API root.
        path: String,
        /// How the engine answered.
        source: EngineError,
    },
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Names the request in an engine error.
pub fn at(path: &str) -> impl FnOnce(EngineError) -> SyncError + '_ {
    move |source| SyncError::Request {
        path: path.to_string(),
        source,
    }
}

/// Collections listed page by page (they can hold tens of thousands of objects).
const PAGED: [Kind; 3] = [Kind::Vm, Kind::Disk, Kind::Host];

/// Objects per page when listing a paged collection.
pub const PAGE: usize = 1000;

/// One page of a collection, decoded. Objects that cannot be read are returned as errors
/// beside the good ones, so one bad object never stops a load.
pub struct Page {
    /// The objects read.
    pub objects: Vec<Object>,
    /// `(id or index, problem)` for each object that could not be read.
    pub bad: Vec<String>,
    /// How many items the engine sent (a short page ends the listing).
    pub sent: usize,
    /// Ids the engine listed whose objects could not be read: kept as stored, not deleted.
    pub keep: Vec<String>,
    /// Follow-up endpoints the engine answered 404 for while their object still exists:
    /// what they hold is unknown, and the provider carries a warning naming them.
    pub gaps: Gaps,
}

/// Follow-up endpoints (`vms/<id>/numanodes`) an engine does not serve, each with what
/// that leaves unknown.
pub type Gaps = BTreeMap<&'static str, &'static str>;

/// Whether the engine still has object `id` of `kind`: its own read answers, or 404.
/// The proof the collector asks for before it takes an object as gone.
pub async fn exists(client: &EngineClient, kind: Kind, id: &str) -> Result<bool, SyncError> {
    let request = kind.collection().get_request(id);
    match client.get(&request).await {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(at(&request)(e)),
    }
}

/// Whether a kind is listed page by page.
pub fn paged(kind: Kind) -> bool {
    PAGED.contains(&kind)
}

/// Reads page `n` (from 1) of a collection, or the whole collection in one answer when `n`
/// is `None`; unpaged collections always come whole.
pub async fn list_page(
    client: &EngineClient,
    c: &Collection,
    n: Option<usize>,
) -> Result<Page, SyncError> {
    let paged = paged(c.kind) && n.is_some();
    let n = n.unwrap_or(1);
    let mut request = c.list_request();
    if paged {
        let sep = if request.contains('?') { '&' } else { '?' };
        request = format!("{request}{sep}max={PAGE}&search=page%20{n}");
    }
    let body = client.get(&request).await.map_err(at(&request))?;
    let items = collection(&body, c.singular).map_err(|e| EngineError::Malformed {
        path: c.path.to_string(),
        problem: e.to_string(),
    })?;
    let mut page = Page {
        objects: Vec::with_capacity(items.len()),
        bad: Vec::new(),
        sent: items.len(),
        keep: Vec::new(),
        gaps: Gaps::new(),
    };
    let mut numa = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match decode(c.kind, item) {
            Ok(o) => {
                if c.kind == Kind::Vm && super::numa::candidate(item) {
                    numa.push(o.id().to_string());
                }
                page.objects.push(o)
            }
            Err(e) => {
                if let Some(id) = item["id"].as_str() {
                    page.keep.push(id.to_string());
                }
                page.bad.push(format!(
                    "{} {}: {e}",
                    c.path,
                    item["id"]
                        .as_str()
                        .map_or_else(|| format!("#{i}"), str::to_string)
                ))
            }
        }
    }
    if c.kind == Kind::Disk {
        super::luns::complete(client, &mut page).await?;
    }
    if c.kind == Kind::Vm {
        super::numa::complete(client, &mut page, numa).await?;
    }
    if !paged {
        page.sent = 0;
    }
    Ok(page)
}

/// Whether the listing goes on after this page.
pub fn more_after(page: &Page) -> bool {
    page.sent >= PAGE
}

/// Reads one object; `Ok(None)` when the engine says it is gone (its own read answered
/// 404). A follow-up endpoint the engine does not serve for it is added to `gaps`.
pub async fn read_one(
    client: &EngineClient,
    kind: Kind,
    id: &str,
    gaps: &mut Gaps,
) -> Result<Option<Result<Object, String>>, SyncError> {
    let request = kind.collection().get_request(id);
    let v = match client.get(&request).await {
        Ok(v) => v,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(at(&request)(e)),
    };
    let mut o = match decode(kind, &v) {
        Ok(o) => o,
        Err(e) => return Ok(Some(Err(format!("{} {id}: {e}", kind.path())))),
    };
    if kind == Kind::Vm && super::numa::candidate(&v) {
        let read = super::numa::read(client, id).await?;
        if matches!(read, super::numa::Read::Unknown) {
            gaps.insert(super::numa::ENDPOINT, super::numa::LOST);
        }
        match super::numa::apply(&mut o, read) {
            Ok(()) => {}
            Err(super::numa::Read::Bad(problem)) => return Ok(Some(Err(problem))),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(Ok(o)))
}

/// Upserts a decoded object; returns whether it changed.
pub fn put(w: &mut WriteTxn, provider: &str, o: &Object) -> Result<bool, StoreError> {
    let key = inventory::key(provider, o.id());
    let changed = match o {
        Object::DataCenter(x) => w.upsert(&key, x)?,
        Object::Cluster(x) => w.upsert(&key, x)?,
        Object::Host(x) => w.upsert(&key, x)?,
        Object::Network(x) => w.upsert(&key, x)?,
        Object::NicProfile(x) => w.upsert(&key, x)?,
        Object::StorageDomain(x) => w.upsert(&key, x)?,
        Object::DiskProfile(x) => w.upsert(&key, x)?,
        Object::Disk(x) => w.upsert(&key, x)?,
        Object::Template(x) => w.upsert(&key, x)?,
        Object::Vm(x) => w.upsert(&key, x.as_ref())?,
    };
    Ok(changed.is_some())
}

/// Deletes an object by store key; returns whether it existed.
pub fn remove(w: &mut WriteTxn, kind: Kind, key: &str) -> Result<bool, StoreError> {
    for_kind!(kind, T => w.delete::<T>(key))
}

/// The stored object of a kind under a store key.
pub fn stored(r: &ReadTxn, kind: Kind, key: &str) -> Result<Option<Object>, StoreError> {
    for_kind!(kind, T => Ok(r.get::<T>(key)?.map(|v| v.value.into_object())))
}

/// The stored keys of a kind for a provider.
pub fn stored_keys(r: &ReadTxn, kind: Kind, provider: &str) -> Result<Vec<String>, StoreError> {
    let prefix = format!("{provider}/");
    for_kind!(kind, T => r.keys_prefix::<T>(&prefix))
}

/// How many objects of a kind a provider has, as a write transaction sees them (so the
/// counts shown stay right as events add and remove objects).
pub fn count(w: &WriteTxn, kind: Kind, provider: &str) -> Result<usize, StoreError> {
    let prefix = format!("{provider}/");
    for_kind!(kind, T => w.count_prefix::<T>(&prefix))
}

/// The engine's version, from the API root.
pub fn engine_version(root: &Value) -> String {
    root["product_info"]["version"]["full_version"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
