//! `vmyard node ls` and `vmyard node system SECTION [--node SELECTOR]`: the facts of this
//! node and its peers, asked of the local service, which forwards to the peers. Nodes are
//! asked in parallel, each within the timeout; a node that fails shows its error in place
//! of its rows, and the command then exits non-zero.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::ClientArgs;
use super::client::Client;
use super::output::{self, Format, Rows};
use crate::node::envelope::{Problem, SystemList};
use crate::node::select::{Candidate, select};
use crate::node::{Section, table};
use crate::web::read::node::NodeStatus;

/// `vmyard node ...`.
#[derive(Debug, Subcommand)]
pub(super) enum NodeCommand {
    /// List this node and its peers, with their reachability.
    Ls {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Show one section of the facts of the selected nodes (this node by default; om3's
    /// `ox` defaults to every node: pass `--node '*'` for that).
    #[command(subcommand)]
    System(SystemCommand),
}

/// `vmyard node system SECTION`: one subcommand per section, with om3's aliases (and the
/// plural names of the older om3 commands).
#[derive(Debug, Subcommand)]
pub(super) enum SystemCommand {
    /// Named values: OS, CPU, memory, DMI, location.
    #[command(visible_aliases = ["prop"], aliases = ["proper", "properties"])]
    Property(SystemArgs),
    /// One summary of the node.
    Asset(SystemArgs),
    /// PCI devices and memory modules.
    #[command(aliases = ["device", "hard"])]
    Hardware(SystemArgs),
    /// Block devices, their partitions and holders.
    #[command(visible_aliases = ["dsk"], aliases = ["dis", "disks"])]
    Disk(SystemArgs),
    /// Installed packages.
    #[command(visible_aliases = ["pkg"], aliases = ["packages"])]
    Package(SystemArgs),
    /// Pending updates.
    #[command(aliases = ["pacth", "patches"])]
    Patch(SystemArgs),
    /// Local users.
    #[command(aliases = ["usr", "us", "users"])]
    User(SystemArgs),
    /// Local groups.
    #[command(aliases = ["grp", "gr", "groups"])]
    Group(SystemArgs),
    /// Every address of every interface.
    #[command(visible_aliases = ["addr"], aliases = ["ipaddr", "ipaddresses"])]
    Ipaddress(SystemArgs),
    /// SAN initiators and paths.
    #[command(subcommand)]
    San(SanCommand),
}

/// `vmyard node system san initiator|path`.
#[derive(Debug, Subcommand)]
pub(super) enum SanCommand {
    /// FC and iSCSI initiators.
    #[command(visible_aliases = ["init"], aliases = ["ini", "initiators"])]
    Initiator(SystemArgs),
    /// Initiator to target pairs.
    #[command(aliases = ["pa", "paths"])]
    Path(SystemArgs),
}

impl SystemCommand {
    fn split(self) -> (Section, SystemArgs) {
        match self {
            SystemCommand::Property(a) => (Section::Property, a),
            SystemCommand::Asset(a) => (Section::Asset, a),
            SystemCommand::Hardware(a) => (Section::Hardware, a),
            SystemCommand::Disk(a) => (Section::Disk, a),
            SystemCommand::Package(a) => (Section::Package, a),
            SystemCommand::Patch(a) => (Section::Patch, a),
            SystemCommand::User(a) => (Section::User, a),
            SystemCommand::Group(a) => (Section::Group, a),
            SystemCommand::Ipaddress(a) => (Section::Ipaddress, a),
            SystemCommand::San(SanCommand::Initiator(a)) => (Section::SanInitiator, a),
            SystemCommand::San(SanCommand::Path(a)) => (Section::SanPath, a),
        }
    }
}

/// What every `vmyard node system` section takes.
#[derive(Debug, Args)]
pub(super) struct SystemArgs {
    /// Which nodes, as om3 selects them: names, globs (`web*`, case-insensitive),
    /// `label=value`, `!name`, separated by blanks or commas. Unlike om3's `ox`, which asks
    /// every node, this node when absent.
    #[arg(long, short)]
    node: Option<String>,
    /// Collect now instead of answering from the cache.
    #[arg(long)]
    refresh: bool,
    /// How long to wait for each node.
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    #[command(flatten)]
    client: ClientArgs,
}

/// Runs a `node` command.
pub(super) async fn run(command: NodeCommand) -> anyhow::Result<ExitCode> {
    match command {
        NodeCommand::Ls { client } => ls(client).await,
        NodeCommand::System(command) => {
            let (section, args) = command.split();
            system(section, args).await
        }
    }
}

async fn ls(args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let nodes: Vec<NodeStatus> = client.get("/api/v1/nodes").await?;
    output::show(args.output, &nodes, |nodes| Rows {
        headers: vec![
            "node",
            "kind",
            "reachable",
            "latency",
            "os",
            "release",
            "kernel",
            "cpus",
            "memory",
            "labels",
            "error",
        ],
        rows: nodes.iter().map(node_row).collect(),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn node_row(n: &NodeStatus) -> Vec<String> {
    let property = |name: &str| {
        n.info
            .as_ref()
            .map(|i| i.property_text(name))
            .unwrap_or_default()
    };
    vec![
        n.name.clone(),
        if n.local { "this node" } else { "peer" }.into(),
        if n.reachable { "yes" } else { "no" }.into(),
        n.latency_ms
            .map(|l| format!("{l:.0} ms"))
            .unwrap_or_default(),
        property("os_vendor"),
        property("os_release"),
        property("os_kernel"),
        property("cpu_threads"),
        n.info
            .as_ref()
            .and_then(|i| i.property_u64("mem_bytes"))
            .map(crate::units::bytes)
            .unwrap_or_default(),
        n.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        n.error.clone().unwrap_or_default(),
    ]
}

async fn system(section: Section, args: SystemArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client)?;
    let targets = match &args.node {
        None => vec!["_".to_string()],
        Some(expr) => {
            let nodes: Vec<NodeStatus> = client.get("/api/v1/nodes").await?;
            let candidates: Vec<Candidate> = nodes
                .into_iter()
                .map(|n| Candidate {
                    name: n.name,
                    labels: n.labels,
                })
                .collect();
            let chosen =
                select(expr, &candidates).map_err(|e| anyhow::anyhow!("--node `{expr}`: {e}"))?;
            if chosen.is_empty() {
                anyhow::bail!("--node `{expr}` selects no node");
            }
            chosen
        }
    };
    let query = if args.refresh { "?refresh=true" } else { "" };
    let asks = targets.iter().map(|node| {
        let client = &client;
        // vmyard's own path: exact units, for tables and for `-o json` alike.
        let path = format!("/api/v1/node/name/{node}/system/{}{query}", section.path());
        async move {
            let answer = match tokio::time::timeout(args.timeout, client.get_answer(&path)).await {
                Err(_) => Err(format!("no answer within {:?}", args.timeout)),
                Ok(Err(e)) => Err(format!("{e:#}")),
                Ok(Ok((200, body))) => Ok(body),
                Ok(Ok((status, body))) => Err(match serde_json::from_value::<Problem>(body) {
                    Ok(p) => format!("{status}: {}", p.detail),
                    Err(_) => format!("HTTP {status}"),
                }),
            };
            (node.clone(), answer)
        }
    });
    let answers = futures_util::future::join_all(asks).await;
    let failed = answers.iter().any(|(_, a)| a.is_err());
    print_answers(section, &answers, args.client.output)?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_answers(
    section: Section,
    answers: &[(String, Result<Value, String>)],
    format: Format,
) -> anyhow::Result<()> {
    if format != Format::Table {
        // What the API sent: one node's answer as it is; several nodes' answers in a list,
        // a node that failed as `{"node", "error"}` in its place.
        let bodies: Vec<Value> = answers
            .iter()
            .map(|(node, answer)| match answer {
                Ok(list) => list.clone(),
                Err(e) => json!({"node": node, "error": e}),
            })
            .collect();
        let out = match <[Value; 1]>::try_from(bodies) {
            Ok([one]) => one,
            Err(many) => Value::Array(many),
        };
        return output::value(format, &out);
    }
    let columns = table::columns(section);
    let mut headers = vec!["node"];
    headers.extend(columns.iter().map(|(_, heading)| *heading));
    let mut rows = Vec::new();
    for (node, answer) in answers {
        // A node's answer in the API's envelope; one that cannot be read is that node's
        // error, never an empty list.
        let list = answer.as_ref().map_err(Clone::clone).and_then(|body| {
            serde_json::from_value::<SystemList>(body.clone())
                .map_err(|e| format!("malformed answer: {e}"))
        });
        match list {
            Ok(list) => {
                for item in &list.items {
                    for cells in table::rows(section, std::iter::once(&item.data)) {
                        let mut row = vec![item.meta.node.clone()];
                        row.extend(cells.into_iter().map(|c| c.text));
                        rows.push(row);
                    }
                }
            }
            Err(e) => rows.push(vec![node.clone(), format!("error: {e}")]),
        }
    }
    output::show(Format::Table, &(), |_| Rows { headers, rows })
}
