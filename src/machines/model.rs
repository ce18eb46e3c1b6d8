//! What the machine controller keeps: classes (how to make a VM), machines (one VM each)
//! and machine sets (so many machines of a class), with the phases and operations of
//! machines.md. Each is a [`Record`] in the store, so it survives a restart at any point.

use serde::{Deserialize, Serialize};

use super::codes::{Code, MachineError};
use crate::store::Record;

/// The most memory a class may give a VM, in MiB (16 TiB, above what oVirt allows a VM).
pub const MAX_MEMORY_MIB: u64 = 16 * 1024 * 1024;
/// The most vCPUs (sockets × cores × threads) a class may give a VM.
pub const MAX_VCPUS: u32 = 4096;

// The class's schema belongs to the config file that declares classes; the controller's
// rules for it are here.
pub use crate::config::machines::{CpuTopology, MachineClass, MachineTags};

impl MachineClass {
    /// Checks what the engine cannot: names, tags and sizes.
    pub fn check(&self) -> Result<(), MachineError> {
        let bad = |why: String| Err(MachineError::new(Code::InvalidArgument, why));
        for (what, value) in [
            ("name", &self.name),
            ("provider", &self.provider),
            ("cluster", &self.cluster),
            ("template", &self.template),
        ] {
            if value.trim().is_empty() {
                return bad(format!("class {:?} has no {what}", self.name));
            }
        }
        if !valid_name(&self.name) {
            return bad(format!(
                "class name {:?}: use letters, digits, '-', '_' and '.'",
                self.name
            ));
        }
        if self.tags.cluster.trim().is_empty() || self.tags.role.trim().is_empty() {
            return bad(format!(
                "class {:?} needs both a cluster tag and a role tag: they are how its VMs are told from others",
                self.name
            ));
        }
        if self.tags.cluster == self.tags.role {
            return bad(format!(
                "class {:?}: the cluster tag and the role tag must differ",
                self.name
            ));
        }
        if let Some((field, why)) = self.out_of_range() {
            return bad(format!("class {:?}: {field}: {why}", self.name));
        }
        Ok(())
    }

    /// The first number out of the engine's range, as `(field, why)`: memory from 1 MiB to
    /// [`MAX_MEMORY_MIB`], each topology figure above 0 and their product (the vCPUs) at
    /// most [`MAX_VCPUS`], computed without overflow.
    pub fn out_of_range(&self) -> Option<(&'static str, String)> {
        if let Some(mib) = self.memory_mib
            && !(1..=MAX_MEMORY_MIB).contains(&mib)
        {
            return Some((
                "memory_mib",
                format!("{mib} is out of range: 1 to {MAX_MEMORY_MIB} (16 TiB)"),
            ));
        }
        if let Some(cpu) = self.cpu {
            for (field, n) in [
                ("cpu.sockets", cpu.sockets),
                ("cpu.cores", cpu.cores),
                ("cpu.threads", cpu.threads),
            ] {
                if n == 0 {
                    return Some((field, "must be above 0".into()));
                }
            }
            let vcpus = cpu
                .sockets
                .checked_mul(cpu.cores)
                .and_then(|n| n.checked_mul(cpu.threads));
            if vcpus.is_none_or(|n| n > MAX_VCPUS) {
                return Some((
                    "cpu",
                    format!(
                        "{} × {} × {} vCPUs is more than {MAX_VCPUS}",
                        cpu.sockets, cpu.cores, cpu.threads
                    ),
                ));
            }
        }
        None
    }

    /// The user data for one machine.
    pub fn user_data_for(&self, machine: &str) -> Option<String> {
        self.user_data
            .as_ref()
            .map(|u| u.replace("<<MACHINE_NAME>>", machine))
    }
}

/// Whether a name can be a machine, set or class name (it becomes a VM and host name).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with(['-', '.'])
}

