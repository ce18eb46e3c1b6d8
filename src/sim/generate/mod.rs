//! Generated engine inventories: any number of VMs, with their hosts, clusters, data centers,
//! networks, vNIC profiles, storage domains, disk profiles and disks, written exactly as an
//! oVirt 4.4 engine writes them (see `design/ovirt.md` and the recorded answers in
//! `fixtures/ovirt-engine-4.4.10/`), from a seed.
//!
//! The simulator serves these objects to the collector; the benchmarks load them ("10k" and
//! "50k" of `design/quality.md`); the validation rules run on them. So they carry the
//! engine's wire format (scalars as strings, times as epoch-ms numbers, collections as
//! `{"<singular>": [...]}` and `{}` when empty, references `{"href", "id"}`, `link` and
//! `actions` arrays like the engine's), the `follow=` sub-collections inlined (VMs:
//! `disk_attachments`, `host_devices`, `snapshots`, `watchdogs`, `cdroms`, `nics` with their
//! reported devices; hosts: `network_attachments`, `nics`; networks: `vnic_profiles`), and
//! every condition of the concern catalogue (`design/validation.md`) in a fixed, known
//! proportion, so a validation run over a generated inventory has a predictable answer.
//!
//! Same scale and seed give byte-identical output: a self-contained splitmix64 generator
//! drives every choice, and every id is a UUID drawn from (seed, kind, number), so an
//! object's id does not depend on the choices made for others. Every reference points at an
//! object of the output. Counts of 0 in a [`Scale`] are taken as 1.
//!
//! NICs carry their `reported_devices`, which the engine inlines only for
//! `follow=nics.reported_devices` (the simulator leaves them out otherwise). A VM's vNUMA
//! nodes are not part of the VM: they are in [`Generated::numa_nodes`], served at
//! `vms/<id>/numanodes` as the engine does, and only a VM that has them carries
//! `numa_tune_mode`. As in the recorded engine, the host `cpu.speed` is a number.
//!
//! Size: the 10k mix is about 190 MB of JSON (12 KB per VM with its disks), held as
//! `serde_json::Value`s it takes about 1.6 GB (a small JSON object costs a whole B-tree
//! node), and the 50k mix five times that; building it costs about as much as parsing the
//! same JSON would.
//!
//! # The mix
//!
//! Layout: cluster `c` is in data center `c % data_centers`, host `h` in cluster
//! `h % clusters`, VM `i` in cluster `i % clusters`, network `n` in data center
//! `n % data_centers` (the first network of each data center is `ovirtmgmt`, the others
//! carry a VLAN), vNIC profile `p` on network `p % networks` (the first on each network is its default profile,
//! named after it), storage domain `s` in data center `s % data_centers` (in each data center,
//! types cycle nfs, iscsi, nfs, fcp, nfs, glusterfs, iscsi, nfs, fcp, posixfs), one disk
//! profile per storage domain plus a QoS one on every fourth. Hosts are `up`, except (beyond
//! the first host of each cluster) 1 in 50 in `maintenance` and 1 in 100 `non_responsive`; a
//! host attaches its data center's `ovirtmgmt` and up to three of its VM networks. Each VM has
//! 1 to 3 NICs (one more for each NIC condition below) and on average `disks_per_vm` disks
//! (uniform between 1 and twice the mean), interfaces `virtio_scsi` (7 in 10 VMs), `virtio` (1
//! in 4) or `sata`; 1 VM in 10 has an ISO (an `iso` content disk) in its CD-ROM; 1 in 5 has a
//! regular snapshot; 1 in 50 is stateless; 1 in 10 has a custom serial number. Disks not
//! attached (floating) fill the total up to `vms × disks_per_vm`, at least 1 in 100 of it, plus
//! three ISO disks per data center.
//!
//! VM status: `suspended` 1 in 100, `paused` 1 in 100 (on a host), `image_locked` 1 in 200;
//! of the rest 3 in 5 are `up` (on an up host of their cluster, with guest OS and IP
//! addresses reported) and 2 in 5 `down`.
//!
//! Conditions of the concern catalogue, by VM number `i` (a condition "1 in N, at k" is on
//! VM `i` when `i % N == k`; all `k` < 500, so `Scale::for_vms(500)` holds each at least
//! once):
//!
//! | concern | condition | VMs |
//! | --- | --- | --- |
//! | `ovirt.memory.ballooning.enabled` | `memory_policy.ballooning` true | 1 in 3, at 0 |
//! | `ovirt.bios.boot_menu.enabled` | boot menu on | 1 in 40, at 11 |
//! | `ovirt.cpu.custom_model.detected` | `custom_cpu_model` set | 1 in 60, at 23 |
//! | `ovirt.cpu.pinning_policy.unsupported` | `resize_and_pin_numa` / `isolate_threads` | 1 in 200 each, at 47 / 147 (`dedicated`, a near miss, at 97) |
//! | `ovirt.cpu.shares.defined` | `cpu_shares` > 0 | 1 in 20, at 3 |
//! | `ovirt.cpu.tuning.detected` | vCPU pins (policy `manual`, pinned to a host) | 1 in 100, at 29 |
//! | `ovirt.vm.custom_properties.detected` | VM custom properties | 1 in 25, at 7 |
//! | `ovirt.disk.count.exceeds.limit` | 166 to 170 disks | 1 in 5000, at 250 |
//! | `ovirt.disk.interface_type.unsupported` | a disk on `ide` | 1 in 100, at 41 |
//! | `ovirt.disk.capacity.invalid` | image disk of size 0 / LUN of size 0 | 1 in 500 each, at 123 / 373 |
//! | `ovirt.disk.illegal_or_locked_status` | a disk `illegal` / `locked` | 1 in 400 each, at 59 / 259 |
//! | `ovirt.disk.storage_type.unsupported` | a `managed_block_storage` disk | 1 in 300, at 71 |
//! | `ovirt.display_type.spice.enabled` | display `spice` (else `vnc`) | 1 in 3, at 1 |
//! | `ovirt.ha.enabled` | high availability (every other one with a VM lease) | 1 in 10, at 5 |
//! | `ovirt.ha.reservation.enabled` | the cluster has HA reservation | clusters 0, 4, 8, …: 1 cluster in 4 |
//! | `ovirt.host_devices.mapped` | a PCI host device (pinned to a host) | 1 in 50, at 13 |
//! | `ovirt.disk.illegal_images.detected` | `has_illegal_images` | 1 in 300, at 89 |
//! | `ovirt.iothreads.configured` | `io.threads` 2 or 4 | 1 in 30, at 17 |
//! | `ovirt.cluster.ksm_enabled` | the cluster has KSM on | clusters 0, 2, 4, …: 1 cluster in 2 |
//! | `ovirt.name.invalid` | underscores, or 70 characters | 1 in 40, at 19 |
//! | `ovirt.nic.custom_properties.detected` | a NIC on a profile with custom properties | 1 in 30, at 9 |
//! | `ovirt.nic.interface_type.unsupported` | a NIC on `e1000e` | 1 in 50, at 21 (plus the `pci_passthrough` NICs) |
//! | `ovirt.nic.network_filter.detected` | a NIC on a profile with a network filter | 1 in 15, at 2 |
//! | `ovirt.nic.pci_passthrough.detected` | a `pci_passthrough` NIC on a pass-through profile | 1 in 100, at 33 |
//! | `ovirt.nic.unplugged.detected` | an unplugged NIC | 1 in 40, at 27 |
//! | `ovirt.nic.port_mirroring.detected` | a NIC on a port-mirroring profile | 1 in 20, at 14 |
//! | `ovirt.nic.qos.detected` | a NIC on a profile with QoS | 1 in 25, at 4 |
//! | `ovirt.numa.tuning.detected` | two vNUMA nodes pinned to host NUMA nodes (`vms/<id>/numanodes`), the VM pinned to a host | 1 in 100, at 53 |
//! | `ovirt.snapshot.online_memory.detected` | a snapshot with memory | 1 in 30, at 22 |
//! | `ovirt.placement_policy.affinity_set` | affinity `migratable` | 1 in 2, the even VMs (odd ones are `user_migratable`, or `pinned` for the conditions that pin, whose offsets are all odd) |
//! | `ovirt.disk.scsi_reservation.enabled` | a LUN attached with SCSI reservation | 1 in 200, at 83 |
//! | `ovirt.secure_boot.detected` | BIOS `q35_secure_boot` | 1 in 50, at 31 |
//! | `ovirt.disk.shared.detected` | a shareable disk, also attached to the next VM | 1 in 100, at 61 (so 2 VMs in 100) |
//! | `ovirt.storage.resume_behavior.unsupported` | `kill` / `leave_paused` | 1 in 20 each, at 9 / 18 |
//! | `ovirt.tpm.required_by_os` | OS `windows_11` / `windows_2022` | 1 in 40 each, at 36 / 16 |
//! | `ovirt.usb.enabled` | USB on | 1 in 25, at 12 |
//! | `ovirt.os.unsupported` | OS `rhel_6x64` (every other one `rhel_6`) | 1 in 50, at 43 |
//! | `ovirt.vm.status_invalid` | `suspended`, `paused`, `image_locked` | see the statuses above |
//! | `ovirt.watchdog.enabled` | an `i6300esb` watchdog | 1 in 25, at 24 |
//!
//! A plain direct LUN (iSCSI) is on 1 VM in 100, at 67 (and the LUN VMs above). The vNIC
//! profiles of each data center cycle through: plain, network filter, plain, port mirroring,
//! plain, QoS, plain, custom properties, plain, pass-through; a VM's first NIC is on a plain
//! profile, and each NIC condition adds a NIC on a profile of that kind in the VM's data
//! center. Inventories too small to have a profile of a kind in a data center take one from
//! another data center, or leave that condition out when none exists.

