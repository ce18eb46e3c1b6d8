//! `vmyard plan export`: the Forklift resources that migrate a selection of VMs, as the API
//! makes them, for `kubectl apply -f`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use super::ClientArgs;
use super::client::Client;
use super::inventory::only_provider;
use super::output::Format;

/// `vmyard plan ...`.
#[derive(Debug, Subcommand)]
pub(super) enum PlanCommand {
    /// Print the Provider, NetworkMap, StorageMap and Plan that migrate the selected VMs
    /// (`forklift.konveyor.io/v1beta1`). Blocked VMs are refused with their concerns; VMs
    /// with warnings need --allow-warnings; sources without a [migration] mapping are named.
    Export(ExportArgs),
}

/// What to hand off.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// The provider (needed when there are several).
    #[arg(long)]
    provider: Option<String>,
    /// The plan's name.
    #[arg(long, default_value = "vmyard-plan")]
    name: String,
    /// VMs of this cluster (name or id).
    #[arg(long)]
    cluster: Option<String>,
    /// VMs with this readiness.
    #[arg(long, value_parser = ["ready", "warnings"])]
    readiness: Option<String>,
    /// These VMs (names or ids); repeat for several.
    #[arg(long = "vm")]
    vms: Vec<String>,
    /// Take VMs with warnings too.
    #[arg(long)]
    allow_warnings: bool,
    /// A warm migration.
    #[arg(long)]
    warm: bool,
    /// The plan's description.
    #[arg(long)]
    description: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

/// Runs a `plan` command.
pub(super) async fn run(command: PlanCommand) -> anyhow::Result<ExitCode> {
    let PlanCommand::Export(args) = command;
    let client = Client::new(&args.client)?;
    let provider = match &args.provider {
        Some(p) => p.clone(),
        None => only_provider(&client).await?,
    };
    let format = if args.client.output == Format::Json {
        "json"
    } else {
        "yaml"
    };
    let body = json!({
        "name": args.name,
        "cluster": args.cluster,
        "readiness": args.readiness,
        "vms": args.vms,
        "allow_warnings": args.allow_warnings,
        "warm": args.warm,
        "description": args.description,
    });
    let text = client
        .post_bytes(
            &format!("/api/v1/providers/{provider}/plans?format={format}"),
            &body,
        )
        .await?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &text)?;
    Ok(ExitCode::SUCCESS)
}
