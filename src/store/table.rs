//! The typed-table layer: records in, records out, revisions kept.
//!
//! Each record kind is a redb table named after [`Record::KIND`], keyed by the record's id.
//! A stored value is the record's revision (8 bytes, little endian) followed by the record
//! as JSON. JSON keeps old files readable when a record gains a field (with
//! `#[serde(default)]`), and comparing the encoded bytes tells whether an upsert really
//! changed anything, so an unchanged record keeps its revision.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::{
    MultimapTableDefinition, ReadableMultimapTable, ReadableTable, ReadableTableMetadata,
    TableDefinition,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

use super::StoreError;
use super::feed::{Change, ChangeKind, ChangeSet};

/// A type kept in its own table.
pub trait Record: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The table name and the kind published on the change feed.
    const KIND: &'static str;

    /// Secondary index entries of this record: `(index, value)`. The store keeps them in
    /// step with every write, so lookups by value ([`ReadTxn::ids_by`]) never go stale.
    /// A value is scoped like the record's own key: for a record stored as `scope/id`, the
    /// entry is kept under `scope/value`.
    fn index_keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The layout of [`Record::index_keys`]: raised when what they hold changes meaning, so
    /// that [`WriteTxn::ensure_index_layout`] rebuilds the index of a store written before.
    const INDEX_LAYOUT: u32 = 1;
}

/// Which index layout each kind's index was built with.
const INDEX_LAYOUTS: TableDefinition<&str, u32> = TableDefinition::new("index_layout");

fn index_name(kind: &str) -> String {
    format!("{kind}#index")
}

/// The multimap key of an index entry: `index \0 scope/value`.
fn index_key(index: &str, scope: &str, value: &str) -> String {
    if scope.is_empty() {
        format!("{index}\0{value}")
    } else {
        format!("{index}\0{scope}/{value}")
    }
}

fn scope_of(id: &str) -> &str {
    id.split_once('/').map_or("", |(scope, _)| scope)
}

/// The ids an index holds under `index` and `scoped_value`.
fn ids_under(
    table: &impl ReadableMultimapTable<&'static str, &'static str>,
    index: &str,
    scoped_value: &str,
) -> Result<Vec<String>, StoreError> {
    let key = format!("{index}\0{scoped_value}");
    let mut out = Vec::new();
    for id in table.get(key.as_str())? {
        out.push(id?.value().to_string());
    }
    Ok(out)
}

/// Every record of `table`, decoded, in id order.
fn decode_all<T: Record>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Vec<(String, Stored<T>)>, StoreError> {
    let mut out = Vec::with_capacity(table.len()? as usize);
    for entry in table.iter()? {
        let (k, v) = entry?;
        out.push((k.value().to_string(), decode(k.value(), v.value())?));
    }
    Ok(out)
}

/// How many keys of `table` start with `prefix`.
fn count_keys(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for entry in table.range::<&str>(prefix..)? {
        let (k, _) = entry?;
        if !k.value().starts_with(prefix) {
            break;
        }
        n += 1;
    }
    Ok(n)
}

/// A record with the revision it was stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    /// Starts at 1 and goes up by one on every change of the record.
    pub revision: u64,
    /// The record.
    pub value: T,
}

fn table<T: Record>() -> TableDefinition<'static, &'static str, &'static [u8]> {
    TableDefinition::new(T::KIND)
}

fn encode(revision: u64, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + json.len());
    out.extend_from_slice(&revision.to_le_bytes());
    out.extend_from_slice(json);
    out
}

fn split(bytes: &[u8]) -> (u64, &[u8]) {
    let (rev, json) = bytes.split_at(8.min(bytes.len()));
    let mut buf = [0u8; 8];
    buf[..rev.len()].copy_from_slice(rev);
    (u64::from_le_bytes(buf), json)
}

fn decode<T: Record>(id: &str, bytes: &[u8]) -> Result<Stored<T>, StoreError> {
    let (revision, json) = split(bytes);
    let value = serde_json::from_slice(json).map_err(|e| StoreError::Decode {
        kind: T::KIND,
        id: id.to_string(),
        detail: e.to_string(),
    })?;
    Ok(Stored { revision, value })
}