/// [`Fields`] from `("key", value)` pairs.
macro_rules! fields {
    ($(($k:expr, $v:expr $(,)?)),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut f = $crate::sim::generate::Fields(serde_json::Map::new());
        $( f.push(($k, $v)); )*
        f
    }};
}

/// An object from `("key", value)` pairs.
macro_rules! obj {
    ($($t:tt)*) => { $crate::sim::generate::obj_of(fields!($($t)*)) };
}

mod conditions;
mod devices;
mod hosts;
mod infra;
mod numa;
mod plan;
mod tables;
#[cfg(test)]
mod tests;
mod vms;

use serde_json::{Map, Value};

use super::rng::Rng;

/// How big an inventory to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Data centers.
    pub data_centers: usize,
    /// Clusters.
    pub clusters: usize,
    /// Hosts.
    pub hosts: usize,
    /// VMs.
    pub vms: usize,
    /// Disks per VM, on average: the total of disks (attached and floating) is about
    /// `vms * disks_per_vm`.
    pub disks_per_vm: usize,
    /// Logical networks.
    pub networks: usize,
    /// vNIC profiles.
    pub vnic_profiles: usize,
    /// Storage domains.
    pub storage_domains: usize,
}

impl Scale {
    /// The reference "10k" mix of `design/quality.md` (10,000 VMs, 500 hosts, 20 clusters,
    /// 4 data centers, 30,000 disks, 200 networks, 400 vNIC profiles, 40 storage domains),
    /// scaled linearly to `vms` (rounded up, so at least 1 of everything).
    pub fn for_vms(vms: usize) -> Scale {
        let per_10k = |n: usize| (n * vms).div_ceil(10_000).max(1);
        Scale {
            data_centers: per_10k(4),
            clusters: per_10k(20),
            hosts: per_10k(500),
            vms: vms.max(1),
            disks_per_vm: 3,
            networks: per_10k(200),
            vnic_profiles: per_10k(400),
            storage_domains: per_10k(40),
        }
    }

