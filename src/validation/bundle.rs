//! The policy bundle: the Rego files the rules are made of, and their version.
//!
//! The built-in bundle is `config/policies/` of the repository, embedded in the binary. A
//! folder named in `[validation] policy_dir` extends it (a file of the same name replaces
//! the built-in one, new files add rules) or, with `replace_builtin = true`, replaces it.
//! The version is a hash of the rule files' names and content, so any edit of a rule makes
//! every VM due again, and editing only the tests does not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "config/policies/"]
struct BuiltIn;

/// The package every rule of the bundle lives in (Forklift's, so its rules run unchanged).
pub const PACKAGE: &str = "io.konveyor.forklift.ovirt";

/// A set of Rego files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// File name → content, rules and tests alike.
    pub files: BTreeMap<String, String>,
    /// Where the files came from, for people: `built-in`, a folder, or both.
    pub source: String,
}

/// A bundle that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("policy folder {}: {detail}", path.display())]
pub struct BundleError {
    /// The folder or file.
    pub path: PathBuf,
    /// What went wrong.
    pub detail: String,
}

impl Bundle {
    /// The bundle embedded in vmyard.
    pub fn builtin() -> Bundle {
        let files = BuiltIn::iter()
            .filter_map(|name| {
                let file = BuiltIn::get(&name)?;
                Some((
                    name.to_string(),
                    String::from_utf8_lossy(&file.data).into_owned(),
                ))
            })
            .collect();
        Bundle {
            files,
            source: "built-in".into(),
        }
    }

    /// The bundle in force for a `[validation]` section: the built-in one, extended or
    /// replaced by the `.rego` files of `dir`.
    pub fn load(dir: Option<&Path>, replace_builtin: bool) -> Result<Bundle, BundleError> {
        let Some(dir) = dir else {
            return Ok(Bundle::builtin());
        };
        let own = Bundle::from_dir(dir)?;
        if replace_builtin {
            return Ok(own);
        }
        let mut bundle = Bundle::builtin();
        bundle.files.extend(own.files);
        bundle.source = format!("built-in + {}", dir.display());
        Ok(bundle)
    }

    /// The `.rego` files of a folder (not its subfolders).
    pub fn from_dir(dir: &Path) -> Result<Bundle, BundleError> {
        let err = |detail: String| BundleError {
            path: dir.to_path_buf(),
            detail,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| err(e.to_string()))?;
        let mut files = BTreeMap::new();
        for entry in entries {
            let path = entry.map_err(|e| err(e.to_string()))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("rego") || path.is_dir() {
                continue;
            }
            // Opened without blocking and refused unless regular: a FIFO named `*.rego`
            // would otherwise hold the rules watcher in its read for good.
            let text = crate::config::file::read_regular(&path).map_err(|e| BundleError {
                path: path.clone(),
                detail: e.to_string(),
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.insert(name, text);
        }
        if files.is_empty() {
            return Err(err("holds no .rego file".into()));
        }
        Ok(Bundle {
            files,
            source: dir.display().to_string(),
        })
    }

    /// Whether a file holds tests (`*_test.rego`) rather than rules.
    pub fn is_test(name: &str) -> bool {
        name.ends_with("_test.rego")
    }

    /// The rule files (not the tests).
    pub fn rules(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(n, _)| !Bundle::is_test(n))
            .map(|(n, t)| (n.as_str(), t.as_str()))
    }

    /// The policy version: a hash of the rule files, 16 hex digits.
    pub fn version(&self) -> String {
        let mut h = Sha256::new();
        for (name, text) in self.rules() {
            h.update((name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        hex::encode(&h.finalize()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_bundle_has_rules_and_tests() {
        let b = Bundle::builtin();
        assert!(b.files.contains_key("validate.rego"));
        assert!(b.files.contains_key("validate_test.rego"));
        assert!(b.rules().all(|(n, _)| !n.ends_with("_test.rego")));
        assert_eq!(b.version().len(), 16);
    }

    #[test]
    fn a_fifo_among_the_rules_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.rego"), "package x\n").unwrap();
        let fifo = dir.path().join("stuck.rego");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // No writer ever opens it: a blocking read would never return.
        let e = Bundle::from_dir(dir.path()).unwrap_err();
        assert_eq!(e.path, fifo);
        assert!(e.detail.contains("FIFO"), "{}", e.detail);
    }

    #[test]
    fn the_version_follows_rules_not_tests() {
        let b = Bundle::builtin();
        let mut tests_edited = b.clone();
        tests_edited
            .files
            .get_mut("vm_test.rego")
            .unwrap()
            .push_str("\n# note\n");
        assert_eq!(b.version(), tests_edited.version());
        let mut rules_edited = b.clone();
        rules_edited
            .files
            .get_mut("vm.rego")
            .unwrap()
            .push_str("\n# note\n");
        assert_ne!(b.version(), rules_edited.version());
    }

    #[test]
    fn a_folder_extends_or_replaces() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("extra.rego"), "package x\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not rego").unwrap();
        let extended = Bundle::load(Some(dir.path()), false).unwrap();
        assert!(extended.files.contains_key("extra.rego"));
        assert!(extended.files.contains_key("vm.rego"));
        assert!(!extended.files.contains_key("notes.txt"));
        let replaced = Bundle::load(Some(dir.path()), true).unwrap();
        assert_eq!(replaced.files.len(), 1);
        let empty = tempfile::tempdir().unwrap();
        assert!(Bundle::load(Some(empty.path()), false).is_err());
        assert!(Bundle::load(Some(&dir.path().join("missing")), false).is_err());
    }
}
