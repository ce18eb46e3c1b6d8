//! The parts of a VM that are objects of their own: disks (and their attachments), NICs.

use serde_json::Value;

use super::conditions::{Cond, Conds};
use super::plan::ProfileKind;
use super::vms::Builder;
use super::{
    API, GIB, NOW_MS, Rng, Tag, actions, b, collection, href, links, mix, obj_of, reference, s,
    uuid,
};

/// PCI devices passed through: `(vendor id, vendor, product id, product)`.
const PCI_DEVICES: [(&str, &str, &str, &str); 3] = [
    (
        "0x10de",
        "NVIDIA Corporation",
        "0x1eb8",
        "TU104GL [Tesla T4]",
    ),
    (
        "0x10de",
        "NVIDIA Corporation",
        "0x1db4",
        "GV100GL [Tesla V100 PCIe 16GB]",
    ),
    (
        "0x8086",
        "Intel Corporation",
        "0x1572",
        "Ethernet Controller X710 for 10GbE SFP+",
    ),
];

const DISK_ACTIONS: [&str; 6] = ["reduce", "sparsify", "copy", "export", "move", "refreshlun"];

/// One disk to write.
pub(super) struct DiskSpec {
    pub dc: usize,
    pub name: String,
    pub provisioned: u64,
    pub shareable: bool,
    pub status: &'static str,
    pub storage_type: &'static str,
    pub content: &'static str,
}

/// What the parts of a VM need to know about it.
#[derive(Clone, Copy)]
pub(super) struct VmCtx<'a> {
    /// The VM's number.
    pub i: usize,
    /// Its conditions.
    pub c: Conds,
    /// Its data center.
    pub dc: usize,
    /// Its name.
    pub name: &'a str,
    /// Its href.
    pub base: &'a str,
    /// A reference to it.
    pub vm_ref: &'a Value,
}

