//! `[machines]`: the machine controller's timeouts and pace, and machine classes declared in
//! the file (`[[machines.classes]]`), which apply on every valid edit like the rest.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Interval;

/// `[machines]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Machines {
    /// A machine not running this long after it was declared is Failed.
    pub creation_timeout: Interval,
    /// A machine whose VM is not up this long is Failed.
    pub health_timeout: Interval,
    /// How often a running machine's VM is checked.
    pub health_interval: Interval,
    /// How often the engine is searched for VMs of a class that no machine claims.
    pub sweep_interval: Interval,
    /// An unclaimed VM younger than this is left alone (its machine may be being created).
    pub orphan_min_age: Interval,
    /// After the engine has been unreachable this long, the controller freezes: no creates,
    /// no orphan deletes, no machine marked Failed, until it answers again.
    pub freeze_after: Interval,
    /// At most this many engine calls per second, per engine.
    pub calls_per_second: u32,
    /// One engine call may take this long.
    pub call_timeout: Interval,
    /// How long a driver call waits for a VM to unlock, come up or go down.
    pub wait: Interval,
    /// How often the VM is polled while waiting.
    pub poll: Interval,
    /// Classes declared here; they cannot be changed through the API.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<MachineClass>,
}

impl Default for Machines {
    fn default() -> Self {
        let s = |secs| Interval(Duration::from_secs(secs));
        Machines {
            creation_timeout: s(20 * 60),
            health_timeout: s(10 * 60),
            health_interval: s(30),
            sweep_interval: s(10 * 60),
            orphan_min_age: s(10 * 60),
            freeze_after: s(60),
            calls_per_second: 20,
            call_timeout: s(30),
            wait: s(120),
            poll: s(2),
            classes: Vec::new(),
        }
    }
}

/// The template's CPU topology for a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CpuTopology {
    /// Sockets.
    pub sockets: u32,
    /// Cores per socket.
    pub cores: u32,
    /// Threads per core.
    pub threads: u32,
}

impl Default for CpuTopology {
    fn default() -> Self {
        CpuTopology {
            sockets: 1,
            cores: 2,
            threads: 1,
        }
    }
}

/// The two engine tags that mark a VM as made by a class: only VMs carrying both are ever
/// listed, adopted or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineTags {
    /// The cluster tag, `kubernetes.io-cluster-<cluster>` by convention.
    pub cluster: String,
    /// The role tag, `kubernetes.io-role-<role>` by convention.
    pub role: String,
}

/// How to make the VM of a machine (`[[machines.classes]]` in the config, or made through
/// the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineClass {
    /// The class name, unique.
    pub name: String,
    /// The configured provider (engine) the VMs are made in.
    pub provider: String,
    /// The engine cluster, by name or id.
    pub cluster: String,
    /// The template, by name or id.
    pub template: String,
    /// Copy the template's disks (true) or make thin copy-on-write disks on it (false).
    #[serde(default)]
    pub clone: bool,
    /// CPU topology; the template's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuTopology>,
    /// Memory in MiB; the template's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// The vNIC profile of the first NIC, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnic_profile: Option<String>,
    /// The storage domain of the disks, by id; the template's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_domain: Option<String>,
    /// Cloud-init user data; `<<MACHINE_NAME>>` is replaced by the machine name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// Where a converted class found its user data in the other controller (a secret
    /// name); vmyard does not read it, `user_data` must be set before the class is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data_ref: Option<String>,
    /// The tags that mark the class's VMs.
    pub tags: MachineTags,
}
