//! `vmyard providers` and `vmyard inventory KIND [ID]`: the providers with their
//! collection state, and the inventory's objects, read as the API's typed answers.

use std::collections::HashMap;
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
use crate::validation::report::ReportRow;
use crate::web::read::providers::ProviderView;

#[derive(Debug, Args)]
pub(super) struct InventoryArgs {
    /// The kind of object (the shells complete them).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(
        crate::inventory::decode::COLLECTIONS.map(|c| c.path)
    ))]
    kind: String,
    /// Show this one object (engine id) instead of a list.
    id: Option<String>,
    /// The provider (needed when there are several).
    #[arg(long)]
    provider: Option<String>,
    /// Names containing this text.
    #[arg(long)]
    search: Option<String>,
    /// Only objects in this cluster (name or engine id).
    #[arg(long)]
    cluster: Option<String>,
    /// Only VMs on this host (name or engine id).
    #[arg(long)]
    host: Option<String>,
    /// Only disks on this storage domain (name or engine id).
    #[arg(long)]
    storage_domain: Option<String>,
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
    // During a load a count shows how far it is, against the engine's total where known.
    let loading = |kind: Kind| {
        let l = s.load_progress().into_iter().find(|l| l.kind == kind)?;
        Some(match (l.total, l.percent()) {
            (Some(t), Some(pc)) => format!("{} of {t} ({pc} %)", l.loaded),
            _ => format!("{} loaded", l.loaded),
        })
    };
    let count = |kind: Kind| {
        (!s.parity)
            .then(|| loading(kind))
            .flatten()
            .or_else(|| s.counts.get(kind.path()).map(u64::to_string))
            .unwrap_or_else(|| output::UNKNOWN.to_string())
    };
    vec![
        p.name.clone(),
        crate::units::wire_name(&s.phase),
        if s.parity { "yes" } else { "no" }.into(),
        s.engine_version.clone(),
        count(Kind::Vm),
        count(Kind::Host),
        s.error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        p.url.clone(),
    ]
}

/// Names of the objects a table refers to, by engine id (an id not found shows as itself),
/// and for VMs their readiness.
#[derive(Default)]
struct Names(HashMap<String, String>, HashMap<String, String>);

