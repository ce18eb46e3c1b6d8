//! What people ask of the machines (through the API, the pages and the CLI): declare and
//! retire classes, machines and sets. Each command checks its input, writes the wanted state
//! to the store in one transaction, and returns; the controller does the engine work.

use serde::{Deserialize, Serialize};

use super::codes::{Code, MachineError};
use super::model::{Machine, MachineClass, MachineSet, StoredClass};
use crate::config::Config;
use crate::store::{Store, StoreError};

/// Where a class was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClassSource {
    /// `[[machines.classes]]` in the config file (changed by editing it).
    Config,
    /// Made through the API or the pages.
    Api,
}

/// A class and where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClassEntry {
    /// The class.
    #[serde(flatten)]
    pub class: MachineClass,
    /// Where it was declared.
    pub source: ClassSource,
}

/// Every class: the config's, then those made through the API (a config class shadows a
/// stored one of the same name).
pub fn classes(config: &Config, store: &Store) -> Result<Vec<ClassEntry>, StoreError> {
    let mut out: Vec<ClassEntry> = config
        .machines
        .classes
        .iter()
        .map(|c| ClassEntry {
            class: c.clone(),
            source: ClassSource::Config,
        })
        .collect();
    for (_, stored) in store.read()?.list::<StoredClass>()? {
        if !out.iter().any(|e| e.class.name == stored.value.0.name) {
            out.push(ClassEntry {
                class: stored.value.0,
                source: ClassSource::Api,
            });
        }
    }
    out.sort_by(|a, b| a.class.name.cmp(&b.class.name));
    Ok(out)
}

/// One class by name.
pub fn class(config: &Config, store: &Store, name: &str) -> Result<Option<ClassEntry>, StoreError> {
    Ok(classes(config, store)?
        .into_iter()
        .find(|e| e.class.name == name))
}

