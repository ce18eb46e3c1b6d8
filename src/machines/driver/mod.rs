//! The machine-driver contract: the seven methods a machine controller calls, with typed
//! requests and responses, and the oVirt implementation of them.
//!
//! The contract's "secret" (credentials) is not passed per call: a driver is made for one
//! configured engine and holds that engine's credentials, which never leave the config.

pub mod addresses;
pub mod migrate;
pub mod ovirt;
pub mod volumes;

use std::collections::BTreeMap;
use std::future::Future;

use serde::{Deserialize, Serialize};

pub use super::codes::{Code, DriverResult, MachineError};
use super::model::MachineClass;
pub use addresses::{AddressType, NodeAddress};

/// The machine a call is about: its name and, once known, its provider id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MachineRef {
    /// The machine name (= VM name = guest host name).
    pub name: String,
    /// `ovirt://<vm uuid>`, when the machine has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// The request of CreateMachine, InitializeMachine, DeleteMachine and GetMachineStatus.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MachineRequest {
    /// The machine.
    pub machine: MachineRef,
    /// Its class.
    pub class: MachineClass,
}

/// CreateMachine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateMachineResponse {
    /// `ovirt://<vm uuid>`.
    pub provider_id: String,
    /// The node name (the machine name).
    pub node_name: String,
    /// The VM's state when the call ended.
    pub last_known_state: String,
    /// The machine's addresses, typed as MCM's `NodeAddress` (the host name at least).
    pub addresses: Vec<NodeAddress>,
}

/// InitializeMachine's and GetMachineStatus's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MachineStatusResponse {
    /// `ovirt://<vm uuid>`.
    pub provider_id: String,
    /// The node name.
    pub node_name: String,
    /// The machine's addresses, typed as MCM's `NodeAddress` (see [`addresses`]).
    pub addresses: Vec<NodeAddress>,
    /// The VM's state (`up`, `down`, ...).
    pub state: String,
}

/// DeleteMachine's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeleteMachineResponse {
    /// The VM's state when the call ended (`deleted` when it is gone).
    pub last_known_state: String,
}

/// ListMachines's answer: provider id → machine name, for every VM the class could have made.
pub type MachineList = BTreeMap<String, String>;

/// One persistent volume spec, as much of it as GetVolumeIDs reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VolumeSpec {
    /// The CSI source, when the volume is a CSI volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CsiVolume>,
}

/// A CSI volume source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CsiVolume {
    /// The CSI driver name (`csi.ovirt.org` for oVirt disks).
    pub driver: String,
    /// The volume handle (the oVirt disk id).
    #[serde(rename = "volumeHandle")]
    pub volume_handle: String,
}

/// A machine class of another controller, to convert.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ForeignClass {
    /// Its kind (`OvirtMachineProviderSpec`, ...).
    pub kind: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its provider spec, as that controller writes it.
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
}

/// The contract's methods. Every error carries a contract code.
pub trait Driver: Send + Sync {
    /// Makes the machine's VM, or adopts a VM that already has its name and the class's
    /// tags. Never makes a second VM for one machine.
    fn create_machine(
        &self,
        req: &MachineRequest,
    ) -> impl Future<Output = DriverResult<CreateMachineResponse>> + Send;

    /// The one-off work after create: waits out the image lock, starts the VM and waits
    /// for it to come up.
    fn initialize_machine(
        &self,
        req: &MachineRequest,
    ) -> impl Future<Output = DriverResult<MachineStatusResponse>> + Send;

    /// Removes the machine's VM, by provider id when it has one; OK when it is gone; never
    /// touches a VM without the class's tags.
    fn delete_machine(
        &self,
        req: &MachineRequest,
    ) -> impl Future<Output = DriverResult<DeleteMachineResponse>> + Send;

    /// Reads the machine's VM: NotFound when absent, OutOfRange when several match,
    /// Uninitialized while it is not up yet.
    fn get_machine_status(
        &self,
        req: &MachineRequest,
    ) -> impl Future<Output = DriverResult<MachineStatusResponse>> + Send;

    /// Every VM the class could have made (found by its tags), and only those.
    fn list_machines(
        &self,
        class: &MachineClass,
    ) -> impl Future<Output = DriverResult<MachineList>> + Send;

    /// The oVirt disk ids of the CSI volumes of `csi.ovirt.org`; nothing for the others.
    fn get_volume_ids(&self, specs: &[VolumeSpec]) -> DriverResult<Vec<String>> {
        Ok(volumes::volume_ids(specs))
    }

    /// Converts another controller's oVirt machine class into a vmyard class.
    fn generate_machine_class_for_migration(
        &self,
        foreign: &ForeignClass,
        provider: &str,
    ) -> DriverResult<MachineClass> {
        migrate::convert(foreign, provider)
    }
}

/// The provider id of a VM.
pub fn provider_id(vm_id: &str) -> String {
    format!("ovirt://{vm_id}")
}

/// The VM id in a provider id, if it is one of ours.
pub fn vm_id(provider_id: &str) -> Option<&str> {
    provider_id
        .strip_prefix("ovirt://")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}
