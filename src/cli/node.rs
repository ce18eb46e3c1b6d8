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
use super::output::{self, Format};
use crate::node::Section;
use crate::node::select::{Candidate, select};

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
    let nodes: Value = client.get("/api/v1/nodes").await?;
    if args.output != Format::Table {
        output::print(args.output, &nodes, &[])?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Value> = nodes
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    let p = &n["info"]["properties"];
                    let labels = n["labels"]
                        .as_object()
                        .map(|l| {
                            l.iter()
                                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default();
                    let reachable = if n["reachable"] == true { "yes" } else { "no" };
                    json!({
                        "node": n["name"],
                        "kind": if n["local"] == true { "this node" } else { "peer" },
                        "reachable": reachable,
                        "latency": n["latency_ms"].as_f64().map(|l| format!("{l:.0} ms")),
                        "os": p["os_vendor"], "release": p["os_release"], "kernel": p["os_kernel"],
                        "cpus": p["cpu_threads"],
                        "memory": p["mem_bytes"].as_u64().map(crate::units::bytes),
                        "labels": labels,
                        "error": n["error"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    output::print(
        Format::Table,
        &Value::Array(rows),
        &[
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
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn system(section: Section, args: SystemArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client)?;
    let targets = match &args.node {
        None => vec!["_".to_string()],
        Some(expr) => {
            let nodes: Value = client.get("/api/v1/nodes").await?;
            let candidates: Vec<Candidate> = nodes
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| Candidate {
                    name: n["name"].as_str().unwrap_or_default().to_string(),
                    labels: serde_json::from_value(n["labels"].clone()).unwrap_or_default(),
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
                Ok(Ok((status, body))) => Err(body["detail"]
                    .as_str()
                    .map(|d| format!("{status}: {d}"))
                    .unwrap_or_else(|| format!("HTTP {status}"))),
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

/// The data columns of a section's table.
fn columns(section: Section) -> &'static [&'static str] {
    match section {
        Section::Property => &["name", "value", "source", "error"],
        Section::Asset => &["key", "value"],
        Section::Hardware => &["type", "path", "class", "description", "driver"],
        Section::Disk => &["id", "type", "size", "vendor", "model", "regions"],
        Section::Package => &["name", "version", "arch", "type", "installedat"],
        Section::Patch => &[
            "name",
            "installed_version",
            "available_version",
            "security",
            "type",
        ],
        Section::User | Section::Group => &["id", "name"],
        Section::Ipaddress => &["intf", "type", "address", "mask", "mac", "flagdeprecated"],
        Section::SanInitiator => &["name", "type"],
        Section::SanPath => &["initiator", "target"],
    }
}

fn row(section: Section, node: &str, data: &Value) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut base = serde_json::Map::new();
    base.insert("node".into(), json!(node));
    match section {
        Section::Asset => {
            for (k, v) in data.as_object().into_iter().flatten() {
                let mut r = base.clone();
                r.insert("key".into(), json!(k));
                r.insert("value".into(), v.clone());
                rows.push(Value::Object(r));
            }
            return rows;
        }
        Section::Disk => {
            let mut r = base;
            for c in columns(section) {
                r.insert(c.to_string(), data[*c].clone());
            }
            r.insert(
                "size".into(),
                json!(data["size"].as_u64().map(crate::units::bytes)),
            );
            let regions: Vec<String> = data["regions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g["id"].as_str().map(str::to_string))
                .collect();
            r.insert("regions".into(), json!(regions.join(",")));
            rows.push(Value::Object(r));
        }
        Section::SanPath => {
            let mut r = base;
            for end in ["initiator", "target"] {
                r.insert(
                    end.into(),
                    json!(format!(
                        "{} ({})",
                        data[end]["name"].as_str().unwrap_or_default(),
                        data[end]["type"].as_str().unwrap_or_default()
                    )),
                );
            }
            rows.push(Value::Object(r));
        }
        _ => {
            let mut r = base;
            for c in columns(section) {
                r.insert(c.to_string(), data[*c].clone());
            }
            rows.push(Value::Object(r));
        }
    }
    rows
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
        return output::print(format, &out, &[]);
    }
    let mut rows = Vec::new();
    let mut cols = vec!["node"];
    cols.extend(columns(section));
    for (node, answer) in answers {
        match answer {
            Ok(list) => {
                let node = list["items"][0]["meta"]["node"].as_str().unwrap_or(node);
                for item in list["items"].as_array().into_iter().flatten() {
                    rows.extend(row(section, node, &item["data"]));
                }
            }
            Err(e) => {
                let mut r = serde_json::Map::new();
                r.insert("node".into(), json!(node));
                r.insert(cols[1].into(), json!(format!("error: {e}")));
                rows.push(Value::Object(r));
            }
        }
    }
    output::print(Format::Table, &Value::Array(rows), &cols)
}
