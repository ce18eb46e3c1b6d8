//! The containers and shared objects: data centers, clusters, hosts, networks, vNIC
//! profiles, storage domains and disk profiles. [`Plan`] decides them first (ids, layout,
//! kinds), the VMs are placed on it, then [`Plan::objects`] writes them out, with what the
//! VMs tell about the hosts (VMs running, device passthrough).

use serde_json::Value;

use super::vms::VmOut;
use super::{
    API, GIB, Rng, Scale, Tag, actions, b, collection, href, links, mix, obj, reference, s, uuid,
};

/// The kind of a vNIC profile, i.e. which NIC condition it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProfileKind {
    /// No filter, QoS, mirroring, properties or pass-through.
    Plain = 0,
    /// A network filter (`vdsm-no-mac-spoofing`).
    Filter,
    /// Port mirroring.
    Mirroring,
    /// A QoS.
    Qos,
    /// Custom properties.
    CustomProperties,
    /// Pass-through (SR-IOV).
    PassThrough,
}

/// The kinds of the profiles of a data center, in turn.
const PROFILE_CYCLE: [ProfileKind; 10] = [
    ProfileKind::Plain,
    ProfileKind::Filter,
    ProfileKind::Plain,
    ProfileKind::Mirroring,
    ProfileKind::Plain,
    ProfileKind::Qos,
    ProfileKind::Plain,
    ProfileKind::CustomProperties,
    ProfileKind::Plain,
    ProfileKind::PassThrough,
];

/// The storage types of storage domains, in turn.
const STORAGE_CYCLE: [&str; 10] = [
    "nfs",
    "iscsi",
    "nfs",
    "fcp",
    "nfs",
    "glusterfs",
    "iscsi",
    "nfs",
    "fcp",
    "posixfs",
];

/// The engine's `vdsm-no-mac-spoofing` network filter (a constant of every engine).
const NO_MAC_SPOOFING: &str = "d2370ab4-fee3-11e9-a310-8c1645ce738e";

pub(super) struct Dc {
    pub id: String,
    pub quota: String,
    minor: u32,
}

pub(super) struct Cluster {
    pub id: String,
    pub dc: usize,
    pub cpu_profile: String,
    pub cpu_type: &'static str,
    minor: u32,
}

pub(super) struct Host {
    pub id: String,
    pub cluster: usize,
    status: &'static str,
}

pub(super) struct Net {
    pub id: String,
    dc: usize,
}

pub(super) struct Profile {
    pub id: String,
    network: usize,
    kind: ProfileKind,
}

pub(super) struct Sd {
    pub id: String,
    pub dc: usize,
    pub storage_type: &'static str,
}

pub(super) struct DiskProfile {
    pub id: String,
    sd: usize,
    qos: bool,
}

/// The layout of an inventory, decided before the VMs.
pub(super) struct Plan {
    seed: u64,
    pub dcs: Vec<Dc>,
    pub clusters: Vec<Cluster>,
    pub hosts: Vec<Host>,
    /// The hosts of each cluster that are `up`.
    pub up_hosts: Vec<Vec<usize>>,
    /// All the hosts of each cluster.
    pub cluster_hosts: Vec<Vec<usize>>,
    pub networks: Vec<Net>,
    nets_by_dc: Vec<Vec<usize>>,
    pub profiles: Vec<Profile>,
    /// Profiles by data center, then by kind.
    profiles_by_dc: Vec<[Vec<usize>; 6]>,
    /// Profiles by kind, all data centers.
    profiles_by_kind: [Vec<usize>; 6],
    pub sds: Vec<Sd>,
    /// The storage domains of each data center.
    sds_by_dc: Vec<Vec<usize>>,
    all_sds: Vec<usize>,
    pub disk_profiles: Vec<DiskProfile>,
    /// The disk profiles of each storage domain, the plain one first.
    pub sd_profiles: Vec<Vec<usize>>,
}

