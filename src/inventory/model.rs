//! The inventory records. Engine strings are converted: booleans are booleans, sizes are
//! bytes, references are engine ids (empty when absent).

use serde::{Deserialize, Serialize};

use crate::store::Record;

/// A name/value pair (custom properties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Property {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A data center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DataCenter {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// up, maintenance, ...
    pub status: String,
}

/// A cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cluster {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its data center.
    pub data_center: String,
    /// HA reservation on.
    pub ha_reservation: bool,
    /// KSM on.
    pub ksm_enabled: bool,
    /// Default BIOS type of its VMs.
    pub bios_type: String,
    /// CPU type.
    pub cpu_type: String,
    /// Compatibility version, major.
    pub version_major: u32,
    /// Compatibility version, minor.
    pub version_minor: u32,
}

/// A host NIC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HostNic {
    /// Engine id.
    pub id: String,
    /// Name (eth0).
    pub name: String,
    /// Link speed in bits per second.
    pub speed: u64,
    /// MTU.
    pub mtu: u64,
    /// VLAN id, when tagged.
    pub vlan: Option<u64>,
}

/// A host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Host {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Address.
    pub address: String,
    /// Its cluster.
    pub cluster: String,
    /// up, maintenance, non_responsive, ...
    pub status: String,
    /// OS type (RHEL).
    pub os_type: String,
    /// OS full version.
    pub os_version: String,
    /// CPU sockets.
    pub cpu_sockets: u64,
    /// CPU cores per socket.
    pub cpu_cores: u64,
    /// CPU threads per core.
    pub cpu_threads: u64,
    /// Memory in bytes.
    pub memory: u64,
    /// NICs.
    pub nics: Vec<HostNic>,
    /// Networks attached (network ids).
    pub networks: Vec<String>,
    /// SSH key thumbprint.
    pub ssh_thumbprint: String,
}

/// A VM NIC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VmNic {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// virtio, e1000, ...
    pub interface: String,
    /// Plugged.
    pub plugged: bool,
    /// MAC address.
    pub mac: String,
    /// vNIC profile id.
    pub profile: String,
    /// Addresses the guest agent reported.
    pub ip_addresses: Vec<String>,
}

/// A disk attached to a VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiskAttachment {
    /// Engine id (the disk's).
    pub id: String,
    /// virtio_scsi, virtio, ide, ...
    pub interface: String,
    /// Uses SCSI reservation.
    pub scsi_reservation: bool,
    /// Bootable.
    pub bootable: bool,
    /// The disk id.
    pub disk: String,
}

/// A host device passed to a VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HostDevice {
    /// pci, usb, scsi, ...
    pub capability: String,
    /// Product name.
    pub product: String,
    /// Vendor name.
    pub vendor: String,
}

/// A CD-ROM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cdrom {
    /// Engine id.
    pub id: String,
    /// The inserted file (ISO), if any.
    pub file: String,
}

/// A watchdog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Watchdog {
    /// Engine id.
    pub id: String,
    /// reset, poweroff, ...
    pub action: String,
    /// i6300esb, diag288.
    pub model: String,
}

/// A snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Snapshot {
    /// Engine id.
    pub id: String,
    /// Description.
    pub description: String,
    /// active, regular, preview, stateless.
    pub kind: String,
    /// Memory state kept.
    pub persist_memory: bool,
}

/// A vCPU pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CpuPin {
    /// Host CPUs.
    pub set: String,
    /// The vCPU.
    pub cpu: String,
}

/// A template: what new VMs are made from, as a machine class names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Template {
    /// Engine id (the built-in `Blank` is all zeros).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// ok, locked or illegal.
    pub status: String,
    /// Its cluster (empty for `Blank`, which belongs to none).
    pub cluster: String,
    /// OS type.
    pub os_type: String,
    /// server, desktop or high_performance.
    pub kind: String,
    /// CPU sockets.
    pub cpu_sockets: u64,
    /// Cores per socket.
    pub cpu_cores: u64,
    /// Threads per core.
    pub cpu_threads: u64,
    /// Memory in bytes.
    pub memory: u64,
    /// The version's name (`base version` for the first).
    pub version_name: String,
    /// The version's number, from 1; `None` when the engine does not say.
    pub version_number: Option<u64>,
    /// The template this is a version of (its own id for the base version).
    pub base_template: String,
    /// The disks it is made of, by engine id.
    pub disks: Vec<String>,
}

