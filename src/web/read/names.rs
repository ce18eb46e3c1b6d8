//! Names of referenced objects: records refer to each other by engine id, and people read
//! names. Each page or view looks a name up once.

use std::collections::HashMap;

use crate::inventory::decode::Kind;
use crate::inventory::{self, InventoryRecord, for_kind};
use crate::store::{ReadTxn, StoreError};

/// A reference to another object of the same provider, with the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its kind.
    pub kind: Kind,
    /// Its engine id.
    pub id: String,
    /// Its name, or its id when it is not stored (yet).
    pub name: String,
}

impl Link {
    /// Its page.
    pub fn href(&self, provider: &str) -> String {
        format!("/inventory/{provider}/{}/{}", self.kind.path(), self.id)
    }
}

/// Looks names up in one read transaction, each once.
pub struct Names<'a> {
    r: &'a ReadTxn,
    provider: &'a str,
    cache: HashMap<(Kind, String), String>,
}

impl<'a> Names<'a> {
    /// Names of `provider`'s objects as `r` sees them.
    pub fn new(r: &'a ReadTxn, provider: &'a str) -> Self {
        Names {
            r,
            provider,
            cache: HashMap::new(),
        }
    }

    /// The name of a referenced object; its id when it is not stored (yet), as an object
    /// a listing has not reached. A store that cannot be read is an error.
    pub fn name(&mut self, kind: Kind, id: &str) -> Result<String, StoreError> {
        if id.is_empty() {
            return Ok(String::new());
        }
        let key = (kind, id.to_string());
        if let Some(n) = self.cache.get(&key) {
            return Ok(n.clone());
        }
        let store_key = inventory::key(self.provider, id);
        let name = for_kind!(kind, T => self.r.get::<T>(&store_key)?.map(|s| s.value.display_name().to_string()))
            .unwrap_or_else(|| id.to_string());
        self.cache.insert(key, name.clone());
        Ok(name)
    }

    /// A reference by name; `None` for no reference (an empty id).
    pub fn link(&mut self, kind: Kind, id: &str) -> Result<Option<Link>, StoreError> {
        if id.is_empty() {
            return Ok(None);
        }
        Ok(Some(Link {
            kind,
            id: id.to_string(),
            name: self.name(kind, id)?,
        }))
    }
}
