//! `vmyard policy ...`: run the rules' tests, evaluate a workload, show what the rules see.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::ClientArgs;
use super::client::Client;
use crate::inventory::model::Vm;
use crate::inventory::query::ListPage;
use crate::validation::bundle::Bundle;
use crate::validation::{Policy, testing};

/// Work with the Rego rules.
#[derive(Debug, Subcommand)]
pub(super) enum PolicyCommand {
    /// Run the `test_*` rules of the `*_test.rego` files, like `opa test`: one line per
    /// failure, then `N passed, N failed`; exits 1 when a test fails.
    Test(BundleArgs),
    /// Print the `validate` document of the rules for a workload document; exits 1 when the
    /// rules fail on it (the error names the rule file and line) or report errors.
    Eval {
        #[command(flatten)]
        bundle: BundleArgs,
        /// The workload document (JSON); `-` reads standard input.
        #[arg(long)]
        input: PathBuf,
    },
    /// Print the workload document the running service feeds the rules for a VM.
    Workload {
        /// The provider.
        #[arg(long)]
        provider: String,
        /// The VM's engine id or name.
        vm: String,
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// Which rules.
#[derive(Debug, Args)]
pub(super) struct BundleArgs {
    /// A folder of `.rego` files; the built-in rules when absent.
    dir: Option<PathBuf>,
    /// Add the built-in rules to the folder's (a file of the same name replaces its
    /// built-in namesake).
    #[arg(long)]
    with_builtin: bool,
}

impl BundleArgs {
    fn load(&self) -> anyhow::Result<Bundle> {
        Ok(match &self.dir {
            None => Bundle::builtin(),
            Some(dir) => Bundle::load(Some(dir), !self.with_builtin)?,
        })
    }
}

/// Runs a `policy` command.
pub(super) async fn run(command: PolicyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PolicyCommand::Test(args) => test(&args.load()?),
        PolicyCommand::Eval { bundle, input } => {
            let text = if input.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                std::fs::read_to_string(&input)
                    .with_context(|| format!("reading {}", input.display()))?
            };
            let doc: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a JSON document", input.display()))?;
            let policy = Policy::compile(&bundle.load()?)?;
            let verdict = policy.evaluator().validate(&doc)?;
            say!("{}", serde_json::to_string_pretty(&verdict)?)?;
            // A verdict with errors gives no readiness: it must not pass for one.
            if verdict.errors.is_empty() {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "vmyard: the rules reported {} error(s): the VM's readiness is unknown",
                    verdict.errors.len()
                );
                Ok(ExitCode::FAILURE)
            }
        }
        PolicyCommand::Workload {
            provider,
            vm,
            client,
        } => {
            let c = Client::new(&client)?;
            let id = vm_id(&c, &provider, &vm).await?;
            let doc: serde_json::Value = c
                .get(&format!("/api/v1/providers/{provider}/vms/{id}/workload"))
                .await?;
            say!("{}", serde_json::to_string_pretty(&doc)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn test(bundle: &Bundle) -> anyhow::Result<ExitCode> {
    let results = testing::run(bundle)?;
    let failed: Vec<_> = results.iter().filter(|r| r.failure.is_some()).collect();
    for r in &failed {
        say!(
            "FAIL {}: {}: {}",
            r.file,
            r.rule,
            r.failure.as_deref().unwrap_or_default()
        )?;
    }
    say!(
        "{} passed, {} failed",
        results.len() - failed.len(),
        failed.len()
    )?;
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The engine id of a VM given by id or by exact name.
async fn vm_id(c: &Client, provider: &str, vm: &str) -> anyhow::Result<String> {
    let (status, _) = c
        .get_answer(&format!("/api/v1/providers/{provider}/vms/{vm}"))
        .await?;
    if status == 200 {
        return Ok(vm.to_string());
    }
    let q: String = form_urlencoded::byte_serialize(vm.as_bytes()).collect();
    let page: ListPage<Vm> = c
        .get(&format!(
            "/api/v1/providers/{provider}/vms?q={q}&per_page=1000"
        ))
        .await?;
    let ids: Vec<&str> = page
        .items
        .iter()
        .filter(|v| v.value.name == vm)
        .map(|v| v.value.id.as_str())
        .collect();
    match ids.as_slice() {
        [id] => Ok(id.to_string()),
        [] => anyhow::bail!("no VM {vm} in {provider}"),
        _ => anyhow::bail!(
            "{} VMs are named {vm} in {provider}: give the id",
            ids.len()
        ),
    }
}
