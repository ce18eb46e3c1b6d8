//! The policy input: one JSON document per VM ("workload"), built from the store.
//!
//! The shape is validation.md's (Forklift's): camelCase, the VM's fields at the top level,
//! its references expanded (NICs with their vNIC profile, disk attachments with their disk,
//! host, cluster, data center, the cluster's server CPU). Booleans and numbers are real
//! JSON types: the collector already converted the engine's strings. The API serves the same
//! document, so people see exactly what the rules saw.
//!
//! A [`Lookup`] keeps the small shared objects (clusters, hosts, profiles, ...) of one read
//! transaction, so a batch of a thousand VMs reads each of them once.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::inventory::key;
use crate::inventory::model::*;
use crate::store::{ReadTxn, Record, StoreError, Stored};

/// Shared objects read once per batch.
pub struct Lookup<'a> {
    r: &'a ReadTxn,
    provider: String,
    clusters: HashMap<String, Option<Cluster>>,
    hosts: HashMap<String, Option<Host>>,
    profiles: HashMap<String, Option<NicProfile>>,
    networks: HashMap<String, Option<Network>>,
    data_centers: HashMap<String, Option<DataCenter>>,
    cpus: Option<Option<ServerCpuList>>,
}

fn cached<T: Record + Clone>(
    r: &ReadTxn,
    provider: &str,
    map: &mut HashMap<String, Option<T>>,
    id: &str,
) -> Result<Option<T>, StoreError> {
    if id.is_empty() {
        return Ok(None);
    }
    if let Some(v) = map.get(id) {
        return Ok(v.clone());
    }
    let v = r.get::<T>(&key(provider, id))?.map(|s| s.value);
    map.insert(id.to_string(), v.clone());
    Ok(v)
}

impl<'a> Lookup<'a> {
    /// A lookup over one read transaction for one provider.
    pub fn new(r: &'a ReadTxn, provider: &str) -> Self {
        Lookup {
            r,
            provider: provider.to_string(),
            clusters: HashMap::new(),
            hosts: HashMap::new(),
            profiles: HashMap::new(),
            networks: HashMap::new(),
            data_centers: HashMap::new(),
            cpus: None,
        }
    }

