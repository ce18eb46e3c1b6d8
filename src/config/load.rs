//! Reading a config file: parse, validate, resolve secret files, check permissions.
//!
//! Every failure becomes one [`ConfigError`] that prints on one line as
//! `FILE:LINE:COLUMN: KEY: MESSAGE`, so a person can jump straight to the mistake.

use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::types::{Config, Secret};

/// Why a config file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, when the config came from one.
    pub file: Option<PathBuf>,
    /// 1-based line and column of the offending key or value, when known.
    pub position: Option<(usize, usize)>,
    /// Dotted key path, e.g. `providers[0].password_file`.
    pub key: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl ConfigError {
    fn new(message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            position: None,
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}", file.display())?,
            None => f.write_str("config")?,
        }
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Reads, validates and resolves the config file at `path`.
///
/// Besides [`load_str`], this refuses a file that other users can read while it holds an
/// inline secret: such a secret belongs in a private file (`password_file`) or the config
/// must be made private (`chmod o-r`).
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let src = super::file::read_regular(path).map_err(|e| ConfigError {
        file: Some(path.to_path_buf()),
        ..ConfigError::new(format!("cannot read the file: {e}"))
    })?;
    load_file_text(path, &src)
}

/// Like [`load_file`], for text already read from `path`.
pub fn load_file_text(path: &Path, src: &str) -> Result<Config, ConfigError> {
    let with_file = |mut e: ConfigError| {
        e.file = Some(path.to_path_buf());
        e
    };
    let base = path.parent().unwrap_or(Path::new("."));
    // A file that sets nothing would run on defaults with no provider and no user: on a
    // reload every provider's data would go, and at the next start vmyard would listen on
    // 0.0.0.0:8443 over /var/lib/vmyard. It is a truncated or mistaken edit, not a config.
    if sets_nothing(src) {
        return Err(with_file(ConfigError::new(
            "the file sets nothing (it is empty, or holds only comments); the config in \
             force stays. A config names at least its users and providers",
        )));
    }
    let config = parse(src, base).map_err(with_file)?;

    let mode = std::fs::metadata(path)
        .map_err(|e| with_file(ConfigError::new(format!("cannot stat the file: {e}"))))?
        .permissions()
        .mode();
    if mode & 0o002 != 0 {
        return Err(with_file(ConfigError::new(format!(
            "the file is writable by other users (mode {:o}): anyone on the machine could \
             give vmyard users and engines; run `chmod o-w {}`",
            mode & 0o777,
            path.display()
        ))));
    }
    if mode & 0o004 != 0
        && let Some(key) = inline_secret_keys(&config).into_iter().next()
    {
        let mut e = ConfigError::new(format!(
            "the file is readable by other users (mode {:o}) and holds an inline secret; \
             run `chmod o-r {}` or move the secret to a file given with {key}_file",
            mode & 0o777,
            path.display()
        ));
        e.position = locate(src, &key);
        e.key = Some(key);
        return Err(with_file(e));
    }
    Ok(config)
}

/// Whether config text sets no key at all (empty, blank, or only comments).
fn sets_nothing(src: &str) -> bool {
    src.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#'))
}

/// Whether the text writes `key = []` at the top level: the explicit way to remove every
/// entry of a section in one edit.
pub fn explicitly_empty(src: &str, key: &str) -> bool {
    DeTable::parse(src).is_ok_and(|root| {
        root.get_ref().iter().any(|(k, v)| {
            k.get_ref() == key && matches!(v.get_ref(), DeValue::Array(items) if items.is_empty())
        })
    })
}

/// Parses and validates config text; relative paths are taken from `base`.
pub fn load_str(src: &str, base: &Path) -> Result<Config, ConfigError> {
    parse(src, base)
}

