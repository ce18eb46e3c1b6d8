//! `vmyard history`, `vmyard changes` and `vmyard trend`: readiness over time, as the API's
//! history and trend answer it.

use std::process::ExitCode;

use clap::Args;

use super::ClientArgs;
use super::client::Client;
use super::inventory::only_provider;
use super::output::{self, Rows};
use crate::validation::history::{Cause, ConcernRef};
use crate::validation::trend::TrendDay;
use crate::web::read::history::{ChangeView, HistoryView};

/// What to list of the history.
#[derive(Debug, Args)]
pub(super) struct HistoryArgs {
    /// The provider (needed when there are several).
    #[arg(long)]
    provider: Option<String>,
    /// Only this VM, by name or id.
    #[arg(long)]
    vm: Option<String>,
    /// Only changes of this concern id.
    #[arg(long)]
    concern: Option<String>,
    /// Only VMs of this cluster, by name or id.
    #[arg(long)]
    cluster: Option<String>,
    /// From: RFC 3339, a day (2026-12-01) or an age (7d, 12h); a week ago by default.
    #[arg(long)]
    from: Option<String>,
    /// Up to, in the same forms; now by default.
    #[arg(long)]
    to: Option<String>,
    /// At most this many changes.
    #[arg(long)]
    limit: Option<usize>,
    #[command(flatten)]
    client: ClientArgs,
}

/// `vmyard history ...`: the changes of the provider's VMs' concerns, newest first.
pub(super) async fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client)?;
    let provider = match &args.provider {
        Some(p) => p.clone(),
        None => only_provider(&client).await?,
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("vm", &args.vm),
        ("concern", &args.concern),
        ("cluster", &args.cluster),
        ("from", &args.from),
        ("to", &args.to),
    ] {
        if let Some(v) = v {
            query.append_pair(k, v);
        }
    }
    if let Some(n) = args.limit {
        query.append_pair("limit", &n.to_string());
    }
    let view: HistoryView = client
        .get(&format!(
            "/api/v1/providers/{provider}/history?{}",
            query.finish()
        ))
        .await?;
    if args.client.output == output::Format::Table {
        say!(
            "{provider}: {} changes from {} to {}{}",
            view.changes.len(),
            output::time(view.from),
            output::time(view.to),
            if view.truncated {
                " (more matched: narrow it or raise --limit)"
            } else {
                ""
            }
        )?;
        for p in &view.policies {
            say!(
                "{}  rules changed to version {}",
                output::time(p.at),
                p.version
            )?;
        }
        say!()?;
    }
    output::show(args.client.output, &view, |v| Rows {
        headers: vec![
            "when",
            "vm",
            "cluster",
            "readiness",
            "appeared",
            "cleared",
            "cause",
        ],
        rows: v.changes.iter().map(row).collect(),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn row(c: &ChangeView) -> Vec<String> {
    let word = |r: Option<crate::validation::Readiness>| r.map_or("–", |r| r.as_str());
    let ids = |list: &[ConcernRef]| {
        list.iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        output::time(c.change.at),
        c.vm_name.clone(),
        c.cluster_name.clone(),
        format!("{} → {}", word(c.change.before), word(c.change.after)),
        ids(&c.change.appeared),
        ids(&c.change.cleared),
        cause(&c.change.cause),
    ]
}

/// A cause as a few words.
pub(super) fn cause(c: &Cause) -> String {
    let event = |e: &Option<u64>| e.map(|e| format!(" (after event {e})")).unwrap_or_default();
    match c {
        Cause::Added => "added".into(),
        Cause::Removed => "removed".into(),
        Cause::Engine { event: e } => format!("engine change{}", event(e)),
        Cause::Rules { from } => format!("rules changed (from {from})"),
        Cause::EngineAndRules { event: e, from } => {
            format!("engine change{} and rules (from {from})", event(e))
        }
    }
}

/// What to count in the trend.
#[derive(Debug, Args)]
pub(super) struct TrendArgs {
    /// The provider (needed when there are several).
    #[arg(long)]
    provider: Option<String>,
    /// Over 30, 90 or 365 days.
    #[arg(long, default_value = "30", value_parser = ["30", "90", "365"])]
    days: String,
    /// Only VMs of this cluster, by name or id.
    #[arg(long)]
    cluster: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

/// `vmyard trend`: readiness per day.
pub(super) async fn trend(args: TrendArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.client)?;
    let provider = match &args.provider {
        Some(p) => p.clone(),
        None => only_provider(&client).await?,
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("days", &args.days);
    if let Some(c) = &args.cluster {
        query.append_pair("cluster", c);
    }
    let days: Vec<TrendDay> = client
        .get(&format!(
            "/api/v1/providers/{provider}/trend?{}",
            query.finish()
        ))
        .await?;
    output::show(args.client.output, &days, |days| Rows {
        headers: vec!["day", "ready", "warnings", "blocked", "error"],
        rows: days
            .iter()
            .map(|d| {
                let n = |k: &str| d.readiness.get(k).copied().unwrap_or(0).to_string();
                vec![
                    d.day.clone(),
                    n("ready"),
                    n("warnings"),
                    n("blocked"),
                    n("error"),
                ]
            })
            .collect(),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `vmyard changes --since 7d`: the history from a time to now.
pub(super) async fn changes(
    since: String,
    provider: Option<String>,
    client: ClientArgs,
) -> anyhow::Result<ExitCode> {
    history(HistoryArgs {
        provider,
        vm: None,
        concern: None,
        cluster: None,
        from: Some(since),
        to: None,
        limit: None,
        client,
    })
    .await
}
