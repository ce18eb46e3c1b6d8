//! Schema versions and the migration step run on open.
//!
//! The version lives in the `meta` table. A new store is stamped with [`SCHEMA_VERSION`]; an
//! older one is brought forward one step at a time, each step in the same transaction as the
//! version bump, so an interrupted migration leaves the old version and runs again.

use redb::{ReadableTable, TableDefinition};

use super::{Store, StoreError};

/// The schema version this binary writes.
pub(super) const SCHEMA_VERSION: u32 = 1;

const META: TableDefinition<&str, u32> = TableDefinition::new("meta");
const VERSION_KEY: &str = "schema_version";

/// Checks the schema version and applies the migrations that are due.
pub(super) fn run(store: &Store) -> Result<(), StoreError> {
    let txn = store.write()?;
    let found = {
        let mut meta = txn.raw().open_table(META)?;
        let found = meta.get(VERSION_KEY)?.map(|v| v.value());
        if found.is_none() {
            meta.insert(VERSION_KEY, SCHEMA_VERSION)?;
        }
        found
    };
    match found {
        None => {
            tracing::info!(path = %store.path().display(), version = SCHEMA_VERSION, "store: created");
        }
        Some(v) if v > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema {
                path: store.path().to_path_buf(),
                found: v,
                known: SCHEMA_VERSION,
            });
        }
        Some(v) => {
            for from in v..SCHEMA_VERSION {
                migrate_from(&txn, from)?;
                tracing::info!(from, to = from + 1, "store: migrated");
            }
            txn.raw()
                .open_table(META)?
                .insert(VERSION_KEY, SCHEMA_VERSION)?;
        }
    }
    txn.commit()
}

/// One migration step, from `version` to `version + 1`. There is none yet: version 1 is
/// the first; later schema changes add their step here.
fn migrate_from(_txn: &super::WriteTxn, version: u32) -> Result<(), StoreError> {
    tracing::debug!(version, "store: no change of layout in this step");
    Ok(())
}

/// Stamps a version, for tests of the version guard.
#[cfg(test)]
pub(super) fn force_version(store: &Store, version: u32) -> Result<(), StoreError> {
    let txn = store.write()?;
    txn.raw().open_table(META)?.insert(VERSION_KEY, version)?;
    txn.commit()
}