fn parse(src: &str, base: &Path) -> Result<Config, ConfigError> {
    let de = toml::de::Deserializer::parse(src).map_err(|e| toml_error(src, &e, None))?;
    let mut config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let key = (key != ".").then_some(key);
        let mut error = toml_error(src, e.inner(), key);
        if error.key.as_deref().is_some_and(is_secret_key)
            && (!error
                .key
                .as_deref()
                .is_some_and(|k| k.ends_with("password_hash"))
                || error.message.starts_with("invalid type"))
        {
            // serde's message quotes the value ("invalid type: integer `90210555`"): a
            // secret must not reach the log, the status API or a terminal that way.
            error.message =
                "must be a string in quotes (the value is not shown: it is a secret)".into();
        }
        error
    })?;
    resolve_paths(&mut config, base);
    check(&config).map_err(|(key, message)| ConfigError {
        file: None,
        position: locate(src, &key),
        key: Some(key),
        message,
    })?;
    resolve_secrets(&mut config).map_err(|(key, message)| ConfigError {
        file: None,
        position: locate(src, &key),
        key: Some(key),
        message,
    })?;
    Ok(config)
}

fn toml_error(src: &str, e: &toml::de::Error, key: Option<String>) -> ConfigError {
    ConfigError {
        file: None,
        position: e.span().map(|s| line_col(src, s.start)),
        key,
        message: e.message().trim().replace('\n', "; "),
    }
}

/// Relative paths in the file are relative to the file's own folder, so that a config and
/// its secret files can be moved together.
fn resolve_paths(config: &mut Config, base: &Path) {
    let fix = |p: &mut PathBuf| {
        if p.is_relative() && !p.as_os_str().is_empty() {
            *p = base.join(&*p);
        }
    };
    fix(&mut config.storage.data_dir);
    fix(&mut config.server.socket);
    config.server.tls_cert.iter_mut().for_each(fix);
    config.server.tls_key.iter_mut().for_each(fix);
    config.validation.policy_dir.iter_mut().for_each(fix);
    for p in &mut config.providers {
        p.password_file.iter_mut().for_each(fix);
        p.ca_file.iter_mut().for_each(fix);
    }
    for p in &mut config.peers {
        p.token_file.iter_mut().for_each(fix);
        p.ca_file.iter_mut().for_each(fix);
    }
}

type Problem = (String, String);

