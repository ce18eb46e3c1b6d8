//! `[machines]`: the machine controller's timeouts and pace, and machine classes declared in
//! the file (`[[machines.classes]]`), which apply on every valid edit like the rest.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Interval;
use crate::machines::model::MachineClass;

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
