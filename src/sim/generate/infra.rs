//! The containers and shared objects in wire form: data centers, clusters, networks (with
//! their vNIC profiles inlined), vNIC profiles, storage domains and disk profiles; the hosts
//! are in [`hosts`](super::hosts).

use serde_json::Value;

use super::plan::{Plan, ProfileKind};
use super::vms::VmOut;
use super::{
    API, GIB, Rng, Tag, actions, b, collection, href, links, mix, obj_of, reference, s, uuid,
};

/// The engine's `vdsm-no-mac-spoofing` network filter (a constant of every engine).
const NO_MAC_SPOOFING: &str = "d2370ab4-fee3-11e9-a310-8c1645ce738e";

impl Plan {
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
        obj!(("major", s(4)), ("minor", s(minor)))
    }

    fn mac_pool(&self) -> Value {
        reference("macpools", &uuid(self.seed, Tag::MacPool, 0))
    }

    fn dc_json(&self, n: usize) -> Value {
        let dc = &self.dcs[n];
        let base = href("datacenters", &dc.id);
        let versions = (dc.minor..=6).map(Self::version).collect();
        obj!(
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
        )
    }

    fn cluster_json(&self, c: usize) -> Value {
        let cl = &self.clusters[c];
        let base = href("clusters", &cl.id);
        let property = |name: &str, value: &str| obj!(("name", s(name)), ("value", s(value)));
        let enabled = |on: bool| obj!(("enabled", b(on)));
        obj!(
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
                obj!(("architecture", s("x86_64")), ("type", s(cl.cpu_type)),),
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
            ("error_handling", obj!(("on_error", s("migrate")))),
            (
                "fencing_policy",
                obj!(
                    ("enabled", b(true)),
                    (
                        "skip_if_connectivity_broken",
                        obj!(("enabled", b(false)), ("threshold", s(50))),
                    ),
                    ("skip_if_gluster_bricks_up", b(false)),
                    ("skip_if_gluster_quorum_not_met", b(false)),
                    ("skip_if_sd_active", enabled(false)),
                ),
            ),
            ("fips_mode", s("disabled")),
            ("firewall_type", s("firewalld")),
            ("gluster_service", b(false)),
            ("ha_reservation", b(cluster_ha_reservation(c))),
            (
                "ksm",
                obj!(
                    ("enabled", b(cluster_ksm(c))),
                    ("merge_across_nodes", b(true)),
                ),
            ),
            ("log_max_memory_used_threshold", s(95)),
            ("log_max_memory_used_threshold_type", s("percentage")),
            (
                "memory_policy",
                obj!(
                    ("over_commit", obj!(("percent", s(100)))),
                    ("transparent_hugepages", enabled(true)),
                ),
            ),
            (
                "migration",
                obj!(
                    ("auto_converge", s("inherit")),
                    ("bandwidth", obj!(("assignment_method", s("auto")))),
                    ("compressed", s("inherit")),
                    ("encrypted", s("inherit")),
                    (
                        "policy",
                        obj!(("id", s("80554327-0569-496b-bdeb-fcbbf52b827b"))),
                    ),
                ),
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
        )
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
        let mut fields = fields!(
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
        );
        if !mgmt {
            fields.push(("vlan", obj!(("id", s(100 + n % 3900)))));
        }
        obj_of(fields)
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
        let mut fields = fields!(
            (
                "pass_through",
                obj!((
                    "mode",
                    s(if kind == ProfileKind::PassThrough {
                        "enabled"
                    } else {
                        "disabled"
                    }),
                )),
            ),
            ("port_mirroring", b(kind == ProfileKind::Mirroring)),
            ("network", reference("networks", &net.id)),
            ("name", s(name)),
            ("description", s("")),
            ("href", s(&base)),
            ("id", s(&profile.id)),
            ("link", links(&base, &["permissions"])),
        );
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
                    obj!(
                        ("href", s(format!("{API}/datacenters/{dc}/qoss/{qos}"))),
                        ("id", s(qos)),
                    ),
                ));
            }
            ProfileKind::CustomProperties => fields.push((
                "custom_properties",
                collection(
                    "custom_property",
                    vec![obj!(
                        ("name", s("SecurityGroups")),
                        ("value", s("8ab32eb6-0ac4-4a7e-b2e4-1b4ae1d6c7d6")),
                    )],
                ),
            )),
            _ => {}
        }
        obj_of(fields)
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
            "nfs" => obj!(
                ("address", s(format!("nfs{:02}.example.com", n % 8 + 1))),
                ("nfs_timeo", s(600)),
                ("nfs_version", s("v4_2")),
                ("path", s(format!("/exports/data{n:03}"))),
                ("type", s("nfs")),
            ),
            "glusterfs" => obj!(
                ("address", s(format!("gluster{:02}.example.com", n % 4 + 1))),
                ("path", s(format!("data{n:03}"))),
                ("type", s("glusterfs")),
                ("vfs_type", s("glusterfs")),
            ),
            "posixfs" => obj!(
                ("path", s(format!("/dev/mapper/posix{n:03}"))),
                ("type", s("posixfs")),
                ("vfs_type", s("xfs")),
            ),
            other => obj!(
                ("type", s(other)),
                (
                    "volume_group",
                    obj!(("id", s(format!("vg{:x}", rng.next())))),
                ),
            ),
        };
        let first_of_dc = self.sds_by_dc[sd.dc].first() == Some(&n);
        obj!(
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
        )
    }

    fn disk_profile_json(&self, n: usize) -> Value {
        let dp = &self.disk_profiles[n];
        let sd = &self.sds[dp.sd];
        let base = format!("{}/diskprofiles/{}", href("storagedomains", &sd.id), dp.id);
        let name = sd_name(dp.sd, sd.storage_type);
        let mut fields = fields!(
            ("storage_domain", reference("storagedomains", &sd.id)),
            (
                "name",
                s(if dp.qos { format!("{name}-gold") } else { name }),
            ),
            ("description", s("")),
            ("href", s(&base)),
            ("id", s(&dp.id)),
            ("link", links(&base, &["permissions"])),
        );
        if dp.qos {
            let qos = uuid(self.seed, Tag::Qos, (1_000_000 + n) as u64);
            let dc = &self.dcs[sd.dc].id;
            fields.push((
                "qos",
                obj!(
                    ("href", s(format!("{API}/datacenters/{dc}/qoss/{qos}"))),
                    ("id", s(qos)),
                ),
            ));
        }
        obj_of(fields)
    }
}

/// Whether cluster `c` has KSM on: 1 cluster in 2.
pub(super) fn cluster_ksm(c: usize) -> bool {
    c.is_multiple_of(2)
}

/// Whether cluster `c` has HA reservation: 1 cluster in 4.
fn cluster_ha_reservation(c: usize) -> bool {
    c.is_multiple_of(4)
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
