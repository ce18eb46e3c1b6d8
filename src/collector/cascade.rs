//! What goes with a container the engine has removed.
//!
//! An engine that removes a data center or a cluster sends one event for it, not one for
//! each thing it held. The store must not keep those orphans forever (until the hourly
//! reconcile), nor drop them on the container's word alone: a cluster can outlive its data
//! center by moving. So each thing a removed container held is read again, and deleted only
//! when the engine answers 404 for it too; a removed thing that is itself a container
//! passes the question on to what it held.

use crate::inventory::decode::Kind;
use crate::inventory::{self, model::*};
use crate::store::{ReadTxn, StoreError};

/// The things of each kind the stored `(kind, id)` container holds, as `(kind, engine id)`.
pub fn held(
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    id: &str,
) -> Result<Vec<(Kind, String)>, StoreError> {
    let key = inventory::key(provider, id);
    let mut out = Vec::new();
    let mut add = |k: Kind, keys: Vec<String>| {
        out.extend(
            keys.iter()
                .map(|key| (k, inventory::engine_id(key).to_string())),
        );
    };
    match kind {
        Kind::DataCenter => {
            add(Kind::Cluster, r.ids_by::<Cluster>("data_center", &key)?);
            add(Kind::Network, r.ids_by::<Network>("data_center", &key)?);
            add(
                Kind::StorageDomain,
                r.ids_by::<StorageDomain>("data_center", &key)?,
            );
        }
        Kind::Cluster => {
            add(Kind::Host, r.ids_by::<Host>("cluster", &key)?);
            add(Kind::Vm, r.ids_by::<Vm>("cluster", &key)?);
        }
        Kind::Network => add(Kind::NicProfile, r.ids_by::<NicProfile>("network", &key)?),
        Kind::StorageDomain => add(
            Kind::DiskProfile,
            r.ids_by::<DiskProfile>("storage_domain", &key)?,
        ),
        Kind::Host
        | Kind::Vm
        | Kind::NicProfile
        | Kind::DiskProfile
        | Kind::Disk
        | Kind::Template => {}
    }
    Ok(out)
}
