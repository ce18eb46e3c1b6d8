//! The store: one redb file holding everything vmyard knows.
//!
//! - [`Store::open`] checks the schema version and runs migrations, refusing a file written
//!   by a newer vmyard and reporting a corrupt one (it is never replaced silently);
//! - [`table`] is the typed layer: parts declare a [`Record`] and read and write values of
//!   that type, never bytes; every real change bumps the record's revision;
//! - [`feed`] is the change feed: each committed write transaction publishes what it changed
//!   to in-process subscribers (the validator, the pages' live parts).

pub mod feed;
mod migrate;
pub mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::ReadableDatabase;
use tokio::sync::broadcast;

pub use feed::{Change, ChangeKind, ChangeSet};
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
    db: Arc<redb::Database>,
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
        // Every page's checksum is verified at open: a file altered outside redb is refused
        // here rather than panicking in a btree cursor on some later request.
        let db = redb::Builder::new()
            .set_check_integrity_on_open(true)
            .create(&path)
            .map_err(|e| open_error(&path, e))?;
        if created {
            restrict(&path, 0o600).map_err(folder_err)?;
        }
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let store = Store {
            db: Arc::new(db),
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

    /// Starts a read transaction: a consistent snapshot.
    pub fn read(&self) -> Result<ReadTxn, StoreError> {
        Ok(ReadTxn::new(self.db.begin_read()?))
    }

    /// Starts a write transaction; its changes are published when it commits.
    pub fn write(&self) -> Result<WriteTxn, StoreError> {
        Ok(WriteTxn::new(
            self.db.begin_write()?,
            self.feed.clone(),
            self.generation.clone(),
        ))
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
