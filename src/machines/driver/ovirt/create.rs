//! CreateMachine: look up by name first, adopt what is ours, refuse a name taken by a VM
//! that is not, and only then create, from the class's template in its cluster, then give
//! the VM its NIC and its two tags.
//!
//! The VM is created with the class's marker comment, so a create cut off between the
//! engine's answer and the tagging is finished by the next call rather than duplicated.

use serde_json::{Value, json};

use super::OvirtDriver;
use super::lookup::{VmView, escape, marker};
use crate::machines::codes::{Code, DriverResult, MachineError};
use crate::machines::driver::{CreateMachineResponse, MachineRequest, provider_id};
use crate::machines::model::{MachineClass, valid_name};

pub(super) async fn create_machine(
    d: &OvirtDriver,
    req: &MachineRequest,
) -> DriverResult<CreateMachineResponse> {
    let class = &req.class;
    let name = &req.machine.name;
    class.check()?;
    if !valid_name(name) {
        return Err(MachineError::new(
            Code::InvalidArgument,
            format!("{name:?} cannot be a VM and host name"),
        ));
    }
    let named = d.vms_named(name).await?;
    let ours: Vec<&VmView> = named.iter().filter(|v| v.is_ours(class)).collect();
    if ours.len() > 1 {
        return Err(MachineError::new(
            Code::OutOfRange,
            format!(
                "{} VMs named {name} carry the tags of class {}",
                ours.len(),
                class.name
            ),
        ));
    }
    if let Some(vm) = ours.first() {
        return Ok(answer(vm));
    }
    if let Some(vm) = named.iter().find(|v| v.is_marked(class)) {
        // Our own create, cut off before it was finished.
        d.give_nic(&vm.id, class).await?;
        d.tag_vm(&vm.id, class).await?;
        return Ok(answer(vm));
    }
    if !named.is_empty() {
        return Err(MachineError::new(
            Code::AlreadyExists,
            format!(
                "a VM named {name} exists without the tags of class {}; it is left alone",
                class.name
            ),
        ));
    }
    d.ensure_tags(class).await?;
    let body = d.vm_body(name, class).await?;
    let created = d.post(&format!("vms?clone={}", class.clone), &body).await?;
    let vm = VmView::parse(&created).ok_or_else(|| {
        MachineError::new(Code::Internal, "the engine created a VM without an id")
    })?;
    d.give_nic(&vm.id, class).await?;
    d.tag_vm(&vm.id, class).await?;
    Ok(answer(&vm))
}

fn answer(vm: &VmView) -> CreateMachineResponse {
    CreateMachineResponse {
        provider_id: provider_id(&vm.id),
        node_name: vm.name.clone(),
        last_known_state: vm.status.clone(),
        addresses: vm.node_addresses(),
    }
}

/// `{"id": x}` for an engine id, `{"name": x}` for anything else.
fn reference(x: &str) -> Value {
    let is_uuid = x.len() == 36
        && x.chars().enumerate().all(|(i, c)| {
            matches!(i, 8 | 13 | 18 | 23) == (c == '-') && (c == '-' || c.is_ascii_hexdigit())
        });
    if is_uuid {
        json!({ "id": x })
    } else {
        json!({ "name": x })
    }
}

/// The names in a list of tags (`{"tag": [...]}`, or `{}` when none).
fn tag_names(list: &Value) -> Vec<&str> {
    list["tag"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect()
}

/// Treats "already there" as done: tags and attachments race with other creates.
fn done_if_exists(r: DriverResult<Value>) -> DriverResult<()> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.code, Code::Aborted | Code::AlreadyExists) => Ok(()),
        Err(e) => Err(e),
    }
}

