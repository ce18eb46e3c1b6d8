//! List filters as people give them. A cluster or a host is named by its name or its id; a
//! status, a readiness or a category must be one the engine or vmyard knows. A value that
//! matches nothing known is an error that names the known values, never a silent empty
//! list: `--cluster cluster-01` finds the cluster, `--status bogus` says what the statuses
//! are.

use crate::inventory::decode::Kind;
use crate::inventory::model::{Cluster, Host, StorageDomain};
use crate::inventory::query::ListQuery;
use crate::inventory::{self, InventoryRecord, for_kind};
use crate::store::{ReadTxn, StoreError};

/// Why a filter cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// The value names nothing known; the message says what is known.
    #[error("{0}")]
    Unknown(String),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

// Each side answers a refused filter its own way: 400 with the reason, or the store's error.
impl From<FilterError> for crate::web::respond::ApiError {
    fn from(e: FilterError) -> Self {
        match e {
            FilterError::Unknown(why) => Self::bad_request(why),
            FilterError::Store(e) => e.into(),
        }
    }
}

impl From<FilterError> for crate::web::respond::PageError {
    fn from(e: FilterError) -> Self {
        match e {
            FilterError::Unknown(why) => Self::bad_request(why),
            FilterError::Store(e) => e.into(),
        }
    }
}

/// The statuses the engine gives each kind that lists filter by status
/// (ovirt-engine-api-model's `VmStatus` and `HostStatus`); `None` for the others.
pub fn statuses(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::Vm => &[
            "down",
            "image_locked",
            "migrating",
            "not_responding",
            "paused",
            "powering_down",
            "powering_up",
            "reboot_in_progress",
            "restoring_state",
            "saving_state",
            "suspended",
            "unassigned",
            "unknown",
            "up",
            "wait_for_launch",
        ],
        // The engine's TemplateStatus.
        Kind::Template => &["illegal", "locked", "ok"],
        Kind::Host => &[
            "connecting",
            "down",
            "error",
            "initializing",
            "install_failed",
            "installing",
            "installing_os",
            "kdumping",
            "maintenance",
            "non_operational",
            "non_responsive",
            "pending_approval",
            "preparing_for_maintenance",
            "reboot",
            "unassigned",
            "up",
        ],
        _ => return None,
    })
}

/// The readiness values of a VM.
pub const READINESS: [&str; 4] = ["ready", "warnings", "blocked", "error"];

/// The categories of a concern.
pub const CATEGORIES: [&str; 3] = ["Critical", "Warning", "Information"];

/// `query` with its cluster and host given as ids, after checking every filter against
/// what is known. Filters a kind does not have are errors too.
pub fn resolve(
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    query: &ListQuery,
) -> Result<ListQuery, FilterError> {
    let mut q = query.clone();
    let set = |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_string);
    if let Some(v) = set(&q.cluster) {
        if !matches!(kind, Kind::Vm | Kind::Host | Kind::Template) {
            return Err(no_filter(kind, "cluster"));
        }
        q.cluster = Some(resolve_ref::<Cluster>(
            r, provider, &v, "cluster", "clusters",
        )?);
    }
    if let Some(v) = set(&q.host) {
        if kind != Kind::Vm {
            return Err(no_filter(kind, "host"));
        }
        q.host = Some(resolve_ref::<Host>(r, provider, &v, "host", "hosts")?);
    }
    if let Some(v) = set(&q.storage_domain) {
        if kind != Kind::Disk {
            return Err(no_filter(kind, "storage domain"));
        }
        q.storage_domain = Some(resolve_ref::<StorageDomain>(
            r,
            provider,
            &v,
            "storage domain",
            "storage domains",
        )?);
    }
    if let Some(v) = set(&q.status) {
        let Some(known) = statuses(kind) else {
            return Err(no_filter(kind, "status"));
        };
        // A status a newer engine added is known once a record has it.
        let stored = || -> Result<bool, StoreError> {
            let key = inventory::key(provider, &v);
            for_kind!(kind, T => Ok(!r.ids_by::<T>("status", &key)?.is_empty()))
        };
        if !known.contains(&v.as_str()) && !stored()? {
            return Err(FilterError::Unknown(format!(
                "no {} has the status `{v}`; the statuses are {}",
                singular(kind),
                known.join(", ")
            )));
        }
    }
    for (name, value, known) in [
        ("readiness", &q.readiness, &READINESS[..]),
        ("category", &q.category, &CATEGORIES[..]),
    ] {
        let Some(v) = set(value) else { continue };
        if kind != Kind::Vm {
            return Err(no_filter(kind, name));
        }
        if !known.contains(&v.as_str()) {
            return Err(FilterError::Unknown(format!(
                "`{v}` is no {name}; use one of {}",
                known.join(", ")
            )));
        }
    }
    if set(&q.concern).is_some() && kind != Kind::Vm {
        return Err(no_filter(kind, "concern"));
    }
    Ok(q)
}

fn singular(kind: Kind) -> &'static str {
    match kind {
        Kind::DataCenter => "data center",
        Kind::Cluster => "cluster",
        Kind::Host => "host",
        Kind::Network => "network",
        Kind::NicProfile => "vNIC profile",
        Kind::StorageDomain => "storage domain",
        Kind::DiskProfile => "disk profile",
        Kind::Disk => "disk",
        Kind::Template => "template",
        Kind::Vm => "VM",
    }
}

fn no_filter(kind: Kind, filter: &str) -> FilterError {
    FilterError::Unknown(format!(
        "{} cannot be filtered by {filter}",
        kind.label().to_lowercase()
    ))
}

/// The engine id of the `T` whose id or name is `v`: the id as given when one has it, else
/// the one object of that name (exact, then ignoring case).
pub fn resolve_ref<T: InventoryRecord>(
    r: &ReadTxn,
    provider: &str,
    v: &str,
    what: &str,
    plural: &str,
) -> Result<String, FilterError> {
    if r.get::<T>(&inventory::key(provider, v))?.is_some() {
        return Ok(v.to_string());
    }
    let mut names: Vec<(String, String)> = Vec::new();
    r.index_walk::<T>("name", &format!("{provider}/"), |sort_key, key| {
        names.push((
            inventory::name_in_sort_key(sort_key).to_string(),
            inventory::engine_id(key).to_string(),
        ));
        true
    })?;
    let exact: Vec<&(String, String)> = names.iter().filter(|(n, _)| n == v).collect();
    let found = if exact.is_empty() {
        names
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(v))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [(_, id)] => Ok(id.clone()),
        [] => {
            const SHOWN: usize = 12;
            let mut known: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            known.sort_by_key(|n| n.to_lowercase());
            let more = known.len().saturating_sub(SHOWN);
            let mut list = known.into_iter().take(SHOWN).collect::<Vec<_>>().join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            if list.is_empty() {
                list = "none".into();
            }
            Err(FilterError::Unknown(format!(
                "{provider} has no {what} named or numbered `{v}`; its {plural}: {list}"
            )))
        }
        many => Err(FilterError::Unknown(format!(
            "{} {plural} are named `{v}`: give the id ({})",
            many.len(),
            many.iter()
                .map(|(_, id)| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
