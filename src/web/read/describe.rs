//! What each kind of object shows on its page, grouped the way an admin of the engine reads
//! it (General, System, Storage, ...), with the engine's own names for things.

use crate::inventory::InventoryRecord;
use crate::inventory::decode::Kind;
use crate::inventory::model::*;
use crate::store::StoreError;

use super::detail::{Sheet, Shown};

/// How one record type fills its page.
pub trait Describe: InventoryRecord {
    /// Writes its fields, tables and related objects.
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError>;
}

fn text(s: &str) -> Shown {
    if s.is_empty() {
        Shown::Empty
    } else {
        Shown::Text(s.to_string())
    }
}

/// The engine names an empty CD-ROM drive's file by the zero id.
fn media(file: &str) -> Shown {
    if file.chars().all(|c| c == '0' || c == '-') {
        Shown::Empty
    } else {
        Shown::Text(file.to_string())
    }
}

impl Describe for DataCenter {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .status("Status", &self.status);
        s.related_by::<Cluster>("Clusters", "data_center", None)
    }
}

impl Describe for Cluster {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General").text("Description", &self.description);
        s.link("Data center", Kind::DataCenter, &self.data_center)?;
        s.show(
            "Compatibility version",
            Shown::Text(format!("{}.{}", self.version_major, self.version_minor)),
        )
        .group("System")
        .text("CPU type", &self.cpu_type)
        .text("BIOS type", &self.bios_type)
        .flag("HA reservation", self.ha_reservation)
        .flag("Memory page sharing (KSM)", self.ksm_enabled);
        s.related_by::<Vm>("VMs", "cluster", Some("cluster"))?;
        s.related_by::<Host>("Hosts", "cluster", Some("cluster"))
    }
}

impl Describe for Host {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .text("Address", &self.address);
        s.link("Cluster", Kind::Cluster, &self.cluster)?;
        s.status("Status", &self.status)
            .text("OS type", &self.os_type)
            .text("OS version", &self.os_version)
            .text("SSH fingerprint", &self.ssh_thumbprint)
            .group("System")
            .count("CPU sockets", self.cpu_sockets)
            .count("CPU cores per socket", self.cpu_cores)
            .count("CPU threads per core", self.cpu_threads)
            .bytes("Memory", Some(self.memory))
            .group("Networks");
        s.links("Networks", Kind::Network, &self.networks)?;
        s.table(
            "NICs",
            &["Name", "Speed", "MTU", "VLAN"],
            self.nics.iter().map(|n| {
                vec![
                    text(&n.name),
                    Shown::Speed(n.speed),
                    Shown::Count(n.mtu),
                    n.vlan.map_or(Shown::Empty, Shown::Count),
                ]
            }),
        );
        s.related_by::<Vm>("Running VMs", "host", Some("host"))
    }
}

impl Describe for Vm {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .status("Status", &self.status);
        s.link("Cluster", Kind::Cluster, &self.cluster)?;
        s.link("Host", Kind::Host, &self.host)?;
        s.text("Operating system", &self.os_type)
            .text("Guest distribution", &self.guest_distribution)
            .text("Guest version", &self.guest_version)
            .text("Time zone", &self.timezone)
            .text("Serial number", &self.serial_number)
            .flag("Stateless", self.stateless)
            .flag("High availability", self.ha_enabled)
            .text("Migration mode", &self.placement_policy_affinity)
            .group("System")
            .count("CPU sockets", self.cpu_sockets)
            .count("CPU cores per socket", self.cpu_cores)
            .count("CPU threads per core", self.cpu_threads)
            .count("CPU shares", self.cpu_shares)
            .text("CPU pinning policy", &self.cpu_pinning_policy)
            .text("Custom CPU model", &self.custom_cpu_model)
            .bytes("Memory", Some(self.memory))
            .flag("Memory balloon", self.ballooning)
            .count("I/O threads", self.io_threads)
            .text("BIOS type", &self.bios_type)
            .flag("Boot menu", self.boot_menu)
            .text("Graphics protocol", &self.display)
            .flag("USB", self.usb_enabled);
        // Known to be none is an empty list (not shown); `None` is what the engine did not
        // serve, and stays visible as unknown.
        match &self.numa_node_affinity {
            None => {
                s.show("NUMA node affinity", Shown::Unknown);
            }
            Some(nodes) => {
                s.list("NUMA node affinity", nodes);
            }
        }
        s.group("Storage");
        s.link(
            "Lease storage domain",
            Kind::StorageDomain,
            &self.lease_storage_domain,
        )?;
        s.text(
            "Resume after a storage error",
            &self.storage_error_resume_behaviour,
        )
        .flag("Illegal images", self.has_illegal_images);