/// Rules that span several keys, which serde cannot express.
fn check(config: &Config) -> Result<(), Problem> {
    let s = &config.server;
    if s.tls_cert.is_some() != s.tls_key.is_some() {
        let key = if s.tls_cert.is_some() {
            "server.tls_key"
        } else {
            "server.tls_cert"
        };
        return Err((
            key.into(),
            "tls_cert and tls_key go together: give both or neither".into(),
        ));
    }
    for (key, value) in [
        ("server.idle_timeout", s.idle_timeout.0),
        ("server.body_timeout", s.body_timeout.0),
    ] {
        if value < std::time::Duration::from_secs(1) {
            return Err((key.into(), "must be at least 1s".into()));
        }
    }
    if s.login_max_failures == 0 {
        return Err((
            "server.login_max_failures".into(),
            "must be at least 1".into(),
        ));
    }
    unique(
        config.providers.iter().map(|p| p.name.as_str()),
        "providers",
    )?;
    unique(config.peers.iter().map(|p| p.name.as_str()), "peers")?;
    unique(config.users.iter().map(|u| u.name.as_str()), "users")?;
    for (i, p) in config.providers.iter().enumerate() {
        if !p
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err((
                format!("providers[{i}].name"),
                "use letters, digits, `-`, `_` and `.` only".into(),
            ));
        }
        if p.max_answer_mib == 0 || p.max_answer_mib > 64 * 1024 {
            return Err((
                format!("providers[{i}].max_answer_mib"),
                "must be between 1 and 65536".into(),
            ));
        }
        one_of(
            &p.password,
            &p.password_file,
            &format!("providers[{i}]"),
            "password",
        )?;
    }
    for (i, p) in config.peers.iter().enumerate() {
        one_of(&p.token, &p.token_file, &format!("peers[{i}]"), "token")?;
        node_name(&p.name, &format!("peers[{i}].name"))?;
        if config.node.name.as_deref() == Some(p.name.as_str()) {
            return Err((
                format!("peers[{i}].name"),
                "a peer cannot have this node's own name".into(),
            ));
        }
    }
    if let Some(name) = &config.node.name {
        node_name(name, "node.name")?;
    }
    unique(
        config.machines.classes.iter().map(|c| c.name.as_str()),
        "machines.classes",
    )?;
    for (i, class) in config.machines.classes.iter().enumerate() {
        if let Err(e) = class.check() {
            return Err((format!("machines.classes[{i}]"), e.message));
        }
        if !config.providers.iter().any(|p| p.name == class.provider) {
            return Err((
                format!("machines.classes[{i}].provider"),
                format!("no provider is named `{}`", class.provider),
            ));
        }
    }
    for key in config.node.properties.keys() {
        if !super::properties::NAMES.contains(&key.as_str()) {
            return Err((
                format!("node.properties.{key}"),
                format!(
                    "unknown property `{key}`: use one of {}",
                    super::properties::NAMES.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Node names travel in URL paths and selector expressions, and `_` and `localhost` mean
/// "the node that answers".
fn node_name(name: &str, key: &str) -> Result<(), Problem> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !matches!(name, "_" | "localhost");
    if ok {
        Ok(())
    } else {
        Err((
            key.into(),
            format!(
                "`{name}` is not a node name: use letters, digits, `-`, `_` and `.` (not `_` or `localhost` alone)"
            ),
        ))
    }
}

fn unique<'a>(names: impl Iterator<Item = &'a str>, section: &str) -> Result<(), Problem> {
    let mut seen = std::collections::HashSet::new();
    for (i, name) in names.enumerate() {
        if name.trim().is_empty() {
            return Err((format!("{section}[{i}].name"), "must not be empty".into()));
        }
        if !seen.insert(name) {
            return Err((
                format!("{section}[{i}].name"),
                format!("`{name}` is given twice"),
            ));
        }
    }
    Ok(())
}

fn one_of<T>(
    inline: &Option<T>,
    file: &Option<PathBuf>,
    at: &str,
    what: &str,
) -> Result<(), Problem> {
    match (inline.is_some(), file.is_some()) {
        (true, true) => Err((
            format!("{at}.{what}_file"),
            format!("give either {what} or {what}_file, not both"),
        )),
        (false, false) => Err((at.into(), format!("needs {what} or {what}_file"))),
        _ => Ok(()),
    }
}

/// Reads every `*_file` secret now, so a missing or unreadable file is an error at load
/// time rather than a surprise at first use.
fn resolve_secrets(config: &mut Config) -> Result<(), Problem> {
    for (i, p) in config.providers.iter_mut().enumerate() {
        if let Some(file) = &p.password_file {
            p.password_from_file =
                Some(read_secret(file, &format!("providers[{i}].password_file"))?);
        }
    }
    for (i, p) in config.peers.iter_mut().enumerate() {
        if let Some(file) = &p.token_file {
            p.token_from_file = Some(read_secret(file, &format!("peers[{i}].token_file"))?);
        }
    }
    // Certificates too: a collector or a listener that cannot read its file would otherwise
    // fail only once the config is in force.
    for (i, p) in config.providers.iter().enumerate() {
        if let Some(file) = &p.ca_file {
            read_pem(file, &format!("providers[{i}].ca_file"), "CERTIFICATE")?;
        }
    }
    for (i, p) in config.peers.iter().enumerate() {
        if let Some(file) = &p.ca_file {
            read_pem(file, &format!("peers[{i}].ca_file"), "CERTIFICATE")?;
        }
    }
    if let Some(file) = &config.server.tls_cert {
        read_pem(file, "server.tls_cert", "CERTIFICATE")?;
    }
    if let Some(file) = &config.server.tls_key {
        read_pem(file, "server.tls_key", "PRIVATE KEY")?;
    }
    Ok(())
}

/// Whether a dotted key path names a secret (`providers[0].password`, `peers[1].token`).
fn is_secret_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    let last = last.split('[').next().unwrap_or(last);
    matches!(last, "password" | "token" | "password_hash")
}

/// Checks that a PEM file can be read and holds a block of `label` (`CERTIFICATE`, or any
/// `... PRIVATE KEY`).
fn read_pem(file: &Path, key: &str, label: &str) -> Result<(), Problem> {
    let text = super::file::read_regular(file).map_err(|e| {
        (
            key.to_string(),
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    let holds = text
        .lines()
        .any(|l| l.starts_with("-----BEGIN ") && l.trim_end().ends_with(&format!("{label}-----")));
    if !holds {
        return Err((
            key.to_string(),
            format!("{} holds no PEM {label}", file.display()),
        ));
    }
    Ok(())
}

fn read_secret(file: &Path, key: &str) -> Result<Secret, Problem> {
    let text = super::file::read_regular(file).map_err(|e| {
        (
            key.to_string(),
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err((key.to_string(), format!("{} is empty", file.display())));
    }
    Ok(Secret::new(value.to_string()))
}

/// The keys of every secret written inline in the file.
pub fn inline_secret_keys(config: &Config) -> Vec<String> {
    let providers = config.providers.iter().enumerate();
    let peers = config.peers.iter().enumerate();
    providers
        .filter(|(_, p)| p.password.is_some())
        .map(|(i, _)| format!("providers[{i}].password"))
        .chain(
            peers
                .filter(|(_, p)| p.token.is_some())
                .map(|(i, _)| format!("peers[{i}].token")),
        )
        .collect()
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Finds where a dotted key path (`providers[1].password_file`) is written in `src`.
fn locate(src: &str, key: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(src).ok()?;
    let mut table: &DeTable = root.get_ref();
    let mut span = None;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let (k, v) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        span = Some(k.span());
        let mut value = v.get_ref();
        if let (Some(i), DeValue::Array(items)) = (index, value) {
            let item = items.get(i)?;
            span = Some(item.span());
            value = item.get_ref();
        }
        match value {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    span.map(|s| line_col(src, s.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> ConfigError {
        load_str(src, Path::new("/etc/vmyard")).expect_err("config should be refused")
    }

    #[test]
    fn empty_file_gives_defaults() {
        let c = load_str("", Path::new("/")).unwrap();
        assert_eq!(c.server.listen.0.port(), 8443);
        assert_eq!(c.storage.data_dir, PathBuf::from("/var/lib/vmyard"));
        assert!(c.providers.is_empty());
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_echoed() {
        for src in [
            "[[providers]]\nname = \"e\"\nurl = \"https://e/ovirt-engine/api\"\nuser = \"u\"\npassword = 90210555\n",
            "[[peers]]\nname = \"p\"\nurl = \"https://p:8443\"\ntoken = 90210555\n",
            "[[users]]\nname = \"a\"\nrole = \"admin\"\npassword_hash = 90210555\n",
        ] {
            let e = err(src);
            assert!(!e.to_string().contains("90210555"), "{e}");
            assert!(e.message.contains("not shown"), "{e}");
        }
        // Not a secret: the value helps.
        let e = err("[server]\nlogin_max_failures = \"five\"\n");
        assert!(e.to_string().contains("five"), "{e}");
    }

    #[test]
    fn a_file_that_sets_nothing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vmyard.toml");
        for text in ["", "  \n\t\n", "# just a comment\n\n# another\n"] {
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let e = load_file(&path).unwrap_err();
            assert!(e.message.contains("sets nothing"), "{e}");
        }
    }

    #[test]
    fn a_world_writable_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vmyard.toml");
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:1\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o646)).unwrap();
        let e = load_file(&path).unwrap_err();
        assert!(e.message.contains("writable by other users"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_file(&path).is_ok());
    }

    #[test]
    fn an_explicit_empty_list_is_told_from_a_missing_one() {
        assert!(explicitly_empty("providers = []\n[server]\n", "providers"));
        assert!(!explicitly_empty("[server]\n", "providers"));
        assert!(!explicitly_empty("users = []\n", "providers"));
    }

    #[test]
    fn malformed_toml_names_line_and_column() {
        let e = err("[server]\nlisten = \"0.0.0.0:1\"\nbad = = 3\n");
        assert_eq!(e.position.map(|p| p.0), Some(3));
        assert!(e.to_string().starts_with("config:3:"), "{e}");
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let e = err("[server]\nlisten = \"127.0.0.1:1\"\nlsiten = \"x\"\n");
        assert!(e.message.contains("lsiten"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(3));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = err("[server]\nlogin_max_failures = \"five\"\n");
        assert_eq!(e.key.as_deref(), Some("server.login_max_failures"));
        assert_eq!(e.position.map(|p| p.0), Some(2));
    }

    #[test]
    fn bad_values_are_refused_with_key() {
        let e = err("[server]\nlisten = \"nowhere\"\n");
        assert_eq!(e.key.as_deref(), Some("server.listen"));
        assert!(e.message.contains("not an address"), "{e}");
        let e = err("[server]\nsession_ttl = \"soon\"\n");
        assert_eq!(e.key.as_deref(), Some("server.session_ttl"));
        let hash = crate::auth::password::hash("pw").unwrap();
        let e = err(&format!(
            "[[users]]\nname = \"a\"\nrole = \"boss\"\npassword_hash = \"{hash}\"\n"
        ));
        assert_eq!(e.key.as_deref(), Some("users[0].role"));
        let e = err("[[users]]\nname = \"a\"\nrole = \"admin\"\npassword_hash = \"plain\"\n");
        assert_eq!(e.key.as_deref(), Some("users[0].password_hash"));
    }

    #[test]
    fn certificate_files_must_be_readable_pem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "secret\n").unwrap();
        std::fs::write(dir.path().join("not-pem"), "hello\n").unwrap();
        let provider = |ca: &str| {
            format!(
                "[[providers]]\nname = \"e\"\nurl = \"https://e/ovirt-engine/api\"\nuser = \"u\"\npassword_file = \"pw\"\nca_file = \"{ca}\"\n"
            )
        };
        for (ca, says) in [
            ("missing.pem", "cannot read"),
            ("not-pem", "no PEM CERTIFICATE"),
        ] {
            let e = load_str(&provider(ca), dir.path()).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("providers[0].ca_file"), "{e}");
            assert!(e.message.contains(says), "{e}");
        }
        let e = load_str(
            "[server]\ntls_cert = \"missing.pem\"\ntls_key = \"missing.key\"\n",
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("server.tls_cert"), "{e}");
    }

    #[test]
    fn cross_key_rules_point_at_the_key() {
        let src = "[[providers]]\nname = \"e\"\nurl = \"https://e/ovirt-engine/api\"\nuser = \"u\"\n\n\
                   [[providers]]\nname = \"f\"\nurl = \"https://f/ovirt-engine/api\"\nuser = \"u\"\npassword = \"p\"\n";
        let e = err(src);
        assert_eq!(e.key.as_deref(), Some("providers[0]"));
        assert!(e.message.contains("needs password"), "{e}");
        let src = src
            .replacen("user = \"u\"\n", "user = \"u\"\npassword = \"q\"\n", 1)
            .replace("name = \"f\"", "name = \"e\"");
        let e = err(&src);
        assert_eq!(e.key.as_deref(), Some("providers[1].name"));
        assert_eq!(e.position.map(|p| p.0), Some(8), "{e}");
    }

    #[test]
    fn missing_secret_file_is_an_error() {
        let e = err(
            "[[providers]]\nname = \"e\"\nurl = \"https://e/api\"\nuser = \"u\"\npassword_file = \"nope.txt\"\n",
        );
        assert_eq!(e.key.as_deref(), Some("providers[0].password_file"));
        assert!(e.message.contains("/etc/vmyard/nope.txt"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(5));
    }

    #[test]
    fn secret_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        let c = load_str(
            "[[providers]]\nname = \"e\"\nurl = \"https://e/api\"\nuser = \"u\"\npassword_file = \"pw\"\n",
            dir.path(),
        )
        .unwrap();
        assert_eq!(c.providers[0].password().unwrap().expose(), "s3cret");
    }

    #[test]
    fn world_readable_file_with_inline_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vmyard.toml");
        let src = "[[providers]]\nname = \"e\"\nurl = \"https://e/api\"\nuser = \"u\"\npassword = \"p\"\n";
        std::fs::write(&path, src).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_file(&path).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("providers[0].password"));
        assert!(e.message.contains("readable by other users"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(load_file(&path).is_ok());
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_shipped_example_config_is_valid() {
        let text = include_str!("../../config/vmyard.toml");
        let c = super::load_str(text, std::path::Path::new("/etc/vmyard")).unwrap();
        assert_eq!(c.server.listen.0.to_string(), "0.0.0.0:8443");
        assert!(c.users.is_empty());
    }
}
