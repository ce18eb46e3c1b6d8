//! `vmyard providers` and `vmyard inventory KIND [ID]`: the providers with their
//! collection state, and the inventory's objects, read as the API's typed answers.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ClientArgs;
use super::client::Client;
use super::output::{self, Format, Rows};
use crate::inventory::decode::Kind;
use crate::inventory::model::*;
use crate::inventory::query::ListPage;
use crate::inventory::{InventoryRecord, for_kind};
use crate::web::read::providers::ProviderView;

#[derive(Debug, Args)]
pub(super) struct InventoryArgs {
    /// The kind of object.
    kind: String,
    /// Show this one object (engine id) instead of a list.
    id: Option<String>,
    /// The provider (needed when there are several).
    #[arg(long)]
    provider: Option<String>,
    /// Names containing this text.
    #[arg(long)]
    search: Option<String>,
    /// Only objects in this cluster (engine id).
    #[arg(long)]
    cluster: Option<String>,
    /// Only objects on this host (engine id).
    #[arg(long)]
    host: Option<String>,
    /// Only objects with this status.
    #[arg(long)]
    status: Option<String>,
    /// The page, from 1.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Objects per page.
    #[arg(long, default_value_t = 100)]
    per_page: usize,
    #[command(flatten)]
    client: ClientArgs,
}

/// `vmyard providers`.
pub(super) async fn providers(args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let list: Vec<ProviderView> = client.get("/api/v1/providers").await?;
    output::show(args.output, &list, |list| Rows {
        headers: vec![
            "name", "phase", "parity", "engine", "vms", "hosts", "error", "url",
        ],
        rows: list.iter().map(provider_row).collect(),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn provider_row(p: &ProviderView) -> Vec<String> {
    // Before its first collection a provider has no state: every figure is unknown, not 0.
    let Some(s) = &p.state else {
        return vec![
            p.name.clone(),
            "not started".into(),
            output::UNKNOWN.into(),
            output::UNKNOWN.into(),
            output::UNKNOWN.into(),
            output::UNKNOWN.into(),
            String::new(),
            p.url.clone(),
        ];
    };
    let count = |kind: &str| {
        s.counts
            .get(kind)
            .map_or_else(|| output::UNKNOWN.to_string(), u64::to_string)
    };
    vec![
        p.name.clone(),
        output::word(&s.phase),
        if s.parity { "yes" } else { "no" }.into(),
        s.engine_version.clone(),
        count("vms"),
        count("hosts"),
        s.error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        p.url.clone(),
    ]
}

/// How an object of a kind shows as a row of `vmyard inventory KIND`.
trait ListRow: InventoryRecord + Serialize + DeserializeOwned {
    /// Column headings after the id and name.
    fn headers() -> Vec<&'static str> {
        vec!["revision"]
    }
    /// The cells after the id and name.
    fn cells(&self, revision: u64) -> Vec<String> {
        vec![revision.to_string()]
    }
}

impl ListRow for Vm {
    fn headers() -> Vec<&'static str> {
        vec!["status", "cluster", "host", "memory"]
    }
    fn cells(&self, _: u64) -> Vec<String> {
        vec![
            self.status.clone(),
            self.cluster.clone(),
            self.host.clone(),
            crate::units::bytes(self.memory),
        ]
    }
}

impl ListRow for Host {
    fn headers() -> Vec<&'static str> {
        vec!["status", "cluster", "address"]
    }
    fn cells(&self, _: u64) -> Vec<String> {
        vec![
            self.status.clone(),
            self.cluster.clone(),
            self.address.clone(),
        ]
    }
}

impl ListRow for DataCenter {}
impl ListRow for Cluster {}
impl ListRow for Network {}
impl ListRow for NicProfile {}
impl ListRow for DiskProfile {}
impl ListRow for StorageDomain {}
impl ListRow for Disk {}

/// The only provider, when `--provider` is not given.
async fn only_provider(client: &Client) -> anyhow::Result<String> {
    let list: Vec<ProviderView> = client.get("/api/v1/providers").await?;
    let names: Vec<String> = list.into_iter().map(|p| p.name).collect();
    match names.as_slice() {
        [one] => Ok(one.clone()),
        [] => anyhow::bail!("no provider is configured"),
        many => anyhow::bail!(
            "several providers: pick one with --provider ({})",
            many.join(", ")
        ),
    }
}

/// `vmyard inventory KIND [ID]`.
pub(super) async fn inventory(args: InventoryArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client)?;
    let provider = match &args.provider {
        Some(p) => p.clone(),
        None => only_provider(&client).await?,
    };
    let kind = Kind::from_path(&args.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown kind `{}`: use datacenters, clusters, hosts, vms, networks, vnicprofiles, diskprofiles, storagedomains or disks", args.kind))?;
    for_kind!(kind, T => show::<T>(&client, &provider, &args).await)?;
    Ok(ExitCode::SUCCESS)
}

async fn show<T: ListRow>(
    client: &Client,
    provider: &str,
    args: &InventoryArgs,
) -> anyhow::Result<()> {
    let base = format!("/api/v1/providers/{provider}/{}", T::INVENTORY_KIND.path());
    if let Some(id) = &args.id {
        let one: T = client.get(&format!("{base}/{id}")).await?;
        return output::value(args.client.output, &one);
    }
    let mut query = vec![
        format!("page={}", args.page),
        format!("per_page={}", args.per_page),
    ];
    for (k, v) in [
        ("q", &args.search),
        ("cluster", &args.cluster),
        ("host", &args.host),
        ("status", &args.status),
    ] {
        if let Some(v) = v {
            query.push(format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    let page: ListPage<T> = client.get(&format!("{base}?{}", query.join("&"))).await?;
    output::show(args.client.output, &page, |page| {
        let mut headers = vec!["id", "name"];
        headers.extend(T::headers());
        Rows {
            headers,
            rows: page
                .items
                .iter()
                .map(|i| {
                    let mut row =
                        vec![i.value.id().to_string(), i.value.display_name().to_string()];
                    row.extend(i.value.cells(i.revision));
                    row
                })
                .collect(),
        }
    })?;
    if args.client.output == Format::Table {
        eprintln!(
            "{} of {} (page {})",
            page.items.len(),
            page.total,
            page.page
        );
    }
    Ok(())
}