/// A VM, with the fields the validation rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vm {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its cluster.
    pub cluster: String,
    /// The host it runs on (empty when not running).
    pub host: String,
    /// up, down, suspended, ...
    pub status: String,
    /// OS type set on the VM.
    pub os_type: String,
    /// Guest OS distribution reported by the agent.
    pub guest_distribution: String,
    /// Guest OS full version.
    pub guest_version: String,
    /// CPU sockets.
    pub cpu_sockets: u64,
    /// Cores per socket.
    pub cpu_cores: u64,
    /// Threads per core.
    pub cpu_threads: u64,
    /// CPU shares.
    pub cpu_shares: u64,
    /// vCPU pins.
    pub cpu_pins: Vec<CpuPin>,
    /// CPU pinning policy.
    pub cpu_pinning_policy: String,
    /// Custom CPU model.
    pub custom_cpu_model: String,
    /// Memory in bytes.
    pub memory: u64,
    /// Memory ballooning on.
    pub ballooning: bool,
    /// IO threads.
    pub io_threads: u64,
    /// BIOS type.
    pub bios_type: String,
    /// BIOS boot menu on.
    pub boot_menu: bool,
    /// Display type (vnc, spice).
    pub display: String,
    /// Has illegal images.
    pub has_illegal_images: bool,
    /// Lease storage domain.
    pub lease_storage_domain: String,
    /// What to do on a storage error.
    pub storage_error_resume_behaviour: String,
    /// High availability on.
    pub ha_enabled: bool,
    /// USB on.
    pub usb_enabled: bool,
    /// Placement policy affinity.
    pub placement_policy_affinity: String,
    /// Time zone.
    pub timezone: String,
    /// Stateless.
    pub stateless: bool,
    /// Serial number.
    pub serial_number: String,
    /// NUMA node pins (host NUMA node indexes); `None` when unknown (the engine does not
    /// serve the VM's `numanodes`), which is not the same as no pins.
    pub numa_node_affinity: Option<Vec<String>>,
    /// Host devices.
    pub host_devices: Vec<HostDevice>,
    /// CD-ROMs.
    pub cdroms: Vec<Cdrom>,
    /// Watchdogs.
    pub watchdogs: Vec<Watchdog>,
    /// Custom properties.
    pub properties: Vec<Property>,
    /// Snapshots.
    pub snapshots: Vec<Snapshot>,
    /// NICs.
    pub nics: Vec<VmNic>,
    /// Disk attachments.
    pub disk_attachments: Vec<DiskAttachment>,
}

/// A logical network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Network {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its data center.
    pub data_center: String,
    /// VLAN id.
    pub vlan: Option<u64>,
    /// vm, management, display, ...
    pub usages: Vec<String>,
    /// Its vNIC profiles.
    pub vnic_profiles: Vec<String>,
}

/// A vNIC profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NicProfile {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its network.
    pub network: String,
    /// QoS id.
    pub qos: String,
    /// Network filter id.
    pub network_filter: String,
    /// Port mirroring on.
    pub port_mirroring: bool,
    /// Pass-through mode (enabled, disabled).
    pub pass_through: String,
    /// Custom properties.
    pub properties: Vec<Property>,
}

/// A disk profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiskProfile {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Its storage domain.
    pub storage_domain: String,
    /// QoS id.
    pub qos: String,
}

/// A storage domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StorageDomain {
    /// Engine id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// data, iso, export, image.
    pub kind: String,
    /// nfs, iscsi, fcp, glance, ...
    pub storage_type: String,
    /// active, unattached, maintenance, ...
    pub status: String,
    /// Free bytes; unknown (`None`) when the engine leaves it out, as it does for a domain
    /// that is not attached.
    pub available: Option<u64>,
    /// Used bytes; unknown when the engine leaves it out.
    pub used: Option<u64>,
    /// Committed bytes; unknown when the engine leaves it out.
    pub committed: Option<u64>,
    /// Data centers it is attached to.
    pub data_centers: Vec<String>,
}

/// A LUN's logical unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogicalUnit {
    /// LUN id.
    pub lun_id: String,
    /// Target address.
    pub address: String,
    /// Target port.
    pub port: u64,
    /// iSCSI target.
    pub target: String,
    /// LUN mapping.
    pub lun_mapping: u64,
    /// Size in bytes.
    pub size: u64,
}

/// A disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Disk {
    /// Engine id.
    pub id: String,
    /// Name (alias).
    pub name: String,
    /// Description.
    pub description: String,
    /// Shared between VMs.
    pub shareable: bool,
    /// Disk profile id.
    pub profile: String,
    /// Provisioned size in bytes.
    pub provisioned_size: u64,
    /// Actual size in bytes.
    pub actual_size: u64,
    /// ok, locked, illegal.
    pub status: String,
    /// none, incremental.
    pub backup: String,
    /// image, lun, cinder, managed_block_storage.
    pub storage_type: String,
    /// Storage domains holding it.
    pub storage_domains: Vec<String>,
    /// Logical units, for LUN disks.
    pub logical_units: Vec<LogicalUnit>,
}

