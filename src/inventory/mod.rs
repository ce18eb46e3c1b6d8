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
