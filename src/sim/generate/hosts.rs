//! The hosts in wire form, with their NICs and network attachments inlined.

use serde_json::Value;

use super::infra::cluster_ksm;
use super::plan::Plan;
use super::vms::VmOut;
use super::{GIB, Rng, Tag, actions, b, collection, href, links, mix, obj_of, reference, s, uuid};

impl Plan {
    /// Host `h`, knowing the VMs that run on it and whether it passes devices through.
    pub(super) fn host_json(&self, h: usize, vms: &VmOut) -> Value {
        let host = &self.hosts[h];
        let base = href("hosts", &host.id);
        let cluster = &self.clusters[host.cluster];
        let dc = cluster.dc;
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Host as u64), h as u64));
        let name = format!("host-{:04}", h + 1);
        let address = format!("{name}.example.com");
        let ip = format!("10.{}.{}.{}", 10 + dc % 200, h / 250, h % 250 + 1);
        let enabled = |on: bool| obj!(("enabled", b(on)));
        // NICs: eno1 carries the management network, eno2 the VM networks (VLANs).
        let nic_ids = [
            uuid(self.seed, Tag::HostNic, 2 * h as u64),
            uuid(self.seed, Tag::HostNic, 2 * h as u64 + 1),
        ];
        let nets = &self.nets_by_dc[dc];
        let mut attached: Vec<(usize, usize)> = Vec::new();
        if let Some((&mgmt, others)) = nets.split_first() {
            attached.push((mgmt, 0));
            for k in 0..others.len().min(3) {
                attached.push((others[(h / self.clusters.len() + k) % others.len()], 1));
            }
        }
        let host_ref = reference("hosts", &host.id);
        let nic_href = |k: usize| format!("{base}/nics/{}", nic_ids[k]);
        let attachments = attached
            .iter()
            .enumerate()
            .map(|(k, &(net, nic))| {
                let id = uuid(self.seed, Tag::NetworkAttachment, (h * 4 + k) as u64);
                let config = |name: &str, value: &str| {
                    obj!(
                        ("actual_value", s(value)),
                        ("expected_value", s(value)),
                        ("in_sync", b(true)),
                        ("name", s(name)),
                    )
                };
                let method = if nic == 0 { "static" } else { "none" };
                obj!(
                    ("in_sync", b(true)),
                    (
                        "ip_address_assignments",
                        collection(
                            "ip_address_assignment",
                            vec![obj!(
                                ("assignment_method", s(method)),
                                ("ip", obj!(("version", s("v4")))),
                            )],
                        ),
                    ),
                    (
                        "reported_configurations",
                        collection(
                            "reported_configuration",
                            vec![
                                config("mtu", "1500"),
                                config("bridged", "true"),
                                config("switchType", "LEGACY"),
                            ],
                        ),
                    ),
                    ("host", host_ref.clone()),
                    (
                        "host_nic",
                        obj!(("href", nic_href(nic).into()), ("id", s(&nic_ids[nic])),),
                    ),
                    ("network", reference("networks", &self.networks[net].id)),
                    ("href", s(format!("{base}/networkattachments/{id}"))),
                    ("id", s(id)),
                )
            })
            .collect();
        let nics = (0..2)
            .map(|k| {
                let mac = format!(
                    "00:1a:4a:{:02x}:{:02x}:{:02x}",
                    (h >> 8) & 0xff,
                    h & 0xff,
                    0x10 + k
                );
                let mut fields = fields!(
                    ("boot_protocol", s(if k == 0 { "static" } else { "none" })),
                    ("bridged", b(true)),
                    ("custom_configuration", b(false)),
                    ("mac", obj!(("address", s(mac)))),
                    ("mtu", s(1500)),
                    ("properties", collection("property", Vec::new())),
                    ("speed", s(10_000_000_000u64)),
                    ("status", s("up")),
                    ("host", host_ref.clone()),
                    ("actions", obj!(("link", Value::Array(Vec::new())))),
                    ("name", s(format!("eno{}", k + 1))),
                    ("href", s(nic_href(k))),
                    ("id", s(&nic_ids[k])),
                    (
                        "link",
                        links(
                            &nic_href(k),
                            &[
                                "linklayerdiscoveryprotocolelements",
                                "networklabels",
                                "networkattachments",
                                "statistics",
                            ],
                        ),
                    ),
                );
                if k == 0 {
                    fields.push((
                        "ip",
                        obj!(
                            ("address", s(&ip)),
                            ("gateway", s(format!("10.{}.0.254", 10 + dc % 200))),
                            ("netmask", s("255.255.0.0")),
                            ("version", s("v4")),
                        ),
                    ));
                    if let Some(&mgmt) = nets.first() {
                        fields.push(("network", reference("networks", &self.networks[mgmt].id)));
                    }
                }
                obj_of(fields)
            })
            .collect();
        let running = vms.running[h];
        let (sockets, cores, memory_gib) =
            (2, [16, 24, 28, 32][h % 4], [384, 512, 768, 1024][h % 4]);
        let fingerprint: String = (0..43)
            .map(|_| {
                let c = rng.below(64) as u8;
                (match c {
                    0..=25 => b'A' + c,
                    26..=51 => b'a' + c - 26,
                    52..=61 => b'0' + c - 52,
                    62 => b'+',
                    _ => b'/',
                }) as char
            })
            .collect();
        obj!(
            ("address", s(&address)),
            ("auto_numa_status", s("enable")),
            (
                "certificate",
                obj!(
                    ("organization", s("example.com")),
                    ("subject", s(format!("O=example.com,CN={address}"))),
                ),
            ),
            (
                "cpu",
                obj!(
                    ("name", s("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz")),
                    // A decimal in the engine's model: the engine writes it as a number.
                    ("speed", Value::from(3000)),
                    (
                        "topology",
                        obj!(
                            ("cores", s(cores)),
                            ("sockets", s(sockets)),
                            ("threads", s(2)),
                        ),
                    ),
                    ("type", s(cluster.cpu_type)),
                ),
            ),
            ("device_passthrough", enabled(vms.passthrough[h])),
            ("external_status", s("ok")),
            (
                "hardware_information",
                obj!(
                    ("family", s("PowerEdge")),
                    ("manufacturer", s("Dell Inc.")),
                    ("product_name", s("PowerEdge R640")),
                    ("serial_number", s(format!("SN{:07}", h + 1))),
                    (
                        "supported_rng_sources",
                        collection("supported_rng_source", vec![s("hwrng"), s("random")]),
                    ),
                    (
                        "uuid",
                        s(uuid(self.seed, Tag::Host, (h + 1_000_000) as u64).to_uppercase()),
                    ),
                    ("version", s("2.17.1")),
                ),
            ),
            (
                "iscsi",
                obj!(("initiator", s(format!("iqn.1994-05.com.redhat:{name}")),)),
            ),
            ("kdump_status", s("disabled")),
            ("ksm", enabled(cluster_ksm(host.cluster))),
            (
                "libvirt_version",
                obj!(
                    ("build", s(0)),
                    (
                        "full_version",
                        s("libvirt-8.0.0-5.module_el8.6.0+1087+b42c8331"),
                    ),
                    ("major", s(8)),
                    ("minor", s(0)),
                    ("revision", s(0)),
                ),
            ),
            ("max_scheduling_memory", s((memory_gib - 16) * GIB)),
            ("memory", s(memory_gib * GIB)),
            ("numa_supported", b(true)),
            (
                "os",
                obj!(
                    ("custom_kernel_cmdline", s("")),
                    (
                        "reported_kernel_cmdline",
                        s(
                            "BOOT_IMAGE=(hd0,msdos1)/vmlinuz-4.18.0-372.el8.x86_64 ro crashkernel=auto",
                        ),
                    ),
                    ("type", s("RHEL")),
                    (
                        "version",
                        obj!(
                            ("full_version", s("8.6 - 1.el8")),
                            ("major", s(8)),
                            ("minor", s(6)),
                        ),
                    ),
                ),
            ),
            ("port", s(54321)),
            (
                "power_management",
                obj!(
                    ("automatic_pm_enabled", b(true)),
                    ("enabled", b(false)),
                    ("kdump_detection", b(true)),
                    ("pm_proxies", collection("pm_proxy", Vec::new())),
                ),
            ),
            ("protocol", s("stomp")),
            ("reinstallation_required", b(false)),
            ("se_linux", obj!(("mode", s("enforcing")))),
            (
                "spm",
                obj!(
                    ("priority", s(5)),
                    ("status", s(if h < self.dcs.len() { "spm" } else { "none" })),
                ),
            ),
            (
                "ssh",
                obj!(
                    ("fingerprint", s(format!("SHA256:{fingerprint}"))),
                    ("port", s(22)),
                    (
                        "public_key",
                        s(format!(
                            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY{fingerprint}="
                        )),
                    ),
                ),
            ),
            ("status", s(host.status)),
            (
                "summary",
                obj!(
                    ("active", s(running)),
                    ("migrating", s(0)),
                    ("total", s(running)),
                ),
            ),
            ("transparent_hugepages", enabled(true)),
            ("type", s("rhel")),
            ("update_available", b(h.is_multiple_of(7))),
            (
                "version",
                obj!(
                    ("build", s(100)),
                    ("full_version", s("vdsm-4.40.100.2-1.el8")),
                    ("major", s(4)),
                    ("minor", s(40)),
                    ("revision", s(2)),
                ),
            ),
            ("vgpu_placement", s("consolidated")),
            ("cluster", reference("clusters", &cluster.id)),
            (
                "network_attachments",
                collection("network_attachment", attachments),
            ),
            ("nics", collection("host_nic", nics)),
            (
                "actions",
                actions(
                    &base,
                    &[
                        "install",
                        "activate",
                        "deactivate",
                        "syncallnetworks",
                        "approve",
                        "commitnetconfig",
                        "enrollcertificate",
                        "fence",
                        "forceselectspm",
                        "iscsidiscover",
                        "discoveriscsi",
                        "iscsilogin",
                        "upgrade",
                        "unregisteredstoragedomainsdiscover",
                        "upgradecheck",
                        "copyhostnetworks",
                        "setupnetworks",
                        "refresh",
                    ],
                ),
            ),
            ("name", s(name)),
            ("comment", s("")),
            ("href", s(&base)),
            ("id", s(&host.id)),
            (
                "link",
                links(
                    &base,
                    &[
                        "fenceagents",
                        "devices",
                        "hooks",
                        "nics",
                        "numanodes",
                        "storage",
                        "networkattachments",
                        "storageconnectionextensions",
                        "unmanagednetworks",
                        "externalnetworkproviderconfigurations",
                        "katelloerrata",
                        "permissions",
                        "affinitylabels",
                        "tags",
                        "statistics",
                    ],
                ),
            ),
        )
    }
}
