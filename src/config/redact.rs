//! The effective configuration with every secret hidden.
//!
//! Secret-bearing types ([`super::Secret`], [`super::PasswordHash`]) serialize as
//! [`REDACTED`], so rendering the config through serde can never leak one; this module only
//! picks the output format.

use super::Config;

/// What a secret prints as.
pub const REDACTED: &str = "<redacted>";

/// The effective config as TOML, secrets redacted, defaults filled in.
pub fn to_toml(config: &Config) -> String {
    toml::to_string_pretty(config).unwrap_or_else(|e| format!("# cannot render the config: {e}\n"))
}

/// The effective config as JSON, secrets redacted.
pub fn to_json(config: &Config) -> serde_json::Value {
    serde_json::to_value(config).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn secrets_never_render() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok"), "peer-token-value").unwrap();
        let hash = crate::auth::password::hash("pw-value").unwrap();
        let src = format!(
            "[[providers]]\nname = \"e\"\nurl = \"https://e/api\"\nuser = \"u\"\npassword = \"engine-pw-value\"\n\
             [[peers]]\nname = \"n2\"\nurl = \"https://n2:8443\"\ntoken_file = \"tok\"\n\
             [[users]]\nname = \"admin\"\nrole = \"admin\"\npassword_hash = \"{hash}\"\n"
        );
        let config = crate::config::load_str(&src, dir.path()).unwrap();
        let toml = to_toml(&config);
        let json = to_json(&config).to_string();
        let debug = format!("{config:?}");
        for out in [&toml, &json, &debug] {
            assert!(!out.contains("engine-pw-value"), "{out}");
            assert!(!out.contains("peer-token-value"), "{out}");
            assert!(!out.contains(&hash), "{out}");
        }
        assert!(toml.contains("password = \"<redacted>\""), "{toml}");
        assert!(toml.contains("token_file = "), "{toml}");
        // The rendered form is itself a valid config (secrets aside).
        assert!(toml.contains("listen = \"0.0.0.0:8443\""), "{toml}");
        let _ = Path::new("/");
    }
}