/// What is wrong with `name` as a machine's name, which is also its VM's name and its
/// guest's host name: a DNS label (RFC 1123), lower-case letters, digits and '-', 1 to
/// `max` characters, starting and ending with a letter or digit. `None` when it is one.
pub fn dns_label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() || name.len() > max {
        return Some(format!("use 1 to {max} characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "{c:?} is not allowed: a host name takes lower-case letters, digits and '-'"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("a host name starts and ends with a letter or a digit".into());
    }
    None
}

/// Where a machine is in its life (machines.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Phase {
    /// Being created: no VM is known yet. The API writes it as MCM does, `""`.
    #[default]
    #[serde(rename = "")]
    Creating,
    /// The VM exists and is being initialized.
    Pending,
    /// The VM is up but its guest has not reported an address yet: MCM's "present on the
    /// provider, not yet joined". A guest without the oVirt guest agent stays here; it is
    /// not failed for that, since the agent is optional.
    Available,
    /// The VM is up and its guest reports its addresses.
    Running,
    /// Creation failed; it will be tried again after a back-off.
    CrashLoopBackOff,
    /// The VM is not up any more.
    Unknown,
    /// The creation or health timeout passed; the set replaces it.
    Failed,
    /// Being deleted.
    Terminating,
}

impl Phase {
    /// The phase as the pages, the API and the index write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Creating => "Creating",
            Phase::Pending => "Pending",
            Phase::Available => "Available",
            Phase::Running => "Running",
            Phase::CrashLoopBackOff => "CrashLoopBackOff",
            Phase::Unknown => "Unknown",
            Phase::Failed => "Failed",
            Phase::Terminating => "Terminating",
        }
    }

    /// Whether `name` names this phase: as the pages write it, or as the API does (`""` for
    /// Creating, MCM's empty phase).
    pub fn is_named(self, name: &str) -> bool {
        self.as_str() == name || (self == Phase::Creating && name.is_empty())
    }

    /// Every phase.
    pub const ALL: [Phase; 8] = [
        Phase::Creating,
        Phase::Pending,
        Phase::Available,
        Phase::Running,
        Phase::CrashLoopBackOff,
        Phase::Unknown,
        Phase::Failed,
        Phase::Terminating,
    ];
}

// Written by hand: the derive drops the empty name of Creating and documents "Creating",
// which is not what the API sends.
impl utoipa::PartialSchema for Phase {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let wire = Phase::ALL.map(|p| match serde_json::to_value(p) {
            Ok(serde_json::Value::String(name)) => name,
            _ => unreachable!("a unit variant serializes as its name"),
        });
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(wire))
            .description(Some(
                "Where a machine is in its life, in MCM's words; `\"\"` while it is being created (MCM's empty phase).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Phase {
    fn name() -> std::borrow::Cow<'static, str> {
        "MachinePhase".into()
    }
}

/// What kind of work an operation was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum OperationType {
    /// Making the VM.
    Create,
    /// Starting it and waiting for it to come up.
    Initialize,
    /// Checking it is still up.
    HealthCheck,
    /// Removing it.
    Delete,
}

/// How an operation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum OperationState {
    /// Under way.
    Processing,
    /// Done.
    Successful,
    /// It failed (see the code).
    Failed,
}

/// One step of a machine's history; the newest is its "last operation".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Operation {
    /// What was done.
    #[serde(rename = "type")]
    pub kind: OperationType,
    /// How it went.
    pub state: OperationState,
    /// What happened, for people.
    pub description: String,
    /// The driver's code when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Code>,
    /// When.
    #[schema(value_type = String)]
    pub at: jiff::Timestamp,
}

