//! The VMs and the disks, placed on a [`Plan`], with the conditions of
//! [`conditions`](super::conditions).

use std::collections::BTreeMap;

use serde_json::Value;

use super::conditions::{Cond, Conds};
use super::infra::{Plan, ProfileKind};
use super::{
    API, GIB, NOW_MS, Rng, Scale, Tag, actions, b, collection, href, links, mix, obj, reference, s,
    uuid,
};

/// What placing the VMs produced.
pub(super) struct VmOut {
    /// The VMs, in wire form.
    pub vms: Vec<Value>,
    /// Every disk: ISO images, the VMs' disks, floating disks.
    pub disks: Vec<Value>,
    /// VMs running on each host.
    pub running: Vec<u32>,
    /// Whether each host passes a device through to a VM.
    pub passthrough: Vec<bool>,
}

/// A guest operating system: `(os.type, family, distribution, full version, kernel)`.
type Os = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The usual operating systems, with their weight in 100.
const OSES: [(u64, Os); 8] = [
    (
        35,
        (
            "rhel_8x64",
            "Linux",
            "Red Hat Enterprise Linux",
            "8.6",
            "4.18.0-372.9.1.el8.x86_64",
        ),
    ),
    (
        15,
        (
            "rhel_9x64",
            "Linux",
            "Red Hat Enterprise Linux",
            "9.2",
            "5.14.0-284.11.1.el9_2.x86_64",
        ),
    ),
    (
        15,
        (
            "rhel_7x64",
            "Linux",
            "Red Hat Enterprise Linux Server",
            "7.9",
            "3.10.0-1160.el7.x86_64",
        ),
    ),
    (
        15,
        (
            "windows_2019x64",
            "Windows",
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763",
            "10.0.17763",
        ),
    ),
    (
        8,
        (
            "windows_2016x64",
            "Windows",
            "Microsoft Windows Server 2016 Standard",
            "10.0.14393",
            "10.0.14393",
        ),
    ),
    (
        4,
        (
            "windows_10x64",
            "Windows",
            "Microsoft Windows 10 Enterprise",
            "10.0.19045",
            "10.0.19045",
        ),
    ),
    (
        5,
        (
            "other_linux",
            "Linux",
            "Ubuntu",
            "22.04",
            "5.15.0-76-generic",
        ),
    ),
    (3, ("other", "Other", "", "", "")),
];
const WINDOWS_11: Os = (
    "windows_11",
    "Windows",
    "Microsoft Windows 11 Enterprise",
    "10.0.22621",
    "10.0.22621",
);
const WINDOWS_2022: Os = (
    "windows_2022",
    "Windows",
    "Microsoft Windows Server 2022 Standard",
    "10.0.20348",
    "10.0.20348",
);
const RHEL_6X64: Os = (
    "rhel_6x64",
    "Linux",
    "Red Hat Enterprise Linux Server",
    "6.10",
    "2.6.32-754.el6.x86_64",
);
const RHEL_6: Os = (
    "rhel_6",
    "Linux",
    "Red Hat Enterprise Linux Server",
    "6.10",
    "2.6.32-754.el6.i686",
);

const NAME_PREFIXES: [&str; 16] = [
    "web", "db", "app", "cache", "mq", "ci", "dev", "test", "ldap", "dns", "mail", "k8s-node",
    "backup", "proxy", "mon", "build",
];

const VM_ACTIONS: [&str; 21] = [
    "detach",
    "shutdown",
    "start",
    "stop",
    "suspend",
    "reset",
    "ticket",
    "migrate",
    "reboot",
    "commitsnapshot",
    "clone",
    "freezefilesystems",
    "logon",
    "maintenance",
    "previewsnapshot",
    "autopincpuandnumanodes",
    "reordermacaddresses",
    "thawfilesystems",
    "undosnapshot",
    "cancelmigration",
    "export",
];

