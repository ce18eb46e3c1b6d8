//! Where the collectors read from: the real root by default, a folder of fixture files in
//! tests, so that every parser runs on known input as well as on the live system.

use std::io;
use std::path::{Path, PathBuf};

/// The file system the facts are read from.
#[derive(Debug, Clone)]
pub struct Sources {
    root: PathBuf,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            root: PathBuf::from("/"),
        }
    }
}

impl Sources {
    /// Reads below `root` instead of `/` (tests).
    pub fn at(root: impl Into<PathBuf>) -> Sources {
        Sources { root: root.into() }
    }

    /// The path of an absolute system path below the root.
    pub fn path(&self, system_path: &str) -> PathBuf {
        self.root.join(system_path.trim_start_matches('/'))
    }

    /// Reads a text file.
    pub fn read(&self, system_path: &str) -> io::Result<String> {
        std::fs::read_to_string(self.path(system_path))
    }

    /// Reads a text file and trims it; `None` when absent or empty.
    pub fn value(&self, system_path: &str) -> Option<String> {
        self.read(system_path)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Reads a text file at a path already below the root, trimmed.
    pub fn value_at(path: &Path) -> Option<String> {
        std::fs::read_to_string(path)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// The entries of a folder, sorted by name; empty when it does not exist.
    pub fn entries(&self, system_path: &str) -> io::Result<Vec<(String, PathBuf)>> {
        let dir = self.path(system_path);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// How a value that could not be read is reported: a missing privilege says so, as the
/// design asks, instead of failing the section.
pub(super) fn unavailable(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "unavailable: permission denied".to_string(),
        io::ErrorKind::NotFound => "unavailable: not present on this system".to_string(),
        _ => format!("unavailable: {e}"),
    }
}

/// The last path component of a symbolic link's target (a driver, a device class).
pub(super) fn link_name(path: &Path) -> Option<String> {
    std::fs::read_link(path)
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Seconds since the epoch as RFC 3339, or `None` for an impossible time.
pub(super) fn rfc3339(secs: i64) -> Option<String> {
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_privileges_are_named() {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(unavailable(&denied), "unavailable: permission denied");
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert!(unavailable(&missing).contains("not present"));
    }

    #[test]
    fn paths_are_taken_below_the_root() {
        let s = Sources::at("/tmp/x");
        assert_eq!(
            s.path("/proc/meminfo"),
            PathBuf::from("/tmp/x/proc/meminfo")
        );
    }
}