        let mut disks = Vec::with_capacity(self.disk_attachments.len());
        for a in &self.disk_attachments {
            disks.push(vec![
                s.cell_link(Kind::Disk, &a.disk)?,
                text(&a.interface),
                Shown::Flag(a.bootable),
                Shown::Flag(a.scsi_reservation),
            ]);
        }
        s.table(
            "Disks",
            &["Disk", "Interface", "Bootable", "SCSI reservation"],
            disks,
        );
        let mut nics = Vec::with_capacity(self.nics.len());
        for n in &self.nics {
            nics.push(vec![
                text(&n.name),
                s.cell_link(Kind::NicProfile, &n.profile)?,
                text(&n.interface),
                text(&n.mac),
                Shown::List(n.ip_addresses.clone()),
                Shown::Flag(n.plugged),
            ]);
        }
        s.table(
            "NICs",
            &["Name", "Profile", "Type", "MAC", "IP addresses", "Plugged"],
            nics,
        );
        s.table(
            "Host devices",
            &["Type", "Vendor", "Product"],
            self.host_devices
                .iter()
                .map(|d| vec![text(&d.capability), text(&d.vendor), text(&d.product)]),
        )
        .table(
            "CD-ROMs",
            &["Media"],
            self.cdroms.iter().map(|c| vec![media(&c.file)]),
        )
        .table(
            "Watchdogs",
            &["Model", "Action"],
            self.watchdogs
                .iter()
                .map(|w| vec![text(&w.model), text(&w.action)]),
        )
        .table(
            "CPU pinning",
            &["vCPU", "Host CPUs"],
            self.cpu_pins
                .iter()
                .map(|p| vec![text(&p.cpu), text(&p.set)]),
        )
        .table(
            "Snapshots",
            &["Description", "Type", "Memory saved"],
            self.snapshots.iter().map(|p| {
                vec![
                    text(&p.description),
                    text(&p.kind),
                    Shown::Flag(p.persist_memory),
                ]
            }),
        )
        .table(
            "Custom properties",
            &["Name", "Value"],
            self.properties
                .iter()
                .map(|p| vec![text(&p.name), text(&p.value)]),
        );
        Ok(())
    }
}

impl Describe for Network {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General").text("Description", &self.description);
        s.link("Data center", Kind::DataCenter, &self.data_center)?;
        if let Some(vlan) = self.vlan {
            s.count("VLAN", vlan);
        }
        s.list("Usages", &self.usages);
        s.links("vNIC profiles", Kind::NicProfile, &self.vnic_profiles)
    }
}

impl Describe for NicProfile {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General").text("Description", &self.description);
        s.link("Network", Kind::Network, &self.network)?;
        s.text("QoS", &self.qos)
            .text("Network filter", &self.network_filter)
            .flag("Port mirroring", self.port_mirroring)
            .text("Passthrough", &self.pass_through)
            .table(
                "Custom properties",
                &["Name", "Value"],
                self.properties
                    .iter()
                    .map(|p| vec![text(&p.name), text(&p.value)]),
            );
        s.related_vms("profile")
    }
}

impl Describe for Template {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .status("Status", &self.status)
            .text("Type", &self.kind)
            .text("OS type", &self.os_type)
            .text("Version", &self.version_name);
        if let Some(n) = self.version_number {
            s.count("Version number", n);
        }
        if self.cluster.is_empty() {
            // The engine's `Blank` belongs to no cluster.
            s.show(
                "Cluster",
                Shown::Text("none (usable in every cluster)".into()),
            );
        } else {
            s.link("Cluster", Kind::Cluster, &self.cluster)?;
        }
        if !self.base_template.is_empty() && self.base_template != self.id {
            s.link("Base template", Kind::Template, &self.base_template)?;
        }
        s.group("System")
            .count("CPU sockets", self.cpu_sockets)
            .count("CPU cores per socket", self.cpu_cores)
            .count("CPU threads per core", self.cpu_threads)
            .bytes("Memory", Some(self.memory));
        s.links("Disks", Kind::Disk, &self.disks)
    }
}

impl Describe for DiskProfile {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General").text("Description", &self.description);
        s.link("Storage domain", Kind::StorageDomain, &self.storage_domain)?;
        s.text("QoS", &self.qos);
        s.related_by::<Disk>("Disks", "profile", None)
    }
}

impl Describe for StorageDomain {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .text("Domain type", &self.kind)
            .text("Storage type", &self.storage_type);
        if self.status.is_empty() {
            // The engine gives an attached domain's status per data center, not here.
            s.show(
                "Status",
                Shown::Text("per data center (not in the engine's listing)".into()),
            );
        } else {
            s.status("Status", &self.status);
        }
        s.links("Data centers", Kind::DataCenter, &self.data_centers)?;
        s.group("Capacity")
            .bytes("Available", self.available)
            .bytes("Used", self.used)
            .bytes("Committed", self.committed);
        s.related_by::<Disk>("Disks", "storage_domain", Some("storage_domain"))
    }
}

impl Describe for Disk {
    fn describe(&self, s: &mut Sheet<'_>) -> Result<(), StoreError> {
        s.group("General")
            .text("Description", &self.description)
            .status("Status", &self.status)
            .text("Storage type", &self.storage_type)
            .flag("Shareable", self.shareable)
            .text("Incremental backup", &self.backup)
            .bytes("Provisioned size", Some(self.provisioned_size))
            .bytes("Actual size", Some(self.actual_size));
        s.link("Disk profile", Kind::DiskProfile, &self.profile)?;
        s.links(
            "Storage domains",
            Kind::StorageDomain,
            &self.storage_domains,
        )?;
        s.table(
            "Logical units",
            &["LUN id", "Address", "Port", "Target", "Mapping", "Size"],
            self.logical_units.iter().map(|l| {
                vec![
                    text(&l.lun_id),
                    text(&l.address),
                    Shown::Count(l.port),
                    text(&l.target),
                    Shown::Count(l.lun_mapping),
                    Shown::Bytes(Some(l.size)),
                ]
            }),
        );
        s.related_vms("disk")
    }
}
