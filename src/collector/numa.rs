//! A VM's virtual NUMA nodes, read where the engine gives them.
//!
//! The VM's own answer has no NUMA nodes (only `numa_tune_mode` and a `numanodes` link):
//! the engine serves them at `vms/<id>/numanodes`, as `vm_numa_node` items whose
//! `numa_node_pins` name the host NUMA nodes they are pinned to. Reading that for every VM
//! would double the requests of a load, so only the VMs that can have pinned nodes are
//! read: those the engine sends a `numa_tune_mode` for, or that are placed on named hosts
//! (pinning to host NUMA nodes needs a VM pinned to a host).

use std::collections::HashMap;

use futures_util::{StreamExt, stream};
use serde_json::Value;

use super::sync::{Page, SyncError, at, exists};
use crate::inventory::decode::{Kind, Object};
use crate::ovirt::EngineClient;
use crate::ovirt::wire::{Obj, WireError, collection};

/// How many VMs' NUMA nodes are read at once.
const CONCURRENT: usize = 8;

/// Whether a VM, as the engine sent it, can have vNUMA nodes pinned to host NUMA nodes.
pub fn candidate(vm: &Value) -> bool {
    vm.get("numa_tune_mode").is_some()
        || vm["placement_policy"]["hosts"]["host"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
}

/// The host NUMA node indexes that the vNUMA nodes of an answer of `vms/<id>/numanodes`
/// are pinned to, sorted, each once.
pub fn pins(body: &Value) -> Result<Vec<String>, WireError> {
    // A sub-collection may also come inside its plural key, as recorded engines show it
    // for `vms/<id>/nics`: `{"vm_numa_nodes": {"vm_numa_node": [...]}}`.
    let body = body.get("vm_numa_nodes").unwrap_or(body);
    let mut out = Vec::new();
    for node in collection(body, "vm_numa_node")? {
        for pin in Obj(node).items("numa_node_pins", "numa_node_pin")? {
            out.push(pin.req("index")?);
        }
    }
    out.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    out.dedup();
    Ok(out)
}

/// What reading a VM's NUMA nodes gave.
pub enum Read {
    /// The host NUMA nodes its vNUMA nodes are pinned to.
    Pins(Vec<String>),
    /// The engine answered 404 for the nodes, yet the VM itself reads back: this engine
    /// does not serve them for this VM, so they are unknown.
    Unknown,
    /// The VM is gone: the nodes answered 404 and so did the VM's own read.
    Gone,
    /// The answer could not be read.
    Bad(String),
}

/// The request for the NUMA nodes of VM `id`.
pub fn request(id: &str) -> String {
    format!("vms/{id}/numanodes")
}

/// The endpoint as a provider warning names it.
pub const ENDPOINT: &str = "vms/<id>/numanodes";

/// What a provider warning says is lost when the engine does not serve the nodes.
pub const LOST: &str =
    "the VMs' NUMA pinning is unknown; the rules report it as unknown, not as no pinning";

/// Reads the NUMA nodes of VM `id`. A 404 there is not proof that the VM is gone (engines
/// 4.2 and 4.3 send a tune mode on every VM and may lack the sub-collection): the VM itself
/// is asked before the answer is taken as a removal.
pub async fn read(client: &EngineClient, id: &str) -> Result<Read, SyncError> {
    let request = request(id);
    match client.get(&request).await {
        Ok(body) => Ok(match pins(&body) {
            Ok(p) => Read::Pins(p),
            Err(e) => Read::Bad(format!("{request}: {e}")),
        }),
        Err(e) if e.is_not_found() => Ok(if exists(client, Kind::Vm, id).await? {
            Read::Unknown
        } else {
            Read::Gone
        }),
        Err(e) => Err(at(&request)(e)),
    }
}

/// Sets the NUMA pins of a decoded VM from a read; `Err` when it cannot be kept as read.
pub fn apply(o: &mut Object, read: Read) -> Result<(), Read> {
    match (o, read) {
        (Object::Vm(vm), Read::Pins(p)) => {
            vm.numa_node_affinity = Some(p);
            Ok(())
        }
        (Object::Vm(vm), Read::Unknown) => {
            vm.numa_node_affinity = None;
            Ok(())
        }
        (_, Read::Pins(_) | Read::Unknown) => Ok(()),
        (_, other) => Err(other),
    }
}

/// Completes the listed VMs of a page whose ids are in `candidates` with their NUMA nodes.
/// A VM gone since the listing (its own read answered 404) leaves the page, and the
/// listing's end deletes it; one whose nodes cannot be read is reported and kept as
/// stored; one whose nodes the engine does not serve is kept with its nodes unknown, and
/// the page names the endpoint in `gaps`.
pub async fn complete(
    client: &EngineClient,
    page: &mut Page,
    candidates: Vec<String>,
) -> Result<(), SyncError> {
    if candidates.is_empty() {
        return Ok(());
    }
    let reads: Vec<(String, _)> = stream::iter(candidates.into_iter().map(|id| async move {
        let r = read(client, &id).await;
        (id, r)
    }))
    .buffered(CONCURRENT)
    .collect()
    .await;
    let mut by_id = HashMap::with_capacity(reads.len());
    for (id, r) in reads {
        by_id.insert(id, r?);
    }
    let listed = std::mem::take(&mut page.objects);
    for mut o in listed {
        let Some(r) = by_id.remove(o.id()) else {
            page.objects.push(o);
            continue;
        };
        if matches!(r, Read::Unknown) {
            page.gaps.insert(ENDPOINT, LOST);
        }
        match apply(&mut o, r) {
            Ok(()) => page.objects.push(o),
            Err(Read::Bad(problem)) => {
                page.keep.push(o.id().to_string());
                page.bad.push(problem);
            }
            Err(_) => {}
        }
    }
    Ok(())
}