    /// The workload document of a stored VM.
    pub fn workload(&mut self, vm: &Stored<Vm>) -> Result<Value, StoreError> {
        let v = &vm.value;
        let (r, p) = (self.r, self.provider.clone());
        let cluster = cached(r, &p, &mut self.clusters, &v.cluster)?;
        let host = cached(r, &p, &mut self.hosts, &v.host)?;
        let dc_id = cluster
            .as_ref()
            .map(|c| c.data_center.clone())
            .unwrap_or_default();
        let dc = cached(r, &p, &mut self.data_centers, &dc_id)?;
        if self.cpus.is_none() {
            self.cpus = Some(r.get::<ServerCpuList>(&p)?.map(|s| s.value));
        }
        let server_cpu = match (&self.cpus, &cluster) {
            (Some(Some(list)), Some(c)) => list.find(&c.cpu_type).map(|cpu| {
                json!({"name": cpu.name, "level": cpu.level, "model": cpu.model,
                       "architecture": cpu.architecture, "flags": cpu.flags})
            }),
            _ => None,
        };

        let mut nics = Vec::with_capacity(v.nics.len());
        for n in &v.nics {
            let profile = cached(r, &p, &mut self.profiles, &n.profile)?;
            let network = match &profile {
                Some(pr) => cached(r, &p, &mut self.networks, &pr.network)?,
                None => None,
            };
            nics.push(json!({
                "id": n.id, "name": n.name, "interface": n.interface, "plugged": n.plugged,
                "ipAddress": n.ip_addresses, "mac": n.mac,
                "profile": profile.map(|pr| json!({
                    "id": pr.id, "name": pr.name,
                    "network": network.map(|net| json!({"id": net.id, "name": net.name, "vlan": net.vlan}))
                        .unwrap_or(Value::Null),
                    "networkFilter": pr.network_filter, "portMirroring": pr.port_mirroring,
                    "qos": pr.qos,
                    "properties": pr.properties.iter().map(|p| json!({"name": p.name, "value": p.value})).collect::<Vec<_>>(),
                    "passThrough": pr.pass_through,
                })).unwrap_or_else(|| json!({})),
            }));
        }

        let mut attachments = Vec::with_capacity(v.disk_attachments.len());
        for a in &v.disk_attachments {
            let disk = r.get::<Disk>(&key(&p, &a.disk))?.map(|s| s.value);
            attachments.push(json!({
                "id": a.id, "interface": a.interface, "scsiReservation": a.scsi_reservation,
                "bootable": a.bootable,
                "disk": disk.map(|d| json!({
                    "id": d.id, "name": d.name, "shared": d.shareable,
                    "storageDomain": d.storage_domains.first().cloned().unwrap_or_default(),
                    "provisionedSize": d.provisioned_size, "actualSize": d.actual_size,
                    "storageType": d.storage_type, "status": d.status, "profile": d.profile,
                    "lun": {"logicalUnits": {"logicalUnit": d.logical_units.iter().map(|l| json!({
                        "lunId": l.lun_id, "address": l.address, "port": l.port,
                        "target": l.target, "lunMapping": l.lun_mapping, "size": l.size,
                    })).collect::<Vec<_>>()}},
                })).unwrap_or_else(|| json!({"id": a.disk})),
            }));
        }

        let host_doc = host
            .map(|h| {
                json!({"id": h.id, "name": h.name, "status": h.status,
                "cpuSockets": h.cpu_sockets, "cpuCores": h.cpu_cores, "cpuThreads": h.cpu_threads,
                "memory": h.memory})
            })
            .unwrap_or(Value::Null);
        let cluster_doc = cluster
            .map(|c| {
                json!({"id": c.id, "name": c.name, "dataCenter": c.data_center,
                "haReservation": c.ha_reservation, "ksmEnabled": c.ksm_enabled, "biosType": c.bios_type,
                "cpu": {"type": c.cpu_type},
                "version": {"major": c.version_major, "minor": c.version_minor}})
            })
            .unwrap_or(Value::Null);
        let dc_doc = dc
            .map(|d| json!({"id": d.id, "name": d.name, "status": d.status}))
            .unwrap_or(Value::Null);
        Ok(json!({
            "id": v.id, "name": v.name, "description": v.description, "status": v.status,
            "revision": vm.revision, "osType": v.os_type, "guestName": v.guest_distribution,
            "guest": {"distribution": v.guest_distribution, "fullVersion": v.guest_version},
            "cpuSockets": v.cpu_sockets, "cpuCores": v.cpu_cores, "cpuThreads": v.cpu_threads,
            "cpuShares": v.cpu_shares,
            "cpuAffinity": v.cpu_pins.iter().map(|c| json!({"set": c.set, "cpu": c.cpu})).collect::<Vec<_>>(),
            "cpuPinningPolicy": v.cpu_pinning_policy, "customCpuModel": v.custom_cpu_model,
            "memory": v.memory, "balloonedMemory": v.ballooning, "ioThreads": v.io_threads,
            "bios": v.bios_type, "bootMenuEnabled": v.boot_menu, "display": v.display,
            "hasIllegalImages": v.has_illegal_images, "numaNodeAffinity": v.numa_node_affinity,
            "leaseStorageDomain": v.lease_storage_domain,
            "storageErrorResumeBehaviour": v.storage_error_resume_behaviour,
            "haEnabled": v.ha_enabled, "usbEnabled": v.usb_enabled,
            "placementPolicyAffinity": v.placement_policy_affinity, "timezone": v.timezone,
            "stateless": v.stateless, "serialNumber": v.serial_number,
            "hostDevices": v.host_devices.iter().map(|d| json!({"capability": d.capability, "product": d.product, "vendor": d.vendor})).collect::<Vec<_>>(),
            "cdroms": v.cdroms.iter().map(|c| json!({"id": c.id, "file": c.file})).collect::<Vec<_>>(),
            "watchDogs": v.watchdogs.iter().map(|w| json!({"id": w.id, "action": w.action, "model": w.model})).collect::<Vec<_>>(),
            "properties": v.properties.iter().map(|p| json!({"name": p.name, "value": p.value})).collect::<Vec<_>>(),
            "snapshots": v.snapshots.iter().map(|s| json!({"id": s.id, "description": s.description, "type": s.kind, "persistMemory": s.persist_memory})).collect::<Vec<_>>(),
            "nics": nics,
            "diskAttachments": attachments,
        }))
        .map(|mut doc| {
            doc["host"] = host_doc;
            doc["cluster"] = cluster_doc;
            doc["dataCenter"] = dc_doc;
            doc["serverCpu"] = server_cpu.unwrap_or(Value::Null);
            doc
        })
    }
}

/// The workload of one VM, or `None` when the store has no such VM.
pub fn of_vm(r: &ReadTxn, provider: &str, vm_id: &str) -> Result<Option<Value>, StoreError> {
    let Some(vm) = r.get::<Vm>(&key(provider, vm_id))? else {
        return Ok(None);
    };
    Lookup::new(r, provider).workload(&vm).map(Some)
}
