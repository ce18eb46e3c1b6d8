//! Templates, and the VMs made from them. Every inventory serves `Blank` (the engine's
//! built-in, without disks) and `rhcos-4`, a small RHCOS image a machine driver clones.
//!
//! A template's disks are kept in a side table ([`super::lifecycle::WriteState`]) rather than
//! in the `disks` collection: the collector lists `disks`, and must see only VM disks.

use serde_json::{Value, json};

use super::lifecycle::{API, derived_uuid, reference};
use super::state::{SimState, now_ms};

/// The id of the engine's `Blank` template.
pub const BLANK_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The size of the `rhcos-4` template's disk: 1 GiB, small enough for the recorded engine's
/// 7 GiB data domain to take a few copies.
pub const RHCOS_DISK_BYTES: u64 = 1 << 30;

/// What a new template is made of.
#[derive(Debug, Clone)]
pub struct TemplateSpec {
    /// Its name.
    pub name: String,
    /// The cluster it belongs to (`None` for `Blank`).
    pub cluster: Option<String>,
    /// Memory, bytes.
    pub memory: u64,
    /// Sockets, cores per socket, threads per core.
    pub topology: (u32, u32, u32),
    /// The OS type (`rhcos_x64`).
    pub os_type: String,
    /// One disk of this size, in this storage domain; `None` for no disk.
    pub disk: Option<(u64, String)>,
}

impl SimState {
    /// Adds a template (and its disk to the side table), without an event; returns its id.
    pub fn add_template(&mut self, spec: &TemplateSpec) -> String {
        let id = if spec.name == "Blank" {
            BLANK_ID.to_string()
        } else {
            derived_uuid(&[
                "template",
                &spec.name,
                spec.cluster.as_deref().unwrap_or(""),
            ])
        };
        let mut disks = Vec::new();
        if let Some((bytes, sd)) = &spec.disk {
            disks.push(template_disk(&id, &spec.name, *bytes, sd));
        }
        let (sockets, cores, threads) = spec.topology;
        let base = format!("{API}/templates/{id}");
        let mut t = json!({
            "name": spec.name,
            "description": "",
            "comment": "",
            "id": id,
            "href": base,
            "memory": spec.memory.to_string(),
            "cpu": {"architecture": "x86_64", "topology": {
                "sockets": sockets.to_string(),
                "cores": cores.to_string(),
                "threads": threads.to_string(),
            }},
            "os": {"type": spec.os_type, "boot": {"devices": {"device": ["hd"]}}},
            "bios": {"boot_menu": {"enabled": "false"}, "type": "q35_ovmf"},
            "status": "ok",
            "type": "server",
            "stateless": "false",
            "creation_time": now_ms(),
            "version": {"version_name": "base version", "version_number": "1"},
            "link": [
                {"href": format!("{base}/diskattachments"), "rel": "diskattachments"},
                {"href": format!("{base}/nics"), "rel": "nics"},
                {"href": format!("{base}/tags"), "rel": "tags"},
            ],
        });
        if let Some(cluster) = &spec.cluster {
            t["cluster"] = reference("clusters", cluster);
        }
        let attachments: Vec<Value> = disks
            .iter()
            .map(|d| {
                let did = d["id"].as_str().unwrap_or_default();
                json!({
                    "active": "true",
                    "bootable": "true",
                    "interface": "virtio_scsi",
                    "pass_discard": "false",
                    "read_only": "false",
                    "uses_scsi_reservation": "false",
                    "disk": reference("disks", did),
                    "template": reference("templates", &id),
                    "href": format!("{base}/diskattachments/{did}"),
                    "id": did,
                })
            })
            .collect();
        t["disk_attachments"] = if attachments.is_empty() {
            json!({})
        } else {
            json!({"disk_attachment": attachments})
        };
        self.writes.template_disks.insert(id.clone(), disks);
        self.set_quietly("templates", t);
        id
    }

    /// A template disk by id (the engine serves them under `disks/<id>` too).
    pub fn template_disk(&self, id: &str) -> Option<&Value> {
        self.writes
            .template_disks
            .values()
            .flatten()
            .find(|d| d["id"].as_str() == Some(id))
    }

    /// Gives the inventory its templates: `Blank`, and `rhcos-4` in the first cluster that
    /// has an up host (else the first cluster), its disk on a data domain of that cluster's
    /// data center (else any data domain).
    pub fn seed_templates(&mut self) {
        self.add_template(&TemplateSpec {
            name: "Blank".into(),
            cluster: None,
            memory: 1 << 30,
            topology: (1, 1, 1),
            os_type: "other".into(),
            disk: None,
        });
        let clusters: Vec<Value> = self
            .objects("clusters")
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default();
        let hosted = |c: &Value| {
            self.objects("hosts").is_some_and(|hs| {
                hs.values()
                    .any(|h| h["cluster"]["id"] == c["id"] && h["status"] == "up")
            })
        };
        let Some(cluster) = clusters
            .iter()
            .find(|c| hosted(c))
            .or(clusters.first())
            .cloned()
        else {
            return;
        };
        let domains: Vec<&Value> = self
            .objects("storagedomains")
            .map(|c| c.values().filter(|d| d["type"] == "data").collect())
            .unwrap_or_default();
        let in_dc = |d: &&&Value| {
            d["data_centers"]["data_center"]
                .as_array()
                .is_some_and(|dcs| {
                    dcs.iter()
                        .any(|dc| dc["id"] == cluster["data_center"]["id"])
                })
        };
        let sd = domains
            .iter()
            .find(in_dc)
            .or(domains.first())
            .and_then(|d| d["id"].as_str())
            .map(str::to_string);
        self.add_template(&TemplateSpec {
            name: "rhcos-4".into(),
            cluster: cluster["id"].as_str().map(str::to_string),
            memory: 16 << 30,
            topology: (1, 4, 1),
            os_type: "rhcos_x64".into(),
            disk: sd.map(|sd| (RHCOS_DISK_BYTES, sd)),
        });
    }
}

