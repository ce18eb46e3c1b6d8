//! `POST vms`: a VM made from a template. Its disks are copies (`clone=true`) or thin
//! `cow` layers of the template's, in the storage domains the request names, each taking
//! the template disk's size from its domain's `available`; it stays `image_locked` (disks
//! `locked`) until [`SimState::settle`] finishes the add.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::lifecycle::{API, Refusal, Step, USER, bytes_of, derived_uuid, reference};
use super::state::SimState;

impl SimState {
    /// `POST vms`: a VM from a template, `image_locked` while its disks are made, with
    /// event 34; `clone` copies the template's disks, otherwise they are thin `cow` layers.
    /// Returns the VM in wire form, sub-collections inlined.
    pub fn add_vm(&mut self, req: &Value, clone: bool) -> Result<Value, Refusal> {
        let name = req["name"].as_str().filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| Refusal::incomplete("Vm [name]"))?;
        if !req["cluster"].is_object() {
            return Err(Refusal::incomplete("Vm [cluster]"));
        }
        if !req["template"].is_object() {
            return Err(Refusal::incomplete("Vm [template]"));
        }
        let cluster = self.find_ref("clusters", &req["cluster"])?;
        let template = self.find_ref("templates", &req["template"])?;
        let taken = self
            .objects("vms")
            .is_some_and(|c| c.values().any(|v| v["name"].as_str() == Some(name)));
        if taken {
            return Err(Refusal::conflict(
                "Cannot add VM. The VM name is already in use, please choose a unique name and try again.",
            ));
        }
        let template_id = template["id"].as_str().unwrap_or_default().to_string();
        let vm_id = self.mint_id("vm", name);
        let plans = self.plan_disks(req, &template_id, clone)?;
        let mut made = Vec::new();
        let mut attachments = Vec::new();
        for (i, (source, sd, format)) in plans.into_iter().enumerate() {
            let size = bytes_of(&source["provisioned_size"]);
            let disk_id = self.mint_id("disk", &vm_id);
            let disk = new_disk(
                &source,
                &disk_id,
                &format!("{name}_Disk{}", i + 1),
                &sd,
                &format,
            );
            self.charge(&sd, size as i128);
            self.set_quietly("disks", disk);
            attachments.push(json!({
                "active": "true",
                "bootable": if i == 0 { "true" } else { "false" },
                "interface": "virtio_scsi",
                "pass_discard": "false",
                "read_only": "false",
                "uses_scsi_reservation": "false",
                "disk": reference("disks", &disk_id),
                "vm": reference("vms", &vm_id),
                "href": format!("{API}/vms/{vm_id}/diskattachments/{disk_id}"),
                "id": disk_id,
            }));
            made.push((disk_id, sd, size));
        }
        self.writes.vm_disks.insert(vm_id.clone(), made);
        let vm = super::templates::new_vm(&vm_id, name, &cluster, &template, req, attachments);
        let cluster_name = cluster["name"].as_str().unwrap_or_default();
        self.put_described(
            "vms",
            vm.clone(),
            34,
            &format!("VM {name} was created by {USER} in cluster {cluster_name}."),
        )
        .map_err(|e| Refusal::not_found(&e))?;
        let lock = self.writes.image_lock;
        self.schedule(&vm_id, Step::AddFinished, lock);
        Ok(vm)
    }

    /// For each template disk: the disk, the storage domain its copy goes to, its format;
    /// refuses when a domain lacks the space for all the copies it would take.
    fn plan_disks(
        &self,
        req: &Value,
        template: &str,
        clone: bool,
    ) -> Result<Vec<(Value, String, String)>, Refusal> {
        let empty = Vec::new();
        let asked = req["disk_attachments"]["disk_attachment"]
            .as_array()
            .unwrap_or(&empty);
        let disks = self
            .writes
            .template_disks
            .get(template)
            .cloned()
            .unwrap_or_default();
        for a in asked {
            let id = a["disk"]["id"].as_str().unwrap_or_default();
            if !disks.iter().any(|d| d["id"].as_str() == Some(id)) {
                return Err(Refusal::not_found(id));
            }
        }
        let mut plans = Vec::new();
        let mut need: HashMap<String, u64> = HashMap::new();
        for d in disks {
            let wanted = asked
                .iter()
                .find(|a| a["disk"]["id"] == d["id"])
                .map(|a| &a["disk"]);
            let sd = wanted
                .and_then(|w| w["storage_domains"]["storage_domain"][0]["id"].as_str())
                .or(d["storage_domains"]["storage_domain"][0]["id"].as_str())
                .unwrap_or_default()
                .to_string();
            let domain = self.find_ref("storagedomains", &json!({"id": sd}))?;
            let format = wanted
                .and_then(|w| w["format"].as_str())
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if clone {
                        d["format"].as_str().unwrap_or("cow").to_string()
                    } else {
                        "cow".to_string()
                    }
                });
            let total = need.entry(sd.clone()).or_default();
            *total += bytes_of(&d["provisioned_size"]);
            if bytes_of(&domain["available"]) < *total {
                let sd_name = domain["name"].as_str().unwrap_or(&sd);
                return Err(Refusal::conflict(&format!(
                    "Cannot add VM. Low disk space on Storage Domain {sd_name}."
                )));
            }
            plans.push((d, sd, format));
        }
        Ok(plans)
    }

    /// Takes `bytes` from a storage domain's `available` (gives them back when negative).
    pub(super) fn charge(&mut self, sd: &str, bytes: i128) {
        let Some(domain) = self
            .collections
            .get_mut("storagedomains")
            .and_then(|c| c.get_mut(sd))
        else {
            return;
        };
        for (key, sign) in [("available", -1), ("used", 1)] {
            if domain.get(key).is_some() {
                let v = (bytes_of(&domain[key]) as i128 + sign * bytes).max(0);
                domain[key] = Value::String(v.to_string());
            }
        }
    }

    fn set_disk_status(&mut self, vm: &str, status: &str) {
        let ids: Vec<String> = self
            .writes
            .vm_disks
            .get(vm)
            .map(|d| d.iter().map(|(id, _, _)| id.clone()).collect())
            .unwrap_or_default();
        if let Some(disks) = self.collections.get_mut("disks") {
            for id in ids {
                if let Some(d) = disks.get_mut(&id) {
                    d["status"] = json!(status);
                }
            }
        }
    }

    pub(super) fn finish_add(&mut self, id: &str) {
        let Ok(mut vm) = self.vm(id) else { return };
        if vm["status"] != "image_locked" {
            return;
        }
        vm["status"] = json!("down");
        self.set_disk_status(id, "ok");
        let name = vm["name"].as_str().unwrap_or_default().to_string();
        let _ = self.put_described(
            "vms",
            vm,
            53,
            &format!("VM {name} creation has been completed."),
        );
    }
}

/// A disk made for a new VM from a template disk: `locked` until the add finishes.
fn new_disk(source: &Value, id: &str, alias: &str, sd: &str, format: &str) -> Value {
    let mut disk = source.clone();
    let fields = [
        ("id", json!(id)),
        ("href", json!(format!("{API}/disks/{id}"))),
        ("name", json!(alias)),
        ("alias", json!(alias)),
        ("description", json!("")),
        ("image_id", json!(derived_uuid(&["image", id]))),
        ("format", json!(format)),
        (
            "sparse",
            json!(if format == "cow" { "true" } else { "false" }),
        ),
        ("status", json!("locked")),
        (
            "storage_domains",
            json!({"storage_domain": [reference("storagedomains", sd)]}),
        ),
        ("actions", json!({"link": []})),
        ("link", json!([])),
    ];
    for (k, v) in fields {
        disk[k] = v;
    }
    if let Some(m) = disk.as_object_mut() {
        // A template disk's profile and quota belong to its own domain.
        if source["storage_domains"]["storage_domain"][0]["id"].as_str() != Some(sd) {
            m.remove("disk_profile");
        }
    }
    disk
}
