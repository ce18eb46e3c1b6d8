//! The layout of an inventory, decided before the VMs: ids, which data center, cluster or
//! network each object belongs to, host states, profile kinds, storage types.

use super::{Rng, Scale, Tag, uuid};

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

pub(super) struct Dc {
    pub id: String,
    pub quota: String,
    pub minor: u32,
}

pub(super) struct Cluster {
    pub id: String,
    pub dc: usize,
    pub cpu_profile: String,
    pub cpu_type: &'static str,
    pub minor: u32,
}

pub(super) struct Host {
    pub id: String,
    pub cluster: usize,
    pub status: &'static str,
}

pub(super) struct Net {
    pub id: String,
    pub dc: usize,
}

pub(super) struct Profile {
    pub id: String,
    pub network: usize,
    pub kind: ProfileKind,
}

pub(super) struct Sd {
    pub id: String,
    pub dc: usize,
    pub storage_type: &'static str,
}

pub(super) struct DiskProfile {
    pub id: String,
    pub sd: usize,
    pub qos: bool,
}

/// The layout of an inventory, decided before the VMs.
pub(super) struct Plan {
    pub seed: u64,
    pub dcs: Vec<Dc>,
    pub clusters: Vec<Cluster>,
    pub hosts: Vec<Host>,
    /// The hosts of each cluster that are `up`.
    pub up_hosts: Vec<Vec<usize>>,
    /// All the hosts of each cluster.
    pub cluster_hosts: Vec<Vec<usize>>,
    pub networks: Vec<Net>,
    pub nets_by_dc: Vec<Vec<usize>>,
    pub profiles: Vec<Profile>,
    /// Profiles by data center, then by kind.
    pub profiles_by_dc: Vec<[Vec<usize>; 6]>,
    /// Profiles by kind, all data centers.
    pub profiles_by_kind: [Vec<usize>; 6],
    pub sds: Vec<Sd>,
    /// The storage domains of each data center.
    pub sds_by_dc: Vec<Vec<usize>>,
    pub all_sds: Vec<usize>,
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
        for (n, own) in sd_profiles.iter_mut().enumerate() {
            for qos in [false, true] {
                if qos && n % 4 != 3 {
                    continue;
                }
                own.push(disk_profiles.len());
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
}