    /// The same scale with every count at least 1.
    fn at_least_one(self) -> Scale {
        Scale {
            data_centers: self.data_centers.max(1),
            clusters: self.clusters.max(1),
            hosts: self.hosts.max(1),
            vms: self.vms.max(1),
            disks_per_vm: self.disks_per_vm.max(1),
            networks: self.networks.max(1),
            vnic_profiles: self.vnic_profiles.max(1),
            storage_domains: self.storage_domains.max(1),
        }
    }
}

/// A generated inventory: for each collection path of the API (`datacenters`, `clusters`,
/// `hosts`, `networks`, `vnicprofiles`, `storagedomains`, `diskprofiles`, `disks`, `vms`, in
/// that order), its objects in wire form, with the `follow=` sub-collections inlined.
pub struct Generated {
    /// `(collection path, objects)`, containers first.
    pub collections: Vec<(&'static str, Vec<Value>)>,
    /// `(VM id, answer of vms/<id>/numanodes)` for the VMs that have vNUMA nodes.
    pub numa_nodes: Vec<(String, Value)>,
}

/// Generates the inventory of `scale` from `seed`; the same arguments give the same output.
pub fn generate(scale: Scale, seed: u64) -> Generated {
    let scale = scale.at_least_one();
    let plan = plan::Plan::new(scale, seed);
    let vms = vms::build(&plan, scale, seed);
    let mut collections = plan.objects(&vms);
    collections.push(("disks", vms.disks));
    collections.push(("vms", vms.vms));
    Generated {
        collections,
        numa_nodes: vms.numa,
    }
}

/// The API prefix of every `href`.
const API: &str = "/ovirt-engine/api";

/// "Now" for the generated timestamps (2023-11-14), so the output does not depend on the
/// clock.
const NOW_MS: u64 = 1_700_000_000_000;

/// Id kinds: each kind draws its ids from its own stream.
#[derive(Debug, Clone, Copy)]
enum Tag {
    DataCenter = 1,
    Cluster,
    Host,
    Network,
    Profile,
    StorageDomain,
    DiskProfile,
    Disk,
    Vm,
    Nic,
    Snapshot,
    Watchdog,
    HostDevice,
    HostNic,
    NetworkAttachment,
    Quota,
    MacPool,
    CpuProfile,
    Image,
    Qos,
    ReportedDevice,
    SchedulingPolicy,
    NumaNode,
    SerialNumber,
}

/// Two numbers mixed into one seed.
fn mix(a: u64, b: u64) -> u64 {
    Rng::new(a ^ b.wrapping_mul(0xd1b5_4a32_d192_ed03)).next()
}

/// The UUID of object number `n` of kind `tag`.
fn uuid(seed: u64, tag: Tag, n: u64) -> String {
    let mut rng = Rng::new(mix(mix(seed, tag as u64), n));
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        (a & 0x0fff) | 0x4000,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// `/ovirt-engine/api/<plural>/<id>`.
fn href(plural: &str, id: &str) -> String {
    format!("{API}/{plural}/{id}")
}

/// A reference `{"href", "id"}`.
fn reference(plural: &str, id: &str) -> Value {
    obj!(("href", href(plural, id).into()), ("id", id.into()))
}

/// The fields of an object being written, in the order given (serde_json sorts them).
struct Fields(Map<String, Value>);

impl Fields {
    fn push(&mut self, (key, value): (&str, Value)) {
        self.0.insert(key.to_string(), value);
    }
}

/// The object of `fields`.
fn obj_of(fields: Fields) -> Value {
    Value::Object(fields.0)
}

/// A collection `{"<singular>": [...]}`, `{}` when empty.
fn collection(singular: &str, items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Object(Map::new())
    } else {
        obj!((singular, Value::Array(items)))
    }
}

/// A `link` array: `{"href": "<base>/<rel>", "rel": rel}` for each rel.
fn links(base: &str, rels: &[&str]) -> Value {
    Value::Array(
        rels.iter()
            .map(|rel| {
                obj!(
                    ("href", format!("{base}/{rel}").into()),
                    ("rel", (*rel).into()),
                )
            })
            .collect(),
    )
}

/// An `actions` object: `{"link": [...]}`.
fn actions(base: &str, rels: &[&str]) -> Value {
    obj!(("link", links(base, rels)))
}

/// A scalar in the engine's form: a string.
fn s(v: impl Scalar) -> Value {
    Value::String(v.text())
}

/// A boolean in the engine's form: `"true"` or `"false"`.
fn b(v: bool) -> Value {
    Value::String(if v { "true" } else { "false" }.to_string())
}

/// What [`s`] writes: strings (moved, not copied) and numbers.
trait Scalar {
    fn text(self) -> String;
}

impl Scalar for String {
    fn text(self) -> String {
        self
    }
}

impl Scalar for &String {
    fn text(self) -> String {
        self.clone()
    }
}

impl Scalar for &str {
    fn text(self) -> String {
        self.to_string()
    }
}

macro_rules! number_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn text(self) -> String {
                self.to_string()
            }
        }
    )*};
}

number_scalar!(u32, u64, usize, i32, i64);

const GIB: u64 = 1 << 30;