impl Names {
    fn of(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// A VM's readiness; unknown (`-`) when the report does not have it.
    fn readiness(&self, vm: &str) -> String {
        self.1
            .get(vm)
            .cloned()
            .unwrap_or_else(|| output::UNKNOWN.to_string())
    }

    /// Adds the readiness of every VM of `provider`, from its readiness report.
    async fn add_readiness(&mut self, client: &Client, provider: &str) -> anyhow::Result<()> {
        let rows: Vec<ReportRow> = client
            .get(&format!("/api/v1/providers/{provider}/report?format=json"))
            .await?;
        self.1 = rows.into_iter().map(|r| (r.id, r.readiness)).collect();
        Ok(())
    }

    /// Adds every object of kind `T` of `provider`, a page of 1000 at a time.
    async fn add<T: ListRow>(&mut self, client: &Client, provider: &str) -> anyhow::Result<()> {
        let base = format!("/api/v1/providers/{provider}/{}", T::INVENTORY_KIND.path());
        for page in 1.. {
            let got: ListPage<T> = client
                .get(&format!("{base}?per_page=1000&page={page}"))
                .await?;
            let seen = page * got.per_page;
            for i in got.items {
                self.0
                    .insert(i.value.id().to_string(), i.value.display_name().to_string());
            }
            if seen >= got.total {
                break;
            }
        }
        Ok(())
    }
}

/// How an object of a kind shows as a row of `vmyard inventory KIND`: people's words and
/// units, references by name.
trait ListRow: InventoryRecord + Serialize + DeserializeOwned {
    /// Column headings after the name and id.
    fn headers() -> Vec<&'static str>;
    /// The cells after the name and id.
    fn cells(&self, names: &Names) -> Vec<String>;
    /// The names the cells refer to.
    async fn names(_client: &Client, _provider: &str) -> anyhow::Result<Names> {
        Ok(Names::default())
    }
}

impl ListRow for Vm {
    fn headers() -> Vec<&'static str> {
        vec![
            "readiness",
            "status",
            "cluster",
            "host",
            "cpus",
            "memory",
            "os",
        ]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            names.readiness(&self.id),
            words(&self.status),
            names.of(&self.cluster),
            names.of(&self.host),
            (self.cpu_sockets * self.cpu_cores * self.cpu_threads).to_string(),
            crate::units::bytes(self.memory),
            self.os_type.clone(),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<Cluster>(client, provider).await?;
        names.add::<Host>(client, provider).await?;
        names.add_readiness(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for Host {
    fn headers() -> Vec<&'static str> {
        vec!["status", "cluster", "address", "cpus", "memory"]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            words(&self.status),
            names.of(&self.cluster),
            self.address.clone(),
            (self.cpu_sockets * self.cpu_cores * self.cpu_threads).to_string(),
            crate::units::bytes(self.memory),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<Cluster>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for DataCenter {
    fn headers() -> Vec<&'static str> {
        vec!["status", "description"]
    }
    fn cells(&self, _: &Names) -> Vec<String> {
        vec![words(&self.status), self.description.clone()]
    }
}

impl ListRow for Cluster {
    fn headers() -> Vec<&'static str> {
        vec!["data center", "version", "cpu type"]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            names.of(&self.data_center),
            format!("{}.{}", self.version_major, self.version_minor),
            self.cpu_type.clone(),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<DataCenter>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for Network {
    fn headers() -> Vec<&'static str> {
        vec!["data center", "vlan", "usages"]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            names.of(&self.data_center),
            self.vlan.map(|v| v.to_string()).unwrap_or_default(),
            self.usages.join(", "),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<DataCenter>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for NicProfile {
    fn headers() -> Vec<&'static str> {
        vec!["network", "passthrough", "port mirroring"]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            names.of(&self.network),
            words(&self.pass_through),
            yes_no(self.port_mirroring),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<Network>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for DiskProfile {
    fn headers() -> Vec<&'static str> {
        vec!["storage domain"]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![names.of(&self.storage_domain)]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<StorageDomain>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for Template {
    fn headers() -> Vec<&'static str> {
        vec![
            "status", "cluster", "version", "os type", "vcpus", "memory", "disks",
        ]
    }
    fn cells(&self, names: &Names) -> Vec<String> {
        vec![
            words(&self.status),
            if self.cluster.is_empty() {
                "none".to_string()
            } else {
                names.of(&self.cluster)
            },
            self.version_number
                .map_or_else(|| self.version_name.clone(), |n| n.to_string()),
            self.os_type.clone(),
            (self.cpu_sockets * self.cpu_cores.max(1) * self.cpu_threads.max(1)).to_string(),
            crate::units::bytes(self.memory),
            self.disks.len().to_string(),
        ]
    }
    async fn names(client: &Client, provider: &str) -> anyhow::Result<Names> {
        let mut names = Names::default();
        names.add::<Cluster>(client, provider).await?;
        Ok(names)
    }
}

impl ListRow for StorageDomain {
    fn headers() -> Vec<&'static str> {
        vec!["type", "storage", "status", "used", "free"]
    }
    fn cells(&self, _: &Names) -> Vec<String> {
        let size =
            |n: Option<u64>| n.map_or_else(|| output::UNKNOWN.to_string(), crate::units::bytes);
        vec![
            words(&self.kind),
            self.storage_type.clone(),
            words(&self.status),
            size(self.used),
            size(self.available),
        ]
    }
}

impl ListRow for Disk {
    fn headers() -> Vec<&'static str> {
        vec!["status", "type", "provisioned", "actual", "shareable"]
    }
    fn cells(&self, _: &Names) -> Vec<String> {
        vec![
            words(&self.status),
            words(&self.storage_type),
            crate::units::bytes(self.provisioned_size),
            crate::units::bytes(self.actual_size),
            yes_no(self.shareable),
        ]
    }
}

/// An engine word (`image_locked`) as people write it (`image locked`).
fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// The only provider, when `--provider` is not given.
pub(super) async fn only_provider(client: &Client) -> anyhow::Result<String> {
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
        return output::record(args.client.output, &one);
    }
    let mut query = vec![
        format!("page={}", args.page),
        format!("per_page={}", args.per_page),
    ];
    for (k, v) in [
        ("q", &args.search),
        ("cluster", &args.cluster),
        ("host", &args.host),
        ("storage_domain", &args.storage_domain),
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
    // References are shown by name: their names are asked for only for a table.
    let names = if args.client.output == Format::Table {
        T::names(client, provider).await?
    } else {
        Names::default()
    };
    output::show(args.client.output, &page, |page| {
        let mut headers = vec!["name", "id"];
        headers.extend(T::headers());
        Rows {
            headers,
            rows: page
                .items
                .iter()
                .map(|i| {
                    let mut row =
                        vec![i.value.display_name().to_string(), i.value.id().to_string()];
                    row.extend(i.value.cells(&names));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::provider::ProviderState;

    fn view(state: ProviderState) -> ProviderView {
        ProviderView {
            name: "e1".into(),
            url: "https://engine/ovirt-engine/api".into(),
            insecure: false,
            state: Some(state),
        }
    }

    #[test]
    fn a_loading_provider_counts_against_the_engines_total_and_a_loaded_one_its_store() {
        let loading = ProviderState {
            progress: [("vms".to_string(), 250)].into(),
            totals: [("vms".to_string(), 1000), ("hosts".to_string(), 4)].into(),
            ..ProviderState::default()
        };
        let row = provider_row(&view(loading.clone()));
        assert_eq!(row[4], "250 of 1000 (25 %)");
        assert_eq!(row[5], "0 of 4 (0 %)");

        let loaded = ProviderState {
            parity: true,
            counts: [("vms".to_string(), 1000)].into(),
            ..loading
        };
        let row = provider_row(&view(loaded));
        assert_eq!(row[4], "1000");
        // No count stored is unknown, never 0.
        assert_eq!(row[5], output::UNKNOWN);
    }
}
