//! Finding a machine's VM, and telling the class's VMs from everyone else's.
//!
//! A VM is ours when it carries both of the class's tags. One more case counts: a VM with
//! the machine's name and the class's marker comment but not (yet) both tags is one our own
//! create made and was cut off before tagging; create finishes its tagging rather than
//! leaving it to be neither adopted nor swept.

use serde_json::Value;

use super::OvirtDriver;
use crate::machines::codes::{Code, DriverResult, MachineError};
use crate::machines::driver::{MachineRef, vm_id};
use crate::machines::model::MachineClass;

/// The sub-collections read with every VM the driver looks at.
pub const FOLLOW: &str = "follow=tags,reported_devices";

/// What the driver needs of a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmView {
    /// The engine id.
    pub id: String,
    /// The name.
    pub name: String,
    /// `image_locked`, `down`, `powering_up`, `up`, ...
    pub status: String,
    /// Its tag names.
    pub tags: Vec<String>,
    /// Its comment (where the class marker goes).
    pub comment: String,
    /// The guest's IP addresses, untyped as the engine reports them.
    pub addresses: Vec<String>,
    /// The guest's FQDN, when its agent reports one.
    pub fqdn: Option<String>,
    /// When the engine made it (milliseconds since the epoch), when known.
    pub created_ms: Option<i64>,
}

impl VmView {
    /// Reads a VM object of the engine; `None` when it has no id.
    pub fn parse(v: &Value) -> Option<VmView> {
        let list = |v: &Value, key: &str| -> Vec<Value> {
            match &v[key] {
                Value::Array(a) => a.clone(),
                _ => Vec::new(),
            }
        };
        let tags = list(&v["tags"], "tag")
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect();
        let addresses = list(&v["reported_devices"], "reported_device")
            .iter()
            .flat_map(|d| list(&d["ips"], "ip"))
            .filter_map(|ip| ip["address"].as_str().map(str::to_string))
            .collect();
        let created_ms = match &v["creation_time"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        Some(VmView {
            id: v["id"].as_str()?.to_string(),
            name: v["name"].as_str().unwrap_or_default().to_string(),
            status: v["status"].as_str().unwrap_or_default().to_string(),
            tags,
            comment: v["comment"].as_str().unwrap_or_default().to_string(),
            addresses,
            fqdn: v["fqdn"]
                .as_str()
                .filter(|f| !f.is_empty())
                .map(str::to_string),
            created_ms,
        })
    }

    /// Its addresses, typed as MCM's `NodeAddress`.
    pub fn node_addresses(&self) -> Vec<crate::machines::driver::NodeAddress> {
        crate::machines::driver::addresses::node_addresses(
            &self.name,
            self.fqdn.as_deref(),
            &self.addresses,
        )
    }

    /// Whether it carries both of the class's tags.
    pub fn is_ours(&self, class: &MachineClass) -> bool {
        self.tags.contains(&class.tags.cluster) && self.tags.contains(&class.tags.role)
    }

    /// Whether our create made it (the marker comment), tags or not.
    pub fn is_marked(&self, class: &MachineClass) -> bool {
        self.comment == marker(class)
    }
}

/// The comment a create writes on the VM, before it is tagged.
pub fn marker(class: &MachineClass) -> String {
    format!(
        "vmyard machine of class {} ({}, {})",
        class.name, class.tags.cluster, class.tags.role
    )
}

/// A query string value, escaped.
pub fn escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The VMs of a list answer (`{"vm": [...]}`, or `{}` when none).
pub fn vms_of(answer: &Value) -> DriverResult<Vec<VmView>> {
    match &answer["vm"] {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => Ok(items.iter().filter_map(VmView::parse).collect()),
        other => Err(MachineError::new(
            Code::Internal,
            format!("the engine listed VMs as {other}, not a list"),
        )),
    }
}

impl OvirtDriver {
    /// The VMs named exactly `name`.
    pub(super) async fn vms_named(&self, name: &str) -> DriverResult<Vec<VmView>> {
        let answer = self
            .get(&format!(
                "vms?search={}&{FOLLOW}",
                escape(&format!("name={name}"))
            ))
            .await?;
        Ok(vms_of(&answer)?
            .into_iter()
            .filter(|v| v.name == name)
            .collect())
    }

    /// The VM with engine id `id`, or `None` when the engine says it does not exist.
    pub(super) async fn vm_by_id(&self, id: &str) -> DriverResult<Option<VmView>> {
        match self.get(&format!("vms/{}?{FOLLOW}", escape(id))).await {
            Ok(v) => VmView::parse(&v).map(Some).ok_or_else(|| {
                MachineError::new(Code::Internal, format!("the engine's VM {id} has no id"))
            }),
            Err(e) if e.code == Code::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The machine's VM among the class's: by provider id when it has one, else by name.
    /// `None` when there is none; OutOfRange when several match.
    pub(super) async fn find(
        &self,
        machine: &MachineRef,
        class: &MachineClass,
    ) -> DriverResult<Option<VmView>> {
        if let Some(pid) = &machine.provider_id {
            let id = vm_id(pid).ok_or_else(|| {
                MachineError::new(
                    Code::InvalidArgument,
                    format!("{pid:?} is not an oVirt provider id (ovirt://<uuid>)"),
                )
            })?;
            return Ok(self.vm_by_id(id).await?.filter(|v| v.is_ours(class)));
        }
        let mut ours: Vec<VmView> = self
            .vms_named(&machine.name)
            .await?
            .into_iter()
            .filter(|v| v.is_ours(class))
            .collect();
        match ours.len() {
            0 => Ok(None),
            1 => Ok(ours.pop()),
            n => Err(MachineError::new(
                Code::OutOfRange,
                format!(
                    "{n} VMs named {} carry the tags of class {}",
                    machine.name, class.name
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_tags_addresses_and_status() {
        let vm = VmView::parse(&json!({
            "id": "v1", "name": "m-1", "status": "up", "comment": "c",
            "creation_time": "1700000000000",
            "tags": {"tag": [{"name": "kubernetes.io-cluster-a"}, {"name": "kubernetes.io-role-w"}]},
            "reported_devices": {"reported_device": [
                {"ips": {"ip": [{"address": "10.0.0.5", "version": "v4"}, {"address": "fe80::1", "version": "v6"}]}}
            ]}
        }))
        .expect("parses");
        assert_eq!(vm.status, "up");
        assert_eq!(vm.addresses, ["10.0.0.5", "fe80::1"]);
        assert_eq!(vm.created_ms, Some(1_700_000_000_000));
        let none = VmView::parse(&json!({"id": "v2", "name": "x", "tags": {}})).expect("parses");
        assert!(none.tags.is_empty() && none.addresses.is_empty());
        assert!(VmView::parse(&json!({"name": "no id"})).is_none());
        assert!(vms_of(&json!({})).expect("empty").is_empty());
        assert_eq!(
            vms_of(&json!({"vm": "x"})).unwrap_err().code,
            Code::Internal
        );
    }
}
