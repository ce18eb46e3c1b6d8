//! API tokens as the settings page and the API take them.

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