const VM_LINKS: [&str; 18] = [
    "graphicsconsoles",
    "cdroms",
    "watchdogs",
    "diskattachments",
    "snapshots",
    "applications",
    "hostdevices",
    "reporteddevices",
    "sessions",
    "backups",
    "checkpoints",
    "nics",
    "numanodes",
    "katelloerrata",
    "permissions",
    "affinitylabels",
    "tags",
    "statistics",
];

const DISK_ACTIONS: [&str; 6] = ["reduce", "sparsify", "copy", "export", "move", "refreshlun"];

/// The id of the blank template, and of an empty CD-ROM slot.
const ZERO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The ISO images of each data center.
const ISOS: [&str; 3] = [
    "rhel-8.6-x86_64-dvd.iso",
    "virtio-win-1.9.24.iso",
    "en-us_windows_server_2019_x64_dvd.iso",
];

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

/// One disk to write.
struct DiskSpec {
    dc: usize,
    name: String,
    provisioned: u64,
    shareable: bool,
    status: &'static str,
    storage_type: &'static str,
    content: &'static str,
}

struct Builder<'a> {
    plan: &'a Plan,
    seed: u64,
    disks: Vec<Value>,
    running: Vec<u32>,
    passthrough: Vec<bool>,
    nics: u64,
    luns: u64,
    /// ISO disk ids of each data center.
    isos: Vec<Vec<String>>,
    /// Shareable disks waiting for their second VM, by VM number.
    shared: BTreeMap<usize, Vec<String>>,
}

/// Places `scale.vms` VMs and their disks on `plan`.
pub(super) fn build(plan: &Plan, scale: Scale, seed: u64) -> VmOut {
    let mut g = Builder {
        plan,
        seed,
        disks: Vec::with_capacity(scale.vms * scale.disks_per_vm + 16),
        running: vec![0; plan.hosts.len()],
        passthrough: vec![false; plan.hosts.len()],
        nics: 0,
        luns: 0,
        isos: vec![Vec::new(); plan.dcs.len()],
        shared: BTreeMap::new(),
    };
    for dc in 0..plan.dcs.len() {
        for iso in ISOS {
            let id = g.push_disk(DiskSpec {
                dc,
                name: iso.to_string(),
                provisioned: 8 * GIB,
                shareable: false,
                status: "ok",
                storage_type: "image",
                content: "iso",
            });
            g.isos[dc].push(id);
        }
    }
    // The mean of image disks per VM that keeps the total near vms × disks_per_vm, once the
    // floating disks, the VMs with too many disks and the extra (LUN, shared, ...) disks are
    // counted.
    let total = scale.vms * scale.disks_per_vm;
    let floating_min = (total / 100).max(1);
    let many = (0..scale.vms)
        .filter(|&i| Conds::of(i).has(Cond::ManyDisks))
        .count();
    let reserved = floating_min + g.disks.len() + many * 168 + scale.vms * 3 / 100;
    let mean = (total.saturating_sub(reserved) as f64 / scale.vms as f64).max(1.0);
    let vms = (0..scale.vms).map(|i| g.vm(i, mean)).collect();
    let floating = total.saturating_sub(g.disks.len()).max(floating_min);
    for f in 0..floating {
        let mut rng = Rng::new(mix(mix(seed, 0xf10a7), f as u64));
        let provisioned = *rng.pick(&[5, 10, 20, 50, 100]) * GIB;
        g.push_disk(DiskSpec {
            dc: f % plan.dcs.len(),
            name: format!("floating-{:05}", f + 1),
            provisioned,
            shareable: f % 50 == 7,
            status: "ok",
            storage_type: "image",
            content: "data",
        });
    }
    VmOut {
        vms,
        disks: g.disks,
        running: g.running,
        passthrough: g.passthrough,
    }
}

