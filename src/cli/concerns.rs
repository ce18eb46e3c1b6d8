//! `vmyard concerns` and `vmyard report`: the migration readiness of a provider's VMs, as
//! counts per readiness and per concern, and as the report to hand on.

use std::process::ExitCode;

use super::ClientArgs;
use super::client::Client;
use super::inventory::only_provider;
use super::output::{self, Rows};
use crate::validation::summary::Summary;

/// `vmyard concerns [--provider P]`.
pub(super) async fn concerns(
    provider: Option<String>,
    args: ClientArgs,
) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let provider = match provider {
        Some(p) => p,
        None => only_provider(&client).await?,
    };
    let summary: Summary = client
        .get(&format!("/api/v1/providers/{provider}/concerns"))
        .await?;
    if args.output == output::Format::Table {
        let count = |k: &str| summary.readiness.get(k).copied().unwrap_or(0);
        say!(
            "{provider}: {} VMs, {} validated: {} ready, {} with warnings, {} blocked, {} where the rules failed",
            summary.vms,
            summary.validated,
            count("ready"),
            count("warnings"),
            count("blocked"),
            count("error"),
        )?;
        if summary.validated < summary.vms {
            say!(
                "{} VMs are not validated yet: their readiness is unknown",
                summary.vms - summary.validated
            )?;
        }
        say!()?;
    }
    output::show(args.output, &summary, |s| Rows {
        headers: vec!["category", "vms", "concern", "label"],
        rows: s
            .concerns
            .iter()
            .map(|c| {
                vec![
                    c.category.clone(),
                    c.vms.to_string(),
                    c.id.clone(),
                    c.label.clone(),
                ]
            })
            .collect(),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `vmyard report [--provider P] [--format csv|json]`: the report as the API sends it.
pub(super) async fn report(
    provider: Option<String>,
    format: &str,
    args: ClientArgs,
) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let provider = match provider {
        Some(p) => p,
        None => only_provider(&client).await?,
    };
    let body = client
        .get_bytes(&format!(
            "/api/v1/providers/{provider}/report?format={format}"
        ))
        .await?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &body)?;
    Ok(ExitCode::SUCCESS)
}