impl Plan {
    pub(super) fn new(scale: Scale, seed: u64) -> Plan {
        let id = |tag, n: usize| uuid(seed, tag, n as u64);
        let d = scale.data_centers;
        let clusters: Vec<Cluster> = (0..scale.clusters)
            .map(|c| Cluster {
                id: id(Tag::Cluster, c),
                dc: c % d,
                cpu_profile: id(Tag::CpuProfile, c),
                cpu_type: [
                    "Intel Cascadelake Server Family",
                    "Secure Intel Cascadelake Server Family",
                    "Intel Icelake Server Family",
                    "AMD EPYC",
                    "Secure AMD EPYC",
                ][c % 5],
                minor: if c % 4 == 3 { 5 } else { 6 },
            })
            .collect();
        let dcs = (0..d)
            .map(|n| Dc {
                id: id(Tag::DataCenter, n),
                quota: id(Tag::Quota, n),
                minor: clusters
                    .iter()
                    .filter(|c| c.dc == n)
                    .map(|c| c.minor)
                    .min()
                    .unwrap_or(6),
            })
            .collect();
        let hosts: Vec<Host> = (0..scale.hosts)
            .map(|h| Host {
                id: id(Tag::Host, h),
                cluster: h % scale.clusters,
                status: match h {
                    h if h < scale.clusters => "up",
                    h if h % 50 == 49 => "maintenance",
                    h if h % 100 == 74 => "non_responsive",
                    _ => "up",
                },
            })
            .collect();
        let mut up_hosts = vec![Vec::new(); scale.clusters];
        let mut cluster_hosts = vec![Vec::new(); scale.clusters];
        for (h, host) in hosts.iter().enumerate() {
            cluster_hosts[host.cluster].push(h);
            if host.status == "up" {
                up_hosts[host.cluster].push(h);
            }
        }
        let networks: Vec<Net> = (0..scale.networks)
            .map(|n| Net {
                id: id(Tag::Network, n),
                dc: n % d,
            })
            .collect();
        let mut nets_by_dc = vec![Vec::new(); d];
        for (n, net) in networks.iter().enumerate() {
            nets_by_dc[net.dc].push(n);
        }
        let mut profiles_by_dc = vec![<[Vec<usize>; 6]>::default(); d];
        let mut profiles_by_kind = <[Vec<usize>; 6]>::default();
        let profiles = (0..scale.vnic_profiles)
            .map(|p| {
                let network = p % scale.networks;
                let dc = networks[network].dc;
                let rank: usize = profiles_by_dc[dc].iter().map(Vec::len).sum();
                let kind = PROFILE_CYCLE[rank % PROFILE_CYCLE.len()];
                profiles_by_dc[dc][kind as usize].push(p);
                profiles_by_kind[kind as usize].push(p);
                Profile {
                    id: id(Tag::Profile, p),
                    network,
                    kind,
                }
            })
            .collect();
        let sds: Vec<Sd> = (0..scale.storage_domains)
            .map(|n| Sd {
                id: id(Tag::StorageDomain, n),
                dc: n % d,
                storage_type: STORAGE_CYCLE[(n / d) % STORAGE_CYCLE.len()],
            })
            .collect();
        let mut sds_by_dc = vec![Vec::new(); d];
        for (n, sd) in sds.iter().enumerate() {
            sds_by_dc[sd.dc].push(n);
        }
        let mut disk_profiles = Vec::new();
        let mut sd_profiles = vec![Vec::new(); sds.len()];
        for n in 0..sds.len() {
            for qos in [false, true] {
                if qos && n % 4 != 3 {
                    continue;
                }
                sd_profiles[n].push(disk_profiles.len());
                disk_profiles.push(DiskProfile {
                    id: id(Tag::DiskProfile, disk_profiles.len()),
                    sd: n,
                    qos,
                });
            }
        }
        Plan {
            seed,
            dcs,
            clusters,
            hosts,
            up_hosts,
            cluster_hosts,
            networks,
            nets_by_dc,
            profiles,
            profiles_by_dc,
            profiles_by_kind,
            all_sds: (0..sds.len()).collect(),
            sds,
            sds_by_dc,
            disk_profiles,
            sd_profiles,
        }
    }