impl Builder<'_> {
    fn vm(&mut self, i: usize, mean: f64) -> Value {
        let plan = self.plan;
        let c = Conds::of(i);
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Vm as u64), i as u64));
        let id = uuid(self.seed, Tag::Vm, i as u64);
        let base = href("vms", &id);
        let vm_ref = reference("vms", &id);
        let cluster = i % plan.clusters.len();
        let dc = plan.clusters[cluster].dc;
        let name = vm_name(i, c, &mut rng);
        let os = if c.has(Cond::Windows11) {
            WINDOWS_11
        } else if c.has(Cond::Windows2022) {
            WINDOWS_2022
        } else if c.has(Cond::Rhel6) {
            if (i / 50) % 2 == 0 { RHEL_6X64 } else { RHEL_6 }
        } else {
            let mut roll = rng.below(100);
            let mut chosen = OSES[0].1;
            for (weight, os) in OSES {
                if roll < weight {
                    chosen = os;
                    break;
                }
                roll -= weight;
            }
            chosen
        };
        let windows = os.1 == "Windows";

        // Where it runs.
        let pinned = [
            Cond::HostDevice,
            Cond::CpuTuning,
            Cond::NumaTuning,
            Cond::NicPassthrough,
        ]
        .iter()
        .any(|&x| c.has(x));
        let up = &plan.up_hosts[cluster];
        let all = &plan.cluster_hosts[cluster];
        let pin_host = match (pinned, up.is_empty(), all.is_empty()) {
            (false, ..) | (true, true, true) => None,
            (true, false, _) => Some(*rng.pick(up)),
            (true, true, false) => Some(*rng.pick(all)),
        };
        let wanted = if c.has(Cond::Suspended) {
            "suspended"
        } else if c.has(Cond::Paused) {
            "paused"
        } else if c.has(Cond::ImageLocked) {
            "image_locked"
        } else if i % 5 < 3 {
            "up"
        } else {
            "down"
        };
        let on_host = matches!(wanted, "up" | "paused");
        let host = match pin_host {
            _ if !on_host => None,
            Some(h) => up.contains(&h).then_some(h),
            None if up.is_empty() => None,
            None => Some(*rng.pick(up)),
        };
        let status = if on_host && host.is_none() {
            "down"
        } else {
            wanted
        };
        if let Some(h) = host {
            self.running[h] += 1;
        }
        if let Some(h) = pin_host
            && (c.has(Cond::HostDevice) || c.has(Cond::NicPassthrough))
        {
            self.passthrough[h] = true;
        }

        // Times.
        let created = NOW_MS - 86_400_000 * (30 + rng.below(1000)) - rng.below(86_400_000);
        let started = NOW_MS - rng.below(86_400_000 * 30);
        let stopped = if host.is_some() {
            created + (started - created) / 2
        } else {
            NOW_MS - rng.below(86_400_000 * 90)
        };

        // Disks.
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
            obj(vec![
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
            ])
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

        // NICs.
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
        let reporting = status == "up";
        let nics = specs
            .into_iter()
            .enumerate()
            .map(|(k, (kind, iface, plugged))| {
                let (profile, iface) = match plan.profile(dc, kind, &mut rng) {
                    Some(p) => (p, iface),
                    None => (
                        plan.profile(dc, ProfileKind::Plain, &mut rng).unwrap_or(0),
                        "virtio",
                    ),
                };
                self.nic(&base, &vm_ref, k, dc, profile, iface, plugged, reporting)
            })
            .collect();

        // CPU.
        let sockets = *rng.pick(&[1u64, 1, 2, 2, 4]);
        let cores = *rng.pick(&[1u64, 2, 2, 4]);
        let mut cpu = vec![
            ("architecture", s("x86_64")),
            (
                "topology",
                obj(vec![
                    ("cores", s(cores)),
                    ("sockets", s(sockets)),
                    ("threads", s(1)),
                ]),
            ),
        ];
        if c.has(Cond::CpuTuning) {
            let pins = (0..sockets * cores)
                .map(|k| obj(vec![("cpu_set", s(k + 2)), ("vcpu", s(k))]))
                .collect();
            cpu.push((
                "cpu_tune",
                obj(vec![("vcpu_pins", collection("vcpu_pin", pins))]),
            ));
        }
        let pinning = match () {
            _ if c.has(Cond::PinResizeNuma) => "resize_and_pin_numa",
            _ if c.has(Cond::PinIsolateThreads) => "isolate_threads",
            _ if c.has(Cond::PinDedicated) => "dedicated",
            _ if c.has(Cond::CpuTuning) => "manual",
            _ => "none",
        };
        let memory = *rng.pick(if windows {
            &[4u64, 8, 8, 16, 32][..]
        } else {
            &[1u64, 2, 4, 4, 8, 8, 16, 32][..]
        }) * GIB;

        // Snapshots.
        let snapshot = |k: u64, description: &str, kind: &str, memory: bool, date: u64| {
            let sid = uuid(self.seed, Tag::Snapshot, i as u64 * 4 + k);
            let shref = format!("{base}/snapshots/{sid}");
            obj(vec![
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
            ])
        };
        let mut snapshots = vec![snapshot(0, "Active VM", "active", false, created + 266)];
        if i % 5 == 0 || c.has(Cond::MemorySnapshot) {
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
            watchdogs.push(obj(vec![
                (
                    "action",
                    s(*rng.pick(&["reset", "poweroff", "dump", "pause", "none"])),
                ),
                ("model", s("i6300esb")),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/watchdogs/{wid}"))),
                ("id", s(wid)),
            ]));
        }

        let mut host_devices = Vec::new();
        if c.has(Cond::HostDevice) {
            let (vendor_id, vendor, product_id, product) = *rng.pick(&PCI_DEVICES);
            let did = uuid(self.seed, Tag::HostDevice, i as u64);
            let mut device = vec![
                ("capability", s("pci")),
                ("driver", s("vfio-pci")),
                ("iommu_group", s(30 + rng.below(40))),
                (
                    "name",
                    s(format!("pci_0000_{:02x}_00_0", 0x3b + rng.below(0x40))),
                ),
                (
                    "product",
                    obj(vec![("id", s(product_id)), ("name", s(product))]),
                ),
                (
                    "vendor",
                    obj(vec![("id", s(vendor_id)), ("name", s(vendor))]),
                ),
                ("vm", vm_ref.clone()),
                ("href", s(format!("{base}/hostdevices/{did}"))),
                ("id", s(did)),
            ];
            if let Some(h) = pin_host {
                device.push(("host", reference("hosts", &plan.hosts[h].id)));
            }
            host_devices.push(obj(device));
        }

        let mut cdrom = vec![
            ("href", s(format!("{base}/cdroms/{ZERO_ID}"))),
            ("id", s(ZERO_ID)),
            ("vm", vm_ref.clone()),
        ];
        if i % 10 == 6 && !self.isos[dc].is_empty() {
            let iso = &self.isos[dc][if windows { 1 } else { 0 }];
            cdrom.push(("file", obj(vec![("id", s(iso))])));
        }

        let placement = match pin_host {
            Some(h) => obj(vec![
                ("affinity", s("pinned")),
                (
                    "hosts",
                    collection("host", vec![reference("hosts", &plan.hosts[h].id)]),
                ),
            ]),
            None => obj(vec![(
                "affinity",
                s(if i % 2 == 0 {
                    "migratable"
                } else {
                    "user_migratable"
                }),
            )]),
        };
        let ha = c.has(Cond::HighAvailability);
        let display = obj(vec![
            ("allow_override", b(false)),
            ("copy_paste_enabled", b(true)),
            ("disconnect_action", s("LOCK_SCREEN")),
            ("file_transfer_enabled", b(true)),
            ("monitors", s(1)),
            ("smartcard_enabled", b(false)),
            ("type", s(if c.has(Cond::Spice) { "spice" } else { "vnc" })),
        ]);
        let bios = match () {
            _ if c.has(Cond::SecureBoot) => "q35_secure_boot",
            _ if i % 5 == 4 => "q35_ovmf",
            _ if i % 20 == 7 => "i440fx_sea_bios",
            _ => "q35_sea_bios",
        };
        let resume = match () {
            _ if c.has(Cond::ResumeKill) => "kill",
            _ if c.has(Cond::ResumeLeavePaused) => "leave_paused",
            _ => "auto_resume",
        };
        let icon = |id: &str| reference("icons", id);

        let mut fields = vec![
            ("next_run_configuration_exists", b(false)),
            ("status", s(status)),
            ("stop_reason", s("")),
            ("stop_time", Value::from(stopped)),
            ("cdroms", collection("cdrom", vec![obj(cdrom)])),
            (
                "disk_attachments",
                collection("disk_attachment", attachments),
            ),
            ("host_devices", collection("host_device", host_devices)),
            ("nics", collection("nic", nics)),
            ("original_template", reference("templates", ZERO_ID)),
            ("snapshots", collection("snapshot", snapshots)),
            ("template", reference("templates", ZERO_ID)),
            ("watchdogs", collection("watchdog", watchdogs)),
            ("actions", actions(&base, &VM_ACTIONS)),
            ("name", s(&name)),
            ("description", s(format!("{} {}", os.2, os.3).trim())),
            ("comment", s("")),
            ("href", s(&base)),
            ("id", s(&id)),
            (
                "bios",
                obj(vec![
                    (
                        "boot_menu",
                        obj(vec![("enabled", b(c.has(Cond::BootMenu)))]),
                    ),
                    ("type", s(bios)),
                ]),
            ),
            ("cpu", obj(cpu)),
            ("cpu_pinning_policy", s(pinning)),
            ("display", display),
            ("has_illegal_images", b(c.has(Cond::IllegalImages))),
            (
                "io",
                obj(vec![(
                    "threads",
                    s(if c.has(Cond::IoThreads) {
                        *rng.pick(&[2, 4])
                    } else {
                        1
                    }),
                )]),
            ),
            ("memory", s(memory)),
            (
                "migration",
                obj(vec![
                    ("auto_converge", s("inherit")),
                    ("compressed", s("inherit")),
                    ("encrypted", s("inherit")),
                ]),
            ),
            (
                "numa_tune_mode",
                s(if c.has(Cond::NumaTuning) {
                    "strict"
                } else {
                    "interleave"
                }),
            ),
            ("origin", s("ovirt")),
            (
                "os",
                obj(vec![
                    (
                        "boot",
                        obj(vec![(
                            "devices",
                            obj(vec![("device", Value::Array(vec![s("hd")]))]),
                        )]),
                    ),
                    ("type", s(os.0)),
                ]),
            ),
            (
                "sso",
                obj(vec![(
                    "methods",
                    collection("method", vec![obj(vec![("id", s("guest_agent"))])]),
                )]),
            ),
            ("stateless", b(i % 50 == 37)),
            (
                "type",
                s(if matches!(os.0, "windows_10x64" | "windows_11") {
                    "desktop"
                } else {
                    "server"
                }),
            ),
            (
                "usb",
                if c.has(Cond::Usb) {
                    obj(vec![("enabled", b(true)), ("type", s("native"))])
                } else {
                    obj(vec![("enabled", b(false))])
                },
            ),
            ("cluster", reference("clusters", &plan.clusters[cluster].id)),
            ("quota", obj(vec![("id", s(&plan.dcs[dc].quota))])),
            ("link", links(&base, &VM_LINKS)),
            (
                "cpu_shares",
                s(if c.has(Cond::CpuShares) {
                    *rng.pick(&[512, 1024, 2048])
                } else {
                    0
                }),
            ),
            ("creation_time", Value::from(created)),
            ("delete_protected", b(false)),
            (
                "high_availability",
                obj(vec![
                    ("enabled", b(ha)),
                    ("priority", s(if ha { 50 } else { 1 })),
                ]),
            ),
            ("large_icon", icon("b34cbd6a-a64b-4718-a0bb-f7166f696ab2")),
            (
                "memory_policy",
                obj(vec![
                    ("ballooning", b(c.has(Cond::Ballooning))),
                    ("guaranteed", s(memory)),
                    ("max", s(memory * 4)),
                ]),
            ),
            ("migration_downtime", s(-1)),
            ("multi_queues_enabled", b(true)),
            ("placement_policy", placement),
            ("small_icon", icon("25581ebc-c80e-4571-a088-3a058561ca50")),
            ("start_paused", b(false)),
            ("storage_error_resume_behaviour", s(resume)),
            (
                "time_zone",
                obj(vec![(
                    "name",
                    s(if windows {
                        "GMT Standard Time"
                    } else {
                        "Etc/GMT"
                    }),
                )]),
            ),
            ("virtio_scsi_multi_queues_enabled", b(false)),
            (
                "cpu_profile",
                reference("cpuprofiles", &plan.clusters[cluster].cpu_profile),
            ),
        ];
        if let Some(h) = host {
            fields.push(("host", reference("hosts", &plan.hosts[h].id)));
            fields.push(("start_time", Value::from(started)));
        }
        if status == "up" && !os.2.is_empty() {
            let version = |full: &str| {
                let mut parts = full.split('.');
                obj(vec![
                    ("full_version", s(full)),
                    ("major", s(parts.next().unwrap_or("0"))),
                    ("minor", s(parts.next().unwrap_or("0"))),
                ])
            };
            fields.push((
                "guest_operating_system",
                obj(vec![
                    ("architecture", s("x86_64")),
                    ("codename", s("")),
                    ("distribution", s(os.2)),
                    ("family", s(os.1)),
                    ("kernel", obj(vec![("version", version(os.4))])),
                    ("version", version(os.3)),
                ]),
            ));
        }
        if c.has(Cond::CustomCpuModel) {
            fields.push((
                "custom_cpu_model",
                s("Cascadelake-Server,-hle,-rtm,+arch-capabilities"),
            ));
        }
        if c.has(Cond::VmCustomProperties) {
            let property = if (i / 25) % 2 == 0 {
                ("sndbuf", "0")
            } else {
                ("viodiskcache", "writeback")
            };
            fields.push((
                "custom_properties",
                collection(
                    "custom_property",
                    vec![obj(vec![("name", s(property.0)), ("value", s(property.1))])],
                ),
            ));
        }
        if c.has(Cond::NumaTuning) {
            let nodes = (0..2u64)
                .map(|k| {
                    let nid = uuid(self.seed, Tag::NumaNode, i as u64 * 2 + k);
                    obj(vec![
                        ("index", s(k)),
                        ("memory", s(memory / 2 / (1 << 20))),
                        (
                            "numa_node_pins",
                            collection("numa_node_pin", vec![obj(vec![("index", s(k))])]),
                        ),
                        ("vm", vm_ref.clone()),
                        ("href", s(format!("{base}/numanodes/{nid}"))),
                        ("id", s(nid)),
                    ])
                })
                .collect();
            fields.push(("numa_tune_mode_nodes", collection("vm_numa_node", nodes)));
        }
        if ha && (i / 10) % 2 == 0 {
            let sd = plan.dc_sds(dc)[0];
            fields.push((
                "lease",
                obj(vec![(
                    "storage_domain",
                    reference("storagedomains", &plan.sds[sd].id),
                )]),
            ));
        }
        if i % 10 == 8 {
            fields.push((
                "serial_number",
                obj(vec![
                    ("policy", s("custom")),
                    ("value", s(uuid(self.seed, Tag::SerialNumber, i as u64))),
                ]),
            ));
        }
        if matches!(os.0, "windows_11" | "windows_2022") {
            fields.push(("tpm_enabled", b(true)));
        }
        obj(fields)
    }

    /// A NIC of a VM, with its reported devices when the guest reports them.
    #[allow(clippy::too_many_arguments)]
    fn nic(
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
        let mut fields = vec![
            ("interface", s(interface)),
            ("linked", b(true)),
            ("mac", obj(vec![("address", s(&mac))])),
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
        ];
        if reporting && plugged {
            let rid = uuid(self.seed, Tag::ReportedDevice, n);
            let v4 = format!("10.{}.{}.{}", 100 + dc % 100, (n / 254) % 256, n % 254 + 1);
            let v6 = format!("fe80::546f:{:x}:{:x}", (n >> 16) & 0xffff, n & 0xffff);
            let ip = |address: String, version: &str| {
                obj(vec![("address", s(address)), ("version", s(version))])
            };
            fields.push((
                "reported_devices",
                collection(
                    "reported_device",
                    vec![obj(vec![
                        ("ips", collection("ip", vec![ip(v4, "v4"), ip(v6, "v6")])),
                        ("mac", obj(vec![("address", s(&mac))])),
                        ("type", s("network")),
                        ("description", s("guest reported data")),
                        ("name", s(format!("eth{k}"))),
                        ("vm", vm_ref.clone()),
                        ("href", s(format!("{base}/reporteddevices/{rid}"))),
                        ("id", s(rid)),
                    ])],
                ),
            ));
        }
        fields.push(("href", s(nhref)));
        fields.push(("id", s(nid)));
        obj(fields)
    }

    /// Writes an image (or managed block) disk; returns its id.
    fn push_disk(&mut self, spec: DiskSpec) -> String {
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
        self.disks.push(obj(vec![
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
                obj(vec![
                    (
                        "href",
                        s(format!("{API}/datacenters/{dc_id}/quotas/{quota}")),
                    ),
                    ("id", s(quota)),
                ]),
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
        ]));
        id
    }

    /// Writes a direct LUN disk (iSCSI) of `size` bytes; returns its id.
    fn push_lun(&mut self, dc: usize, name: String, size: u64, scsi: bool) -> String {
        let n = self.disks.len() as u64;
        let id = uuid(self.seed, Tag::Disk, n);
        let base = href("disks", &id);
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Disk as u64), n));
        let lun = self.luns;
        self.luns += 1;
        let wwid = format!("36001405{:016x}{:08x}", rng.next(), rng.next() >> 32);
        let unit = obj(vec![
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
        ]);
        let mut fields = vec![
            ("alias", s(&name)),
            ("backup", s("none")),
            ("content_type", s("data")),
            (
                "lun_storage",
                obj(vec![
                    ("id", s(&wwid)),
                    ("logical_units", collection("logical_unit", vec![unit])),
                    ("type", s("iscsi")),
                ]),
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
        ];
        if scsi {
            fields.push(("sgio", s("unfiltered")));
        }
        self.disks.push(obj(fields));
        id
    }
}

/// A DNS-1123 label-like name, or for [`Cond::BadName`] one that is not.
fn vm_name(i: usize, c: Conds, rng: &mut Rng) -> String {
    let prefix = *rng.pick(&NAME_PREFIXES);
    if !c.has(Cond::BadName) {
        return format!("{prefix}-{i:05}");
    }
    match (i / 40) % 3 {
        0 => format!("{}_Server_{i:05}", prefix.to_uppercase()),
        1 => format!("{prefix}-{i:05}_old"),
        _ => {
            let mut name =
                format!("{prefix}-{i:05}-legacy-application-server-of-the-finance-department");
            name.truncate(70);
            while name.len() < 70 {
                name.push('x');
            }
            name
        }
    }
}