/// A template's disk in the `disks` wire form.
fn template_disk(template: &str, name: &str, bytes: u64, sd: &str) -> Value {
    let id = derived_uuid(&["template-disk", template]);
    json!({
        "actual_size": bytes.to_string(),
        "alias": format!("{name}_Disk1"),
        "name": format!("{name}_Disk1"),
        "description": "",
        "backup": "none",
        "content_type": "data",
        "format": "cow",
        "image_id": derived_uuid(&["image", &id]),
        "propagate_errors": "false",
        "provisioned_size": bytes.to_string(),
        "shareable": "false",
        "sparse": "true",
        "status": "ok",
        "storage_type": "image",
        "total_size": bytes.to_string(),
        "wipe_after_delete": "false",
        "storage_domains": {"storage_domain": [reference("storagedomains", sd)]},
        "href": format!("{API}/disks/{id}"),
        "id": id,
    })
}

/// The actions the engine offers on a VM.
const VM_ACTIONS: [&str; 8] = [
    "shutdown", "start", "stop", "suspend", "reboot", "migrate", "clone", "export",
];

/// The links of a VM's sub-collections.
const VM_LINKS: [&str; 8] = [
    "cdroms",
    "diskattachments",
    "nics",
    "reporteddevices",
    "snapshots",
    "tags",
    "watchdogs",
    "hostdevices",
];

/// A VM made from `template` in `cluster`, as the engine answers `POST vms`: the template's
/// memory, CPU and OS unless the request sets them, `image_locked`, every sub-collection
/// inlined (empty ones as `{}`).
pub(crate) fn new_vm(
    id: &str,
    name: &str,
    cluster: &Value,
    template: &Value,
    req: &Value,
    attachments: Vec<Value>,
) -> Value {
    let base = format!("{API}/vms/{id}");
    let template_id = template["id"].as_str().unwrap_or(BLANK_ID);
    let memory = match &req["memory"] {
        Value::String(m) => m.clone(),
        Value::Number(n) => n.to_string(),
        _ => template["memory"]
            .as_str()
            .unwrap_or("1073741824")
            .to_string(),
    };
    let topology = if req["cpu"]["topology"].is_object() {
        let t = &req["cpu"]["topology"];
        let part = |k: &str| match &t[k] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "1".to_string(),
        };
        json!({"sockets": part("sockets"), "cores": part("cores"), "threads": part("threads")})
    } else {
        template["cpu"]["topology"].clone()
    };
    let rel = |r: &&str| json!({"href": format!("{base}/{r}"), "rel": r});
    let mut vm = json!({
        "next_run_configuration_exists": "false",
        "status": "image_locked",
        "stop_reason": "",
        "original_template": reference("templates", template_id),
        "template": reference("templates", template_id),
        "actions": {"link": VM_ACTIONS.iter().map(rel).collect::<Vec<_>>()},
        "name": name,
        "description": req["description"].as_str().unwrap_or(""),
        "comment": req["comment"].as_str().unwrap_or(""),
        "href": base,
        "id": id,
        "bios": template["bios"].clone(),
        "cpu": {"architecture": "x86_64", "topology": topology},
        "display": {
            "allow_override": "false", "copy_paste_enabled": "true",
            "disconnect_action": "LOCK_SCREEN", "file_transfer_enabled": "true",
            "monitors": "1", "smartcard_enabled": "false", "type": "vnc",
        },
        "io": {"threads": "1"},
        "memory": memory,
        "memory_policy": {"ballooning": "false", "guaranteed": memory, "max": memory},
        "migration": {"auto_converge": "inherit", "compressed": "inherit", "encrypted": "inherit"},
        "origin": "ovirt",
        "os": {"boot": {"devices": {"device": ["hd"]}}, "type": template["os"]["type"].clone()},
        "sso": {"methods": {"method": [{"id": "guest_agent"}]}},
        "stateless": "false",
        "type": "server",
        "usb": {"enabled": "false"},
        "cluster": reference("clusters", cluster["id"].as_str().unwrap_or_default()),
        "link": VM_LINKS.iter().map(rel).collect::<Vec<_>>(),
    });
    // In two parts: one `json!` this long passes the macro's recursion limit.
    let more = json!({
        "cpu_shares": "0",
        "creation_time": now_ms(),
        "delete_protected": "false",
        "high_availability": {"enabled": "false", "priority": "0"},
        "migration_downtime": "-1",
        "multi_queues_enabled": "true",
        "placement_policy": {"affinity": "migratable"},
        "start_paused": "false",
        "storage_error_resume_behaviour": "auto_resume",
        "time_zone": {"name": "Etc/GMT"},
        "virtio_scsi_multi_queues_enabled": "false",
        "cdroms": {"cdrom": [{"href": format!("{base}/cdroms/{BLANK_ID}"), "id": BLANK_ID, "vm": reference("vms", id)}]},
        "disk_attachments": if attachments.is_empty() { json!({}) } else { json!({"disk_attachment": attachments}) },
        "host_devices": {},
        "nics": {},
        "snapshots": {},
        "watchdogs": {},
        "tags": {},
    });
    if let (Some(vm), Value::Object(more)) = (vm.as_object_mut(), more) {
        vm.extend(more);
    }
    if req["initialization"].is_object() {
        vm["initialization"] = req["initialization"].clone();
    }
    vm
}
