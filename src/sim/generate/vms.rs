//! The VMs and the disks, placed on a [`Plan`], with the conditions of
//! [`conditions`](super::conditions).

use std::collections::BTreeMap;

use serde_json::Value;

use super::conditions::{Cond, Conds};
use super::devices::{DiskSpec, VmCtx};
use super::plan::Plan;
use super::tables::{
    ISOS, NAME_PREFIXES, OSES, RHEL_6, RHEL_6X64, VM_ACTIONS, VM_LINKS, WINDOWS_11, WINDOWS_2022,
    ZERO_ID,
};
use super::{
    GIB, NOW_MS, Rng, Scale, Tag, actions, b, collection, href, links, mix, obj_of, reference, s,
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
    /// The vNUMA nodes (`vms/<id>/numanodes`) of the VMs that have them, by VM id.
    pub numa: Vec<(String, Value)>,
}

pub(super) struct Builder<'a> {
    pub plan: &'a Plan,
    pub seed: u64,
    pub disks: Vec<Value>,
    pub running: Vec<u32>,
    pub passthrough: Vec<bool>,
    pub nics: u64,
    pub luns: u64,
    /// ISO disk ids of each data center.
    pub isos: Vec<Vec<String>>,
    /// Shareable disks waiting for their second VM, by VM number.
    pub shared: BTreeMap<usize, Vec<String>>,
    /// The vNUMA nodes of the VMs placed so far, by VM id.
    pub numa: Vec<(String, Value)>,
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
        numa: Vec::new(),
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
        numa: g.numa,
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
            if (i / 50).is_multiple_of(2) {
                RHEL_6X64
            } else {
                RHEL_6
            }
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

        let ctx = VmCtx {
            i,
            c,
            dc,
            name: &name,
            base: &base,
            vm_ref: &vm_ref,
        };
        let attachments = self.vm_disks(ctx, &mut rng, mean);
        let nics = self.vm_nics(ctx, &mut rng, status == "up");

        // CPU.
        let sockets = *rng.pick(&[1u64, 1, 2, 2, 4]);
        let cores = *rng.pick(&[1u64, 2, 2, 4]);
        let mut cpu = fields!(
            ("architecture", s("x86_64")),
            (
                "topology",
                obj!(
                    ("cores", s(cores)),
                    ("sockets", s(sockets)),
                    ("threads", s(1)),
                ),
            ),
        );
        if c.has(Cond::CpuTuning) {
            let pins = (0..sockets * cores)
                .map(|k| obj!(("cpu_set", s(k + 2)), ("vcpu", s(k))))
                .collect();
            cpu.push((
                "cpu_tune",
                obj!(("vcpu_pins", collection("vcpu_pin", pins))),
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

        let (snapshots, watchdogs, host_devices) = self.vm_extras(ctx, &mut rng, created, pin_host);

        let mut cdrom = fields!(
            ("href", s(format!("{base}/cdroms/{ZERO_ID}"))),
            ("id", s(ZERO_ID)),
            ("vm", vm_ref.clone()),
        );
        if i % 10 == 6 && !self.isos[dc].is_empty() {
            let iso = &self.isos[dc][if windows { 1 } else { 0 }];
            cdrom.push(("file", obj!(("id", s(iso)))));
        }

        let placement = match pin_host {
            Some(h) => obj!(
                ("affinity", s("pinned")),
                (
                    "hosts",
                    collection("host", vec![reference("hosts", &plan.hosts[h].id)]),
                ),
            ),
            None => obj!((
                "affinity",
                s(if i.is_multiple_of(2) {
                    "migratable"
                } else {
                    "user_migratable"
                }),
            )),
        };
        let ha = c.has(Cond::HighAvailability);
        let display = obj!(
            ("allow_override", b(false)),
            ("copy_paste_enabled", b(true)),
            ("disconnect_action", s("LOCK_SCREEN")),
            ("file_transfer_enabled", b(true)),
            ("monitors", s(1)),
            ("smartcard_enabled", b(false)),
            ("type", s(if c.has(Cond::Spice) { "spice" } else { "vnc" })),
        );
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

        let mut fields = fields!(
            ("next_run_configuration_exists", b(false)),
            ("status", s(status)),
            ("stop_reason", s("")),
            ("stop_time", Value::from(stopped)),
            ("cdroms", collection("cdrom", vec![obj_of(cdrom)])),
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
                obj!(
                    ("boot_menu", obj!(("enabled", b(c.has(Cond::BootMenu)))),),
                    ("type", s(bios)),
                ),
            ),
            ("cpu", obj_of(cpu)),
            ("cpu_pinning_policy", s(pinning)),
            ("display", display),
            ("has_illegal_images", b(c.has(Cond::IllegalImages))),
            (
                "io",
                obj!((
                    "threads",
                    s(if c.has(Cond::IoThreads) {
                        *rng.pick(&[2, 4])
                    } else {
                        1
                    }),
                )),
            ),
            ("memory", s(memory)),
            (
                "migration",
                obj!(
                    ("auto_converge", s("inherit")),
                    ("compressed", s("inherit")),
                    ("encrypted", s("inherit")),
                ),
            ),
            ("origin", s("ovirt")),
            (
                "os",
                obj!(
                    (
                        "boot",
                        obj!(("devices", obj!(("device", Value::Array(vec![s("hd")]))),)),
                    ),
                    ("type", s(os.0)),
                ),
            ),
            (
                "sso",
                obj!((
                    "methods",
                    collection("method", vec![obj!(("id", s("guest_agent")))]),
                )),
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
                    obj!(("enabled", b(true)), ("type", s("native")))
                } else {
                    obj!(("enabled", b(false)))
                },
            ),
            ("cluster", reference("clusters", &plan.clusters[cluster].id)),
            ("quota", obj!(("id", s(&plan.dcs[dc].quota)))),
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
                obj!(("enabled", b(ha)), ("priority", s(if ha { 50 } else { 1 })),),
            ),
            ("large_icon", icon("b34cbd6a-a64b-4718-a0bb-f7166f696ab2")),
            (
                "memory_policy",
                obj!(
                    ("ballooning", b(c.has(Cond::Ballooning))),
                    ("guaranteed", s(memory)),
                    ("max", s(memory * 4)),
                ),
            ),
            ("migration_downtime", s(-1)),
            ("multi_queues_enabled", b(true)),
            ("placement_policy", placement),
            ("small_icon", icon("25581ebc-c80e-4571-a088-3a058561ca50")),
            ("start_paused", b(false)),
            ("storage_error_resume_behaviour", s(resume)),
            (
                "time_zone",
                obj!((
                    "name",
                    s(if windows {
                        "GMT Standard Time"
                    } else {
                        "Etc/GMT"
                    }),
                )),
            ),
            ("virtio_scsi_multi_queues_enabled", b(false)),
            (
                "cpu_profile",
                reference("cpuprofiles", &plan.clusters[cluster].cpu_profile),
            ),
        );
        if let Some(h) = host {
            fields.push(("host", reference("hosts", &plan.hosts[h].id)));
            fields.push(("start_time", Value::from(started)));
        }
        if status == "up" && !os.2.is_empty() {
            let version = |full: &str| {
                let mut parts = full.split('.');
                obj!(
                    ("full_version", s(full)),
                    ("major", s(parts.next().unwrap_or("0"))),
                    ("minor", s(parts.next().unwrap_or("0"))),
                )
            };
            fields.push((
                "guest_operating_system",
                obj!(
                    ("architecture", s("x86_64")),
                    ("codename", s("")),
                    ("distribution", s(os.2)),
                    ("family", s(os.1)),
                    ("kernel", obj!(("version", version(os.4)))),
                    ("version", version(os.3)),
                ),
            ));
        }
        if c.has(Cond::CustomCpuModel) {
            fields.push((
                "custom_cpu_model",
                s("Cascadelake-Server,-hle,-rtm,+arch-capabilities"),
            ));
        }
        if c.has(Cond::VmCustomProperties) {
            let property = if (i / 25).is_multiple_of(2) {
                ("sndbuf", "0")
            } else {
                ("viodiskcache", "writeback")
            };
            fields.push((
                "custom_properties",
                collection(
                    "custom_property",
                    vec![obj!(("name", s(property.0)), ("value", s(property.1)))],
                ),
            ));
        }
        if c.has(Cond::NumaTuning) {
            // The engine sends the tune mode only for a VM with vNUMA nodes; the nodes
            // themselves are served at `vms/<id>/numanodes`.
            fields.push(("numa_tune_mode", s("strict")));
            let nodes = super::numa::nodes(self.seed, i, &base, &vm_ref, memory, sockets * cores);
            self.numa.push((id.clone(), nodes));
        }
        if ha && (i / 10).is_multiple_of(2) {
            let sd = plan.dc_sds(dc)[0];
            fields.push((
                "lease",
                obj!((
                    "storage_domain",
                    reference("storagedomains", &plan.sds[sd].id),
                )),
            ));
        }
        if i % 10 == 8 {
            fields.push((
                "serial_number",
                obj!(
                    ("policy", s("custom")),
                    ("value", s(uuid(self.seed, Tag::SerialNumber, i as u64))),
                ),
            ));
        }
        if matches!(os.0, "windows_11" | "windows_2022") {
            fields.push(("tpm_enabled", b(true)));
        }
        obj_of(fields)
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