/// Why a command was refused.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    Invalid(String),
    /// What it names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It conflicts with what exists.
    #[error("{0}")]
    Conflict(String),
    /// It deletes machines that were not confirmed; the message names them.
    #[error("{message}")]
    Unconfirmed {
        /// What to tell people.
        message: String,
        /// The machines it would delete.
        deletes: Vec<String>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MachineError> for CommandError {
    fn from(e: MachineError) -> Self {
        CommandError::Invalid(e.message)
    }
}

/// A machine's name is its VM's and its guest's host name: a DNS label. A set's machines
/// are named `<set>-<5 characters>`, so a set's name leaves room for that.
fn check_host_name(what: &str, name: &str, max: usize) -> Result<(), CommandError> {
    match crate::machines::model::dns_label_problem(name, max) {
        None => Ok(()),
        Some(why) => Err(CommandError::Invalid(format!(
            "{what} name {name:?}: {why}"
        ))),
    }
}

/// Makes a class through the API.
pub fn create_class(
    config: &Config,
    store: &Store,
    class: MachineClass,
) -> Result<(), CommandError> {
    class.check()?;
    if !config.providers.iter().any(|p| p.name == class.provider) {
        return Err(CommandError::Invalid(format!(
            "no provider is named {:?}",
            class.provider
        )));
    }
    if self::class(config, store, &class.name)?.is_some() {
        return Err(CommandError::Conflict(format!(
            "a class named {} exists",
            class.name
        )));
    }
    let mut txn = store.write()?;
    txn.upsert(&class.name.clone(), &StoredClass(class))?;
    txn.commit()?;
    Ok(())
}

/// Removes a class made through the API, when no machine or set uses it.
pub fn delete_class(config: &Config, store: &Store, name: &str) -> Result<(), CommandError> {
    match self::class(config, store, name)? {
        None => return Err(CommandError::NotFound(format!("no class named {name}"))),
        Some(e) if e.source == ClassSource::Config => {
            return Err(CommandError::Conflict(format!(
                "class {name} is declared in the config file; remove it there"
            )));
        }
        Some(_) => {}
    }
    let mut txn = store.write()?;
    let used = !txn_ids::<Machine>(&txn, name)?.is_empty()
        || !txn_ids::<MachineSet>(&txn, name)?.is_empty();
    if used {
        return Err(CommandError::Conflict(format!(
            "class {name} is used by machines or sets; delete them first"
        )));
    }
    txn.delete::<StoredClass>(name)?;
    txn.commit()?;
    Ok(())
}

fn txn_ids<T: crate::store::Record>(
    txn: &crate::store::WriteTxn,
    class: &str,
) -> Result<Vec<String>, StoreError> {
    txn.ids_by::<T>("class", class)
}

/// Declares a machine of `class` (not in a set).
pub fn create_machine(
    config: &Config,
    store: &Store,
    name: &str,
    class: &str,
) -> Result<Machine, CommandError> {
    check_host_name("machine", name, 63)?;
    if self::class(config, store, class)?.is_none() {
        return Err(CommandError::NotFound(format!("no class named {class}")));
    }
    let mut txn = store.write()?;
    if txn.get::<Machine>(name)?.is_some() {
        return Err(CommandError::Conflict(format!(
            "a machine named {name} exists"
        )));
    }
    let machine = Machine::new(name, class, None, jiff::Timestamp::now());
    txn.upsert(name, &machine)?;
    txn.commit()?;
    Ok(machine)
}

/// Asks for a machine's deletion (its VM goes first, then the record).
pub fn delete_machine(store: &Store, name: &str) -> Result<(), CommandError> {
    let mut txn = store.write()?;
    let Some(mut m) = txn.get::<Machine>(name)?.map(|s| s.value) else {
        return Err(CommandError::NotFound(format!("no machine named {name}")));
    };
    if m.set.is_some() {
        // A set would make another one at once; deleting one of its machines is scaling.
        return Err(CommandError::Conflict(format!(
            "machine {name} belongs to set {}; scale the set instead",
            m.set.as_deref().unwrap_or_default()
        )));
    }
    if m.deletion_requested.is_none() {
        m.deletion_requested = Some(jiff::Timestamp::now());
        txn.upsert(name, &m)?;
    }
    txn.commit()?;
    Ok(())
}

/// Sets a machine's priority: the lower, the sooner it goes when its set shrinks.
pub fn set_priority(store: &Store, name: &str, priority: u8) -> Result<Machine, CommandError> {
    if !(1..=5).contains(&priority) {
        return Err(CommandError::Invalid(format!(
            "priority {priority}: it is 1 (goes first) to 5 (goes last), 3 by default"
        )));
    }
    let mut txn = store.write()?;
    let Some(mut m) = txn.get::<Machine>(name)?.map(|s| s.value) else {
        return Err(CommandError::NotFound(format!("no machine named {name}")));
    };
    m.priority = priority;
    txn.upsert(name, &m)?;
    txn.commit()?;
    Ok(m)
}

/// Declares a machine set.
pub fn create_set(
    config: &Config,
    store: &Store,
    name: &str,
    class: &str,
    replicas: u32,
) -> Result<MachineSet, CommandError> {
    // Its machines are named `<set>-<5 characters>`: 6 more than the set's name.
    check_host_name("set", name, 57)?;
    check_replicas(replicas)?;
    if self::class(config, store, class)?.is_none() {
        return Err(CommandError::NotFound(format!("no class named {class}")));
    }
    let mut txn = store.write()?;
    if txn.get::<MachineSet>(name)?.is_some() {
        return Err(CommandError::Conflict(format!("a set named {name} exists")));
    }
    let set = MachineSet {
        name: name.to_string(),
        class: class.to_string(),
        replicas,
        deleting: false,
        created_at: jiff::Timestamp::now(),
    };
    txn.upsert(name, &set)?;
    txn.commit()?;
    Ok(set)
}

/// The most machines one set may ask for.
pub const MAX_REPLICAS: u32 = 500;

fn check_replicas(replicas: u32) -> Result<(), CommandError> {
    if replicas > MAX_REPLICAS {
        return Err(CommandError::Invalid(format!(
            "replicas {replicas}: at most {MAX_REPLICAS}"
        )));
    }
    Ok(())
}

/// Changes how many machines a set wants.
///
/// A scale that deletes machines needs them confirmed: `confirm` must name exactly the
/// machines it deletes now (in the order the controller picks them, as
/// [`Scaled::deletes`] of a dry run says). Otherwise it is refused with their names, so
/// nobody deletes machines they did not see. A dry run changes nothing.
pub fn scale_set(
    store: &Store,
    name: &str,
    replicas: u32,
    confirm: Option<&[String]>,
    dry_run: bool,
) -> Result<Scaled, CommandError> {
    check_replicas(replicas)?;
    let mut txn = store.write()?;
    let Some(set) = txn.get::<MachineSet>(name)?.map(|s| s.value) else {
        return Err(CommandError::NotFound(format!("no set named {name}")));
    };
    if set.deleting {
        return Err(CommandError::Conflict(format!(
            "set {name} is being deleted"
        )));
    }
    let mut machines = Vec::new();
    for key in txn.ids_by::<Machine>("set", name)? {
        machines.extend(txn.get::<Machine>(&key)?.map(|m| m.value));
    }
    let mine: Vec<&Machine> = machines.iter().collect();
    let mut wanted = set.clone();
    wanted.replicas = replicas;
    // What the scale itself deletes: the plan's removals beyond what the set removes anyway
    // (a failed machine being replaced).
    let anyway = crate::machines::controller::sets::plan(&set, &mine).remove;
    let deletes: Vec<String> = crate::machines::controller::sets::plan(&wanted, &mine)
        .remove
        .into_iter()
        .filter(|m| !anyway.contains(m))
        .collect();
    if dry_run {
        return Ok(Scaled {
            set: wanted,
            deletes,
        });
    }
    let confirmed = |given: &[String]| {
        let (mut a, mut b) = (given.to_vec(), deletes.clone());
        a.sort();
        b.sort();
        a == b
    };
    if !deletes.is_empty() && !confirm.is_some_and(confirmed) {
        return Err(CommandError::Unconfirmed {
            message: format!(
                "scaling {name} to {replicas} deletes {}: confirm them to go ahead",
                deletes.join(", ")
            ),
            deletes,
        });
    }
    txn.upsert(name, &wanted)?;
    txn.commit()?;
    Ok(Scaled {
        set: wanted,
        deletes,
    })
}

/// A set as a scale leaves it (or would, for a dry run), and the machines it deletes.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scaled {
    /// The set.
    #[serde(flatten)]
    pub set: MachineSet,
    /// The machines the scale deletes, in the order the controller picks them.
    pub deletes: Vec<String>,
}

/// Asks for a set's deletion: its machines go, then the set.
pub fn delete_set(store: &Store, name: &str) -> Result<(), CommandError> {
    let mut txn = store.write()?;
    let Some(mut set) = txn.get::<MachineSet>(name)?.map(|s| s.value) else {
        return Err(CommandError::NotFound(format!("no set named {name}")));
    };
    if !set.deleting {
        set.deleting = true;
        txn.upsert(name, &set)?;
    }
    txn.commit()?;
    Ok(())
}

/// The contract code a refused command corresponds to (for the API's problem documents).
pub fn code_of(e: &CommandError) -> Code {
    match e {
        CommandError::Invalid(_) => Code::InvalidArgument,
        CommandError::NotFound(_) => Code::NotFound,
        CommandError::Conflict(_) => Code::AlreadyExists,
        CommandError::Unconfirmed { .. } => Code::FailedPrecondition,
        CommandError::Store(_) => Code::Internal,
    }
}
