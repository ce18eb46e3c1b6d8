//! The files the packages ship beside the binary, generated from the command definitions so
//! they cannot drift from it: one man page per command (`vmyard.1`, `vmyard-serve.1`, ...)
//! and the bash, zsh and fish completions.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Writes `man/*.1` and `completions/{vmyard.bash,_vmyard,vmyard.fish}` under `out`.
pub(super) fn write(out: &Path) -> anyhow::Result<()> {
    let man = out.join("man");
    let completions = out.join("completions");
    for dir in [&man, &completions] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // The pages carry the package's version and no date, so a rebuild gives the same bytes.
    let cmd = Cli::command().version(env!("CARGO_PKG_VERSION"));
    clap_mangen::generate_to(cmd.clone(), &man)
        .with_context(|| format!("cannot write the man pages into {}", man.display()))?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut cmd.clone(), "vmyard", &completions)
            .with_context(|| format!("cannot write the {shell} completions"))?;
    }
    Ok(())
}