    /// A profile of `kind` for a NIC in data center `dc`: one of that data center if it has
    /// one, else of another; a plain NIC takes any profile of its data center, then any.
    pub(super) fn profile(&self, dc: usize, kind: ProfileKind, rng: &mut Rng) -> Option<usize> {
        let k = kind as usize;
        let local = &self.profiles_by_dc[dc][k];
        if !local.is_empty() {
            return Some(*rng.pick(local));
        }
        if kind == ProfileKind::Plain {
            let any: Vec<usize> = self.profiles_by_dc[dc].iter().flatten().copied().collect();
            if !any.is_empty() {
                return Some(*rng.pick(&any));
            }
        }
        let global = &self.profiles_by_kind[k];
        if !global.is_empty() {
            return Some(*rng.pick(global));
        }
        (kind == ProfileKind::Plain).then(|| rng.index(self.profiles.len()))
    }

    /// The storage domains a disk of data center `dc` may live on: its own, or any when it
    /// has none.
    pub(super) fn dc_sds(&self, dc: usize) -> &[usize] {
        if self.sds_by_dc[dc].is_empty() {
            &self.all_sds
        } else {
            &self.sds_by_dc[dc]
        }
    }

    /// Every object but the disks and VMs, in wire form, by collection.
    pub(super) fn objects(&self, vms: &VmOut) -> Vec<(&'static str, Vec<Value>)> {
        let profiles: Vec<Value> = (0..self.profiles.len())
            .map(|p| self.profile_json(p))
            .collect();
        vec![
            (
                "datacenters",
                (0..self.dcs.len()).map(|n| self.dc_json(n)).collect(),
            ),
            (
                "clusters",
                (0..self.clusters.len())
                    .map(|c| self.cluster_json(c))
                    .collect(),
            ),
            (
                "hosts",
                (0..self.hosts.len())
                    .map(|h| self.host_json(h, vms))
                    .collect(),
            ),
            (
                "networks",
                (0..self.networks.len())
                    .map(|n| self.network_json(n, &profiles))
                    .collect(),
            ),
            ("vnicprofiles", profiles),
            (
                "storagedomains",
                (0..self.sds.len()).map(|n| self.sd_json(n)).collect(),
            ),
            (
                "diskprofiles",
                (0..self.disk_profiles.len())
                    .map(|n| self.disk_profile_json(n))
                    .collect(),
            ),
        ]
    }

    fn version(minor: u32) -> Value {
        obj(vec![("major", s(4)), ("minor", s(minor))])
    }

    fn mac_pool(&self) -> Value {
        reference("macpools", &uuid(self.seed, Tag::MacPool, 0))
    }

    fn dc_json(&self, n: usize) -> Value {
        let dc = &self.dcs[n];
        let base = href("datacenters", &dc.id);
        let versions = (dc.minor..=6).map(Self::version).collect();
        obj(vec![
            ("local", b(false)),
            ("quota_mode", s("disabled")),
            ("status", s("up")),
            ("storage_format", s("v5")),
            ("supported_versions", collection("version", versions)),
            ("version", Self::version(dc.minor)),
            ("mac_pool", self.mac_pool()),
            (
                "actions",
                actions(&base, &["setmaster", "cleanfinishedtasks"]),
            ),
            ("name", s(format!("dc-{:02}", n + 1))),
            ("description", s(format!("Data center {}", n + 1))),
            ("href", base.clone().into()),
            ("id", dc.id.clone().into()),
            (
                "link",
                links(
                    &base,
                    &[
                        "clusters",
                        "quotas",
                        "qoss",
                        "iscsibonds",
                        "permissions",
                        "networks",
                        "storagedomains",
                    ],
                ),
            ),
        ])
    }

