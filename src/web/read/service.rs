//! The service's own status, as `/api/v1/status` and `vmyard status` show it.

use serde::{Deserialize, Serialize};

use crate::config::watch::ReloadStatus;
use crate::web::AppState;

/// What `GET /api/v1/status` answers.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Status {
    /// The vmyard version.
    pub version: String,
    /// When the service started (RFC 3339).
    pub started_at: String,
    /// Whether this is the demo.
    pub demo: bool,
    /// The HTTPS address the service listens on.
    pub listen: String,
    /// The store file.
    pub store: String,
    /// The config's file, load time and last refused edit.
    pub config: ReloadStatus,
    /// Names of the configured providers.
    pub providers: Vec<String>,
}

/// The service's status now.
pub fn service_status(app: &AppState) -> Status {
    let config = app.config.current();
    Status {
        version: env!("CARGO_PKG_VERSION").to_string(),
        started_at: app.started_at.to_string(),
        demo: app.demo,
        listen: app.listen.to_string(),
        store: app.store.path().display().to_string(),
        config: app.config.status(),
        providers: config.providers.iter().map(|p| p.name.clone()).collect(),
    }
}