impl Builder<'_> {
    /// The disks of a VM (written to the disk list), as its disk attachments.
    pub(super) fn vm_disks(&mut self, ctx: VmCtx<'_>, rng: &mut Rng, mean: f64) -> Vec<Value> {
        let VmCtx {
            i,
            c,
            dc,
            name,
            base,
            vm_ref,
        } = ctx;
        let plan = self.plan;
        let interface = match rng.below(20) {
            0..=13 => "virtio_scsi",
            14..=18 => "virtio",
            _ => "sata",
        };
        let count = if c.has(Cond::ManyDisks) {
            166 + rng.index(5)
        } else {
            (1.0 + rng.unit() * (2.0 * mean - 2.0)).round().max(1.0) as usize
        };
        let mut attachments = Vec::with_capacity(count + 4);
        let attach = |disk: &str, interface: &str, bootable: bool, scsi: bool| {
            obj!(
                ("active", b(true)),
                ("bootable", b(bootable)),
                ("interface", s(interface)),
                ("pass_discard", b(false)),
                ("read_only", b(false)),
                ("uses_scsi_reservation", b(scsi)),
                ("disk", reference("disks", disk)),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/diskattachments/{disk}"))),
                ("id", s(disk)),
            )
        };
        for k in 0..count {
            let last = k + 1 == count;
            let provisioned = if last && c.has(Cond::DiskZeroSize) {
                0
            } else if k == 0 {
                *rng.pick(&[20, 30, 40, 50, 60, 100]) * GIB
            } else {
                *rng.pick(&[10, 20, 50, 100, 200, 500, 1024]) * GIB
            };
            let status = match () {
                _ if last && c.has(Cond::DiskIllegal) => "illegal",
                _ if last && c.has(Cond::DiskLocked) => "locked",
                _ => "ok",
            };
            let disk = self.push_disk(DiskSpec {
                dc,
                name: format!("{name}_Disk{}", k + 1),
                provisioned,
                shareable: false,
                status,
                storage_type: "image",
                content: "data",
            });
            let iface = if last && k > 0 && c.has(Cond::DiskInterfaceIde) {
                "ide"
            } else {
                interface
            };
            attachments.push(attach(&disk, iface, k == 0, false));
        }
        if count == 1 && c.has(Cond::DiskInterfaceIde) {
            attachments[0]["interface"] = s("ide");
        }
        if c.has(Cond::DiskManagedBlock) {
            let disk = self.push_disk(DiskSpec {
                dc,
                name: format!("{name}_mbs"),
                provisioned: 100 * GIB,
                shareable: false,
                status: "ok",
                storage_type: "managed_block_storage",
                content: "data",
            });
            attachments.push(attach(&disk, "virtio_scsi", false, false));
        }
        if c.has(Cond::LunDisk) || c.has(Cond::LunZeroSize) || c.has(Cond::ScsiReservation) {
            let size = if c.has(Cond::LunZeroSize) {
                0
            } else {
                *rng.pick(&[100, 250, 500, 1024]) * GIB
            };
            let scsi = c.has(Cond::ScsiReservation);
            let disk = self.push_lun(dc, format!("{name}_lun"), size, scsi);
            attachments.push(attach(&disk, "virtio_scsi", false, scsi));
        }
        if c.has(Cond::SharedDisk) {
            let disk = self.push_disk(DiskSpec {
                dc,
                name: format!("{name}_shared"),
                provisioned: 50 * GIB,
                shareable: true,
                status: "ok",
                storage_type: "image",
                content: "data",
            });
            attachments.push(attach(&disk, "virtio_scsi", false, false));
            self.shared
                .entry(i + plan.clusters.len())
                .or_default()
                .push(disk);
        }
        for disk in self.shared.remove(&i).unwrap_or_default() {
            attachments.push(attach(&disk, "virtio_scsi", false, false));
        }
        attachments
    }

    /// The NICs of a VM; `reporting` when its guest reports devices and addresses.
    pub(super) fn vm_nics(&mut self, ctx: VmCtx<'_>, rng: &mut Rng, reporting: bool) -> Vec<Value> {
        let VmCtx {
            c,
            dc,
            base,
            vm_ref,
            ..
        } = ctx;
        let plan = self.plan;
        let mut specs = vec![(
            ProfileKind::Plain,
            if c.has(Cond::NicE1000e) {
                "e1000e"
            } else {
                match rng.below(20) {
                    0..=16 => "virtio",
                    17 | 18 => "e1000",
                    _ => "rtl8139",
                }
            },
            !c.has(Cond::NicUnplugged),
        )];
        for (cond, kind) in [
            (Cond::NicNetworkFilter, ProfileKind::Filter),
            (Cond::NicPortMirroring, ProfileKind::Mirroring),
            (Cond::NicQos, ProfileKind::Qos),
            (Cond::NicCustomProperties, ProfileKind::CustomProperties),
            (Cond::NicPassthrough, ProfileKind::PassThrough),
        ] {
            if c.has(cond) {
                let iface = if kind == ProfileKind::PassThrough {
                    "pci_passthrough"
                } else {
                    "virtio"
                };
                specs.push((kind, iface, true));
            }
        }
        for _ in 0..[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2][rng.index(20)] {
            specs.push((ProfileKind::Plain, "virtio", true));
        }
        specs
            .into_iter()
            .enumerate()
            .map(|(k, (kind, iface, plugged))| {
                let (profile, iface) = match plan.profile(dc, kind, rng) {
                    Some(p) => (p, iface),
                    None => (
                        plan.profile(dc, ProfileKind::Plain, rng).unwrap_or(0),
                        "virtio",
                    ),
                };
                self.nic(base, vm_ref, k, dc, profile, iface, plugged, reporting)
            })
            .collect()
    }

    /// A NIC of a VM, with its reported devices when the guest reports them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn nic(
        &mut self,
        base: &str,
        vm_ref: &Value,
        k: usize,
        dc: usize,
        profile: usize,
        interface: &str,
        plugged: bool,
        reporting: bool,
    ) -> Value {
        let n = self.nics;
        self.nics += 1;
        let nid = uuid(self.seed, Tag::Nic, n);
        let nhref = format!("{base}/nics/{nid}");
        let mac = format!(
            "56:6f:{:02x}:{:02x}:{:02x}:{:02x}",
            (n >> 24) & 0xff,
            (n >> 16) & 0xff,
            (n >> 8) & 0xff,
            n & 0xff
        );
        let mut fields = fields!(
            ("interface", s(interface)),
            ("linked", b(true)),
            ("mac", obj!(("address", s(&mac)))),
            ("plugged", b(plugged)),
            ("synced", b(true)),
            (
                "vnic_profile",
                reference("vnicprofiles", &self.plan.profiles[profile].id),
            ),
            ("actions", actions(&nhref, &["activate", "deactivate"])),
            ("name", s(format!("nic{}", k + 1))),
            ("vm", vm_ref.clone()),
            (
                "link",
                links(
                    &nhref,
                    &["reporteddevices", "networkfilterparameters", "statistics"],
                ),
            ),
        );
        if reporting && plugged {
            let rid = uuid(self.seed, Tag::ReportedDevice, n);
            let v4 = format!("10.{}.{}.{}", 100 + dc % 100, (n / 254) % 256, n % 254 + 1);
            let v6 = format!("fe80::546f:{:x}:{:x}", (n >> 16) & 0xffff, n & 0xffff);
            let ip = |address: String, version: &str| {
                obj!(("address", s(address)), ("version", s(version)))
            };
            fields.push((
                "reported_devices",
                collection(
                    "reported_device",
                    vec![obj!(
                        ("ips", collection("ip", vec![ip(v4, "v4"), ip(v6, "v6")])),
                        ("mac", obj!(("address", s(&mac)))),
                        ("type", s("network")),
                        ("description", s("guest reported data")),
                        ("name", s(format!("eth{k}"))),
                        ("vm", vm_ref.clone()),
                        ("href", s(format!("{base}/reporteddevices/{rid}"))),
                        ("id", s(rid)),
                    )],
                ),
            ));
        }
        fields.push(("href", s(nhref)));
        fields.push(("id", s(nid)));
        obj_of(fields)
    }

    /// Writes an image (or managed block) disk; returns its id.
    pub(super) fn push_disk(&mut self, spec: DiskSpec) -> String {
        let plan = self.plan;
        let n = self.disks.len() as u64;
        let id = uuid(self.seed, Tag::Disk, n);
        let base = href("disks", &id);
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Disk as u64), n));
        let sd = *rng.pick(plan.dc_sds(spec.dc));
        let profiles = &plan.sd_profiles[sd];
        let profile = if profiles.len() > 1 && rng.one_in(10) {
            profiles[1]
        } else {
            profiles[0]
        };
        let thin = spec.storage_type == "image"
            && spec.content == "data"
            && !spec.shareable
            && rng.below(10) < 7;
        let actual = if thin {
            spec.provisioned / 100 * (5 + rng.below(90))
        } else {
            spec.provisioned
        };
        let dc_id = &plan.dcs[plan.sds[sd].dc].id;
        let quota = &plan.dcs[plan.sds[sd].dc].quota;
        self.disks.push(obj!(
            ("actual_size", s(actual)),
            ("alias", s(&spec.name)),
            (
                "backup",
                s(if n % 10 == 3 { "incremental" } else { "none" }),
            ),
            ("content_type", s(spec.content)),
            ("format", s(if thin { "cow" } else { "raw" })),
            ("image_id", s(uuid(self.seed, Tag::Image, n))),
            ("propagate_errors", b(false)),
            ("provisioned_size", s(spec.provisioned)),
            ("shareable", b(spec.shareable)),
            ("sparse", b(thin)),
            ("status", s(spec.status)),
            ("storage_type", s(spec.storage_type)),
            ("total_size", s(actual)),
            ("wipe_after_delete", b(false)),
            (
                "disk_profile",
                reference("diskprofiles", &plan.disk_profiles[profile].id),
            ),
            (
                "quota",
                obj!(
                    (
                        "href",
                        s(format!("{API}/datacenters/{dc_id}/quotas/{quota}")),
                    ),
                    ("id", s(quota)),
                ),
            ),
            (
                "storage_domains",
                collection(
                    "storage_domain",
                    vec![reference("storagedomains", &plan.sds[sd].id)],
                ),
            ),
            ("actions", actions(&base, &DISK_ACTIONS)),
            ("name", s(&spec.name)),
            ("description", s("")),
            (
                "link",
                links(&base, &["permissions", "disksnapshots", "statistics"]),
            ),
            ("href", s(base)),
            ("id", s(&id)),
        ));
        id
    }

    /// Writes a direct LUN disk (iSCSI) of `size` bytes; returns its id.
    pub(super) fn push_lun(&mut self, dc: usize, name: String, size: u64, scsi: bool) -> String {
        let n = self.disks.len() as u64;
        let id = uuid(self.seed, Tag::Disk, n);
        let base = href("disks", &id);
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Disk as u64), n));
        let lun = self.luns;
        self.luns += 1;
        let wwid = format!("36001405{:016x}{:08x}", rng.next(), rng.next() >> 32);
        let unit = obj!(
            (
                "address",
                s(format!("10.{}.200.{}", 10 + dc % 200, lun % 8 + 1)),
            ),
            ("lun_mapping", s(lun % 256)),
            ("paths", s(2)),
            ("port", s(3260)),
            ("product_id", s("disk")),
            (
                "serial",
                s(format!("SLIO-ORG_disk{lun}_{:08x}", rng.next() >> 32)),
            ),
            ("size", s(size)),
            ("status", s("used")),
            (
                "target",
                s(format!("iqn.2003-01.com.example:storage{:02}", lun % 8 + 1)),
            ),
            ("vendor_id", s("LIO-ORG")),
            ("id", s(&wwid)),
        );
        let mut fields = fields!(
            ("alias", s(&name)),
            ("backup", s("none")),
            ("content_type", s("data")),
            (
                "lun_storage",
                obj!(
                    ("id", s(&wwid)),
                    ("logical_units", collection("logical_unit", vec![unit])),
                    ("type", s("iscsi")),
                ),
            ),
            ("propagate_errors", b(false)),
            ("shareable", b(false)),
            ("storage_type", s("lun")),
            ("wipe_after_delete", b(false)),
            ("actions", actions(&base, &DISK_ACTIONS)),
            ("name", s(name)),
            ("description", s("")),
            ("link", links(&base, &["permissions", "statistics"])),
            ("href", s(base)),
            ("id", s(&id)),
        );
        if scsi {
            fields.push(("sgio", s("unfiltered")));
        }
        self.disks.push(obj_of(fields));
        id
    }

    /// The snapshots, watchdogs and host devices of a VM created at `created`, pinned to
    /// `pin_host`.
    pub(super) fn vm_extras(
        &self,
        ctx: VmCtx<'_>,
        rng: &mut Rng,
        created: u64,
        pin_host: Option<usize>,
    ) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
        let VmCtx {
            i, c, base, vm_ref, ..
        } = ctx;
        let plan = self.plan;
        let snapshot = |k: u64, description: &str, kind: &str, memory: bool, date: u64| {
            let sid = uuid(self.seed, Tag::Snapshot, i as u64 * 4 + k);
            let shref = format!("{base}/snapshots/{sid}");
            obj!(
                ("date", Value::from(date)),
                ("persist_memorystate", b(memory)),
                ("snapshot_status", s("ok")),
                ("snapshot_type", s(kind)),
                ("vm", vm_ref.clone()),
                ("actions", actions(&shref, &["restore"])),
                ("description", s(description)),
                ("link", links(&shref, &["cdroms", "disks", "nics"])),
                ("href", s(shref)),
                ("id", s(sid)),
            )
        };
        let mut snapshots = vec![snapshot(0, "Active VM", "active", false, created + 266)];
        if i.is_multiple_of(5) || c.has(Cond::MemorySnapshot) {
            let memory = c.has(Cond::MemorySnapshot);
            let date = created + (NOW_MS - created) / 2;
            let what = if memory {
                "before upgrade (with memory)"
            } else {
                "before upgrade"
            };
            snapshots.push(snapshot(1, what, "regular", memory, date));
        }

        let mut watchdogs = Vec::new();
        if c.has(Cond::Watchdog) {
            let wid = uuid(self.seed, Tag::Watchdog, i as u64);
            watchdogs.push(obj!(
                (
                    "action",
                    s(*rng.pick(&["reset", "poweroff", "dump", "pause", "none"])),
                ),
                ("model", s("i6300esb")),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/watchdogs/{wid}"))),
                ("id", s(wid)),
            ));
        }

        let mut host_devices = Vec::new();
        if c.has(Cond::HostDevice) {
            let (vendor_id, vendor, product_id, product) = *rng.pick(&PCI_DEVICES);
            let did = uuid(self.seed, Tag::HostDevice, i as u64);
            let mut device = fields!(
                ("capability", s("pci")),
                ("driver", s("vfio-pci")),
                ("iommu_group", s(30 + rng.below(40))),
                (
                    "name",
                    s(format!("pci_0000_{:02x}_00_0", 0x3b + rng.below(0x40))),
                ),
                ("product", obj!(("id", s(product_id)), ("name", s(product))),),
                ("vendor", obj!(("id", s(vendor_id)), ("name", s(vendor))),),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/hostdevices/{did}"))),
                ("id", s(did)),
            );
            if let Some(h) = pin_host {
                device.push(("host", reference("hosts", &plan.hosts[h].id)));
            }
            host_devices.push(obj_of(device));
        }
        (snapshots, watchdogs, host_devices)
    }
}