/// A CPU model the engine knows, from `options/ServerCPUList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServerCpu {
    /// The engine's level for it.
    pub level: u32,
    /// Its name, as clusters name their CPU type (`Intel Westmere Family`).
    pub name: String,
    /// The CPU flags it requires.
    pub flags: Vec<String>,
    /// The libvirt model (`Westmere`).
    pub model: String,
    /// x86_64, ppc64, s390x.
    pub architecture: String,
}

/// The engine's CPU list, one record per provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServerCpuList {
    /// The CPU models.
    pub cpus: Vec<ServerCpu>,
}

impl Record for ServerCpuList {
    const KIND: &'static str = "ovirt.servercpus";
}

impl ServerCpuList {
    /// Reads `options/ServerCPUList`: entries `level:name:flags:model:arch` separated by `;`.
    pub fn parse(body: &serde_json::Value) -> ServerCpuList {
        let values = body["values"]["system_option_value"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let cpus = values
            .iter()
            .filter_map(|v| v["value"].as_str())
            .flat_map(|text| {
                text.split(';')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter_map(|entry| {
                let parts: Vec<&str> = entry.split(':').collect();
                (parts.len() >= 5).then(|| ServerCpu {
                    level: parts[0].parse().unwrap_or(0),
                    name: parts[1].to_string(),
                    flags: parts[2].split(',').map(str::to_string).collect(),
                    model: parts[3].to_string(),
                    architecture: parts[4].to_string(),
                })
            })
            .collect();
        ServerCpuList { cpus }
    }

    /// The entry for a cluster's CPU type.
    pub fn find(&self, cpu_type: &str) -> Option<&ServerCpu> {
        self.cpus.iter().find(|c| c.name == cpu_type)
    }
}

macro_rules! record {
    ($($t:ident => $kind:literal, |$me:ident| $keys:expr;)*) => {$(
        impl super::InventoryRecord for $t {
            const INVENTORY_KIND: super::decode::Kind = super::decode::Kind::$t;
            fn id(&self) -> &str {
                &self.id
            }
            fn display_name(&self) -> &str {
                if self.name.is_empty() { &self.id } else { &self.name }
            }
            fn into_object(self) -> super::decode::Object {
                super::decode::Object::$t(self.into())
            }
        }

        impl Record for $t {
            const KIND: &'static str = $kind;
            fn index_keys(&self) -> Vec<(&'static str, String)> {
                let $me = self;
                let mut keys: Vec<(&'static str, String)> = $keys;
                keys.retain(|(_, v)| !v.is_empty());
                // Every record is in the name index (by id when it has no name), so lists
                // sorted by name hold every record.
                let name = if $me.name.is_empty() { &$me.id } else { &$me.name };
                keys.push(("name", super::sort_key(name)));
                keys
            }

            // 2: the name index sorts by name ignoring case (see `sort_key`).
            const INDEX_LAYOUT: u32 = 2;
        }
    )*};
}

// The containment indexes: each record names what contains or uses it.
record! {
    DataCenter => "ovirt.datacenter", |_me| vec![];
    Cluster => "ovirt.cluster", |me| vec![("data_center", me.data_center.clone())];
    Host => "ovirt.host", |me| vec![("cluster", me.cluster.clone()), ("status", me.status.clone())];
    Vm => "ovirt.vm", |me| {
        let mut k = vec![("cluster", me.cluster.clone()), ("host", me.host.clone()), ("status", me.status.clone())];
        k.extend(me.nics.iter().map(|n| ("profile", n.profile.clone())));
        k.extend(me.disk_attachments.iter().map(|d| ("disk", d.disk.clone())));
        k.sort();
        k.dedup();
        k
    };
    Network => "ovirt.network", |me| vec![("data_center", me.data_center.clone())];
    NicProfile => "ovirt.vnicprofile", |me| vec![("network", me.network.clone())];
    DiskProfile => "ovirt.diskprofile", |me| vec![("storage_domain", me.storage_domain.clone())];
    StorageDomain => "ovirt.storagedomain", |me| me.data_centers.iter().map(|d| ("data_center", d.clone())).collect();
    Template => "ovirt.template", |me| vec![("cluster", me.cluster.clone()), ("status", me.status.clone())];
    Disk => "ovirt.disk", |me| {
        let mut k = vec![("profile", me.profile.clone())];
        k.extend(me.storage_domains.iter().map(|d| ("storage_domain", d.clone())));
        k
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_cpu_list_parses() {
        let body = crate::sim::fixtures::answer("options/ServerCPUList").unwrap();
        let list = ServerCpuList::parse(&body);
        let westmere = list.find("Intel Westmere Family").unwrap();
        assert_eq!(westmere.model, "Westmere");
        assert_eq!(westmere.architecture, "x86_64");
        assert!(westmere.flags.contains(&"aes".to_string()));
        assert!(list.cpus.len() > 20);
    }
}
