//! `vmyard machine|machineset|machineclass ...` (through a running service), and
//! `vmyard driver <method>`, which calls one driver method directly against the engine
//! of the config, so other controllers and scripts can use the driver on its own.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::ClientArgs;
use super::client::Client;
use super::output::{self, Format, Rows};
use crate::machines::commands::{ClassEntry, Scaled};
use crate::machines::driver::ovirt::OvirtDriver;
use crate::machines::driver::{Driver, ForeignClass, MachineRef, MachineRequest, VolumeSpec};
use crate::machines::model::{MachineClass, MachineSet};
use crate::web::api::machines::{ControllerView, MachineView, NewMachine, NewSet, Scale};
use crate::web::read::machines::SetView;

/// `vmyard machine ...`.
#[derive(Debug, Subcommand)]
pub(super) enum MachineCommand {
    /// List machines with their phase and last operation.
    Ls {
        /// Only machines of this set.
        #[arg(long)]
        set: Option<String>,
        /// Only machines of this class.
        #[arg(long)]
        class: Option<String>,
    },
    /// Show one machine with its history.
    Show {
        /// The machine.
        name: String,
    },
    /// Declare a machine; the controller creates its VM.
    Create {
        /// The machine (also the VM and host name).
        name: String,
        /// Its class.
        #[arg(long)]
        class: String,
    },
    /// Delete a machine and its VM.
    Delete {
        /// The machine.
        name: String,
    },
    /// The controller's state: engines (frozen or not) and the last orphan sweep.
    Controller,
}

/// `vmyard machineset ...`.
#[derive(Debug, Subcommand)]
pub(super) enum SetCommand {
    /// List sets with replicas wanted and ready.
    Ls,
    /// Show one set.
    Show {
        /// The set.
        name: String,
    },
    /// Declare a set.
    Create {
        /// The set; its machines are named `<set>-<suffix>`.
        name: String,
        /// The class of its machines.
        #[arg(long)]
        class: String,
        /// How many machines.
        #[arg(long)]
        replicas: u32,
    },
    /// Change how many machines a set wants. A scale down names the machines it deletes
    /// and asks first.
    Scale {
        /// The set.
        name: String,
        /// How many machines.
        #[arg(long)]
        replicas: u32,
        /// Delete the machines a scale down picks without asking.
        #[arg(long, short)]
        yes: bool,
    },
    /// Delete a set and its machines.
    Delete {
        /// The set.
        name: String,
    },
}

/// `vmyard machineclass ...`.
#[derive(Debug, Subcommand)]
pub(super) enum ClassCommand {
    /// List classes.
    Ls,
    /// Show one class.
    Show {
        /// The class.
        name: String,
    },
    /// Make a class from a TOML or JSON file holding one class.
    Create {
        /// The file.
        file: PathBuf,
    },
    /// Delete a class made through the API.
    Delete {
        /// The class.
        name: String,
    },
}