    fn cluster_json(&self, c: usize) -> Value {
        let cl = &self.clusters[c];
        let base = href("clusters", &cl.id);
        let property = |name: &str, value: &str| obj(vec![("name", s(name)), ("value", s(value))]);
        let enabled = |on: bool| obj(vec![("enabled", b(on))]);
        obj(vec![
            ("ballooning_enabled", b(true)),
            (
                "bios_type",
                s(if c % 3 == 2 {
                    "q35_ovmf"
                } else {
                    "q35_sea_bios"
                }),
            ),
            (
                "cpu",
                obj(vec![
                    ("architecture", s("x86_64")),
                    ("type", s(cl.cpu_type)),
                ]),
            ),
            (
                "custom_scheduling_policy_properties",
                collection(
                    "property",
                    vec![
                        property("HighUtilization", "80"),
                        property("CpuOverCommitDurationMinutes", "2"),
                    ],
                ),
            ),
            ("error_handling", obj(vec![("on_error", s("migrate"))])),
            (
                "fencing_policy",
                obj(vec![
                    ("enabled", b(true)),
                    (
                        "skip_if_connectivity_broken",
                        obj(vec![("enabled", b(false)), ("threshold", s(50))]),
                    ),
                    ("skip_if_gluster_bricks_up", b(false)),
                    ("skip_if_gluster_quorum_not_met", b(false)),
                    ("skip_if_sd_active", enabled(false)),
                ]),
            ),
            ("fips_mode", s("disabled")),
            ("firewall_type", s("firewalld")),
            ("gluster_service", b(false)),
            ("ha_reservation", b(cluster_ha_reservation(c))),
            (
                "ksm",
                obj(vec![
                    ("enabled", b(cluster_ksm(c))),
                    ("merge_across_nodes", b(true)),
                ]),
            ),
            ("log_max_memory_used_threshold", s(95)),
            ("log_max_memory_used_threshold_type", s("percentage")),
            (
                "memory_policy",
                obj(vec![
                    ("over_commit", obj(vec![("percent", s(100))])),
                    ("transparent_hugepages", enabled(true)),
                ]),
            ),
            (
                "migration",
                obj(vec![
                    ("auto_converge", s("inherit")),
                    ("bandwidth", obj(vec![("assignment_method", s("auto"))])),
                    ("compressed", s("inherit")),
                    ("encrypted", s("inherit")),
                    (
                        "policy",
                        obj(vec![("id", s("80554327-0569-496b-bdeb-fcbbf52b827b"))]),
                    ),
                ]),
            ),
            (
                "required_rng_sources",
                collection("required_rng_source", vec![s("urandom")]),
            ),
            ("switch_type", s("legacy")),
            ("threads_as_cores", b(false)),
            ("trusted_service", b(false)),
            ("tunnel_migration", b(false)),
            ("version", Self::version(cl.minor)),
            ("virt_service", b(true)),
            ("vnc_encryption", b(c % 2 == 1)),
            ("data_center", reference("datacenters", &self.dcs[cl.dc].id)),
            ("mac_pool", self.mac_pool()),
            (
                "scheduling_policy",
                reference(
                    "schedulingpolicies",
                    &uuid(self.seed, Tag::SchedulingPolicy, 0),
                ),
            ),
            (
                "actions",
                actions(
                    &base,
                    &[
                        "syncallnetworks",
                        "resetemulatedmachine",
                        "refreshglusterhealstatus",
                        "upgrade",
                    ],
                ),
            ),
            ("name", s(format!("cluster-{:02}", c + 1))),
            ("description", s("")),
            ("comment", s("")),
            ("href", base.clone().into()),
            ("id", cl.id.clone().into()),
            (
                "link",
                links(
                    &base,
                    &[
                        "affinitygroups",
                        "glusterhooks",
                        "glustervolumes",
                        "enabledfeatures",
                        "externalnetworkproviders",
                        "cpuprofiles",
                        "permissions",
                        "networkfilters",
                        "networks",
                    ],
                ),
            ),
        ])
    }

