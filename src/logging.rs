//! Logs through tracing: plain lines for journald (it adds its own time and unit), colours
//! and times on a terminal. `VMYARD_LOG` (or `RUST_LOG`) sets the filter, `info` by default.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; call once, early.
pub fn init() {
    let filter = std::env::var("VMYARD_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,tower_http=warn,axum_server=warn".to_string());
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // systemd sets JOURNAL_STREAM when stderr goes to the journal.
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder
            .without_time()
            .with_ansi(false)
            .with_target(false)
            .init();
    } else {
        builder.with_target(false).init();
    }
}
