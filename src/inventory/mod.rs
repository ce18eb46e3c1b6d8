//! The inventory of an engine, as kept in the store.
//!
//! - [`model`]: one typed record per kind (data centers, clusters, hosts, VMs, networks, vNIC
//!   and disk profiles, storage domains, disks), with the fields vmyard uses and the
//!   containment indexes (cluster → VMs, host → VMs, profile → VMs, disk → VMs, ...);
//! - [`decode`]: from the engine's JSON to those records, one object at a time, so a
//!   malformed object is an error for that object only;
//! - [`query`]: listing with filters, sorting and paging, for the API and the pages.
//!
//! Records are keyed `<provider>/<engine id>`, so several engines share the tables.

pub mod decode;
pub mod model;
pub mod provider;
pub mod query;

pub use model::*;

/// The store key of an engine object of a provider.
pub fn key(provider: &str, id: &str) -> String {
    format!("{provider}/{id}")
}

/// The engine id part of a store key.
pub fn engine_id(key: &str) -> &str {
    key.split_once('/').map_or(key, |(_, id)| id)
}

/// Runs `$body` with the type alias `$t` naming the record type of `$kind`: the one
/// dispatch from a [`decode::Kind`] to its record type, so that code generic over records
/// (`fn f<T: InventoryRecord>`) is reached from a kind without a nine-arm match of its own.
///
/// ```text
/// let n = for_kind!(kind, T => w.count_prefix::<T>(&prefix))?;
/// ```
macro_rules! for_kind {
    ($kind:expr, $t:ident => $body:expr) => {
        match $kind {
            $crate::inventory::decode::Kind::DataCenter => {
                type $t = $crate::inventory::model::DataCenter;
                $body
            }
            $crate::inventory::decode::Kind::Cluster => {
                type $t = $crate::inventory::model::Cluster;
                $body
            }
            $crate::inventory::decode::Kind::Host => {
                type $t = $crate::inventory::model::Host;
                $body
            }
            $crate::inventory::decode::Kind::Network => {
                type $t = $crate::inventory::model::Network;
                $body
            }
            $crate::inventory::decode::Kind::NicProfile => {
                type $t = $crate::inventory::model::NicProfile;
                $body
            }
            $crate::inventory::decode::Kind::StorageDomain => {
                type $t = $crate::inventory::model::StorageDomain;
                $body
            }
            $crate::inventory::decode::Kind::Template => {
                type $t = $crate::inventory::model::Template;
                $body
            }
            $crate::inventory::decode::Kind::DiskProfile => {
                type $t = $crate::inventory::model::DiskProfile;
                $body
            }
            $crate::inventory::decode::Kind::Disk => {
                type $t = $crate::inventory::model::Disk;
                $body
            }
            $crate::inventory::decode::Kind::Vm => {
                type $t = $crate::inventory::model::Vm;
                $body
            }
        }
    };
}
pub(crate) use for_kind;

/// The name index's value for `name`: the name in lower case, then the name as it is, so
/// that lists walk names as people sort them (`app-00005` before `CACHE_01`), case apart
/// only between names that differ by case alone.
pub fn sort_key(name: &str) -> String {
    format!("{}{SORT_SEPARATOR}{name}", name.to_lowercase())
}

/// The name in a [`sort_key`], as it was given.
pub fn name_in_sort_key(key: &str) -> &str {
    key.split_once(SORT_SEPARATOR).map_or(key, |(_, name)| name)
}

/// The name in lower case, as a [`sort_key`] begins with it.
pub fn folded_in_sort_key(key: &str) -> &str {
    key.split_once(SORT_SEPARATOR)
        .map_or(key, |(folded, _)| folded)
}

/// Between the two halves of a [`sort_key`]: a control character no name holds (the unit
/// separator), and below every printable one, so `a` sorts before `ab`.
const SORT_SEPARATOR: char = '\u{1f}';

/// Brings the indexes of a store written by an older vmyard to this one's layout (once; a
/// store already current costs one read per kind). Run at start, before anything lists.
pub fn ensure_indexes(store: &crate::store::Store) -> Result<(), crate::store::StoreError> {
    let mut w = store.write()?;
    let mut rebuilt = Vec::new();
    for c in decode::COLLECTIONS {
        if for_kind!(c.kind, T => w.ensure_index_layout::<T>())? {
            rebuilt.push(c.path);
        }
    }
    w.commit()?;
    if !rebuilt.is_empty() {
        tracing::info!(kinds = %rebuilt.join(", "), "store: indexes rebuilt for this version");
    }
    Ok(())
}

/// What every inventory record is besides a store record: an engine object of one kind,
/// with an id and a name.
pub trait InventoryRecord: crate::store::Record + Clone {
    /// Its kind.
    const INVENTORY_KIND: decode::Kind;
    /// The engine id.
    fn id(&self) -> &str;
    /// The name, or the id when the engine gave none.
    fn display_name(&self) -> &str;
    /// As a decoded object of any kind.
    fn into_object(self) -> decode::Object;
}
