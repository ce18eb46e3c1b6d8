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
        let (sim_stop, sim_shutdown) = super::shutdown_pair();
        let provider = super::demo::start_engine(&mut config, args.vms, sim_shutdown).await?;
        let live = config::watch::LiveConfig::new(config, None);
        let running = super::start(live, true).await?;
        print_demo_banner(&running, &secret, &provider);
        let result = super::run_until_signal(running).await;
        sim_stop.fire();
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's URL and login. Write errors are ignored: a closed stdout (`| head`) must not
/// stop the service.
fn print_demo_banner(running: &super::Running, secret: &str, engine: &str) {
    use std::io::Write;
    let data = running
        .state
        .store
        .path()
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "vmyard demo is running\n  URL:      {}\n  login:    admin / {secret}\n  engine:   {engine} (simulated)\n  data:     {data}\n  \
         The certificate is self-signed: accept it in the browser. Stop with Ctrl-C.",
        running.url()
    );
    let _ = out.flush();
}
