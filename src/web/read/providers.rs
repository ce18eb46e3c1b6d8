//! The configured providers and their collection state, as the dashboard, the inventory
//! pages and `/api/v1/providers` show them.

use serde::{Deserialize, Serialize};

use crate::collector::status::ProviderState;
use crate::store::StoreError;
use crate::web::AppState;

/// A configured provider and its collection state.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderView {
    /// The name in the config.
    pub name: String,
    /// The engine URL.
    pub url: String,
    /// TLS verification is off.
    pub insecure: bool,
    /// The collection state (absent before the collector first ran).
    pub state: Option<ProviderState>,
}

/// The configured providers and their collection state.
pub fn providers_view(app: &AppState) -> Result<Vec<ProviderView>, StoreError> {
    let r = app.store.read()?;
    let fault = app.store.write_fault();
    app.config
        .current()
        .providers
        .iter()
        .map(|p| {
            Ok(ProviderView {
                name: p.name.clone(),
                url: p.url.0.to_string(),
                insecure: p.insecure,
                state: r
                    .get::<ProviderState>(&p.name)?
                    .map(|s| s.value.under(fault.as_ref())),
            })
        })
        .collect()
}
