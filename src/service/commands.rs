//! `vmyard serve`: the service with a config file, or the demo. The CLI parses the
//! arguments; the binary hands them here, so the CLI does not depend on the service.

use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::config;

/// Runs `vmyard serve` until SIGTERM or Ctrl-C.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    if !args.demo {
        let config = config::load_file(&args.config).map_err(|e| {
            if e.file.is_some() && !args.config.exists() {
                anyhow::anyhow!("{e} (try `vmyard serve --demo` to run without a config)")
            } else {
                anyhow::anyhow!("{e}")
            }
        })?;
        let live = config::watch::LiveConfig::new(config, Some(args.config));
        crate::cli::runtime()?.block_on(async move {
            let running = super::start(live, false).await?;
            super::run_until_signal(running).await
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let (mut config, secret) = super::demo::config(args.listen, None)?;
    crate::cli::runtime()?.block_on(async move {
        // The port and the socket first: a demo that cannot listen writes nothing (no store,
        // no key, no CA over a running demo's).
        let bound = super::bind(&config).map_err(|e| {
            anyhow::anyhow!(
                "{e:#} (the demo takes another address with --listen, e.g. --listen 127.0.0.1:8444)"
            )
        })?;
        let (sim_stop, sim_shutdown) = super::shutdown_pair();
        let provider = super::demo::start_engine(&mut config, args.vms, sim_shutdown).await?;
        let live = config::watch::LiveConfig::new(config, None);
        let running = super::start_on(live, true, Some(bound)).await?;
        running.spawn(
            "demo history",
            super::demo_history::age(
                running.state.store.clone(),
                running.state.validation.clone(),
                std::time::Duration::from_secs(600),
                running.shutdown(),
            ),
        );
        print_demo_banner(&running, &secret, &provider);
        let result = super::run_until_signal(running).await;
        sim_stop.fire();
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's URL and login. The password goes to a terminal only: when stdout is a file
/// or a pipe (a log), it is written to `<data>/demo-login`, readable by the user alone, and
/// the banner names that file. Write errors on stdout are ignored: a closed stdout
/// (`| head`) must not stop the service.
fn print_demo_banner(running: &super::Running, secret: &str, engine: &str) {
    use std::io::{IsTerminal, Write};
    let data = running
        .state
        .store
        .path()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let login = if std::io::stdout().is_terminal() {
        format!("admin / {secret}")
    } else {
        let file = data.join("demo-login");
        match write_private(&file, &format!("admin\n{secret}\n")) {
            Ok(()) => format!(
                "admin, password in {} (not printed: stdout is not a terminal)",
                file.display()
            ),
            Err(e) => {
                tracing::error!("cannot write {}: {e}", file.display());
                format!(
                    "admin, password not shown: {} could not be written",
                    file.display()
                )
            }
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "vmyard demo is running\n  URL:      {}\n  login:    {login}\n  engine:   {engine} (simulated)\n  history:  the {} days before today are made up for the demo\n  data:     {}\n  \
         The certificate is self-signed: accept it in the browser. Stop with Ctrl-C.",
        running.url(),
        super::demo_history::DAYS,
        data.display()
    );
    let _ = out.flush();
}

/// Writes `text` to a file only its owner can read (created 0600, replaced whole).
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}