impl OvirtDriver {
    /// The body of `POST vms` for machine `name`.
    async fn vm_body(&self, name: &str, class: &MachineClass) -> DriverResult<Value> {
        let mut body = json!({
            "name": name,
            "comment": marker(class),
            "cluster": reference(&class.cluster),
            "template": reference(&class.template),
            "initialization": {"host_name": name},
        });
        if let Some(script) = class.user_data_for(name) {
            body["initialization"]["custom_script"] = json!(script);
        }
        if let Some(mib) = class.memory_mib {
            let bytes = mib.checked_mul(1 << 20).ok_or_else(|| {
                MachineError::new(
                    Code::InvalidArgument,
                    format!("memory_mib {mib} does not fit in bytes"),
                )
            })?;
            body["memory"] = json!(bytes.to_string());
        }
        if let Some(cpu) = class.cpu {
            body["cpu"] = json!({"topology": {
                "sockets": cpu.sockets.to_string(),
                "cores": cpu.cores.to_string(),
                "threads": cpu.threads.to_string(),
            }});
        }
        if let Some(sd) = &class.storage_domain {
            let disks = self.template_disks(&class.template).await?;
            let attachments: Vec<Value> = disks
                .iter()
                .map(|id| {
                    json!({"disk": {
                        "id": id,
                        "format": if class.clone { "raw" } else { "cow" },
                        "storage_domains": {"storage_domain": [reference(sd)]},
                    }})
                })
                .collect();
            if !attachments.is_empty() {
                body["disk_attachments"] = json!({ "disk_attachment": attachments });
            }
        }
        Ok(body)
    }

    /// The disk ids of a template (by name or id), to place its copies.
    async fn template_disks(&self, template: &str) -> DriverResult<Vec<String>> {
        let reference = reference(template);
        let tpl = if let Some(id) = reference["id"].as_str() {
            self.get(&format!("templates/{id}?follow=disk_attachments"))
                .await?
        } else {
            let list = self
                .get(&format!(
                    "templates?search={}&follow=disk_attachments",
                    escape(&format!("name={template}"))
                ))
                .await?;
            list["template"]
                .as_array()
                .and_then(|a| a.iter().find(|t| t["name"].as_str() == Some(template)))
                .cloned()
                .ok_or_else(|| {
                    MachineError::new(
                        Code::NotFound,
                        format!("the engine has no template {template}"),
                    )
                })?
        };
        Ok(tpl["disk_attachments"]["disk_attachment"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["disk"]["id"].as_str().or(a["id"].as_str()))
            .map(str::to_string)
            .collect())
    }

    /// Makes the class's two tags where the engine lacks them.
    async fn ensure_tags(&self, class: &MachineClass) -> DriverResult<()> {
        let have = self.get("tags").await?;
        let names = tag_names(&have);
        for tag in [&class.tags.cluster, &class.tags.role] {
            if !names.contains(&tag.as_str()) {
                done_if_exists(
                    self.post(
                        "tags",
                        &json!({"name": tag, "description": "marks the VMs of vmyard machines"}),
                    )
                    .await,
                )?;
            }
        }
        Ok(())
    }

    /// Puts the class's two tags on VM `id`.
    async fn tag_vm(&self, id: &str, class: &MachineClass) -> DriverResult<()> {
        let have = self.get(&format!("vms/{id}/tags")).await?;
        let names = tag_names(&have);
        for tag in [&class.tags.cluster, &class.tags.role] {
            if !names.contains(&tag.as_str()) {
                done_if_exists(
                    self.post(&format!("vms/{id}/tags"), &json!({ "name": tag }))
                        .await,
                )?;
            }
        }
        Ok(())
    }

    /// Gives VM `id` a NIC on the class's vNIC profile, unless it has one on it already.
    async fn give_nic(&self, id: &str, class: &MachineClass) -> DriverResult<()> {
        let Some(profile) = &class.vnic_profile else {
            return Ok(());
        };
        let nics = self.get(&format!("vms/{id}/nics")).await?;
        let on_profile = nics["nic"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n["vnic_profile"]["id"].as_str() == Some(profile.as_str()));
        if on_profile {
            return Ok(());
        }
        self.post(
            &format!("vms/{id}/nics"),
            &json!({"name": "nic1", "interface": "virtio", "vnic_profile": {"id": profile}}),
        )
        .await
        .map_err(|e| {
            if e.code == Code::NotFound {
                MachineError::new(
                    Code::InvalidArgument,
                    format!("class {}: vNIC profile {profile} not found", class.name),
                )
            } else {
                e
            }
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_told_apart() {
        assert_eq!(
            reference("b0c5d6e2-1111-4c1e-9d5e-7f0a0c1d2e3f"),
            json!({"id": "b0c5d6e2-1111-4c1e-9d5e-7f0a0c1d2e3f"})
        );
        assert_eq!(reference("Default"), json!({"name": "Default"}));
        assert_eq!(
            reference("b0c5d6e2x1111-4c1e-9d5e-7f0a0c1d2e3f"),
            json!({"name": "b0c5d6e2x1111-4c1e-9d5e-7f0a0c1d2e3f"})
        );
    }
}
