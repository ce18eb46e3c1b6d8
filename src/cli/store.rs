//! `vmyard store check|recover`: what an operator does with a store the service refused.
//!
//! The service never replaces a damaged store on its own: it would lose the tokens and
//! sessions with the inventory. `check` opens the store as the service would (which verifies
//! every page) and says whether it can be used; `recover` moves a damaged store aside, named
//! with the time, so that the next start begins with an empty store and the old file stays
//! for inspection. Both need the service stopped: the store is open by one process at a time.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::store::{FILE_NAME, Store, StoreError};

/// `vmyard store ...`.
#[derive(Debug, Subcommand)]
pub(super) enum StoreCommand {
    /// Check the store (the service must be stopped).
    Check(StoreArgs),
    /// Move a damaged store aside so that the next start begins with an empty one.
    Recover(StoreArgs),
}

/// Where the store is.
#[derive(Debug, Args)]
pub(super) struct StoreArgs {
    /// The config file, for its `[storage] data_dir`.
    #[arg(
        long,
        short,
        default_value = "/etc/vmyard/vmyard.toml",
        env = "VMYARD_CONFIG"
    )]
    config: PathBuf,
    /// The data folder, instead of the config's.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl StoreArgs {
    fn data_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.data_dir {
            return Ok(d.clone());
        }
        let config = crate::config::load_file(&self.config).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(config.storage.data_dir.clone())
    }
}

/// Runs a `store` command.
pub(super) fn run(command: StoreCommand) -> anyhow::Result<ExitCode> {
    match command {
        StoreCommand::Check(args) => check(&args.data_dir()?),
        StoreCommand::Recover(args) => recover(&args.data_dir()?),
    }
}

fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let file = dir.join(FILE_NAME);
    if !file.exists() {
        say!(
            "{}: no store yet (the service makes one at start)",
            file.display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    match Store::open(dir) {
        Ok(_) => {
            say!("{}: ok", file.display())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            if matches!(e, StoreError::Corrupt { .. }) {
                eprintln!(
                    "run `vmyard store recover` to move it aside and start with an empty store"
                );
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn recover(dir: &Path) -> anyhow::Result<ExitCode> {
    let file = dir.join(FILE_NAME);
    if !file.exists() {
        say!("{}: no store, nothing to recover", file.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    match Store::open(dir) {
        Ok(_) => {
            say!("{}: ok, nothing to recover", file.display())?;
            return Ok(ExitCode::SUCCESS);
        }
        Err(StoreError::Corrupt { .. }) => {}
        Err(e) => {
            // In use, or the folder fails: moving the file would not help.
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
    let aside = dir.join(format!("{FILE_NAME}.damaged-{stamp}"));
    std::fs::rename(&file, &aside)
        .map_err(|e| anyhow::anyhow!("cannot move {} aside: {e}", file.display()))?;
    say!(
        "moved the damaged store to {}; the next start begins with an empty store (tokens and sessions are made anew, the inventory reloads)",
        aside.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
