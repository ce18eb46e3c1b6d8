//! One row per object in a kind's list: its columns, and its cells from the typed record.

use super::super::cells::Cell;
use super::Names as Links;
use crate::inventory::InventoryRecord;
use crate::inventory::decode::Kind;
use crate::inventory::model::*;
use crate::store::StoreError;
use crate::validation::VmConcerns;

/// How a kind's list shows one of its records (after the name, which every list has).
pub(super) trait ListRow: InventoryRecord {
    /// The column headings after "Name".
    const COLUMNS: &'static [&'static str];
    /// The cells under those headings.
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError>;
}

/// The vCPUs of a CPU topology (a missing cores or threads count is one of each).
pub(super) fn vcpus(sockets: u64, cores: u64, threads: u64) -> u64 {
    sockets * cores.max(1) * threads.max(1)
}

impl ListRow for Vm {
    const COLUMNS: &'static [&'static str] = &[
        "Status",
        "Readiness",
        "Cluster",
        "Host",
        "vCPUs",
        "Memory",
        "NICs",
        "Disks",
    ];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        let key = crate::inventory::key(links.provider, &self.id);
        // Not validated yet is "pending"; a result that cannot be read is an error.
        let readiness = match links.r.get::<VmConcerns>(&key)? {
            Some(r) => {
                let r = r.value.readiness();
                // Sorted by severity, not by word: ready, warnings, blocked, error.
                Cell {
                    number: Some(r as u64),
                    ..Cell::badge(r.as_str(), r.badge())
                }
            }
            None => Cell::badge("pending", "info"),
        };
        Ok(vec![
            Cell::status(&self.status),
            readiness,
            links.link(Kind::Cluster, &self.cluster)?,
            links.link(Kind::Host, &self.host)?,
            Cell::count(vcpus(self.cpu_sockets, self.cpu_cores, self.cpu_threads)),
            Cell::bytes(self.memory),
            Cell::count(self.nics.len()),
            Cell::count(self.disk_attachments.len()),
        ])
    }
}

impl ListRow for Host {
    const COLUMNS: &'static [&'static str] = &["Status", "Cluster", "Address", "CPUs", "Memory"];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            Cell::status(&self.status),
            links.link(Kind::Cluster, &self.cluster)?,
            Cell::text(&self.address),
            Cell::count(vcpus(self.cpu_sockets, self.cpu_cores, self.cpu_threads)),
            Cell::bytes(self.memory),
        ])
    }
}

impl ListRow for Cluster {
    const COLUMNS: &'static [&'static str] = &["Data center", "CPU type", "Version"];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            links.link(Kind::DataCenter, &self.data_center)?,
            Cell::text(&self.cpu_type),
            Cell::text(format!("{}.{}", self.version_major, self.version_minor)),
        ])
    }
}

impl ListRow for DataCenter {
    const COLUMNS: &'static [&'static str] = &["Status"];
    fn cells(&self, _: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![Cell::status(&self.status)])
    }
}

impl ListRow for Network {
    const COLUMNS: &'static [&'static str] = &["Data center", "VLAN", "Usages"];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            links.link(Kind::DataCenter, &self.data_center)?,
            Cell::num(self.vlan.map(|v| v.to_string()).unwrap_or_default()),
            Cell::text(self.usages.join(", ")),
        ])
    }
}

impl ListRow for NicProfile {
    const COLUMNS: &'static [&'static str] = &["Network", "Port mirroring", "Pass-through"];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            links.link(Kind::Network, &self.network)?,
            Cell::yes_no(self.port_mirroring),
            Cell::text(&self.pass_through),
        ])
    }
}

impl ListRow for DiskProfile {
    const COLUMNS: &'static [&'static str] = &["Storage domain"];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![links.link(Kind::StorageDomain, &self.storage_domain)?])
    }
}

impl ListRow for StorageDomain {
    const COLUMNS: &'static [&'static str] =
        &["Type", "Storage", "Status", "Used", "Free", "Capacity"];
    fn cells(&self, _: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        // A capacity the engine left out is unknown: a dash, and no bar.
        Ok(vec![
            Cell::text(&self.kind),
            Cell::text(&self.storage_type),
            Cell::status(&self.status),
            Cell::opt_bytes(self.used),
            Cell::opt_bytes(self.available),
            Cell::usage(self.used, self.available),
        ])
    }
}

impl ListRow for Template {
    const COLUMNS: &'static [&'static str] = &[
        "Status", "Cluster", "Version", "OS type", "vCPUs", "Memory", "Disks",
    ];
    fn cells(&self, links: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            Cell::status(&self.status),
            links.link(Kind::Cluster, &self.cluster)?,
            Cell::text(template_version(self)),
            Cell::text(&self.os_type),
            Cell::count(vcpus(self.cpu_sockets, self.cpu_cores, self.cpu_threads)),
            Cell::bytes(self.memory),
            Cell::count(self.disks.len()),
        ])
    }
}

/// A template's version as people name it: `base version (1)`.
pub(super) fn template_version(t: &Template) -> String {
    match t.version_number {
        Some(n) if t.version_name.is_empty() => n.to_string(),
        Some(n) => format!("{} ({n})", t.version_name),
        None => t.version_name.clone(),
    }
}

impl ListRow for Disk {
    const COLUMNS: &'static [&'static str] = &[
        "Status",
        "Storage type",
        "Provisioned",
        "Actual",
        "Shareable",
    ];
    fn cells(&self, _: &mut Links<'_>) -> Result<Vec<Cell>, StoreError> {
        Ok(vec![
            Cell::status(&self.status),
            Cell::text(&self.storage_type),
            Cell::bytes(self.provisioned_size),
            Cell::bytes(self.actual_size),
            Cell::yes_no(self.shareable),
        ])
    }
}