/// A declared machine: one VM, made from its class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Machine {
    /// The machine name, which is also the VM name and the guest host name.
    pub name: String,
    /// Its class.
    pub class: String,
    /// The set that owns it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    /// `ovirt://<vm uuid>` once the VM exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// The node name the driver gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// Its addresses, typed as MCM's `NodeAddress`, as the driver last reported them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<crate::machines::driver::NodeAddress>,
    /// Where it is in its life.
    pub phase: Phase,
    /// When it entered that phase (the timeouts count from here).
    #[schema(value_type = String)]
    pub phase_since: jiff::Timestamp,
    /// The VM state the driver last saw (`image_locked`, `down`, `up`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known_state: Option<String>,
    /// Operations, oldest first, the last [`HISTORY`] kept.
    #[serde(default)]
    pub history: Vec<Operation>,
    /// Consecutive failures, for the back-off.
    #[serde(default)]
    pub failures: u32,
    /// No driver call before this time (the back-off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub retry_after: Option<jiff::Timestamp>,
    /// Deletion was asked for at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub deletion_requested: Option<jiff::Timestamp>,
    /// When the machine was declared.
    #[schema(value_type = String)]
    pub created_at: jiff::Timestamp,
    /// Which machines of a set go first when it shrinks: the lower the sooner (MCM's
    /// machine priority annotation, 1 to 5, default 3).
    #[serde(default = "default_priority")]
    pub priority: u8,
}

/// MCM's default machine priority.
pub const DEFAULT_PRIORITY: u8 = 3;

fn default_priority() -> u8 {
    DEFAULT_PRIORITY
}

/// How many operations a machine's history keeps.
pub const HISTORY: usize = 50;

impl Machine {
    /// A new machine of `class`, not yet created.
    pub fn new(name: &str, class: &str, set: Option<&str>, now: jiff::Timestamp) -> Machine {
        Machine {
            name: name.to_string(),
            class: class.to_string(),
            set: set.map(str::to_string),
            provider_id: None,
            node_name: None,
            addresses: Vec::new(),
            phase: Phase::Creating,
            phase_since: now,
            last_known_state: None,
            history: Vec::new(),
            failures: 0,
            retry_after: None,
            deletion_requested: None,
            created_at: now,
            priority: DEFAULT_PRIORITY,
        }
    }

    /// The newest operation.
    pub fn last_operation(&self) -> Option<&Operation> {
        self.history.last()
    }

    /// Appends an operation, dropping the oldest beyond [`HISTORY`].
    pub fn record(&mut self, op: Operation) {
        self.history.push(op);
        if self.history.len() > HISTORY {
            let excess = self.history.len() - HISTORY;
            self.history.drain(..excess);
        }
    }

    /// Moves to `phase`, restarting its clock only when it changes.
    pub fn enter(&mut self, phase: Phase, now: jiff::Timestamp) {
        if self.phase != phase {
            self.phase = phase;
            self.phase_since = now;
        }
    }

    /// The error code of the last operation, if it failed.
    pub fn last_error(&self) -> Option<Code> {
        self.last_operation()
            .filter(|o| o.state == OperationState::Failed)
            .and_then(|o| o.error_code)
    }
}

impl Record for Machine {
    const KIND: &'static str = "machines.machine";

    fn index_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![
            ("class", self.class.clone()),
            ("phase", self.phase.as_str().to_string()),
        ];
        if let Some(set) = &self.set {
            keys.push(("set", set.clone()));
        }
        keys
    }
}

/// A machine class made through the API (classes of the config are not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredClass(pub MachineClass);

impl Record for StoredClass {
    const KIND: &'static str = "machines.class";
}

/// So many machines of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MachineSet {
    /// The set name; its machines are named `<set>-<suffix>`.
    pub name: String,
    /// The class of its machines.
    pub class: String,
    /// How many machines it wants.
    pub replicas: u32,
    /// Deletion was asked for: its machines go, then it goes.
    #[serde(default)]
    pub deleting: bool,
    /// When it was made.
    #[schema(value_type = String)]
    pub created_at: jiff::Timestamp,
}

impl Record for MachineSet {
    const KIND: &'static str = "machines.set";

    fn index_keys(&self) -> Vec<(&'static str, String)> {
        vec![("class", self.class.clone())]
    }
}
