//! The store: one redb file holding everything vmyard knows.
//!
//! - [`Store::open`] checks the schema version and runs migrations, refusing a file written
//!   by a newer vmyard and reporting a corrupt one (it is never replaced silently);
//! - [`table`] is the typed layer: parts declare a [`Record`] and read and write values of
//!   that type, never bytes; every real change bumps the record's revision;
//! - [`feed`] is the change feed: each committed write transaction publishes what it changed
//!   to in-process subscribers (the validator, the pages' live parts).

pub mod feed;
pub mod health;
mod migrate;
pub mod table;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use redb::ReadableDatabase;
use tokio::sync::broadcast;

pub use feed::{Change, ChangeKind, ChangeSet};
pub use health::{WriteFault, heal_loop};
pub use table::{ReadTxn, Record, Stored, WriteTxn};

/// The file name of the store inside the data folder.
pub const FILE_NAME: &str = "vmyard.redb";

/// Why the store could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data folder cannot be created or written.
    #[error("data folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a valid redb store.
    #[error(
        "store {path} is corrupt ({detail}); it was left as it is: `vmyard store check` tells more, `vmyard store recover` moves it aside to start with an empty store"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What redb found.
        detail: String,
    },
    /// Another process holds the store open.
    #[error("store {path} is in use by another vmyard process")]
    InUse {
        /// The file.
        path: PathBuf,
    },
    /// The store was written by a newer vmyard.
    #[error(
        "store {path} has schema version {found}, newer than this vmyard knows ({known}); run the newer vmyard or restore a backup"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The version found in the file.
        found: u32,
        /// The newest version this binary knows.
        known: u32,
    },
    /// A stored value could not be decoded as its record type.
    #[error("store: cannot decode {kind}/{id}: {detail}")]
    Decode {
        /// The record kind.
        kind: &'static str,
        /// The record id.
        id: String,
        /// What serde said.
        detail: String,
    },
    /// The store is being reopened after a write failure; try again shortly.
    #[error("store: being reopened after a write failure")]
    Reopening,
    /// Any other storage failure.
    #[error("store: {0}")]
    Redb(#[from] redb::Error),
}

macro_rules! redb_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Redb(e.into())
            }
        }
    )*};
}
redb_from!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// A handle on the open store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// `None` only while [`Store::reopen`] swaps the database.
    db: Arc<RwLock<Option<Arc<redb::Database>>>>,
    health: Arc<health::Health>,
    feed: broadcast::Sender<Arc<ChangeSet>>,
    generation: Arc<AtomicU64>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// How many change sets a slow subscriber may fall behind before it is told it lagged.
const FEED_CAPACITY: usize = 4096;

