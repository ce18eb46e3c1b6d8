//! API tokens as the settings page, the API and the CLI take and show them.

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::auth::token::ApiToken;

/// What to create.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it stops working; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<jiff::Timestamp>,
}

/// A created token: the only time its secret is shown.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token to send as `Authorization: Bearer`; it cannot be shown again.
    pub token: String,
    /// Its record.
    pub info: ApiToken,
}

/// Checks a token name: 1 to 64 printable characters, not blank. Returns it trimmed, or
/// what is wrong with it.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err("a token name is 1 to 64 printable characters".into());
    }
    if let Some(why) = crate::config::names::name_problem(name) {
        return Err(format!("token name: {why}"));
    }
    Ok(name)
}