/// Runs a `machine`, `machineset` or `machineclass` command.
pub(super) async fn run_machine(
    command: MachineCommand,
    args: ClientArgs,
) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    match command {
        MachineCommand::Ls { set, class } => {
            let mut path = "/api/v1/machines?".to_string();
            for (k, v) in [("set", set), ("class", class)] {
                if let Some(v) = v {
                    path.push_str(&format!(
                        "{k}={}&",
                        form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    ));
                }
            }
            let list: Vec<MachineView> = client.get(&path).await?;
            output::show(args.output, &list, |list| machine_rows(list))?;
        }
        MachineCommand::Show { name } => {
            let m: MachineView = client.get(&format!("/api/v1/machines/{name}")).await?;
            output::record(args.output, &m)?;
        }
        MachineCommand::Create { name, class } => {
            let m: MachineView = client
                .post("/api/v1/machines", &NewMachine { name, class })
                .await?;
            output::show(args.output, &m, |m| machine_rows(std::slice::from_ref(m)))?;
        }
        MachineCommand::Delete { name } => {
            client.delete(&format!("/api/v1/machines/{name}")).await?;
            eprintln!("machine {name}: deletion asked; its VM is being removed");
        }
        MachineCommand::Controller => {
            let c: ControllerView = client.get("/api/v1/machines/controller").await?;
            output::record(args.output, &c)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn machine_rows(list: &[MachineView]) -> Rows {
    Rows {
        headers: vec![
            "name",
            "class",
            "set",
            "phase",
            "provider id",
            "operation",
            "error",
        ],
        rows: list
            .iter()
            .map(|v| {
                let m = &v.machine;
                let op = v.last_operation.as_ref();
                vec![
                    m.name.clone(),
                    m.class.clone(),
                    m.set.clone().unwrap_or_default(),
                    crate::units::wire_name(&m.phase),
                    m.provider_id.clone().unwrap_or_default(),
                    op.map(|o| {
                        format!(
                            "{} {}",
                            crate::units::wire_name(&o.kind),
                            crate::units::wire_name(&o.state)
                        )
                    })
                    .unwrap_or_default(),
                    op.and_then(|o| o.error_code.as_ref())
                        .map(crate::units::wire_name)
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// A set as its table shows it; `ready` is unknown (`-`) in the answers to a change,
/// which carry the set alone.
fn set_row(set: &MachineSet, ready: Option<u32>) -> Vec<String> {
    vec![
        set.name.clone(),
        set.class.clone(),
        set.replicas.to_string(),
        ready.map_or_else(|| output::UNKNOWN.to_string(), |r| r.to_string()),
        if set.deleting { "yes" } else { "no" }.into(),
    ]
}

const SET_HEADERS: [&str; 5] = ["name", "class", "replicas", "ready", "deleting"];

/// Runs a `machineset` command.
pub(super) async fn run_set(command: SetCommand, args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let views = |list: &Vec<SetView>| Rows {
        headers: SET_HEADERS.to_vec(),
        rows: list
            .iter()
            .map(|v| set_row(&v.set, Some(v.ready)))
            .collect(),
    };
    let changed = |set: &MachineSet| Rows {
        headers: SET_HEADERS.to_vec(),
        rows: vec![set_row(set, None)],
    };
    match command {
        SetCommand::Ls => {
            let list: Vec<SetView> = client.get("/api/v1/machinesets").await?;
            output::show(args.output, &list, views)?;
        }
        SetCommand::Show { name } => {
            let one: SetView = client.get(&format!("/api/v1/machinesets/{name}")).await?;
            output::show(args.output, &vec![one], views)?;
        }
        SetCommand::Create {
            name,
            class,
            replicas,
        } => {
            let set: MachineSet = client
                .post(
                    "/api/v1/machinesets",
                    &NewSet {
                        name,
                        class,
                        replicas,
                    },
                )
                .await?;
            output::show(args.output, &set, changed)?;
        }
        SetCommand::Scale {
            name,
            replicas,
            yes,
        } => {
            let path = format!("/api/v1/machinesets/{name}/scale");
            let plan: Scaled = client
                .post(
                    &path,
                    &Scale {
                        replicas,
                        confirm: None,
                        dry_run: true,
                    },
                )
                .await?;
            if !plan.deletes.is_empty() && !yes && !confirmed(&name, replicas, &plan.deletes)? {
                eprintln!("set {name}: not scaled");
                return Ok(ExitCode::FAILURE);
            }
            let scaled: Scaled = client
                .post(
                    &path,
                    &Scale {
                        replicas,
                        confirm: Some(plan.deletes),
                        dry_run: false,
                    },
                )
                .await?;
            for m in &scaled.deletes {
                eprintln!("machine {m}: deletion asked");
            }
            output::show(args.output, &scaled.set, changed)?;
        }
        SetCommand::Delete { name } => {
            client
                .delete(&format!("/api/v1/machinesets/{name}"))
                .await?;
            eprintln!("set {name}: deletion asked; its machines are being removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal whether the machines a scale down picks may go. Without a terminal
/// to ask on, the answer is no: `--yes` says yes.
fn confirmed(set: &str, replicas: u32, deletes: &[String]) -> anyhow::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "scaling {set} to {replicas} deletes {} machine(s) and their VMs: {}",
        deletes.len(),
        deletes.join(", ")
    )?;
    if !std::io::stdin().is_terminal() {
        writeln!(err, "not asked: no terminal (pass --yes to go ahead)")?;
        return Ok(false);
    }
    write!(err, "delete them? [y/N] ")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

/// Runs a `machineclass` command.
pub(super) async fn run_class(command: ClassCommand, args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let rows = |list: &[ClassEntry]| Rows {
        headers: vec!["name", "provider", "cluster", "template", "source"],
        rows: list
            .iter()
            .map(|e| {
                vec![
                    e.class.name.clone(),
                    e.class.provider.clone(),
                    e.class.cluster.clone(),
                    e.class.template.clone(),
                    crate::units::wire_name(&e.source),
                ]
            })
            .collect(),
    };
    match command {
        ClassCommand::Ls => {
            let list: Vec<ClassEntry> = client.get("/api/v1/machineclasses").await?;
            output::show(args.output, &list, |l| rows(l))?;
        }
        ClassCommand::Show { name } => {
            let one: ClassEntry = client
                .get(&format!("/api/v1/machineclasses/{name}"))
                .await?;
            output::show(args.output, &one, |e| rows(std::slice::from_ref(e)))?;
        }
        ClassCommand::Create { file } => {
            let class = read_class(&file)?;
            let made: ClassEntry = client.post("/api/v1/machineclasses", &class).await?;
            output::show(args.output, &made, |e| rows(std::slice::from_ref(e)))?;
        }
        ClassCommand::Delete { name } => {
            client
                .delete(&format!("/api/v1/machineclasses/{name}"))
                .await?;
            eprintln!("class {name} deleted");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads one class from a TOML or JSON file.
fn read_class(file: &std::path::Path) -> anyhow::Result<MachineClass> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let class: MachineClass = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a machine class", file.display()))?
    } else {
        toml::from_str(&text).with_context(|| format!("{}: not a machine class", file.display()))?
    };
    Ok(class)
}

/// A driver method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Method {
    /// CreateMachine.
    Create,
    /// InitializeMachine.
    Initialize,
    /// DeleteMachine.
    Delete,
    /// GetMachineStatus.
    Status,
    /// ListMachines.
    List,
    /// GetVolumeIDs (reads the volume specs from --input).
    VolumeIds,
    /// GenerateMachineClassForMigration (reads the foreign class from --input).
    MigrateClass,
}

/// `vmyard driver <method>`.
#[derive(Debug, Args)]
pub(super) struct DriverArgs {
    /// The method to call.
    #[arg(value_enum)]
    method: Method,
    /// The config file whose classes and providers are used.
    #[arg(
        long,
        short,
        default_value = "/etc/vmyard/vmyard.toml",
        env = "VMYARD_CONFIG"
    )]
    config: PathBuf,
    /// The class, by name in the config's `[[machines.classes]]`...
    #[arg(long)]
    class: Option<String>,
    /// ... or from this TOML or JSON file.
    #[arg(long, conflicts_with = "class")]
    class_file: Option<PathBuf>,
    /// The machine name.
    #[arg(long)]
    machine: Option<String>,
    /// The machine's provider id (`ovirt://<uuid>`), when known.
    #[arg(long)]
    provider_id: Option<String>,
    /// A JSON file: the volume specs (volume-ids) or the foreign class (migrate-class).
    #[arg(long)]
    input: Option<PathBuf>,
    /// The provider for migrate-class.
    #[arg(long)]
    provider: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Json)]
    output: Format,
}

/// Runs one driver method and prints its response, or the coded error on stderr (exit 1).
pub(super) async fn run_driver(args: DriverArgs) -> anyhow::Result<ExitCode> {
    let config = crate::config::load_file(&args.config)?;
    let input = || -> anyhow::Result<Value> {
        let file = args
            .input
            .as_ref()
            .context("this method reads --input FILE")?;
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", file.display()))
    };
    let answer = match args.method {
        Method::VolumeIds => {
            let specs: Vec<VolumeSpec> =
                serde_json::from_value(input()?).context("volume specs")?;
            let ids = crate::machines::driver::volumes::volume_ids(&specs);
            Ok(json!({ "volume_ids": ids }))
        }
        Method::MigrateClass => {
            let foreign: ForeignClass =
                serde_json::from_value(input()?).context("foreign class")?;
            let provider = args
                .provider
                .clone()
                .or_else(|| config.providers.first().map(|p| p.name.clone()))
                .context("--provider is needed: the config has no provider")?;
            crate::machines::driver::migrate::convert(&foreign, &provider).map(|c| json!(c))
        }
        method => {
            let class = match (&args.class, &args.class_file) {
                (_, Some(file)) => read_class(file)?,
                (Some(name), None) => config
                    .machines
                    .classes
                    .iter()
                    .find(|c| &c.name == name)
                    .cloned()
                    .with_context(|| format!("the config has no machine class {name}"))?,
                (None, None) => anyhow::bail!("give --class NAME or --class-file FILE"),
            };
            let provider = config
                .providers
                .iter()
                .find(|p| p.name == class.provider)
                .with_context(|| format!("the config has no provider {}", class.provider))?;
            let driver = OvirtDriver::new(
                provider,
                crate::machines::controller::engines::timing(&config),
            )?;
            let machine = || -> anyhow::Result<MachineRequest> {
                Ok(MachineRequest {
                    machine: MachineRef {
                        name: args
                            .machine
                            .clone()
                            .context("this method needs --machine NAME")?,
                        provider_id: args.provider_id.clone(),
                    },
                    class: class.clone(),
                })
            };
            match method {
                Method::Create => driver.create_machine(&machine()?).await.map(|r| json!(r)),
                Method::Initialize => driver
                    .initialize_machine(&machine()?)
                    .await
                    .map(|r| json!(r)),
                Method::Delete => driver.delete_machine(&machine()?).await.map(|r| json!(r)),
                Method::Status => driver
                    .get_machine_status(&machine()?)
                    .await
                    .map(|r| json!(r)),
                Method::List => driver
                    .list_machines(&class)
                    .await
                    .map(|r| json!({ "machine_list": r })),
                Method::VolumeIds | Method::MigrateClass => unreachable!("handled above"),
            }
        }
    };
    match answer {
        Ok(v) => {
            output::value(args.output, &v)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