    fn host_json(&self, h: usize, vms: &VmOut) -> Value {
        let host = &self.hosts[h];
        let base = href("hosts", &host.id);
        let cluster = &self.clusters[host.cluster];
        let dc = cluster.dc;
        let mut rng = Rng::new(mix(mix(self.seed, Tag::Host as u64), h as u64));
        let name = format!("host-{:04}", h + 1);
        let address = format!("{name}.example.com");
        let ip = format!("10.{}.{}.{}", 10 + dc % 200, h / 250, h % 250 + 1);
        let enabled = |on: bool| obj(vec![("enabled", b(on))]);
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
                    obj(vec![
                        ("actual_value", s(value)),
                        ("expected_value", s(value)),
                        ("in_sync", b(true)),
                        ("name", s(name)),
                    ])
                };
                let method = if nic == 0 { "static" } else { "none" };
                obj(vec![
                    ("in_sync", b(true)),
                    (
                        "ip_address_assignments",
                        collection(
                            "ip_address_assignment",
                            vec![obj(vec![
                                ("assignment_method", s(method)),
                                ("ip", obj(vec![("version", s("v4"))])),
                            ])],
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
                        obj(vec![
                            ("href", nic_href(nic).into()),
                            ("id", s(&nic_ids[nic])),
                        ]),
                    ),
                    ("network", reference("networks", &self.networks[net].id)),
                    ("href", s(format!("{base}/networkattachments/{id}"))),
                    ("id", s(id)),
                ])
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
                let mut fields = vec![
                    ("boot_protocol", s(if k == 0 { "static" } else { "none" })),
                    ("bridged", b(true)),
                    ("custom_configuration", b(false)),
                    ("mac", obj(vec![("address", s(mac))])),
                    ("mtu", s(1500)),
                    ("properties", collection("property", Vec::new())),
                    ("speed", s(10_000_000_000u64)),
                    ("status", s("up")),
                    ("host", host_ref.clone()),
                    ("actions", obj(vec![("link", Value::Array(Vec::new()))])),
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
                ];
                if k == 0 {
                    fields.push((
                        "ip",
                        obj(vec![
                            ("address", s(&ip)),
                            ("gateway", s(format!("10.{}.0.254", 10 + dc % 200))),
                            ("netmask", s("255.255.0.0")),
                            ("version", s("v4")),
                        ]),
                    ));
                    if let Some(&mgmt) = nets.first() {
                        fields.push(("network", reference("networks", &self.networks[mgmt].id)));
                    }
                }
                obj(fields)
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
        obj(vec![
            ("address", s(&address)),
            ("auto_numa_status", s("enable")),
            (
                "certificate",
                obj(vec![
                    ("organization", s("example.com")),
                    ("subject", s(format!("O=example.com,CN={address}"))),
                ]),
            ),
            (
                "cpu",
                obj(vec![
                    ("name", s("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz")),
                    // A decimal in the engine's model: the engine writes it as a number.
                    ("speed", Value::from(3000)),
                    (
                        "topology",
                        obj(vec![
                            ("cores", s(cores)),
                            ("sockets", s(sockets)),
                            ("threads", s(2)),
                        ]),
                    ),
                    ("type", s(cluster.cpu_type)),
                ]),
            ),
            ("device_passthrough", enabled(vms.passthrough[h])),
            ("external_status", s("ok")),
            (
                "hardware_information",
                obj(vec![
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
                ]),
            ),
            (
                "iscsi",
                obj(vec![(
                    "initiator",
                    s(format!("iqn.1994-05.com.redhat:{name}")),
                )]),
            ),
            ("kdump_status", s("disabled")),
            ("ksm", enabled(cluster_ksm(host.cluster))),
            (
                "libvirt_version",
                obj(vec![
                    ("build", s(0)),
                    (
                        "full_version",
                        s("libvirt-8.0.0-5.module_el8.6.0+1087+b42c8331"),
                    ),
                    ("major", s(8)),
                    ("minor", s(0)),
                    ("revision", s(0)),
                ]),
            ),
            ("max_scheduling_memory", s((memory_gib - 16) * GIB)),
            ("memory", s(memory_gib * GIB)),
            ("numa_supported", b(true)),
            (
                "os",
                obj(vec![
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
                        obj(vec![
                            ("full_version", s("8.6 - 1.el8")),
                            ("major", s(8)),
                            ("minor", s(6)),
                        ]),
                    ),
                ]),
            ),
            ("port", s(54321)),
            (
                "power_management",
                obj(vec![
                    ("automatic_pm_enabled", b(true)),
                    ("enabled", b(false)),
                    ("kdump_detection", b(true)),
                    ("pm_proxies", collection("pm_proxy", Vec::new())),
                ]),
            ),
            ("protocol", s("stomp")),
            ("reinstallation_required", b(false)),
            ("se_linux", obj(vec![("mode", s("enforcing"))])),
            (
                "spm",
                obj(vec![
                    ("priority", s(5)),
                    ("status", s(if h < self.dcs.len() { "spm" } else { "none" })),
                ]),
            ),
            (
                "ssh",
                obj(vec![
                    ("fingerprint", s(format!("SHA256:{fingerprint}"))),
                    ("port", s(22)),
                    (
                        "public_key",
                        s(format!(
                            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY{fingerprint}="
                        )),
                    ),
                ]),
            ),
            ("status", s(host.status)),
            (
                "summary",
                obj(vec![
                    ("active", s(running)),
                    ("migrating", s(0)),
                    ("total", s(running)),
                ]),
            ),
            ("transparent_hugepages", enabled(true)),
            ("type", s("rhel")),
            ("update_available", b(h % 7 == 0)),
            (
                "version",
                obj(vec![
                    ("build", s(100)),
                    ("full_version", s("vdsm-4.40.100.2-1.el8")),
                    ("major", s(4)),
                    ("minor", s(40)),
                    ("revision", s(2)),
                ]),
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
        ])
    }