impl Store {
    /// Opens (or creates) the store in `data_dir`, migrating an older schema.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let folder_err = |source| StoreError::Folder {
            path: data_dir.to_path_buf(),
            source,
        };
        create_private_dir(data_dir).map_err(folder_err)?;
        probe_writable(data_dir).map_err(folder_err)?;
        let path = data_dir.join(FILE_NAME);
        let created = match std::fs::metadata(&path) {
            // redb would silently make a new store of an empty file, losing the tokens and
            // sessions with the inventory: an empty file is damaged like any other.
            Ok(m) if m.len() == 0 => {
                return Err(StoreError::Corrupt {
                    path,
                    detail: "the file is empty (0 bytes)".into(),
                });
            }
            Ok(_) => false,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(folder_err(e)),
        };
        let db = open_db(&path)?;
        if created {
            restrict(&path, 0o600).map_err(folder_err)?;
        }
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let store = Store {
            db: Arc::new(RwLock::new(Some(Arc::new(db)))),
            health: Arc::default(),
            feed,
            generation: Arc::new(AtomicU64::new(0)),
            path,
        };
        migrate::run(&store)?;
        Ok(store)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db(&self) -> Result<Arc<redb::Database>, StoreError> {
        self.db
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(StoreError::Reopening)
    }

    /// Starts a read transaction: a consistent snapshot.
    pub fn read(&self) -> Result<ReadTxn, StoreError> {
        Ok(ReadTxn::new(self.db()?.begin_read()?))
    }

    /// Starts a write transaction; its changes are published when it commits.
    pub fn write(&self) -> Result<WriteTxn, StoreError> {
        let txn = self
            .db()
            .and_then(|db| db.begin_write().map_err(StoreError::from));
        match txn {
            Ok(txn) => Ok(WriteTxn::new(
                txn,
                self.feed.clone(),
                self.generation.clone(),
                self.health.clone(),
            )),
            Err(e) => {
                self.health.record("a write could not begin", &e);
                Err(e)
            }
        }
    }

    /// Why the store cannot be written, while it cannot.
    pub fn write_fault(&self) -> Option<WriteFault> {
        self.health.fault()
    }

    /// Writes that failed since the process started.
    pub fn write_failures(&self) -> u64 {
        self.health.failures()
    }

    /// A number that goes up each time the store is reopened after a write failure. What a
    /// part wrote while the store failed is not in it: a part that keeps work in memory
    /// reads the store again when this changes.
    pub fn epoch(&self) -> u64 {
        self.health.epoch()
    }

    /// Closes and opens the store again after a write failure, once the data folder takes a
    /// probe write. Returns whether it reopened. Blocking: the open checks every page.
    pub fn reopen(&self) -> Result<bool, StoreError> {
        if self.health.fault().is_none() {
            return Ok(false);
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        health::probe_room(dir).map_err(|source| StoreError::Folder {
            path: dir.to_path_buf(),
            source,
        })?;
        let old = self
            .db
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(old) = old {
            // Every other handle on the database lives only while a transaction begins,
            // under the read lock, so this one is the last. The close reports the failure
            // that is already known.
            if let Some(db) = Arc::into_inner(old) {
                let _ = db.close();
            }
        }
        let db = open_db(&self.path);
        let db = match db {
            Ok(db) => db,
            Err(e) => {
                self.health.record("the store could not be reopened", &e);
                return Err(e);
            }
        };
        // An empty durable commit proves that the reopened file takes writes.
        let proof = db
            .begin_write()
            .map_err(StoreError::from)
            .and_then(|w| w.commit().map_err(StoreError::from));
        *self.db.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(db));
        if let Err(e) = proof {
            self.health.record("the reopened store refused a write", &e);
            return Err(e);
        }
        // What the reopened file holds may be older than what was read from it before:
        // cached answers expire, and the parts that keep work in memory look again.
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.health.reopened();
        self.health.clear();
        Ok(true)
    }

    /// A number that goes up after every commit that changed something (it starts at 0 in
    /// each process). Anything computed from a read that began after this number was taken
    /// stays valid until it changes: that is what the response caches key on.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Subscribes to the change feed: one [`ChangeSet`] per committed write transaction.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChangeSet>> {
        self.feed.subscribe()
    }
}

/// Opens or creates the redb file. Every page's checksum is verified at open: a file
/// altered outside redb is refused here rather than panicking in a btree cursor on some
/// later request.
fn open_db(path: &Path) -> Result<redb::Database, StoreError> {
    redb::Builder::new()
        .set_check_integrity_on_open(true)
        .create(path)
        .map_err(|e| open_error(path, e))
}

/// Creates the data folder (and its parents) if missing; the folder vmyard makes is
/// private to the service (0700): it holds tokens, sessions and the inventory.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// A folder that exists but cannot be written would otherwise fail later, on first write.
fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(".vmyard-write-probe");
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn open_error(path: &Path, e: redb::DatabaseError) -> StoreError {
    let path = path.to_path_buf();
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse { path },
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => {
            StoreError::Corrupt { path, detail }
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(source))
            if source.kind() == std::io::ErrorKind::InvalidData =>
        {
            StoreError::Corrupt {
                path,
                detail: source.to_string(),
            }
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(source)) => StoreError::Folder {
            path: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            source,
        },
        redb::DatabaseError::UpgradeRequired(v) => StoreError::Corrupt {
            path,
            detail: format!("file format {v} of an older redb"),
        },
        other => StoreError::Redb(other.into()),
    }
}

#[cfg(test)]
mod tests;