fn to_json<T: Record>(id: &str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Decode {
        kind: T::KIND,
        id: id.to_string(),
        detail: e.to_string(),
    })
}

/// A consistent read-only snapshot of the store.
pub struct ReadTxn {
    txn: redb::ReadTransaction,
}

impl ReadTxn {
    pub(super) fn new(txn: redb::ReadTransaction) -> Self {
        ReadTxn { txn }
    }

    /// One record by id.
    pub fn get<T: Record>(&self, id: &str) -> Result<Option<Stored<T>>, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match table.get(id)? {
            Some(v) => Ok(Some(decode(id, v.value())?)),
            None => Ok(None),
        }
    }

    /// Every record of a kind, in id order.
    pub fn list<T: Record>(&self) -> Result<Vec<(String, Stored<T>)>, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        decode_all(&table)
    }

    /// Every record of a kind whose id starts with `prefix`, in id order.
    pub fn list_prefix<T: Record>(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, Stored<T>)>, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in table.range::<&str>(prefix..)? {
            let (k, v) = entry?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_string(), decode(k.value(), v.value())?));
        }
        Ok(out)
    }

    /// The ids of a kind starting with `prefix`, in order, without decoding the records.
    pub fn keys_prefix<T: Record>(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in table.range::<&str>(prefix..)? {
            let (k, _) = entry?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push(k.value().to_string());
        }
        Ok(out)
    }

    /// The ids and revisions of a kind starting with `prefix`, without decoding the records.
    pub fn revisions_prefix<T: Record>(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in table.range::<&str>(prefix..)? {
            let (k, v) = entry?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_string(), split(v.value()).0));
        }
        Ok(out)
    }

    /// How many records of a kind have an id starting with `prefix`.
    pub fn count_prefix<T: Record>(&self, prefix: &str) -> Result<usize, StoreError> {
        let table = match self.txn.open_table(table::<T>()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        count_keys(&table, prefix)
    }

    /// The ids of the records whose index `index` holds `scope/value` (see
    /// [`Record::index_keys`]), in id order.
    pub fn ids_by<T: Record>(
        &self,
        index: &str,
        scoped_value: &str,
    ) -> Result<Vec<String>, StoreError> {
        let name = index_name(T::KIND);
        let table = match self
            .txn
            .open_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))
        {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        ids_under(&table, index, scoped_value)
    }

    /// Visits the index entries whose value starts with `scoped_prefix`, in value order,
    /// as `(value, id)`, without copying them; stops when `visit` answers false.
    pub fn index_walk<T: Record>(
        &self,
        index: &str,
        scoped_prefix: &str,
        mut visit: impl FnMut(&str, &str) -> bool,
    ) -> Result<(), StoreError> {
        let name = index_name(T::KIND);
        let table = match self
            .txn
            .open_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))
        {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let start = format!("{index}\0{scoped_prefix}");
        for entry in table.range::<&str>(start.as_str()..)? {
            let (k, ids) = entry?;
            let Some(value) = k.value().strip_prefix(&start) else {
                break;
            };
            for id in ids {
                if !visit(value, id?.value()) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Index entries whose value starts with `scoped_prefix`, in value order, as
    /// `(value, id)`: walks an index sorted (e.g. VMs of a provider by name).
    pub fn index_range<T: Record>(
        &self,
        index: &str,
        scoped_prefix: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let name = index_name(T::KIND);
        let table = match self
            .txn
            .open_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))
        {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let start = format!("{index}\0{scoped_prefix}");
        let mut out = Vec::new();
        for entry in table.range::<&str>(start.as_str()..)? {
            let (k, ids) = entry?;
            let Some(value) = k.value().strip_prefix(&start) else {
                break;
            };
            let value = value.to_string();
            for id in ids {
                out.push((value.clone(), id?.value().to_string()));
            }
        }
        Ok(out)
    }

    /// How many records of a kind there are.
    pub fn count<T: Record>(&self) -> Result<u64, StoreError> {
        match self.txn.open_table(table::<T>()) {
            Ok(t) => Ok(t.len()?),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}

/// A write transaction that records what it changes and publishes it on commit.
///
/// Dropping it without [`WriteTxn::commit`] aborts it: nothing is written, nothing published.
pub struct WriteTxn {
    txn: redb::WriteTransaction,
    changes: Vec<Change>,
    feed: broadcast::Sender<Arc<ChangeSet>>,
    generation: Arc<AtomicU64>,
    health: Arc<super::health::Health>,
}

impl WriteTxn {
    pub(super) fn new(
        txn: redb::WriteTransaction,
        feed: broadcast::Sender<Arc<ChangeSet>>,
        generation: Arc<AtomicU64>,
        health: Arc<super::health::Health>,
    ) -> Self {
        WriteTxn {
            txn,
            changes: Vec::new(),
            feed,
            generation,
            health,
        }
    }

    /// Writes a record. Returns its new revision when it changed, `None` when the stored
    /// record was already equal (its revision is then left alone).
    pub fn upsert<T: Record>(&mut self, id: &str, value: &T) -> Result<Option<u64>, StoreError> {
        let json = to_json(id, value)?;
        let mut table = self.txn.open_table(table::<T>())?;
        let mut old_keys = Vec::new();
        let revision = match table.get(id)? {
            Some(old) => {
                let (rev, old_json) = split(old.value());
                if old_json == json.as_slice() {
                    return Ok(None);
                }
                if let Ok(old) = serde_json::from_slice::<T>(old_json) {
                    old_keys = old.index_keys();
                }
                rev + 1
            }
            None => 1,
        };
        table.insert(id, encode(revision, &json).as_slice())?;
        drop(table);
        self.reindex::<T>(id, &old_keys, &value.index_keys())?;
        self.changes.push(Change {
            kind: T::KIND,
            id: id.to_string(),
            revision,
            op: ChangeKind::Upsert,
        });
        Ok(Some(revision))
    }

    /// Removes a record; returns whether it existed.
    pub fn delete<T: Record>(&mut self, id: &str) -> Result<bool, StoreError> {
        let mut table = self.txn.open_table(table::<T>())?;
        let Some(old) = table.remove(id)? else {
            return Ok(false);
        };
        let (revision, old_json) = split(old.value());
        let old_keys = serde_json::from_slice::<T>(old_json)
            .map(|o| o.index_keys())
            .unwrap_or_default();
        drop(old);
        drop(table);
        self.reindex::<T>(id, &old_keys, &[])?;
        self.changes.push(Change {
            kind: T::KIND,
            id: id.to_string(),
            revision,
            op: ChangeKind::Delete,
        });
        Ok(true)
    }

    /// Moves a record's index entries from `old` to `new`.
    fn reindex<T: Record>(
        &mut self,
        id: &str,
        old: &[(&'static str, String)],
        new: &[(&'static str, String)],
    ) -> Result<(), StoreError> {
        if old == new {
            return Ok(());
        }
        let name = index_name(T::KIND);
        let mut index = self
            .txn
            .open_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))?;
        let scope = scope_of(id);
        for (i, v) in old.iter().filter(|e| !new.contains(e)) {
            index.remove(index_key(i, scope, v).as_str(), id)?;
        }
        for (i, v) in new.iter().filter(|e| !old.contains(e)) {
            index.insert(index_key(i, scope, v).as_str(), id)?;
        }
        Ok(())
    }

    /// Rebuilds the index of `T` when it was built under another [`Record::INDEX_LAYOUT`]
    /// (a store written by an older vmyard): every entry is dropped and made again from the
    /// records. Returns whether it rebuilt. A store never indexed (a new one) is stamped.
    pub fn ensure_index_layout<T: Record>(&mut self) -> Result<bool, StoreError> {
        let found = {
            let layouts = self.txn.open_table(INDEX_LAYOUTS)?;
            layouts.get(T::KIND)?.map(|v| v.value())
        };
        let stored = {
            let records = self.txn.open_table(table::<T>())?;
            records.len()?
        };
        if found == Some(T::INDEX_LAYOUT) {
            return Ok(false);
        }
        let rebuild = stored > 0 && found.unwrap_or(1) != T::INDEX_LAYOUT;
        if rebuild {
            let name = index_name(T::KIND);
            self.txn
                .delete_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))?;
            let mut entries = Vec::new();
            {
                let records = self.txn.open_table(table::<T>())?;
                for entry in records.iter()? {
                    let (k, v) = entry?;
                    let stored: Stored<T> = decode(k.value(), v.value())?;
                    entries.push((k.value().to_string(), stored.value.index_keys()));
                }
            }
            for (id, keys) in entries {
                self.reindex::<T>(&id, &[], &keys)?;
            }
        }
        self.txn
            .open_table(INDEX_LAYOUTS)?
            .insert(T::KIND, T::INDEX_LAYOUT)?;
        Ok(rebuild)
    }

    /// Removes every record of a kind for which `remove` answers true; returns how many.
    pub fn delete_where<T: Record>(
        &mut self,
        mut remove: impl FnMut(&str, &T) -> bool,
    ) -> Result<usize, StoreError> {
        let doomed: Vec<String> = {
            let table = self.txn.open_table(table::<T>())?;
            let mut ids = Vec::new();
            for entry in table.iter()? {
                let (k, v) = entry?;
                let stored: Stored<T> = decode(k.value(), v.value())?;
                if remove(k.value(), &stored.value) {
                    ids.push(k.value().to_string());
                }
            }
            ids
        };
        for id in &doomed {
            self.delete::<T>(id)?;
        }
        Ok(doomed.len())
    }

    /// Makes this commit cheap and not yet durable: it reaches the disk with the next
    /// durable commit. For steps that are repeated anyway after a crash (the pages of a load,
    /// whose completion is recorded by a later durable commit).
    pub fn relaxed(&mut self) {
        // Only a persistent savepoint refuses this, and vmyard makes none.
        let _ = self.txn.set_durability(redb::Durability::None);
    }

    /// The revision of one record, as this transaction sees it, without decoding it.
    pub fn revision<T: Record>(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let table = self.txn.open_table(table::<T>())?;
        let value = table.get(id)?;
        Ok(value.map(|v| split(v.value()).0))
    }

    /// One record by id, as this transaction sees it.
    pub fn get<T: Record>(&self, id: &str) -> Result<Option<Stored<T>>, StoreError> {
        let table = self.txn.open_table(table::<T>())?;
        let value = table.get(id)?;
        value.map(|v| decode(id, v.value())).transpose()
    }

    /// Every record of a kind, as this transaction sees it (for a plan that must not act
    /// on a state a concurrent write changed).
    pub fn list<T: Record>(&self) -> Result<Vec<(String, Stored<T>)>, StoreError> {
        let table = self.txn.open_table(table::<T>())?;
        decode_all(&table)
    }

    /// How many records of a kind have an id starting with `prefix`, as this transaction
    /// sees them.
    pub fn count_prefix<T: Record>(&self, prefix: &str) -> Result<usize, StoreError> {
        let table = self.txn.open_table(table::<T>())?;
        count_keys(&table, prefix)
    }

    /// The ids of the records whose index `index` holds `scoped_value`, as this
    /// transaction sees them (for checks that must not race a concurrent write).
    pub fn ids_by<T: Record>(
        &self,
        index: &str,
        scoped_value: &str,
    ) -> Result<Vec<String>, StoreError> {
        let name = index_name(T::KIND);
        let table = self
            .txn
            .open_multimap_table(MultimapTableDefinition::<&str, &str>::new(&name))?;
        ids_under(&table, index, scoped_value)
    }

    /// Commits, then publishes the change set (when anything changed).
    pub fn commit(self) -> Result<(), StoreError> {
        if let Err(e) = self.txn.commit() {
            self.health.record("a commit failed", &e);
            return Err(e.into());
        }
        if !self.changes.is_empty() {
            // Bumped after the commit: a reader that took the old number may have seen the
            // new data, which only makes its cached answer expire early, never late.
            self.generation.fetch_add(1, Ordering::AcqRel);
            // No subscriber is not an error: the feed is a notification, the store is the truth.
            let _ = self.feed.send(Arc::new(ChangeSet {
                changes: self.changes,
            }));
        }
        Ok(())
    }

    pub(super) fn raw(&self) -> &redb::WriteTransaction {
        &self.txn
    }
}
