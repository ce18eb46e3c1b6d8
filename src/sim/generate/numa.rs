//! A VM's virtual NUMA nodes, as the engine serves them at `vms/<id>/numanodes`: not inside
//! the VM (the VM's own answer has only `numa_tune_mode` and a `numanodes` link), but as a
//! collection of `vm_numa_node` items, each with its vCPUs (`cpu.cores.core[].index`), its
//! memory in MiB and the host NUMA nodes it is pinned to (`numa_node_pins.numa_node_pin[]`).

use serde_json::Value;

use super::{Tag, collection, s, uuid};

/// The vNUMA nodes of VM number `i`: two nodes, each with half the memory and half the
/// vCPUs, node `k` pinned to host NUMA node `k`.
pub(super) fn nodes(
    seed: u64,
    i: usize,
    base: &str,
    vm_ref: &Value,
    memory: u64,
    vcpus: u64,
) -> Value {
    let per_node = vcpus.div_ceil(2).max(1);
    let nodes = (0..2u64)
        .map(|k| {
            let nid = uuid(seed, Tag::NumaNode, i as u64 * 2 + k);
            let cores = (k * per_node..((k + 1) * per_node).min(vcpus.max(2)))
                .map(|c| obj!(("index", s(c))))
                .collect();
            obj!(
                ("cpu", obj!(("cores", collection("core", cores)))),
                ("index", s(k)),
                ("memory", s(memory / 2 / (1 << 20))),
                (
                    "numa_node_pins",
                    collection("numa_node_pin", vec![obj!(("index", s(k)))]),
                ),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/numanodes/{nid}"))),
                ("id", s(nid)),
            )
        })
        .collect();
    collection("vm_numa_node", nodes)
}