    fn network_json(&self, n: usize, profiles: &[Value]) -> Value {
        let net = &self.networks[n];
        let base = href("networks", &net.id);
        let mgmt = self.nets_by_dc[net.dc].first() == Some(&n);
        let name = network_name(n, mgmt);
        let mut usages = vec![s("vm")];
        if mgmt {
            usages.push(s("management"));
        }
        let own = self
            .profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| p.network == n)
            .map(|(p, _)| profiles[p].clone())
            .collect();
        let mut fields = vec![
            ("mtu", s(0)),
            ("port_isolation", b(false)),
            ("stp", b(false)),
            ("usages", collection("usage", usages)),
            ("vdsm_name", s(&name)),
            (
                "data_center",
                reference("datacenters", &self.dcs[net.dc].id),
            ),
            ("vnic_profiles", collection("vnic_profile", own)),
            (
                "description",
                s(if mgmt {
                    "Management Network".to_string()
                } else {
                    format!("VM network {}", n + 1)
                }),
            ),
            ("name", s(name)),
            ("comment", s("")),
            ("href", s(&base)),
            ("id", s(&net.id)),
            (
                "link",
                links(&base, &["networklabels", "permissions", "vnicprofiles"]),
            ),
        ];
        if !mgmt {
            fields.push(("vlan", obj(vec![("id", s(100 + n % 3900))])));
        }
        obj(fields)
    }

    fn profile_json(&self, p: usize) -> Value {
        let profile = &self.profiles[p];
        let base = href("vnicprofiles", &profile.id);
        let default = p < self.networks.len();
        let net = &self.networks[profile.network];
        let mgmt = self.nets_by_dc[net.dc].first() == Some(&profile.network);
        let name = if default {
            network_name(profile.network, mgmt)
        } else {
            format!(
                "{}-p{}",
                network_name(profile.network, mgmt),
                p / self.networks.len()
            )
        };
        let kind = profile.kind;
        let mut fields = vec![
            (
                "pass_through",
                obj(vec![(
                    "mode",
                    s(if kind == ProfileKind::PassThrough {
                        "enabled"
                    } else {
                        "disabled"
                    }),
                )]),
            ),
            ("port_mirroring", b(kind == ProfileKind::Mirroring)),
            ("network", reference("networks", &net.id)),
            ("name", s(name)),
            ("description", s("")),
            ("href", s(&base)),
            ("id", s(&profile.id)),
            ("link", links(&base, &["permissions"])),
        ];
        match kind {
            ProfileKind::Filter => fields.push((
                "network_filter",
                reference("networkfilters", NO_MAC_SPOOFING),
            )),
            ProfileKind::Qos => {
                let qos = uuid(self.seed, Tag::Qos, p as u64);
                let dc = &self.dcs[net.dc].id;
                fields.push((
                    "qos",
                    obj(vec![
                        ("href", s(format!("{API}/datacenters/{dc}/qoss/{qos}"))),
                        ("id", s(qos)),
                    ]),
                ));
            }
            ProfileKind::CustomProperties => fields.push((
                "custom_properties",
                collection(
                    "custom_property",
                    vec![obj(vec![
                        ("name", s("SecurityGroups")),
                        ("value", s("8ab32eb6-0ac4-4a7e-b2e4-1b4ae1d6c7d6")),
                    ])],
                ),
            )),
            _ => {}
        }
        obj(fields)
    }

    fn sd_json(&self, n: usize) -> Value {
        let sd = &self.sds[n];
        let base = href("storagedomains", &sd.id);
        let mut rng = Rng::new(mix(mix(self.seed, Tag::StorageDomain as u64), n as u64));
        let total = (4 + rng.below(29)) * 512 * GIB;
        let used = total / 100 * (20 + rng.below(66));
        let committed = used / 100 * (110 + rng.below(60));
        let block = matches!(sd.storage_type, "iscsi" | "fcp");
        let storage = match sd.storage_type {
            "nfs" => obj(vec![
                ("address", s(format!("nfs{:02}.example.com", n % 8 + 1))),
                ("nfs_timeo", s(600)),
                ("nfs_version", s("v4_2")),
                ("path", s(format!("/exports/data{n:03}"))),
                ("type", s("nfs")),
            ]),
            "glusterfs" => obj(vec![
                ("address", s(format!("gluster{:02}.example.com", n % 4 + 1))),
                ("path", s(format!("data{n:03}"))),
                ("type", s("glusterfs")),
                ("vfs_type", s("glusterfs")),
            ]),
            "posixfs" => obj(vec![
                ("path", s(format!("/dev/mapper/posix{n:03}"))),
                ("type", s("posixfs")),
                ("vfs_type", s("xfs")),
            ]),
            other => obj(vec![
                ("type", s(other)),
                (
                    "volume_group",
                    obj(vec![("id", s(format!("vg{:x}", rng.next())))]),
                ),
            ]),
        };
        let first_of_dc = self.sds_by_dc[sd.dc].first() == Some(&n);
        obj(vec![
            ("available", s(total - used)),
            ("backup", b(false)),
            ("block_size", s(512)),
            ("committed", s(committed)),
            ("critical_space_action_blocker", s(5)),
            ("discard_after_delete", b(false)),
            ("external_status", s("ok")),
            ("master", b(first_of_dc)),
            ("storage", storage),
            ("storage_format", s("v5")),
            ("supports_discard", b(block)),
            ("supports_discard_zeroes_data", b(false)),
            ("type", s("data")),
            ("used", s(used)),
            ("warning_low_space_indicator", s(10)),
            ("wipe_after_delete", b(false)),
            (
                "data_centers",
                collection(
                    "data_center",
                    vec![reference("datacenters", &self.dcs[sd.dc].id)],
                ),
            ),
            (
                "actions",
                actions(
                    &base,
                    &["isattached", "updateovfstore", "refreshluns", "reduceluns"],
                ),
            ),
            ("name", s(sd_name(n, sd.storage_type))),
            ("description", s("")),
            ("comment", s("")),
            ("href", s(&base)),
            ("id", s(&sd.id)),
            (
                "link",
                links(
                    &base,
                    &[
                        "diskprofiles",
                        "disks",
                        "storageconnections",
                        "permissions",
                        "templates",
                        "vms",
                        "disksnapshots",
                    ],
                ),
            ),
        ])
    }

    fn disk_profile_json(&self, n: usize) -> Value {
        let dp = &self.disk_profiles[n];
        let sd = &self.sds[dp.sd];
        let base = format!("{}/diskprofiles/{}", href("storagedomains", &sd.id), dp.id);
        let name = sd_name(dp.sd, sd.storage_type);
        let mut fields = vec![
            ("storage_domain", reference("storagedomains", &sd.id)),
            (
                "name",
                s(if dp.qos { format!("{name}-gold") } else { name }),
            ),
            ("description", s("")),
            ("href", s(&base)),
            ("id", s(&dp.id)),
            ("link", links(&base, &["permissions"])),
        ];
        if dp.qos {
            let qos = uuid(self.seed, Tag::Qos, (1_000_000 + n) as u64);
            let dc = &self.dcs[sd.dc].id;
            fields.push((
                "qos",
                obj(vec![
                    ("href", s(format!("{API}/datacenters/{dc}/qoss/{qos}"))),
                    ("id", s(qos)),
                ]),
            ));
        }
        obj(fields)
    }
}

/// Whether cluster `c` has KSM on: 1 cluster in 2.
fn cluster_ksm(c: usize) -> bool {
    c % 2 == 0
}

/// Whether cluster `c` has HA reservation: 1 cluster in 4.
fn cluster_ha_reservation(c: usize) -> bool {
    c % 4 == 0
}

fn network_name(n: usize, mgmt: bool) -> String {
    if mgmt {
        "ovirtmgmt".to_string()
    } else {
        format!("vlan{}", 100 + n % 3900)
    }
}

fn sd_name(n: usize, storage_type: &str) -> String {
    format!("{storage_type}-data-{:02}", n + 1)
}
